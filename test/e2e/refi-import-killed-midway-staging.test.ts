import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, spawnUntilPaused, tempDir } from '../helpers.js';
import { RICH_SEED, seedProject } from '../refi-helpers.js';

/** A .qdpx of the rich seed, in a new folder; returns the folder. */
async function qdpxIn(): Promise<string> {
  const project = await seedProject(RICH_SEED);
  const out = tempDir('qcode-refi-killed-');
  const exported = runQcode(['--project', project, 'refi', 'export', '--qdpx', join(out, 'study.qdpx')]);
  expect(exported.code).toBe(0);
  return out;
}

/** Starts `refi import study.qdpx TARGET` in `cwd`, kills it -9 once it has a project with no data in it, and returns its pid. */
async function killMidway(cwd: string, target: string): Promise<number> {
  const { child, exited } = await spawnUntilPaused(['refi', 'import', 'study.qdpx', target], {
    cwd,
    env: { QCODE_TEST_PAUSE_REFI_IMPORT_MS: '60000' },
    marker: 'paused before the data goes in',
  });
  child.kill('SIGKILL');
  expect((await exited).signal).toBe('SIGKILL');
  return child.pid!;
}

describe('refi import killed midway', () => {
  it('leaves no project that looks finished, and its exit watcher removes the half-built copy', async () => {
    const out = await qdpxIn();
    const pid = await killMidway(out, 'copy');
    expect(existsSync(join(out, 'copy'))).toBe(false);
    const left = (): string[] => readdirSync(out).filter((name) => name.startsWith(`.copy.qcode-refi-${pid}-`));
    for (let waited = 0; left().length > 0 && waited < 20_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(left()).toEqual([]);
    expect(readdirSync(out)).toEqual(['study.qdpx']);
  });

  it('the next import removes a copy a crashed import left (its process gone) and succeeds', () => {
    const out = tempDir('qcode-refi-crashed-');
    const project = runQcode(['demo', join(out, 'demo')]);
    expect(project.code, project.stderr).toBe(0);
    expect(runQcode(['--project', join(out, 'demo'), 'refi', 'export', '--qdpx', join(out, 'study.qdpx')]).code).toBe(0);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const leftover = join(out, `.copy.qcode-refi-${gone}-x1y2z3`);
    mkdirSync(leftover, { mode: 0o700 });
    writeFileSync(join(leftover, 'qcode.db'), 'half-built');

    const again = runQcode(['refi', 'import', 'study.qdpx', 'copy'], { cwd: out });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`Removed ${leftover}: a project left half-built by a refi import that was stopped before it finished\n`);
    expect(again.stdout).toMatch(/^Created project .*copy from study\.qdpx: /);
    expect(readdirSync(out).sort()).toEqual(['copy', 'demo', 'study.qdpx']);
  });

  it('leaves an empty target folder empty, and a later import fills it', async () => {
    const out = await qdpxIn();
    mkdirSync(join(out, 'empty'));
    await killMidway(out, 'empty');
    expect(readdirSync(join(out, 'empty'))).toEqual([]);

    const again = runQcode(['refi', 'import', 'study.qdpx', 'empty'], { cwd: out });
    expect(again.code).toBe(0);
    expect(readdirSync(join(out, 'empty')).sort()).toEqual(['codebook.schema.json', 'codebook.yaml', 'qcode.db']);
    expect(readdirSync(out).sort()).toEqual(['empty', 'study.qdpx']);
  });

  it('a failed import leaves no staging folder and no target', async () => {
    const out = await qdpxIn();
    // A parent that is a file: the staging folder cannot be made.
    const blocked = runQcode(['refi', 'import', 'study.qdpx', 'study.qdpx/copy'], { cwd: out });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(out)).toEqual(['study.qdpx']);
  });
});
