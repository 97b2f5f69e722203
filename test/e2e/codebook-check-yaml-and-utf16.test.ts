import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';

describe('qcode codebook check on a file it cannot read', () => {
  it('refuses a billion-laughs file as a user error at its first alias, exit 1, not as a bug', () => {
    const lines = ['codebook: t', 'version: 1', 'title: &a [x,x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 9; i++) {
      const name = String.fromCharCode(97 + i);
      lines.push(`k${name}: &${name} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    }
    const dir = tempDir();
    writeFileSync(join(dir, 'laughs.yaml'), `${lines.join('\n')}\n`);
    const result = runQcode(['codebook', 'check', 'laughs.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/bug in qcode/);
    expect(result.stderr.split('\n')[0]).toBe('laughs.yaml:4:9: the codebook expands YAML aliases (*name) too much: aliases of aliases multiply; write the repeated values out instead');
  });

  it('says a UTF-16 codebook is UTF-16, exit 1', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'u16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('codebook: t\nversion: 1\n', 'utf16le')]));
    const result = runQcode(['codebook', 'check', 'u16.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Error: u16.yaml: the codebook is UTF-16; save it as UTF-8 (in Notepad: Save as → Encoding: UTF-8)');
  });
});
