import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, copyProject, editCodebook, qcodeOk, spawnUntilPaused, tempDir } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';

// A merge stopped with ^C or SIGTERM removes what it wrote next to the project (the private copy of the other
// store, the codebook temporaries), which hold participants' words; the codebook files it keeps are 0600.

const R01 = 'r01-vilnius-ru';

/** Through `sh` with umask 022, under which files are made readable by everyone unless their mode says otherwise. */
const UMASK_022 = ['-c', 'umask 022; exec "$0" "$@"', process.execPath, BIN];
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' };

function mergeUnderUmask022(here: string, other: string): void {
  const result = spawnSync('/bin/sh', [...UMASK_022, '--project', here, 'merge', other, '--codebook-from', 'other'], { env: ENV, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
}

/** This project and another copy with more codings and a codebook that differs (so --codebook-from other writes files). */
function copies(): { here: string; other: string } {
  const base = seedInterviews();
  qcodeOk(base, 'tag', `${R01}:2`, 'forms.art', '--coder', 'anna');
  const other = copyProject(base, 'other');
  qcodeOk(other, 'tag', `${R01}:3`, 'forms.art', '--coder', 'boris');
  editCodebook(other, (yaml) => yaml.replace('      - id: art\n', '      - id: culture\n        was: forms.art\n'));
  qcodeOk(other, 'codebook', 'apply');
  return { here: copyProject(base, 'here'), other };
}

/** Everything a merge could change in the project: its files (names and bytes) and its rows. */
function state(dir: string): unknown {
  const files = readdirSync(dir).sort().filter((name) => !name.startsWith('qcode.db'));
  return {
    files: files.map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
    codings: query(dir, 'SELECT segment_id, code_id, coder_id, start, "end" FROM codings ORDER BY 1, 2, 3'),
    coders: query(dir, 'SELECT name FROM coders ORDER BY name'),
    codes: query(dir, 'SELECT id, status FROM codes ORDER BY id'),
    events: query(dir, 'SELECT count(*) AS n FROM events'),
  };
}

/** Starts a merge (under umask 022) that pauses inside its transaction, resolving once it has paused. */
async function pausedMerge(here: string, other: string): Promise<{ pid: number; kill: (signal: NodeJS.Signals) => Promise<NodeJS.Signals | null> }> {
  const { child, exited } = await spawnUntilPaused(['--project', here, 'merge', other, '--codebook-from', 'other'], {
    through: ['/bin/sh', ...UMASK_022],
    env: { QCODE_TEST_PAUSE_MERGE_MS: '60000' },
    marker: 'paused inside the transaction',
  });
  return {
    pid: child.pid!,
    kill: async (signal) => {
      child.kill(signal);
      return (await exited).signal;
    },
  };
}

/** The names in the folder that a merge writes; the watcher removes them a moment after the merge has ended. */
async function mergeFilesOnceSettled(dir: string): Promise<string[]> {
  const names = (): string[] => readdirSync(dir).filter((name) => name.includes('merge')).sort();
  for (let tries = 0; tries < 200 && names().length > 0; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
  return names();
}

describe('merge stopped by a signal', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('removes the copy of the other store and the codebook temporaries on %s, and leaves the project as it was', async (signal) => {
    const { here, other } = copies();
    const before = state(here);
    const merge = await pausedMerge(here, other);
    expect(readdirSync(here)).toEqual(expect.arrayContaining([`.qcode-merge-${merge.pid}`, `codebook.yaml.merge-${merge.pid}`, `codebook.yaml.before-merge-${merge.pid}.tmp`]));
    // Ended by the signal itself, as the shell reports it (130 for ^C, 143 for SIGTERM).
    expect(await merge.kill(signal)).toBe(signal);
    expect(await mergeFilesOnceSettled(here)).toEqual([]);
    expect(state(here)).toEqual(before);
    // And the merge, run again, goes through.
    qcodeOk(here, 'merge', other, '--codebook-from', 'other');
    expect(query(here, "SELECT count(*) AS n FROM codings WHERE code_id = 'forms.culture'")).toEqual([{ n: 2 }]);
  });
});

describe('merge codebook files', () => {
  it('writes its temporaries and the backup readable by their owner alone, whatever the umask', async () => {
    const { here, other } = copies();
    const merge = await pausedMerge(here, other);
    for (const name of [`codebook.yaml.merge-${merge.pid}`, `codebook.yaml.before-merge-${merge.pid}.tmp`]) {
      expect((statSync(join(here, name)).mode & 0o777).toString(8), name).toBe('600');
    }
    await merge.kill('SIGKILL');
    mergeUnderUmask022(here, other);
    expect((statSync(join(here, 'codebook.yaml.before-merge')).mode & 0o777).toString(8)).toBe('600');
  });

  it('keeps codebook.yaml\'s own permissions, and never writes a backup through a symlink at its name', () => {
    const { here, other } = copies();
    chmodSync(join(here, 'codebook.yaml'), 0o640);
    const elsewhere = join(tempDir('qcode-merge-elsewhere-'), 'stolen.yaml');
    symlinkSync(elsewhere, join(here, 'codebook.yaml.before-merge'));
    const original = readFileSync(join(here, 'codebook.yaml'), 'utf8');
    mergeUnderUmask022(here, other);
    expect(existsSync(elsewhere)).toBe(false);
    expect(lstatSync(join(here, 'codebook.yaml.before-merge')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(here, 'codebook.yaml.before-merge'))).toBe(elsewhere);
    expect(readFileSync(join(here, 'codebook.yaml.before-merge-2'), 'utf8')).toBe(original);
    expect((statSync(join(here, 'codebook.yaml.before-merge-2')).mode & 0o777).toString(8)).toBe('600');
    expect((statSync(join(here, 'codebook.yaml')).mode & 0o777).toString(8)).toBe('640');
    expect(readFileSync(join(here, 'codebook.yaml'), 'utf8')).toContain('was: forms.art');
  });
});
