// A project shared for reading, met by the commands that only read it: export all stopped at a temporary
// table SQLite refuses in such a store (and blamed the output folder for it); merge read codebook.yaml,
// which qcode writes 0600 for its owner alone, and called the refusal a bug in qcode.
import Database from 'better-sqlite3';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { qcodeOk, runQcode, tempDir } from '../helpers.js';
import { query } from '../seed.js';
import { asRoot, expectOneLineError, handToReader, runAsReader, sha } from '../store-access.js';

/** The demo in a new temporary folder; the folder holds it as `shared`. */
function demo(): { parent: string; dir: string } {
  const parent = tempDir('qcode-shared-');
  const dir = join(parent, 'shared');
  const built = runQcode(['demo', dir, '--json']);
  expect(built.code, built.stderr).toBe(0);
  chmodSync(parent, 0o755);
  return { parent, dir };
}

/**
 * codebook.yaml as qcode leaves it in a shared project: 0600, its owner's. As root the reader is nobody
 * and the file stays root's; otherwise the reader owns it, so only mode 0 keeps the reader out.
 */
function closeCodebookToReader(dir: string): void {
  const file = join(dir, 'codebook.yaml');
  if (asRoot) chownSync(file, 0, 0);
  chmodSync(file, asRoot ? 0o600 : 0o000);
}

/** The project readable for the reader and writable for no one but its owner (as root: root). */
function lockForReading(dir: string): void {
  chmodSync(join(dir, 'qcode.db'), 0o444);
  chmodSync(dir, 0o555);
}

/** A folder the reader may write in. */
function readerFolder(parent: string): string {
  const out = join(parent, 'out');
  mkdirSync(out);
  if (asRoot) chownSync(out, 65534, 65534);
  return out;
}

const memoCount = (dir: string): number => (query<{ n: number }>(dir, 'SELECT count(*) AS n FROM memos')[0] as { n: number }).n;

describe('export all in a project this user may only read', () => {
  it('writes the same files as its owner\'s export, for all coders and for one, and leaves the store as it was', () => {
    const { parent, dir } = demo();
    const owner = join(tempDir('qcode-owner-export-'), 'ex');
    qcodeOk(dir, 'export', 'all', '--out', owner);
    const ownerAnna = join(tempDir('qcode-owner-export-'), 'ex');
    qcodeOk(dir, 'export', 'all', '--out', ownerAnna, '--coder', 'anna');
    closeCodebookToReader(dir);
    lockForReading(dir);
    const out = readerFolder(parent);
    const hash = sha(join(dir, 'qcode.db'));
    try {
      for (const [extra, expected] of [[[], owner], [['--coder', 'anna'], ownerAnna]] as const) {
        const target = join(out, extra.length === 0 ? 'all' : 'anna');
        const result = runAsReader(['--project', dir, 'export', 'all', '--out', target, ...extra]);
        expect(result.code, result.stderr).toBe(0);
        const files = readdirSync(expected);
        expect(readdirSync(target).sort()).toEqual([...files].sort());
        // qcode.sps and qcode.R open with the time of the export.
        for (const file of files.filter((name) => name.endsWith('.csv'))) {
          expect(readFileSync(join(target, file), 'utf8'), file).toBe(readFileSync(join(expected, file), 'utf8'));
        }
      }
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(sha(join(dir, 'qcode.db'))).toBe(hash);
  }, 60_000);
});

describe('export all meeting an error of the store', () => {
  it('reports it as the store\'s, not as the output folder\'s, and leaves no folder', () => {
    const { parent, dir } = demo();
    // A store that lost its codings table (an outside tool's doing) stands for any SQLite error met while reading.
    const db = new Database(join(dir, 'qcode.db'));
    db.exec('ALTER TABLE codings RENAME TO codings_elsewhere');
    db.close();
    const out = join(parent, 'ex');
    const result = runQcode(['--project', dir, 'export', 'all', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no such table: codings');
    expect(result.stderr).not.toContain('cannot write the export');
    expect(result.stderr).not.toContain('Choose a folder');
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

describe('merge and a codebook.yaml this user may not read', () => {
  it('--dry-run in a project shared for reading reports what would come in, without the check of codebook.yaml', () => {
    const { parent, dir } = demo();
    const other = join(parent, 'other');
    cpSync(dir, other, { recursive: true });
    qcodeOk(other, 'memo', 'add', 'a note from the other copy', '--coder', 'anna');
    chmodSync(join(other, 'qcode.db'), 0o444);
    closeCodebookToReader(dir);
    lockForReading(dir);
    const hash = sha(join(dir, 'qcode.db'));
    try {
      const result = runAsReader(['--project', dir, 'merge', other, '--dry-run']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain('this is a bug');
      expect(result.stdout).toContain('Dry run, nothing changed');
      expect(result.stdout).toContain('1 memo');
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(sha(join(dir, 'qcode.db'))).toBe(hash);
  }, 60_000);

  it('in a project the user may write (a group\'s): the merge goes through; --codebook-from other stops in one line before merging', () => {
    const { parent, dir } = demo();
    const other = join(parent, 'other');
    cpSync(dir, other, { recursive: true });
    qcodeOk(other, 'memo', 'add', 'a note from the other copy', '--coder', 'anna');
    handToReader(other);
    handToReader(dir);
    closeCodebookToReader(dir);
    const before = memoCount(dir);

    expectOneLineError(runAsReader(['--project', dir, 'merge', other, '--codebook-from', 'other']),
      /^Error: cannot read .*codebook\.yaml \(permission denied\), which the merge must copy before replacing it; nothing was merged/);
    expect(memoCount(dir)).toBe(before);

    const merged = runAsReader(['--project', dir, 'merge', other]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stderr).not.toContain('this is a bug');
    expect(merged.stdout).toContain('Merged');
    expect(memoCount(dir)).toBe(before + 1);
  }, 60_000);
});
