import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodePipedText } from '../../src/io/text-file.js';

const NOTE = 'Заметка о респонденте: говорит о переводах родителям.\n';

describe('decodePipedText: text piped to "-" arguments, decoded as import decodes a file', () => {
  it.each([
    ['UTF-8', Buffer.from(NOTE, 'utf8')],
    ['UTF-8 with a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(NOTE, 'utf8')])],
    ['UTF-16LE with a byte-order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(NOTE, 'utf16le')])],
    ['windows-1251', iconv.encode(NOTE, 'windows-1251')],
    ['KOI8-R', iconv.encode(NOTE, 'koi8-r')],
  ])('%s', async (_name, bytes) => {
    expect(await decodePipedText(bytes, 'stdin')).toBe(NOTE);
  });

  it('refuses what it cannot tell, naming what it found and how to convert it', async () => {
    await expect(decodePipedText(iconv.encode('Ок\n', 'windows-1251'), 'stdin')).rejects.toMatchObject({
      message: 'stdin: cannot tell the encoding: too few Cyrillic letters (2) to tell windows-1251 from KOI8-R; it could be windows-1251 or KOI8-R',
      hint: 'Convert it to UTF-8 before piping it in, e.g. iconv -f windows-1251 -t utf-8 note.txt',
    });
    const damaged = Buffer.concat([Buffer.from('Первая строка заметки, вполне длинная.\nВторая ', 'utf8'), Buffer.from([0xff]), Buffer.from('строка.\n', 'utf8')]);
    await expect(decodePipedText(damaged, 'stdin')).rejects.toThrow(/^stdin:2:8: byte 0xFF is not valid UTF-8: the rest is UTF-8/);
    await expect(decodePipedText(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31]), 'stdin')).rejects.toThrow('stdin: not text (a PDF document)');
  });
});
