// refi import into the folder the shell is in, refi import stopped by a signal, times without a zone
// written with a space, and the number of codings refi export reports.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BIN, qcodeOk, runQcode, spawnUntilPaused, tempDir } from '../helpers.js';
import { queryReadOnly, seedProject } from '../refi-helpers.js';

const LINES = ['We stood outside the embassy every Saturday.', 'We collected money for refugees.'];

/** study.qdpx of a small project, in a new folder; returns the folder. */
async function qdpxIn(): Promise<string> {
  const project = await seedProject({
    coders: ['anna'],
    documents: [{ slug: 'one', lines: LINES }],
    codings: [{ document: 'one', segment: 1, code: 'forms.protest', coder: 'anna', at: '2025-03-02T10:00:00.000Z' }],
  });
  const out = tempDir('qcode-refi-place-');
  qcodeOk(project, 'refi', 'export', '--qdpx', join(out, 'study.qdpx'));
  return out;
}

describe('refi import into the current folder', () => {
  it('fills the empty folder the shell is in, which stays the same folder, so the next command runs there', async () => {
    const out = await qdpxIn();
    const here = join(out, 'here');
    mkdirSync(here);
    const folder = statSync(here).ino;
    const shell = spawnSync('/bin/sh', ['-c', '"$0" "$1" refi import ../study.qdpx . && "$0" "$1" stats --json', process.execPath, BIN], {
      cwd: here, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' },
    });
    expect(shell.status, shell.stderr).toBe(0);
    expect(shell.stderr).toBe('');
    expect(shell.stdout).toMatch(/^Created project .*here from \.\.\/study\.qdpx: 1 document, /);
    expect(statSync(here).ino).toBe(folder);
    expect(readdirSync(here).sort()).toEqual(['codebook.schema.json', 'codebook.yaml', 'qcode.db']);
    expect(readdirSync(out).sort()).toEqual(['here', 'study.qdpx']);
  });
});

/** The names in `dir` once the exit watcher has had its moment after the import ended. */
async function namesOnceSettled(dir: string, settled: (names: string[]) => boolean): Promise<string[]> {
  const names = (): string[] => readdirSync(dir).sort();
  for (let tries = 0; tries < 200 && !settled(names()); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
  return names();
}

describe('refi import stopped by a signal', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)('leaves neither the staging folder nor the scratch folder behind on %s', async (signal) => {
    const out = await qdpxIn();
    const scratch = tempDir('qcode-refi-tmpdir-');
    const { child, exited } = await spawnUntilPaused(['refi', 'import', 'study.qdpx', 'new/deeper/copy'], {
      cwd: out,
      env: { QCODE_TEST_PAUSE_REFI_IMPORT_MS: '60000', TMPDIR: scratch },
      marker: 'paused before the data goes in',
    });
    // While it runs, both hold what the import writes (the staging folder a qcode.db).
    expect(readdirSync(join(out, 'new', 'deeper'))).toEqual([expect.stringMatching(new RegExp(`^\\.copy\\.qcode-refi-${child.pid}-`))]);
    expect(readdirSync(scratch)).toEqual([expect.stringMatching(new RegExp(`^qcode-refi-${child.pid}-`))]);
    child.kill(signal);
    expect((await exited).signal).toBe(signal);
    expect(await namesOnceSettled(out, (names) => names.length === 1)).toEqual(['study.qdpx']);
    expect(await namesOnceSettled(scratch, (names) => names.length === 0)).toEqual([]);

    const again = runQcode(['refi', 'import', 'study.qdpx', 'new/deeper/copy'], { cwd: out });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
  });
});

describe('refi import of times without a zone', () => {
  it('reads `2025-03-02 10:00:00` as UTC, whatever the machine\'s time zone', async () => {
    const out = await qdpxIn();
    const archive = unzipSync(readFileSync(join(out, 'study.qdpx')));
    const xml = Buffer.from(archive['project.qde']!).toString('utf8');
    expect(xml).toContain('creationDateTime="2025-03-02T10:00:00.000Z"');
    expect(xml).toContain('creationDateTime="2025-03-01T09:00:00.000Z"');
    const spaced = xml.replaceAll('2025-03-02T10:00:00.000Z', '2025-03-02 10:00:00').replaceAll('2025-03-01T09:00:00.000Z', '2025-03-01 09:00');
    writeFileSync(join(out, 'spaced.qdpx'), zipSync({ ...archive, 'project.qde': Buffer.from(spaced, 'utf8') }));
    const imported = runQcode(['refi', 'import', 'spaced.qdpx', 'copy'], { cwd: out, env: { TZ: 'Asia/Tokyo' } });
    expect(imported.code, imported.stderr).toBe(0);
    expect(queryReadOnly(join(out, 'copy'), 'SELECT created_at FROM codings')).toEqual([{ created_at: '2025-03-02T10:00:00.000Z' }]);
    expect(queryReadOnly(join(out, 'copy'), 'SELECT imported_at FROM documents')).toEqual([{ imported_at: '2025-03-01T09:00:00.000Z' }]);
  });
});

describe('refi export coding count', () => {
  it('counts a whole-segment coding and a span over the whole segment (same code, same coder) once, as written', async () => {
    const whole = Array.from(LINES[0]!).length;
    const project = await seedProject({
      coders: ['anna'],
      documents: [{ slug: 'one', lines: LINES }],
      codings: [
        { document: 'one', segment: 1, code: 'forms.protest', coder: 'anna' },
        { document: 'one', segment: 1, code: 'forms.protest', coder: 'anna', span: [0, whole] },
        { document: 'one', segment: 2, code: 'forms.fundraising', coder: 'anna', span: [3, 10] },
      ],
    });
    const qdpx = join(tempDir('qcode-refi-count-'), 'study.qdpx');
    const report = JSON.parse(qcodeOk(project, 'refi', 'export', '--qdpx', qdpx, '--json')) as { codings: number };
    const xml = Buffer.from(unzipSync(readFileSync(qdpx))['project.qde']!).toString('utf8');
    expect(xml.match(/<Coding /g)).toHaveLength(2);
    expect(report.codings).toBe(2);
  });
});
