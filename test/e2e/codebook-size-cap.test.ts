// A codebook file over the size cap is refused from its size alone, before it is read or parsed.
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, runQcode } from '../helpers.js';
import { query } from '../seed.js';

/** A 6 MB codebook that takes no disk: a YAML start, then a hole (truncate extends a file sparsely). */
function hugeCodebook(dir: string): string {
  const file = join(dir, 'huge.yaml');
  writeFileSync(file, 'codebook: huge\nversion: 1\n');
  truncateSync(file, 6 * 1024 * 1024);
  return file;
}

describe('codebook size cap', () => {
  it('refuses an oversized codebook with one line naming its size and the cap, for check, diff and apply', () => {
    const dir = newProject();
    const file = hugeCodebook(dir);
    const versions = query(dir, 'SELECT count(*) AS n FROM codebook_versions');
    for (const args of [['codebook', 'check', file], ['codebook', 'diff', file], ['codebook', 'apply', file], ['codebook', 'apply', '--dry-run', file]]) {
      const result = runQcode(args, { cwd: dir });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(`${file}: codebook is 6.0 MB; the limit is 5 MB`);
      expect(result.stderr).toContain('shorten the long definitions or examples, or split the codebook');
      expect(result.stderr).not.toContain('NUL byte');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(query(dir, 'SELECT count(*) AS n FROM codebook_versions')).toEqual(versions);
  });

  it('still reads the bundled codebooks', () => {
    const dir = newProject();
    for (const name of ['political-remittances', 'example']) {
      expect(runQcode(['codebook', 'check', join(import.meta.dirname, '..', '..', 'codebooks', `${name}.yaml`)], { cwd: dir }).code).toBe(0);
    }
  });
});
