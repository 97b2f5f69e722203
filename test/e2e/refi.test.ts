import { zipSync } from 'fflate';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';
import { expectSchemaValid, RICH_SEED, seedProject } from '../refi-helpers.js';

/** The error output is one line, without a stack trace. */
function expectOneLineError(result: { code: number; stderr: string }, pattern: RegExp, code = 1): void {
  expect(result.code).toBe(code);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('qcode refi (the built binary)', () => {
  it('exports the same bytes in any time zone, and imports them into a project that exports them again', async () => {
    const project = await seedProject(RICH_SEED);
    const out = tempDir('qcode-refi-e2e-');
    const tokyo = runQcode(['--project', project, 'refi', 'export', '--qdpx', join(out, 'tokyo.qdpx'), '--qdc', join(out, 'codebook.qdc')], { env: { TZ: 'Asia/Tokyo' } });
    expect(tokyo.stderr).toBe('');
    expect(tokyo.code).toBe(0);
    expect(tokyo.stdout).toMatch(/^Wrote .*codebook\.qdc \(\d+ KB\): 63 codes\.\nWrote .*tokyo\.qdpx \(\d+ KB\): 3 documents, 10 codings, 8 memos\.\n$/);
    const newYork = runQcode(['--project', project, 'refi', 'export', '--qdpx', join(out, 'new-york.qdpx')], { env: { TZ: 'America/New_York' } });
    expect(newYork.code).toBe(0);
    expect(readFileSync(join(out, 'new-york.qdpx')).equals(readFileSync(join(out, 'tokyo.qdpx')))).toBe(true);

    const imported = runQcode(['refi', 'import', 'tokyo.qdpx', 'copy'], { cwd: out });
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toBe(`Created project ${join(out, 'copy')} from tokyo.qdpx: 3 documents, 7 segments, 10 codings by 3 coders, 62 codes, 3 cases, 8 memos.\n`);
    const again = runQcode(['refi', 'export', '--qdpx', join(out, 'again.qdpx'), '--json'], { cwd: join(out, 'copy') });
    expect(JSON.parse(again.stdout)).toMatchObject({ documents: 3, codings: 10, memos: 8, warnings: [] });
    expect(readFileSync(join(out, 'again.qdpx')).equals(readFileSync(join(out, 'tokyo.qdpx')))).toBe(true);
    expectSchemaValid({ qdpx: join(out, 'tokyo.qdpx'), qdc: join(out, 'codebook.qdc') });
  });

  it('turns a .qdc into a codebook YAML on stdout or in a file that qcode codebook check accepts', async () => {
    const project = await seedProject({});
    const out = tempDir('qcode-refi-e2e-');
    expect(runQcode(['--project', project, 'refi', 'export', '--qdc', join(out, 'cb.qdc')]).code).toBe(0);
    const printed = runQcode(['refi', 'import', join(out, 'cb.qdc')]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^# yaml-language-server: \$schema=\.\/codebook\.schema\.json\n/);
    expect(printed.stdout).toContain('codebook: political-remittances');
    const written = runQcode(['refi', 'import', 'cb.qdc', '--to', 'codebook.yaml'], { cwd: out });
    expect(written.stdout).toBe(`Wrote ${join(out, 'codebook.yaml')}: codebook "political-remittances", 8 dimensions, 62 codes, 4 hypotheses.\n`);
    expect(readFileSync(join(out, 'codebook.yaml'), 'utf8')).toBe(printed.stdout);
    const check = runQcode(['codebook', 'check', join(out, 'codebook.yaml')]);
    expect(check.code).toBe(0);
    expectOneLineError(runQcode(['refi', 'import', 'cb.qdc', '--to', 'codebook.yaml'], { cwd: out }), /codebook\.yaml already exists — Choose another file, or pass --force to replace it/);
  });

  it('refuses a 2 GB zip bomb with one line, exit 1, and no project folder', () => {
    const out = tempDir('qcode-refi-e2e-');
    const zip = zipSync({ 'project.qde': new TextEncoder().encode('<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>') });
    const view = new DataView(zip.buffer);
    for (let offset = 0; offset + 4 <= zip.length; offset++) {
      if (view.getUint32(offset, true) === 0x02014b50) view.setUint32(offset + 24, 2 ** 31, true);
    }
    writeFileSync(join(out, 'bomb.qdpx'), zip);
    expectOneLineError(runQcode(['refi', 'import', 'bomb.qdpx', 'study'], { cwd: out }), /^Error: bomb\.qdpx: entry "project\.qde" declares 2048\.0 MB uncompressed; the limit is 2048\.0 MB \(a zip bomb or an oversized source\)$/);
    expect(existsSync(join(out, 'study'))).toBe(false);
  });

  it('answers usage mistakes with exit 2', async () => {
    const project = await seedProject({});
    expectOneLineError(runQcode(['--project', project, 'refi', 'export']), /say what to export: --qdc FILE and\/or --qdpx FILE/, 2);
    expectOneLineError(runQcode(['--project', project, 'refi', 'export', '--qdpx', 'study.zip']), /--qdpx study\.zip: the file name must end in \.qdpx/, 2);
    const out = tempDir();
    writeFileSync(join(out, 'notes.txt'), 'plain text');
    expectOneLineError(runQcode(['refi', 'import', 'notes.txt'], { cwd: out }), /notes\.txt: not a REFI-QDA file/, 2);
  });

  it('documents itself with examples', () => {
    const help = runQcode(['refi', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('qcode refi export --qdpx study.qdpx');
    expect(runQcode(['refi', 'import', '--help']).stdout).toContain('Examples:');
  });
});
