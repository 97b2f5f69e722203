// A store that is old, read-only or damaged, met by commands that reviewers found saying the wrong thing:
// an older qcode's read-only project (read through a migrated private copy, or refused in one line where
// it is read in place), demo over a read-only project, a removal on a damaged store (refused before
// anything is removed), an import into a damaged store (the store named, not the file).
import Database from 'better-sqlite3';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';
import { asRoot, expectOneLineError, handToReader, runAsReader, sha, zeroRootPage } from '../store-access.js';

/** Takes the store back to schema 4 (before migration 5's removal tables and 6's kept counts), as an older qcode left it. */
function makeOld(dir: string): void {
  const db = new Database(join(dir, 'qcode.db'));
  db.exec(`DROP TRIGGER documents_keep_version; DROP TABLE document_versions; DROP TABLE removed_cases; DROP TABLE removed_documents;
    DROP TRIGGER codings_count_insert; DROP TRIGGER codings_count_delete; DROP TRIGGER codings_count_update; DROP TABLE code_counts;`);
  db.pragma('user_version = 4');
  db.pragma('journal_mode = DELETE');
  db.close();
}

const count = (dir: string, sql: string): number => (query<{ n: number }>(dir, sql)[0] as { n: number }).n;

describe('a read-only project written by an older qcode', () => {
  it('is analysed through a migrated copy in memory; the file stays as it was, and writes still stop', () => {
    const dir = seedInterviews();
    makeOld(dir);
    handToReader(dir);
    chmodSync(join(dir, 'qcode.db'), 0o444);
    const hash = sha(join(dir, 'qcode.db'));
    const stats = runAsReader(['--project', dir, 'docs', 'list']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toContain('r01-vilnius-ru');
    expectOneLineError(runAsReader(['--project', dir, 'memo', 'add', 'a note', '--coder', 'bob']), /read-only for you \(qcode\.db is not writable for you\)/);
    expect(sha(join(dir, 'qcode.db'))).toBe(hash);
    expect(existsSync(join(dir, 'qcode.db-wal'))).toBe(false);
  });

  it('read in place beside a writer\'s journal: one line saying it is read-only for you and older, and what to do', () => {
    const dir = seedInterviews();
    makeOld(dir);
    const writer = new Database(join(dir, 'qcode.db'));
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("INSERT INTO meta (key, value) VALUES ('x', 'y')").run();
    try {
      handToReader(dir);
      chmodSync(join(dir, 'qcode.db'), 0o444);
      chmodSync(dir, 0o555);
      expectOneLineError(runAsReader(['--project', dir, 'stats']),
        /qcode\.db is read-only for you \(.*\) and was written by an older qcode.*Ask its owner to run any qcode command that writes there.*copy the project to a folder of your own/);
    } finally {
      chmodSync(dir, 0o755);
      writer.close();
    }
  });
});

describe('qcode demo over a project this user may only read', () => {
  it('says the project is read-only for this user, not SQLite\'s "attempt to write a readonly database"', () => {
    const dir = join(tempDir('qcode-demo-ro-'), 'demo');
    const built = runQcode(['demo', dir, '--json']);
    expect(built.code, built.stderr).toBe(0);
    chmodSync(dirname(dir), 0o755);
    for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o444);
    if (!asRoot) chmodSync(dir, 0o555);
    const hash = sha(join(dir, 'qcode.db'));
    try {
      expectOneLineError(runAsReader(['demo', dir]), /^Error: the project .*demo is read-only for you \(.*\): this command writes to it; nothing was changed/);
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(sha(join(dir, 'qcode.db'))).toBe(hash);
  }, 60_000);
});

describe('qcode demo in a folder this user may not write', () => {
  it('names the folder in one line, not an EACCES on the folder it builds in', () => {
    const parent = tempDir('qcode-demo-locked-');
    chmodSync(parent, 0o555);
    try {
      expectOneLineError(runAsReader(['demo', join(parent, 'inner', 'demo')]), /^Error: cannot build the demo in .*inner\/demo: you may not write to .*qcode-demo-locked-\w+ — Choose a folder you can write to/);
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      chmodSync(parent, 0o755);
    }
  });
});

describe('a damaged store', () => {
  it('a removal is refused before anything is removed, with the damaged-store line', () => {
    const dir = seedInterviews();
    // A table the removal does not touch: without the check, its rows would go before the compaction met the damage.
    zeroRootPage(dir, 'codebook_versions');
    const result = runQcode(['--project', dir, 'docs', 'remove', 'r01-vilnius-ru', '--yes']);
    expect(result.code, result.stderr).toBe(1);
    const error = result.stderr.trim().split('\n').filter((line) => line.startsWith('Error: '));
    expect(error).toHaveLength(1);
    expect(error[0]).toMatch(/qcode\.db is damaged: .*nothing was removed — Restore it from a backup .*then run the removal again/);
    expect(result.stderr).not.toContain('Fix that');
    expect(count(dir, "SELECT count(*) AS n FROM documents WHERE slug = 'r01-vilnius-ru'")).toBe(1);
    expect(count(dir, 'SELECT count(*) AS n FROM removed_documents')).toBe(0);
    expect(count(dir, "SELECT count(*) AS n FROM meta WHERE key LIKE '%erasure%'")).toBe(0);
  });

  it('an import names the store once, not the file as failed', () => {
    const dir = seedInterviews();
    zeroRootPage(dir, 'documents');
    const file = join(tempDir(), 't.txt');
    writeFileSync(file, 'x\n');
    const result = runQcode(['--project', dir, 'import', file]);
    expectOneLineError(result, /qcode\.db is damaged: /);
    expect(result.stdout + result.stderr).not.toMatch(/not imported|Nothing imported/);
  });
});
