// The project's store when it is not simply there to write: damaged (one line naming the file, never "a
// bug"), readable but not writable for this user (reading commands work, writing ones stop with one line,
// nothing created next to it), and busy with another qcode's long write (a command queues behind it).
import Database from 'better-sqlite3';
import { chmodSync, existsSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeProject, openProject } from '../../src/app/project.js';
import { busyStoreError } from '../../src/store/db.js';
import { runQcode, runQcodeAsync } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';
import { expectOneLineError, handToReader, runAsReader, sha, zeroRootPage } from '../store-access.js';

function tagged(dir: string): number {
  return (query<{ n: number }>(dir, 'SELECT count(*) AS n FROM codings')[0] as { n: number }).n;
}

describe('a damaged store', () => {
  it('a truncated qcode.db: one line naming the file as damaged, with what to do, exit 1', () => {
    const dir = seedInterviews();
    truncateSync(join(dir, 'qcode.db'), 8192);
    expectOneLineError(runQcode(['--project', dir, 'stats']), new RegExp(`${join(dir, 'qcode.db').replaceAll('/', '\\/')} is damaged: .*restore it from a backup`, 'i'));
  });

  it('a page overwritten with zeros, found halfway through a command: the same line, not "a bug"', () => {
    const dir = seedInterviews();
    // The codings table's first page zeroed: the store opens (its header and schema are intact), the tag's write fails.
    zeroRootPage(dir, 'codings');
    const result = runQcode(['--project', dir, 'tag', 'r01-vilnius-ru:3', 'forms.protest', '--coder', 'bob']);
    expectOneLineError(result, /qcode\.db is damaged: .*PRAGMA integrity_check/);
  });

  it('damage met while an export reads: the store is named as damaged, not the output folder as unwritable', () => {
    const dir = seedInterviews();
    zeroRootPage(dir, 'segments');
    const exported = runQcode(['--project', dir, 'export', 'all', '--out', join(dir, 'exports')]);
    expectOneLineError(exported, /qcode\.db is damaged: /);
    expect(existsSync(join(dir, 'exports'))).toBe(false);
  });
});

describe('a project this user may read but not write', () => {
  it('in a read-only folder: reading commands work, a write stops with one line, nothing is created or changed', () => {
    const dir = seedInterviews();
    handToReader(dir);
    const hash = sha(join(dir, 'qcode.db'));
    chmodSync(dir, 0o555);
    try {
      for (const args of [['stats'], ['search', 'Вильнюс'], ['docs', 'list'], ['codebook', 'show'], ['log']]) {
        const result = runAsReader(['--project', dir, ...args]);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      }
      expect(runAsReader(['--project', dir, 'docs', 'list']).stdout).toContain('r01-vilnius-ru');
      const write = runAsReader(['--project', dir, 'tag', 'r01-vilnius-ru:3', 'forms.protest', '--coder', 'bob']);
      expectOneLineError(write, new RegExp(`the project ${dir.replaceAll('/', '\\/')} is read-only for you \\(its folder is not writable for you\\): this command writes to it; nothing was changed`));
      // A command not known to write stops at its first write with the same line; its dry run only reads.
      expectOneLineError(runAsReader(['--project', dir, 'autocode', '--query', 'Вильнюс', '--code', 'forms.protest', '--coder', 'bob']), /is read-only for you/);
      const dryRun = runAsReader(['--project', dir, 'autocode', '--query', 'Вильнюс', '--code', 'forms.protest', '--coder', 'bob', '--dry-run', '--json']);
      expect(dryRun.code, dryRun.stderr).toBe(0);
      expect((JSON.parse(dryRun.stdout) as { dry_run: boolean; added: number }).added).toBeGreaterThan(0);
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(sha(join(dir, 'qcode.db'))).toBe(hash);
    expect(existsSync(join(dir, 'qcode.db-wal'))).toBe(false);
    expect(tagged(dir)).toBe(0);
  });

  it('a qcode.db that is not writable in a writable folder: read without leaving a journal of the reader\'s behind', () => {
    const dir = seedInterviews();
    handToReader(dir);
    chmodSync(join(dir, 'qcode.db'), 0o444);
    const result = runAsReader(['--project', dir, 'docs', 'list']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('r02-riga-en');
    // SQLite would create qcode.db-wal and -shm owned by the reader, which its owner could then not write.
    expect(existsSync(join(dir, 'qcode.db-wal'))).toBe(false);
    expect(existsSync(join(dir, 'qcode.db-shm'))).toBe(false);
    expectOneLineError(runAsReader(['--project', dir, 'memo', 'add', 'a note', '--coder', 'bob']), /read-only for you \(qcode\.db is not writable for you\)/);
  });

  it('with a journal left by a writer, reads what the writer committed in it', () => {
    const dir = seedInterviews();
    const writer = new Database(join(dir, 'qcode.db'));
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("INSERT INTO cases (id) VALUES ('R99')").run();
    try {
      handToReader(dir);
      chmodSync(join(dir, 'qcode.db'), 0o444);
      chmodSync(dir, 0o555);
      const result = runAsReader(['--project', dir, 'cases', 'list']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('R99');
    } finally {
      chmodSync(dir, 0o755);
      writer.close();
    }
  });
});

describe('a project busy with another qcode\'s write', () => {
  it('a second writer waits for the first instead of failing after 5 seconds', async () => {
    const dir = seedInterviews();
    const holder = new Database(join(dir, 'qcode.db'));
    holder.pragma('busy_timeout = 5000');
    holder.prepare('BEGIN IMMEDIATE').run();
    const second = runQcodeAsync(['--project', dir, 'tag', 'r01-vilnius-ru:3', 'forms.protest', '--coder', 'bob']);
    // Longer than the 5 s a command used to wait before "the project is busy".
    await new Promise((resolve) => setTimeout(resolve, 6500));
    holder.prepare('COMMIT').run();
    holder.close();
    const result = await second;
    expect(result.code, result.stderr).toBe(0);
    expect(tagged(dir)).toBe(1);
  }, 30_000);

  it('when the wait runs out, the line names the project', () => {
    const dir = seedInterviews();
    const holder = new Database(join(dir, 'qcode.db'));
    holder.prepare('BEGIN IMMEDIATE').run();
    const project = openProject({ project: dir, busyTimeoutMs: 50 });
    try {
      let error: unknown;
      try {
        project.db.prepare("INSERT INTO cases (id) VALUES ('R98')").run();
      } catch (caught) {
        error = caught;
      }
      expect(busyStoreError(error)?.message).toBe(`the project ${dir} is busy (another qcode is writing it)`);
    } finally {
      closeProject(project);
      holder.prepare('ROLLBACK').run();
      holder.close();
    }
  });
});
