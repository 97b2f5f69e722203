import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect } from 'vitest';

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

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

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
