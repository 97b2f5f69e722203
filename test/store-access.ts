// Helpers for tests of a store that is not simply there to write: read by a user who may not write it,
// or damaged on purpose.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { BIN, runQcode } from './helpers.js';

export const asRoot = process.getuid?.() === 0;

export function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The error output is one line naming what went wrong (warnings aside), exit 1, never "a bug". */
export function expectOneLineError(result: { code: number; stderr: string }, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n').filter((line) => !line.startsWith('Warning: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toContain('this is a bug');
}

/** Runs qcode as a user who may read the project but not write it (as root: nobody, owning nothing writable). */
export function runAsReader(args: string[]): { code: number; stdout: string; stderr: string } {
  if (!asRoot) return runQcode(args);
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8', uid: 65534, gid: 65534, cwd: '/', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Gives the project to nobody when root, so that the modes a test sets apply to the reader. */
export function handToReader(dir: string): void {
  if (!asRoot) return;
  chmodSync(dirname(dir), 0o755);
  for (const name of readdirSync(dir)) chownSync(join(dir, name), 65534, 65534);
  chownSync(dir, 65534, 65534);
}

/** Overwrites the first page of a table with zeros: the store still opens, a command reading that table meets the damage. */
export function zeroRootPage(dir: string, table: string): void {
  const file = join(dir, 'qcode.db');
  const db = new Database(file);
  const root = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(table) as number;
  db.close();
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(4096), 0, 4096, (root - 1) * 4096);
  } finally {
    closeSync(fd);
  }
}
