// Privacy review: an import --replace that takes a real name out of a transcript erases the old words
// from the store's files as a removal does; a removal removes the store copy a crashed merge left in the
// project folder and names copies one folder down; importing a folder does not follow a link out of it.
import Database from 'better-sqlite3';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, qcodeOk as ok, runQcode, tempDir } from '../helpers.js';
import { query } from '../seed.js';

const NAME = 'Grigory Zamyatin';

/** How often qcode.db and qcode.db-wal together hold `text` (as grep -a -c counts lines of `cat qcode.db*`). */
function hits(dir: string, text: string): number {
  const bytes = ['qcode.db', 'qcode.db-wal'].map((file) => join(dir, file)).filter(existsSync).map((path) => readFileSync(path).toString('latin1'));
  return bytes.reduce((sum, content) => sum + content.split(text).length - 1, 0);
}

function transcript(files: string, name: string): string {
  const path = join(files, 't.txt');
  let text = '';
  for (let i = 0; i < 300; i++) text += `Interviewer: Q${i}?\nRespondent: My neighbour ${name} lives on Kalinina street, flat ${i}.\n`;
  writeFileSync(path, text);
  return path;
}

interface ImportJson {
  totals: { replaced: number };
  erasure: { complete: boolean; earlier: string | null; message: string | null; hint: string | null } | null;
}

function pending(dir: string): unknown[] {
  return query(dir, "SELECT key FROM meta WHERE key LIKE 'erasure.pending%'");
}

describe('import --replace that takes a name out of a transcript', () => {
  it('erases the old words from qcode.db, its WAL and the full-text index', () => {
    const dir = newProject();
    const path = transcript(tempDir('qcode-redact-'), NAME);
    ok(dir, 'import', path);
    expect(hits(dir, NAME)).toBeGreaterThan(0);
    transcript(join(path, '..'), '[N]');
    const report = JSON.parse(ok(dir, 'import', path, '--replace', '--json')) as ImportJson;
    expect(report.totals.replaced).toBe(1);
    expect(report.erasure).toEqual({ complete: true, earlier: null, message: null, hint: null });
    expect(hits(dir, NAME)).toBe(0);
    // The full-text index stores its terms lower-cased.
    expect(hits(dir, 'zamyatin')).toBe(0);
    expect(hits(dir, 'Kalinina')).toBeGreaterThan(0);
    expect(pending(dir)).toEqual([]);
    // An import that replaces nothing rewrites nothing.
    expect((JSON.parse(ok(dir, 'import', path, '--replace', '--json')) as ImportJson).erasure).toBeNull();
  });

  it('a reader keeps it from erasing: the report says NOT complete, every command warns, and the same import again finishes it', () => {
    const dir = newProject();
    const path = transcript(tempDir('qcode-redact-'), NAME);
    ok(dir, 'import', path);
    transcript(join(path, '..'), '[N]');
    const reader = new Database(join(dir, 'qcode.db'), { readonly: true });
    let result;
    try {
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT count(*) FROM segments').get();
      result = runQcode(['--project', dir, 'import', path, '--replace', '--json'], { env: { QCODE_TEST_ERASE_WAIT_MS: '0' } });
    } finally {
      reader.close();
    }
    // The import stands, but the erasure the user relied on is not done: exit 1, the reason as the error line.
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: the text of t was replaced, but the erasure is NOT complete: /m);
    const report = JSON.parse(result.stdout) as ImportJson;
    expect(report.totals.replaced).toBe(1);
    expect(report.erasure?.complete).toBe(false);
    expect(report.erasure?.message).toMatch(/^the text of t was replaced, but the erasure is NOT complete: .* is reading the project, so qcode\.db and qcode\.db-wal still hold the old text$/);
    expect(report.erasure?.hint).toMatch(/then finish the erasure with: the same qcode import once more/);
    expect(pending(dir)).toHaveLength(2);
    expect(runQcode(['--project', dir, 'docs', 'list']).stderr).toMatch(/^Warning: the erasure of the text an import --replace replaced on .* is NOT complete: .*finish it by running that import again$/m);

    const again = JSON.parse(ok(dir, 'import', path, '--replace', '--json')) as ImportJson;
    expect(again.totals.replaced).toBe(0);
    expect(again.erasure).toMatchObject({ complete: true, earlier: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string });
    expect(hits(dir, NAME)).toBe(0);
    expect(hits(dir, 'zamyatin')).toBe(0);
    expect(pending(dir)).toEqual([]);
  });

  it('a dry run erases nothing and marks nothing', () => {
    const dir = newProject();
    const path = transcript(tempDir('qcode-redact-'), NAME);
    ok(dir, 'import', path);
    transcript(join(path, '..'), '[N]');
    const report = JSON.parse(ok(dir, 'import', path, '--replace', '--dry-run', '--json')) as ImportJson;
    expect(report.erasure).toBeNull();
    expect(pending(dir)).toEqual([]);
  });
});

/** A process id that no process has now. */
function endedPid(): number {
  for (let pid = 999_999; ; pid++) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

describe('a removal and the copies of the store in the project folder', () => {
  it('removes a crashed merge\'s copy, and names copies one folder down that it may not remove', () => {
    const dir = newProject();
    const files = tempDir('qcode-remove-files-');
    writeFileSync(join(files, 'r07.txt'), 'Интервьюер: Расскажите.\nРеспондент: Брат служил в прокуратуре.\n');
    ok(dir, 'import', join(files, 'r07.txt'), '--case', 'R07');
    const crashed = `.qcode-merge-${endedPid()}`;
    // This test's own process runs: a merge of that process id may still be reading its copy.
    const running = `.qcode-merge-${process.pid}`;
    for (const folder of [crashed, running, 'backup']) {
      mkdirSync(join(dir, folder), { mode: 0o700 });
      cpSync(join(dir, 'qcode.db'), join(dir, folder, 'qcode.db'));
    }
    const result = runQcode(['--project', dir, 'cases', 'remove', 'R07', '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { backups: string[]; leftovers_removed: string[] };
    expect(report.leftovers_removed).toEqual([crashed]);
    expect(existsSync(join(dir, crashed))).toBe(false);
    expect(report.backups).toEqual(['backup/qcode.db', `${running}/qcode.db`].sort());
    expect(result.stderr).toContain(`${running}/qcode.db`);
    expect(result.stderr).toContain(`Removed ${crashed} (in ${dir}): what a stopped merge, export or REFI import left, which held the removed text`);
  });
});

describe('importing a folder with symbolic links to folders', () => {
  it('does not follow a link to a folder outside the folder named, and says so; one inside, or one named, is followed', () => {
    const dir = newProject();
    const base = tempDir('qcode-links-');
    const outside = join(base, 'elsewhere');
    const corpus = join(base, 'corpus');
    mkdirSync(outside);
    mkdirSync(join(corpus, 'inner'), { recursive: true });
    writeFileSync(join(outside, 'secret.txt'), 'Not for this project.\n');
    writeFileSync(join(corpus, 'inner', 'r1.txt'), 'Интервьюер: Расскажите.\nРеспондент: Да.\n');
    symlinkSync(outside, join(corpus, 'etc-link'));
    symlinkSync(join(corpus, 'inner'), join(corpus, 'inner-link'));

    const folder = runQcode(['--project', dir, 'import', 'corpus', '--dry-run', '--json'], { cwd: base });
    const report = JSON.parse(folder.stdout) as { files: Array<{ file: string }>; skipped: Array<{ display: string; message: string }> };
    expect(report.files.map((file) => file.file)).toEqual(['corpus/inner/r1.txt']);
    expect(report.skipped).toContainEqual({ display: 'corpus/etc-link', message: 'a link to a folder outside corpus (not followed)' });
    expect(report.skipped.filter((item) => item.message.includes('outside'))).toHaveLength(1);

    const named = JSON.parse(runQcode(['--project', dir, 'import', 'corpus/etc-link', '--dry-run', '--json'], { cwd: base }).stdout) as { files: Array<{ file: string }> };
    expect(named.files.map((file) => file.file)).toEqual(['corpus/etc-link/secret.txt']);
  });
});
