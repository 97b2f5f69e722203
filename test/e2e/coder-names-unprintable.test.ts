import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';

// A coder name is printed by log, undo, agreement and the coder's screen, and written into REFI-QDA
// files: one holding a terminal control sequence would be echoed raw, and one XML cannot hold would
// keep the project from being exported for good.

const R01 = 'r01-vilnius-ru';
const EVIL = 'evil\u001b]0;PWNED\u0007\u001b[2J';

describe('a new coder name with characters a terminal or XML cannot show', () => {
  it('is refused from --coder and QCODE_CODER (exit 2), quoted with escapes, writing nothing', () => {
    const dir = seedInterviews();
    for (const run of [
      runQcode(['--project', dir, 'tag', `${R01}:1`, 'forms.art', '--coder', EVIL]),
      runQcode(['--project', dir, 'tag', `${R01}:1`, 'forms.art'], { env: { QCODE_CODER: 'an\u0007na' } }),
      runQcode(['--project', dir, 'tag', `${R01}:1`, 'forms.art', '--coder', 'anna\u202eanna']),
    ]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^Error: (--coder|QCODE_CODER): coder name ".*" holds the character U\+(001B|0007|202E), which a terminal or a REFI-QDA file cannot show as text — Use letters, digits, spaces and punctuation\n$/);
      expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    }
    expect(query(dir, 'SELECT count(*) AS n FROM coders')).toEqual([{ n: 0 }]);
  });

  it('is a problem at its line and column in tag --from, which writes nothing', () => {
    const dir = seedInterviews();
    const file = join(tempDir(), 'codings.csv');
    writeFileSync(file, `document,segment,code,coder\n${R01},1,forms.art,anna\n${R01},2,forms.art,"b\u0007oris"\n`);
    const result = runQcode(['--project', dir, 'tag', '--from', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:3:4: coder name "b\\u0007oris" holds the character U+0007`);
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);
  });
});
