import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runQcode, tempDir } from '../helpers.js';

describe('init --codebook FILE with a broken codebook', () => {
  it('names the file as the user gave it, and the fix hint works on it', () => {
    const parent = tempDir();
    const cwd = join(parent, 'work');
    mkdirSync(cwd);
    writeFileSync(join(parent, 'bad.yaml'), 'dimensions: [\n');
    const result = runQcode(['init', '../newp', '--codebook', '../bad.yaml'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^\.\.\/bad\.yaml:2:1: YAML: /);
    expect(result.stderr).toContain('Error: ../bad.yaml: 1 problem in the codebook — Fix it and run: qcode codebook check ../bad.yaml\n');
    expect(result.stderr).not.toContain('codebook.yaml');
    expect(existsSync(join(parent, 'newp'))).toBe(false);
    // The hint's command reports the same problem from the same folder.
    expect(runQcode(['codebook', 'check', '../bad.yaml'], { cwd }).stderr).toMatch(/^\.\.\/bad\.yaml:2:1: YAML: /);
  });
});

describe('init --codebook FILE over the size limit', () => {
  it('is refused from its size, before it is read, and leaves nothing behind', () => {
    const parent = tempDir();
    const big = join(parent, 'big.yaml');
    writeFileSync(big, 'codebook: big\n');
    truncateSync(big, 6 * 1024 * 1024); // sparse: no disk used
    const result = runQcode(['init', join(parent, 'p'), '--codebook', big]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: .*big\.yaml: codebook is 6\.0 MB; the limit is 5 MB — /);
    expect(existsSync(join(parent, 'p'))).toBe(false);
  });
});

describe('init where the folder cannot be made', () => {
  it('refuses a path under a file in one line', () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'notes.txt'), 'a file');
    const blocked = runQcode(['init', join(parent, 'notes.txt', 'a', 'b')]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toBe(`Error: cannot create the project folder ${join(parent, 'notes.txt', 'a', 'b')}: ${join(parent, 'notes.txt')} is a file, not a folder — Choose a folder you can write to\n`);
    expect(readdirSync(parent)).toEqual(['notes.txt']);
  });

  it('removes every folder it made when a later step fails, not only the innermost', () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'bad.yaml'), 'dimensions: [\n');
    const result = runQcode(['init', join(parent, 'x', 'y', 'study'), '--codebook', join(parent, 'bad.yaml')]);
    expect(result.code).toBe(1);
    expect(readdirSync(parent)).toEqual(['bad.yaml']);
  });

  it('gives up at once on a parent that refuses new entries (Node 20 spins there with mkdir -p)', () => {
    if (!existsSync('/proc/self')) return;
    // Not runQcode: without the fix the process never ends, and only a timeout makes the test fail.
    const result = spawnSync(process.execPath, [BIN, 'init', '/proc/qcode-test/study'], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Error: cannot create the project folder \/proc\/qcode-test\/study: /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
