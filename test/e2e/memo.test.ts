import { describe, expect, it } from 'vitest';
import { runQcode } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';

function qcode(dir: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  return runQcode(['--project', dir, ...args], options);
}

describe('qcode memo', () => {
  it('adds memos on every kind of target and lists them', () => {
    const dir = seedInterviews();
    expect(qcode(dir, ['memo', 'add', '--segment', 'r01-vilnius-ru:12', 'Compare with R07 on bank refusals', '--coder', 'anna']).stdout)
      .toBe('Added memo 1 on segment r01-vilnius-ru:12.\n');
    expect(qcode(dir, ['memo', 'add', '--document', 'r01-vilnius-ru', 'Long interview, two sessions']).stdout).toBe('Added memo 2 on document r01-vilnius-ru.\n');
    expect(qcode(dir, ['memo', 'add', '--code', 'forms.protest', 'Pickets count too'], { env: { QCODE_CODER: 'boris' } }).code).toBe(0);
    expect(qcode(dir, ['memo', 'add', '--case', 'R01', 'Declined a follow-up']).code).toBe(0);
    expect(qcode(dir, ['memo', 'add', 'Project-wide: remember consent forms']).stdout).toBe('Added memo 5 on the project.\n');

    const all = JSON.parse(qcode(dir, ['memo', 'list', '--json']).stdout) as Array<Record<string, unknown>>;
    expect(all.map((memo) => [memo.id, memo.target_kind, memo.target, memo.coder])).toEqual([
      [1, 'segment', 'r01-vilnius-ru:12', 'anna'],
      [2, 'document', 'r01-vilnius-ru', null],
      [3, 'code', 'forms.protest', 'boris'],
      [4, 'case', 'R01', null],
      [5, 'project', 'project', null],
    ]);
    // A document's memos include those on its segments.
    const onDocument = JSON.parse(qcode(dir, ['memo', 'list', '--document', 'r01-vilnius-ru', '--json']).stdout) as Array<{ id: number }>;
    expect(onDocument.map((memo) => memo.id)).toEqual([1, 2]);
    const byCoder = JSON.parse(qcode(dir, ['memo', 'list', '--coder', 'boris', '--json']).stdout) as Array<{ id: number }>;
    expect(byCoder.map((memo) => memo.id)).toEqual([3]);
    const table = qcode(dir, ['memo', 'list', '--case', 'R01']).stdout;
    expect(table).toContain('Declined a follow-up');
    expect(table).not.toContain('consent');
  });

  it('reads the text from stdin with "-", shows it in full, and edits it', () => {
    const dir = seedInterviews();
    const text = 'First line of a longer memo.\nSecond line: «цитата».\n';
    expect(qcode(dir, ['memo', 'add', '--case', 'R02', '-'], { input: text }).code).toBe(0);
    const shown = qcode(dir, ['memo', 'show', '1']);
    expect(shown.stdout.split('\n').slice(1).join('\n')).toBe('First line of a longer memo.\nSecond line: «цитата».\n');
    expect(shown.stdout).toContain('memo 1 · case R02 · no coder');
    expect(qcode(dir, ['memo', 'edit', '1', 'Shorter now', '--coder', 'anna']).stdout).toBe('Updated memo 1 on case R02.\n');
    expect(qcode(dir, ['memo', 'edit', '1', 'Shorter now']).stdout).toBe('Memo 1 is unchanged.\n');
    expect(query(dir, 'SELECT text FROM memos')).toEqual([{ text: 'Shorter now' }]);
    expect(query(dir, "SELECT action FROM events ORDER BY id")).toEqual([{ action: 'memo.add' }, { action: 'memo.edit' }]);
  });

  it('without text and without a terminal it is a usage error naming how to pass the text (exit 2)', () => {
    const dir = seedInterviews();
    const result = qcode(dir, ['memo', 'add', '--document', 'r01-vilnius-ru']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no TEXT given and no terminal for $EDITOR; pass the text as an argument, or "-" to read it from stdin');
    expect(query(dir, 'SELECT count(*) AS n FROM memos')).toEqual([{ n: 0 }]);
  });

  it('refuses two targets, unknown targets, empty text and unknown memos', () => {
    const dir = seedInterviews();
    expect(qcode(dir, ['memo', 'add', '--case', 'R01', '--code', 'forms.protest', 'x']).code).toBe(2);
    expect(qcode(dir, ['memo', 'add', '--case', 'R10', 'x']).stderr).toContain('no case "R10" (did you mean "R01"?)');
    expect(qcode(dir, ['memo', 'add', '--code', 'forms.protst', 'x']).stderr).toContain('did you mean "forms.protest"');
    expect(qcode(dir, ['memo', 'add', '--segment', 'r01-vilnius-ru:0', 'x']).stderr).toContain('has no segment 0');
    expect(qcode(dir, ['memo', 'add', '   ']).stderr).toContain('the memo is empty');
    expect(qcode(dir, ['memo', 'show', '42']).stderr).toContain('no memo 42');
    expect(qcode(dir, ['memo', 'show', 'x']).code).toBe(2);
    expect(query(dir, 'SELECT count(*) AS n FROM memos')).toEqual([{ n: 0 }]);
  });
});
