import { spawnSync } from 'node:child_process';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';

/** qcode with raw bytes on stdin (runQcode's input is a string, always UTF-8). */
function withStdin(dir: string, args: string[], input: Buffer): { code: number; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, '--project', dir, ...args], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', LANG: 'C.UTF-8' },
  });
  return { code: result.status ?? -1, stderr: result.stderr };
}

describe('memo add - with stdin that is not UTF-8', () => {
  it('decodes windows-1251 as import does, never storing U+FFFD', () => {
    const dir = seedInterviews();
    expect(withStdin(dir, ['memo', 'add', '-'], iconv.encode('Заметка о респонденте\n', 'windows-1251')).code).toBe(0);
    expect(withStdin(dir, ['memo', 'edit', '1', '-'], iconv.encode('Заметка о респонденте, исправленная\n', 'koi8-r')).code).toBe(0);
    expect(query(dir, 'SELECT text FROM memos')).toEqual([{ text: 'Заметка о респонденте, исправленная' }]);
  });

  it('refuses text whose encoding it cannot tell with one line and how to convert it, saving nothing', () => {
    const dir = seedInterviews();
    const result = withStdin(dir, ['memo', 'add', '-'], iconv.encode('Ок\n', 'windows-1251'));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: stdin: cannot tell the encoding: too few Cyrillic letters (2) to tell windows-1251 from KOI8-R; it could be windows-1251 or KOI8-R — Convert it to UTF-8 before piping it in, e.g. iconv -f windows-1251 -t utf-8 note.txt\n');
    expect(query(dir, 'SELECT count(*) AS n FROM memos')).toEqual([{ n: 0 }]);
  });
});
