import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUtf16 } from '../../src/core/encoding.js';
import { readUtf8File } from '../../src/io/text-file.js';
import { tempDir } from '../helpers.js';

const CODEBOOK = 'codebook: t\nversion: 1\ntitle: Исследование\n';
const BOM_LE = Buffer.from([0xff, 0xfe]);
const BOM_BE = Buffer.from([0xfe, 0xff]);
const be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();

function messageOf(bytes: Buffer, what = 'codebook'): string {
  const file = join(tempDir(), 'file');
  writeFileSync(file, bytes);
  try {
    readUtf8File(file, what);
  } catch (error) {
    return (error as Error).message.replace(file, 'FILE');
  }
  return 'read';
}

describe('readUtf8File and a UTF-16 file (Notepad "Unicode")', () => {
  it.each([
    ['UTF-16LE with a byte-order mark', Buffer.concat([BOM_LE, Buffer.from(CODEBOOK, 'utf16le')])],
    ['UTF-16BE with a byte-order mark', Buffer.concat([BOM_BE, be(CODEBOOK)])],
    ['UTF-16LE without a mark', Buffer.from(CODEBOOK, 'utf16le')],
    ['UTF-16BE without a mark', be(CODEBOOK)],
  ])('%s: says it is UTF-16 and how to save it as UTF-8, not that it is binary', (_name, bytes) => {
    expect(messageOf(bytes)).toBe('FILE: the codebook is UTF-16; save it as UTF-8 (in Notepad: Save as → Encoding: UTF-8)');
    expect(messageOf(bytes, 'CSV file')).toBe('FILE: the CSV file is UTF-16; save it as UTF-8 (in Notepad: Save as → Encoding: UTF-8)');
  });

  it('still calls a binary file binary and reads UTF-8 (with or without its byte-order mark)', () => {
    expect(messageOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]))).toBe('FILE: this is a binary file, not a codebook (NUL byte at offset 4)');
    expect(messageOf(Buffer.from('codebook: t\n\u0000\u0001\u0002\u0003garbage', 'latin1'))).toMatch(/^FILE: this is a binary file, not a codebook \(NUL byte at offset 12\)$/);
    const file = join(tempDir(), 'cb.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CODEBOOK)]));
    expect(readUtf8File(file, 'codebook')).toBe(CODEBOOK);
  });
});

describe('isUtf16', () => {
  it('knows UTF-16 by its byte-order mark or its NUL pattern, and nothing else', () => {
    expect(isUtf16(Buffer.concat([BOM_LE, Buffer.from('кодбук', 'utf16le')]))).toBe(true);
    expect(isUtf16(Buffer.concat([BOM_BE, be('кодбук')]))).toBe(true);
    expect(isUtf16(Buffer.from(CODEBOOK, 'utf16le'))).toBe(true);
    expect(isUtf16(be(CODEBOOK))).toBe(true);
    expect(isUtf16(Buffer.from(CODEBOOK))).toBe(false);
    expect(isUtf16(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CODEBOOK)]))).toBe(false);
    expect(isUtf16(Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x61, 0x00, 0x00, 0x00]))).toBe(false); // UTF-32
    expect(isUtf16(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]))).toBe(false);
  });
});
