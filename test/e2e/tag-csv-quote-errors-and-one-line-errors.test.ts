import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';

function csv(name: string, text: string): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

const MID_FIELD = 'a quote in the middle of a field (unbalanced quotes) — Quote the whole field and double the quotes inside it: "he said ""no"""';

describe('tag --from / untag --from: a file that is not valid CSV gets the one line cases import gives', () => {
  it('a stray quote inside a field (tag and untag)', () => {
    const dir = seedInterviews();
    const file = csv('q.csv', 'document,segment,code,coder\nr01-vilnius-ru,3,forms.art,zed\nr01-vilnius-ru,4,for"ms.art,zed\n');
    for (const command of ['tag', 'untag']) {
      const result = runQcode(['--project', dir, command, '--from', file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`Error: ${file}:3: row 3: ${MID_FIELD}\n`);
    }
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);
  });

  it('text after a closing quote', () => {
    const dir = seedInterviews();
    const file = csv('c.csv', 'document,segment,code,coder\nr01-vilnius-ru,1,"forms.art"x,anna\n');
    const result = runQcode(['--project', dir, 'tag', '--from', file, '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Error: ${file}:2: row 2: ${MID_FIELD}\n`);
  });

  it('a quote never closed, reported on the line its row starts (after a quoted CRLF too)', () => {
    const dir = seedInterviews();
    const unclosed = 'a quoted field is never closed (unbalanced quotes; the row starts on line 3 and runs to the end of the file)';
    const hint = ' — Every field that starts with " must end with "; a quote inside a quoted field is written twice ("")\n';
    const lf = csv('t3.csv', 'document,segment,code,coder\nr01-vilnius-ru,3,forms.art,zed\nr01-vilnius-ru,4,"forms.art,zed\nr01-vilnius-ru,5,forms.art,zed\n');
    expect(runQcode(['--project', dir, 'tag', '--from', lf]).stderr).toBe(`Error: ${lf}:3: row 3: ${unclosed}${hint}`);
    const crlf = csv('t4.csv', 'document,segment,code,coder\r\nr01-vilnius-ru,1,"forms\r\n.art",anna\r\nr01-vilnius-ru,2,"forms.art,anna\r\nr01-vilnius-ru,3,forms.art,anna\r\n');
    const result = runQcode(['--project', dir, 'tag', '--from', crlf]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Error: ${crlf}:4: row 3: ${unclosed.replace('line 3', 'line 4')}${hint}`);
  });
});

describe('an error quoting a cell with control characters stays one line', () => {
  it('tag --from: a line break and an escape sequence in cells', () => {
    const dir = seedInterviews();
    const file = csv('n.csv', 'document,segment,code,coder\n"r01-\nvilnius-ru",4,forms.art,zed\nr01-vilnius-ru,4,forms\t.art\u001b[31m,zed\n');
    const result = runQcode(['--project', dir, 'tag', '--from', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      `${file}:2:1: unknown document "r01-\\nvilnius-ru" (did you mean "r01-vilnius-ru"?)`,
      `${file}:4:3: unknown code "forms\\t.art\\u{1b}[31m"`,
      `Error: ${file}: 2 problems; nothing was written — Fix the rows and run the command again (qcode tag --from FILE --dry-run checks a file without writing).`,
      '',
    ]);
  });

  it('cases import: a line break in a case id', () => {
    const dir = seedInterviews();
    const file = csv('c.csv', 'case,city\n"R06\nX",a\n');
    const result = runQcode(['--project', dir, 'cases', 'import', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`${file}:2:1: row 2, column case: "R06\\nX" is not a usable case id (letters, digits, _ . - only, starting with a letter or digit, at most 64 characters)`);
    expect(result.stderr.split('\n')).toHaveLength(3);
  });

  it('a one-line error (no problem list) quoting an argument with a tab and an escape', () => {
    const dir = seedInterviews();
    const result = runQcode(['--project', dir, 'tag', 'r01-vil\tnius\u001b-ru:1', 'forms.art', '--coder', 'anna']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: no document "r01-vil\\tnius\\u\{1b\}-ru" \(did you mean "r01-vilnius-ru"\?\)[^\n]*\n$/);
  });
});
