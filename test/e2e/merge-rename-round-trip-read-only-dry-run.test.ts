// Merging back and forth with --rename-coder adds nothing after the first round trip; a dry run merges
// into a project this user may only read.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runQcode, tempDir } from '../helpers.js';

const asRoot = process.getuid?.() === 0;

function demo(dir: string): void {
  const result = runQcode(['demo', dir]);
  expect(result.code, result.stderr).toBe(0);
}

function qcode(...args: string[]): string {
  const result = runQcode(args);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

function events(dir: string): { count: number; duplicates: number } {
  const db = new Database(join(dir, 'qcode.db'), { readonly: true });
  try {
    const count = (db.prepare('SELECT count(*) FROM events').pluck().get() as number);
    const duplicates = (db.prepare('SELECT count(*) FROM (SELECT 1 FROM events GROUP BY at, coder_id, action, payload HAVING count(*) > 1)').pluck().get() as number);
    return { count, duplicates };
  } finally {
    db.close();
  }
}

describe('merge back and forth with --rename-coder', () => {
  it('adds no events after the first round trip, and no duplicate events in either copy', () => {
    const root = tempDir();
    const a = join(root, 'A');
    const b = join(root, 'B');
    demo(a);
    cpSync(a, b, { recursive: true });
    qcode('--project', b, 'tag', 'r01-vilnius-ru:3', 'forms.media', '--coder', 'anna');
    qcode('--project', a, 'merge', b, '--rename-coder', 'anna=anna-b');
    qcode('--project', b, 'merge', a);
    const after = { a: events(a), b: events(b) };
    for (let round = 0; round < 3; round++) {
      expect(qcode('--project', a, 'merge', b, '--rename-coder', 'anna=anna-b')).toMatch(/ 0 events/);
      expect(qcode('--project', b, 'merge', a)).toMatch(/ 0 events/);
    }
    expect(events(a)).toEqual(after.a);
    expect(events(b)).toEqual(after.b);
    expect(after.a.duplicates).toBe(0);
    expect(after.b.duplicates).toBe(0);
  }, 120_000);
});

describe('merge --dry-run in a project this user may only read', () => {
  it.skipIf(!asRoot)('plans the merge, writes nothing there, and leaves no private copy behind', () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    const ro = join(root, 'ro');
    const other = join(root, 'other');
    demo(ro);
    demo(other);
    for (const dir of [ro, other]) {
      for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o644);
      chmodSync(dir, 0o755);
    }
    const scratch = join(root, 'tmp');
    mkdirSync(scratch);
    chmodSync(scratch, 0o1777);
    const before = readFileSync(join(ro, 'qcode.db'));
    const listing = readdirSync(ro).sort();
    const result = spawnSync(process.execPath, [BIN, '--project', ro, 'merge', other, '--dry-run'], {
      encoding: 'utf8', uid: 65534, gid: 65534, cwd: '/', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TMPDIR: scratch },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Dry run, nothing changed/);
    expect(result.stderr).not.toMatch(/Error/);
    expect(readFileSync(join(ro, 'qcode.db')).equals(before)).toBe(true);
    expect(readdirSync(ro).sort()).toEqual(listing);
    expect(readdirSync(scratch)).toEqual([]);
    expect(statSync(scratch).isDirectory()).toBe(true);
  }, 120_000);
});
