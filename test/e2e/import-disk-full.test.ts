import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, runQcode } from '../helpers.js';

// QCODE_TEST_SPARE_PAGES lets the store grow by that many pages only, then SQLite fails with SQLITE_FULL
// exactly as on a full disk.
const FULL = { QCODE_TEST_SPARE_PAGES: '40' };

/** Six interviews of ~18 KB each: the first go in, one fills the store. */
function interviews(project: string): void {
  mkdirSync(join(project, 'in'));
  let seed = 1;
  const word = (): string => Array.from({ length: 6 }, () => 'abcdefghij'[(seed = (seed * 48271) % 2147483647) % 10]).join('');
  for (let file = 1; file <= 6; file++) {
    const turns = Array.from({ length: 60 }, (_, turn) => `Interviewer: q${turn}\n\nRespondent: ${Array.from({ length: 40 }, word).join(' ')}`);
    writeFileSync(join(project, 'in', `f${file}.txt`), `${turns.join('\n\n')}\n`);
  }
}

interface Report { stopped: boolean; files: Array<{ file: string; status: string; message: string | null }> }

describe('a full disk during import', () => {
  it('prints what went in, names the file that failed, and says the disk is full (not a bug)', () => {
    const project = newProject();
    interviews(project);
    const run = runQcode(['import', 'in'], { cwd: project, env: FULL });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/bug in qcode/);
    const lines = run.stderr.trim().split('\n');
    const last = lines.at(-1) ?? '';
    const failed = /^Error: the disk is full \((.*)\): database or disk is full: (in\/f\d\.txt) was not imported, nor the files after it; (\d) files? before it (?:is|are) in the store — Free some space/.exec(last);
    expect(failed, last).not.toBeNull();
    expect(failed?.[1]).toBe(join(project, 'qcode.db'));
    const before = Number(failed?.[3]);
    expect(before).toBeGreaterThan(0);
    expect(failed?.[2]).toBe(`in/f${before + 1}.txt`);
    expect(run.stdout.trim()).toMatch(new RegExp(`^Imported ${before} files? · 1 failed — ${before} documents?, `));
    const stored = JSON.parse(runQcode(['docs', 'list', '--json'], { cwd: project }).stdout) as unknown[];
    expect(stored).toHaveLength(before);

    // --json: the report of what went in is on stdout, the error line on stderr.
    const json = runQcode(['import', 'in', '--json'], { cwd: project, env: FULL });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.stopped).toBe(true);
    expect(report.files.at(-1)).toMatchObject({ status: 'failed', message: expect.stringMatching(/not imported: database or disk is full/) });
    expect(report.files.slice(0, -1).every((file) => file.status !== 'failed')).toBe(true);
    expect(json.stderr.trim().split('\n').at(-1)).toMatch(/^Error: the disk is full \(/);

    // With space again, the same command finishes the batch.
    const resumed = runQcode(['import', 'in'], { cwd: project });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(runQcode(['docs', 'list', '--json'], { cwd: project }).stdout)).toHaveLength(6);
  });

  it('any other command: one line naming the store, exit 1', () => {
    const project = newProject();
    const run = runQcode(['memo', 'add', '-', '--coder', 'me'], { cwd: project, env: { QCODE_TEST_SPARE_PAGES: '0' }, input: 'a'.repeat(100_000) });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`Error: the disk is full (${join(project, 'qcode.db')}): database or disk is full — Free some space on that disk (or move the project to another), then run the command again`);
  });
});
