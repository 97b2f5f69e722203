import pty from 'node-pty';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, newProject, tempDir } from '../helpers.js';

// On a terminal, import draws a progress bar (files, MB, ETA) on stderr and still prints every
// failure as a line of its own.

function runInTerminal(args: string[]): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = pty.spawn(process.execPath, [BIN, ...args], {
      cols: 120,
      rows: 30,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm-256color', LANG: 'C.UTF-8', NO_COLOR: '1' },
    });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`qcode import did not finish; output so far:\n${output}`));
    }, 30_000);
    child.onData((data) => {
      output += data;
    });
    child.onExit(({ exitCode }) => {
      clearTimeout(timer);
      resolve({ exitCode, output: stripVTControlCharacters(output) });
    });
  });
}

describe('qcode import on a terminal', () => {
  it('shows a progress bar with files, MB and ETA, and the failure lines', async () => {
    const project = newProject();
    const dir = join(tempDir('qcode-pty-'), 'interviews');
    cpSync(join(FIXTURES, 'interviews'), dir, { recursive: true });
    writeFileSync(join(dir, 'zz-empty.txt'), '');
    const { exitCode, output } = await runInTerminal(['--project', project, 'import', dir, '--manifest', join(dir, 'manifest.csv')]);
    expect(output).toMatch(/\d+\/17 files \| \d+\.\d\/0\.1 MB \| ETA/);
    expect(output).toMatch(/✗ .*zz-empty\.txt: the file is empty/);
    expect(output).toContain('Imported 16 files · 1 failed — 16 documents, 316 segments');
    expect(exitCode).toBe(1);
  });
});
