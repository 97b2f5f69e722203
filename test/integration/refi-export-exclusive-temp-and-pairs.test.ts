import { lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeProject, openProject } from '../../src/app/project.js';
import { exportRefi, type RefiExportOptions } from '../../src/app/refi.js';
import { tempDir } from '../helpers.js';
import { RICH_SEED, seedProject } from '../refi-helpers.js';

async function exportWith(dir: string, options: RefiExportOptions): Promise<void> {
  const project = openProject({ project: dir });
  try {
    await exportRefi(project, options);
  } finally {
    closeProject(project);
  }
}

function diskFull(code: 'ENOSPC' | 'EDQUOT'): Error {
  return Object.assign(new Error(`${code}: no space left on device, write`), { code });
}

describe('refi export: temporary files', () => {
  it('never writes through a file or symlink at the temporary name it used to predict', async () => {
    const project = await seedProject(RICH_SEED);
    const out = tempDir('qcode-refi-tmp-');
    const victim = join(out, 'victim.txt');
    writeFileSync(victim, 'victim\n', { mode: 0o644 });
    // The name the old code wrote to: `.FILE.qcode-PID-tmp`, PID being this process (exportRefi runs in it).
    symlinkSync('victim.txt', join(out, `.out.qdpx.qcode-${process.pid}-tmp`));
    writeFileSync(join(out, `.out.qdc.qcode-${process.pid}-tmp`), 'planted\n', { mode: 0o644 });

    await exportWith(project, { qdpx: join(out, 'out.qdpx'), qdc: join(out, 'out.qdc') });

    expect(readFileSync(victim, 'utf8')).toBe('victim\n');
    expect(readFileSync(join(out, `.out.qdc.qcode-${process.pid}-tmp`), 'utf8')).toBe('planted\n');
    for (const name of ['out.qdpx', 'out.qdc']) {
      const stats = lstatSync(join(out, name));
      expect(stats.isFile()).toBe(true);
      expect(stats.mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(out, 'out.qdpx')).subarray(0, 2).toString('latin1')).toBe('PK');
    // Nothing of this run's own is left beside the files.
    expect(readdirSync(out).sort()).toEqual([`.out.qdc.qcode-${process.pid}-tmp`, `.out.qdpx.qcode-${process.pid}-tmp`, 'out.qdc', 'out.qdpx', 'victim.txt']);
  });
});

describe('refi export --qdc A --qdpx B: both or neither', () => {
  for (const [which, failing] of [['the second (B)', 2], ['the first (A)', 1]] as const) {
    it(`writes neither file when writing ${which} fails on a full disk, and says so in one line`, async () => {
      const project = await seedProject(RICH_SEED);
      const out = tempDir('qcode-refi-pair-');
      let calls = 0;
      const writeBytes = (): void => {
        calls++;
        if (calls === failing) throw diskFull(failing === 2 ? 'ENOSPC' : 'EDQUOT');
        // A first file that was written completely (its bytes do not matter here).
      };
      const qdc = join(out, 'a.qdc');
      const qdpx = join(out, 'b.qdpx');
      await expect(exportWith(project, { qdc, qdpx, writeBytes })).rejects.toThrow(/: the disk is full: nothing was written$/);
      expect(readdirSync(out)).toEqual([]);

      // Nothing is in the way of running it again.
      await exportWith(project, { qdc, qdpx });
      expect(statSync(qdc).size).toBeGreaterThan(0);
      expect(statSync(qdpx).size).toBeGreaterThan(0);
      expect(readdirSync(out).sort()).toEqual(['a.qdc', 'b.qdpx']);
    });
  }

  it('with --force, keeps both old files when the second new one cannot be written', async () => {
    const project = await seedProject(RICH_SEED);
    const out = tempDir('qcode-refi-pair-');
    const qdc = join(out, 'a.qdc');
    const qdpx = join(out, 'b.qdpx');
    writeFileSync(qdc, 'old codebook\n');
    writeFileSync(qdpx, 'old project\n');
    let calls = 0;
    const writeBytes = (): void => {
      if (++calls === 2) throw diskFull('ENOSPC');
    };
    await expect(exportWith(project, { qdc, qdpx, force: true, writeBytes })).rejects.toThrow(/the disk is full/);
    expect(readFileSync(qdc, 'utf8')).toBe('old codebook\n');
    expect(readFileSync(qdpx, 'utf8')).toBe('old project\n');
    expect(readdirSync(out).sort()).toEqual(['a.qdc', 'b.qdpx']);
  });
});
