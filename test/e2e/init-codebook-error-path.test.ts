import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';

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
