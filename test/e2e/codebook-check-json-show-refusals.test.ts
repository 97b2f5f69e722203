import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, runQcode, tempDir } from '../helpers.js';
import { seedProject } from '../seed.js';

describe('codebook check --json', () => {
  it('prints the problems on stdout for a codebook with problems, exits 1, and says it once on stderr', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yaml'), 'codebook: x\ndimensions: [\n');
    const result = runQcode(['codebook', 'check', 'bad.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as { file: string; ok: boolean; problems: Array<{ file: string; line: number; col: number; message: string }> };
    expect(json).toMatchObject({ file: 'bad.yaml', ok: false });
    expect(json.problems).toHaveLength(1);
    expect(json.problems[0]).toMatchObject({ file: 'bad.yaml', line: 3, col: 1 });
    expect(json.problems[0]?.message).toMatch(/^YAML: /);
    expect(result.stderr).toBe('Error: bad.yaml: 1 problem in the codebook — Fix it and run: qcode codebook check bad.yaml\n');
  });

  it('prints the error on stdout for a file that cannot be read', () => {
    const result = runQcode(['codebook', 'check', 'missing.yaml', '--json'], { cwd: tempDir() });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ file: 'missing.yaml', ok: false, error: 'missing.yaml: no such file', problems: [] });
  });
});

describe('codebook show refuses what stats refuses', () => {
  it('refuses an unknown coder with exit 1, and still counts a known one', () => {
    const dir = newProject();
    const unknown = runQcode(['--project', dir, 'codebook', 'show', '--coder', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('Error: unknown coder "nobody" — Nobody has coded in this project yet\n');
    expect(unknown.stdout).toBe('');
    const seeded = seedProject([{ slug: 'r01', segments: [{ text: 'Мы ходили на пикеты.' }] }]);
    expect(runQcode(['--project', seeded, 'tag', 'r01:1', 'forms.protest', '--coder', 'anna']).code).toBe(0);
    const shown = runQcode(['--project', seeded, 'codebook', 'show', '--coder', 'anna', '--json']);
    expect(shown.code).toBe(0);
    const codes = (JSON.parse(shown.stdout) as { codes: Array<{ id: string; codings: number }> }).codes;
    expect(codes.find((code) => code.id === 'forms.protest')?.codings).toBe(1);
  });

  it('refuses a language the codebook has no labels in with exit 2', () => {
    const dir = newProject();
    const result = runQcode(['--project', dir, 'codebook', 'show', '--lang', 'xx']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('Error: the codebook has no labels in "xx" — Languages: en, ru\n');
    expect(runQcode(['--project', dir, 'codebook', 'show', '--lang', 'ru']).code).toBe(0);
  });

  it('demo --lang xx is refused with exit 2 before anything is built', () => {
    const parent = tempDir();
    const result = runQcode(['demo', 'd', '--lang', 'xx'], { cwd: parent });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Error: the codebook has no labels in "xx" — Languages: en, ru\n');
    expect(result.stderr).not.toContain('importing');
    expect(existsSync(join(parent, 'd'))).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
  });
});
