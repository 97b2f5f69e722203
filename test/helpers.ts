import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect } from 'vitest';
import { parseCodebook } from '../src/core/codebook.js';
import { formatProblem, ProblemsError } from '../src/core/errors.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'bin', 'qcode.js');
export const FIXTURES = join(ROOT, 'fixtures');
export const CODEBOOKS = join(ROOT, 'codebooks');

const made: string[] = [];

/** A fresh temporary folder, removed after the test. */
export function tempDir(prefix = 'qcode-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

// Every store a test leaves behind must hold the per-code counts its codings give: the triggers of
// migration 6 are checked against every write path the whole suite takes, not only those named in a test.
afterEach(() => {
  const dirs = made.splice(0);
  try {
    for (const dir of dirs) for (const store of storesUnder(dir, 4)) expect(codeCountsDrift(store), `code_counts of ${store}`).toEqual([]);
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
});

function storesUnder(dir: string, depth: number): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !entry.isSymbolicLink()) return depth > 0 ? storesUnder(path, depth - 1) : [];
    return entry.isFile() && entry.name === 'qcode.db' ? [path] : [];
  });
}

/**
 * Where the kept counts (code_counts) differ from a recount of the codings, one line per code; [] when they
 * agree or there is nothing to compare (no table yet, a store damaged on purpose, a file that is no store).
 */
export function codeCountsDrift(path: string): string[] {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'code_counts'").get() === undefined) return [];
    const recount = 'SELECT code_id, count(DISTINCT segment_id), count(*) FROM codings GROUP BY code_id';
    const kept = 'SELECT code_id, segments, codings FROM code_counts';
    const rows = db.prepare(`SELECT 'kept', * FROM (${kept} EXCEPT ${recount}) UNION ALL SELECT 'recount', * FROM (${recount} EXCEPT ${kept})`).raw().all() as unknown[][];
    return rows.map((row) => row.join(' '));
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/** Copies a fixture file or folder into a temporary folder and returns the copy's path. */
export function copyFixture(relative: string): string {
  const target = join(tempDir('qcode-fixture-'), relative.split('/').pop() ?? 'fixture');
  cpSync(join(FIXTURES, relative), target, { recursive: true });
  return target;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built binary as a user would, with no terminal and a clean environment. */
export function runQcode(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): RunResult {
  const result: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    input: options.input ?? '',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', LANG: 'C.UTF-8', ...options.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A new project in a temporary folder (init through the binary), returning its folder. */
export function newProject(codebook = 'political-remittances'): string {
  const dir = join(tempDir('qcode-project-'), 'study');
  const result = runQcode(['init', dir, '--codebook', codebook]);
  if (result.code !== 0) throw new Error(`init failed: ${result.stderr}`);
  return dir;
}

/** Runs the built binary without waiting, so that several processes can race on one project. */
export function runQcodeAsync(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', LANG: 'C.UTF-8' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** Edits a project's codebook.yaml in place; an edit that changes nothing is a broken test, so it fails. */
export function editCodebook(dir: string, edit: (yaml: string) => string): void {
  const file = join(dir, 'codebook.yaml');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(file, after);
}

/** Runs the binary on a project and returns its stdout; a non-zero exit fails the test with its stderr. */
export function qcodeOk(dir: string, ...args: string[]): string {
  const result = runQcode(['--project', dir, ...args]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** A copy of a project folder, named `name`, in a new temporary folder. */
export function copyProject(from: string, name: string): string {
  const to = join(tempDir('qcode-copy-'), name);
  cpSync(from, to, { recursive: true });
  return to;
}

/** The message and hint of the error fn throws, as the CLI prints them. */
export function errorText(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return `${(error as Error).message} — ${(error as { hint?: string }).hint ?? ''}`;
  }
  throw new Error('expected an error');
}

export interface PausedRun {
  child: ChildProcess;
  /** How the process ended: its exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the binary with a QCODE_TEST_PAUSE_*_MS test hook in `env` and resolves once its stderr shows `marker`
 * (the line the hook prints when it pauses), so that the test can signal it there. `through` runs the binary
 * behind another command (e.g. a shell), which gets the binary as its last arguments before `args`.
 */
export async function spawnUntilPaused(
  args: string[],
  options: { env: Record<string, string>; marker: string; cwd?: string; through?: [string, ...string[]] },
): Promise<PausedRun> {
  const [command, ...prefix] = options.through ?? [process.execPath, BIN];
  const child = spawn(command, [...prefix, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`qcode ${args.join(' ')} never paused (no "${options.marker}"); stderr: ${stderr}`)), 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(options.marker)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { child, exited };
}

/** The problems a codebook source has, as `qcode codebook check` prints them (none: []). */
export function codebookProblems(source: string): string[] {
  try {
    parseCodebook(source, 'cb.yaml');
  } catch (error) {
    if (error instanceof ProblemsError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}
