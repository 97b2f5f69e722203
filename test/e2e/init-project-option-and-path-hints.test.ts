import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, runQcode, tempDir } from '../helpers.js';

describe('init and --project', () => {
  it('makes the project in the --project folder, not in the current one', () => {
    const cwd = tempDir();
    const result = runQcode(['--project', 'p1', 'init'], { cwd });
    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, 'p1', 'qcode.db'))).toBe(true);
    expect(existsSync(join(cwd, 'qcode.db'))).toBe(false);
    expect(runQcode(['--project', 'p1', 'docs', 'list'], { cwd }).code).toBe(0);
  });

  it('takes DIR and --project together when they name one folder, and refuses two folders with exit 2', () => {
    const cwd = tempDir();
    expect(runQcode(['--project', 'p1', 'init', './p1/'], { cwd }).code).toBe(0);
    const result = runQcode(['--project', 'p1', 'init', 'p2'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('Error: init was given two folders: p2 and --project p1 — Give one of them\n');
    expect(existsSync(join(cwd, 'p2'))).toBe(false);
  });

  it('refuses, with exit 2, to make a project here while QCODE_PROJECT names another folder', () => {
    const cwd = tempDir();
    const result = runQcode(['init'], { cwd, env: { QCODE_PROJECT: '/elsewhere/my study' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Name it: qcode init . for this folder, or qcode init '/elsewhere/my study'");
    expect(existsSync(join(cwd, 'qcode.db'))).toBe(false);
    // Naming the folder, or QCODE_PROJECT naming this very folder, is clear enough.
    expect(runQcode(['init', 'a'], { cwd, env: { QCODE_PROJECT: '/elsewhere' } }).code).toBe(0);
    expect(runQcode(['init'], { cwd: join(cwd, 'a', '..'), env: { QCODE_PROJECT: '.' } }).code).toBe(0);
    expect(existsSync(join(cwd, 'qcode.db'))).toBe(true);
  });

  it('refuses an empty --project as a usage error, for init and for every other command', () => {
    const cwd = tempDir();
    for (const args of [['--project', '', 'init'], ['--project', '', 'docs', 'list']]) {
      const result = runQcode(args, { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: --project needs a folder — /);
    }
    expect(existsSync(join(cwd, 'qcode.db'))).toBe(false);
  });
});

describe('hints that print a command with a path', () => {
  it("quotes the folder in init's Next: hint, and the hint works as printed", () => {
    const parent = tempDir();
    const dir = join(parent, "Мой проект 'x'");
    const result = runQcode(['init', dir]);
    expect(result.code).toBe(0);
    const hint = /Next: (qcode import FILES\.\.\. --project .*?) {3}\(/.exec(result.stderr)?.[1];
    expect(hint).toBe(`qcode import FILES... --project '${parent}/Мой проект '\\''x'\\'''`);
    // The shell reads the quoted path back as the folder itself.
    const echoed = spawnSync('sh', ['-c', `printf %s ${hint!.replace('qcode import FILES... --project ', '')}`], { encoding: 'utf8' });
    expect(echoed.stdout).toBe(dir);
  });

  it('quotes the folder in the "Create one with" hint', () => {
    const result = runQcode(['--project', 'no such/study', 'docs', 'list'], { cwd: tempDir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Create one with: qcode init 'no such/study'");
  });

  it('takes --project pointing at the qcode.db file as its folder', () => {
    const dir = newProject();
    const result = runQcode(['--project', join(dir, 'qcode.db'), 'docs', 'list']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('Error');
  });

  it('says in one line that another file is not a project folder', () => {
    const dir = newProject();
    const result = runQcode(['--project', join(dir, 'codebook.yaml'), 'docs', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Error: ${join(dir, 'codebook.yaml')} is a file, not a project folder — Name the folder that holds qcode.db\n`);
  });

  it('says in one line that a qcode.db folder is not a store, found by --project or from inside', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'qcode.db'));
    const expected = `Error: ${join(dir, 'qcode.db')} is a folder, not a qcode store — Move it away: a project's qcode.db is the file qcode init makes\n`;
    for (const result of [runQcode(['--project', dir, 'docs', 'list']), runQcode(['docs', 'list'], { cwd: dir }), runQcode(['init', dir])]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(expected);
    }
  });
});
