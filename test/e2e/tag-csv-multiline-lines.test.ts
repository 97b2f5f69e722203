import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';
import { seedInterviews } from '../seed.js';

function problems(text: string): string[] {
  const dir = seedInterviews();
  const file = join(tempDir(), 'codings.csv');
  writeFileSync(file, text);
  const result = runQcode(['--project', dir, 'tag', '--from', file]);
  expect(result.code).toBe(1);
  return result.stderr.split('\n').filter((line) => line.startsWith(file)).map((line) => line.slice(file.length).replace(/\r$/, ''));
}

describe('tag --from: problems in quoted multi-line rows are reported where the cell starts', () => {
  it('LF line ends', () => {
    expect(problems('document,segment,code,coder\n"a",2,"motives.social\nx",anna\n')).toEqual([
      ':2:1: unknown document "a"',
      ':2:3: unknown code "motives.social\\nx"',
    ]);
  });

  it('CRLF line ends, a quoted line break before the cell, empty lines, and rows after it', () => {
    const text = 'document,segment,code,coder\r\n\r\n"r01\r\nvilnius",2,"forms.protest\r\nx",anna\r\nr01-vilnius-ru,1,nope,"bo\r\nb"\r\n\r\nr01-vilnius-ru,2,nope2,anna\r\n';
    expect(problems(text)).toEqual([
      ':3:1: unknown document "r01\\r\\nvilnius"',
      ':4:3: unknown code "forms.protest\\r\\nx" (did you mean "forms.protest"?)',
      ':6:3: unknown code "nope"',
      ':6:4: coder name "bo\\u000d\\u000ab" holds the character U+000D, which a terminal or a REFI-QDA file cannot show as text: use letters, digits, spaces and punctuation',
      ':9:3: unknown code "nope2"',
    ]);
  });
});
