import { zipSync } from 'fflate';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';
import { expectSchemaValid, RICH_SEED, seedProject, zipBomb } from '../refi-helpers.js';

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
    // Segments and seen marks travel too, so agreement over the copy is agreement over the original.
    const agreement = (dir: string): unknown => JSON.parse(runQcode(['--project', dir, 'agreement', '--coders', 'anna,boris', '--json']).stdout);
    const original = agreement(project);
    expect(JSON.stringify(original)).toContain('forms.protest');
    expect(agreement(join(out, 'copy'))).toEqual(original);
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

  it('refuses every bad input with one line and exit 1, and writes nothing', () => {
    const out = tempDir('qcode-refi-e2e-');
    const text = 'Р: Мы стоим у посольства 😀.\n';
    const qde = (selection = '<PlainTextSelection guid="00000000-0000-4000-8000-000000000003" startPosition="3" endPosition="8"><Coding guid="00000000-0000-4000-8000-000000000004"><CodeRef targetGUID="00000000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection>', prolog = ''): string =>
      `<?xml version="1.0" encoding="UTF-8"?>\n${prolog}<Project xmlns="urn:QDA-XML:project:1.0" name="bad"><CodeBook><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="Protest" isCodable="true"/></Codes></CodeBook>`
      + '<Sources><TextSource guid="00000000-0000-4000-8000-000000000002" name="r01.txt" plainTextPath="internal://00000000-0000-4000-8000-000000000009.txt">'
      + `${selection}</TextSource></Sources></Project>`;
    const source = 'sources/00000000-0000-4000-8000-000000000009.txt';
    const zip = (files: Record<string, Uint8Array | [Uint8Array, { os: number; attrs: number }]>): Uint8Array => zipSync(files);
    const encode = (value: string): Uint8Array => new TextEncoder().encode(value);
    // The good file imports, so each refusal below is down to its one flaw.
    writeFileSync(join(out, 'good.qdpx'), zip({ 'project.qde': encode(qde()), [source]: encode(text) }));
    expect(runQcode(['refi', 'import', 'good.qdpx', 'good'], { cwd: out }).code).toBe(0);

    const cases: Array<[string, Uint8Array | string, RegExp]> = [
      ['climbing.qdpx', zip({ 'project.qde': encode(qde()), [source]: encode(text), '../evil.txt': encode('x') }), /unsafe entry "\.\.\/evil\.txt": its name climbs out of the archive with \.\.; refusing the archive$/],
      ['absolute.qdpx', zip({ 'project.qde': encode(qde()), [source]: encode(text), '/tmp/evil.txt': encode('x') }), /unsafe entry "\/tmp\/evil\.txt": its name is an absolute path/],
      ['link.qdpx', zip({ 'project.qde': encode(qde()), [source]: [encode('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] }), /it is a symbolic link, not a regular file; refusing the archive$/],
      ['doctype.qdpx', zip({ 'project.qde': encode(qde(undefined, '<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n')), [source]: encode(text) }), /doctype\.qdpx:project\.qde:2:1: the XML has a DOCTYPE declaration/],
      ['entity.qdc', '<?xml version="1.0"?>\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="&xxe;" isCodable="true"/></Codes></CodeBook>', /entity\.qdc:2:1: the XML has a ENTITY declaration/],
      ['missing.qdpx', zip({ 'project.qde': encode(qde()) }), /source "r01\.txt" refers to sources\/00000000-0000-4000-8000-000000000009\.txt, which is missing from the archive/],
      ['beyond.qdpx', zip({ 'project.qde': encode(qde('<PlainTextSelection guid="00000000-0000-4000-8000-000000000003" startPosition="3" endPosition="99"/>')), [source]: encode(text) }), /spans 3\.\.99, beyond its text of 28 characters/],
      ['unknown-code.qdpx', zip({ 'project.qde': encode(qde().replace('<CodeRef targetGUID="00000000-0000-4000-8000-000000000001"/>', '<CodeRef targetGUID="DEADBEEF-0000-4000-8000-000000000000"/>')), [source]: encode(text) }), /refers to code DEADBEEF-0000-4000-8000-000000000000, which the codebook does not hold \(unknown codeRef\)/],
      ['bomb.qdpx', zipBomb('project.qde', 2048), /^Error: bomb\.qdpx: entry "project\.qde" declares 2048\.0 MB \(2,147,483,648 bytes\) uncompressed, more than the 2048\.0 MB \(2,147,483,647 bytes\) the standard allows for one file \(a zip bomb or a corrupt archive\); refusing it$/],
      ['big-bomb.qdpx', zipBomb('project.qde', 600), /"project\.qde" declares 600\.0 MB, beyond the 500\.0 MB of text qcode reads from one project; refusing it \(a zip bomb/],
    ];
    for (const [name, content, message] of cases) {
      writeFileSync(join(out, name), content);
      const qdc = name.endsWith('.qdc');
      const result = runQcode(qdc ? ['refi', 'import', name, '--to', 'codebook.yaml'] : ['refi', 'import', name, 'study'], { cwd: out });
      expectOneLineError(result, message);
      expect(existsSync(join(out, qdc ? 'codebook.yaml' : 'study'))).toBe(false);
    }
  });

  it('refuses to overwrite an existing export unless --force, and then replaces it in one step', async () => {
    const project = await seedProject({});
    const out = tempDir('qcode-refi-e2e-');
    writeFileSync(join(out, 'study.qdpx'), 'last week');
    const refused = runQcode(['--project', project, 'refi', 'export', '--qdc', 'codebook.qdc', '--qdpx', 'study.qdpx'], { cwd: out });
    expectOneLineError(refused, /^Error: study\.qdpx already exists — Choose another file, or pass --force to replace it$/);
    // Neither file of the pair is written, and the existing one is untouched.
    expect(readdirSync(out).sort()).toEqual(['study.qdpx']);
    expect(readFileSync(join(out, 'study.qdpx'), 'utf8')).toBe('last week');

    const forced = runQcode(['--project', project, 'refi', 'export', '--qdc', 'codebook.qdc', '--qdpx', 'study.qdpx', '--force'], { cwd: out });
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['codebook.qdc', 'study.qdpx']);
    expect(readFileSync(join(out, 'study.qdpx')).subarray(0, 2).toString('latin1')).toBe('PK');
    expect(statSync(join(out, 'study.qdpx')).mode & 0o777).toBe(0o600);
    expectOneLineError(runQcode(['--project', project, 'refi', 'export', '--qdc', 'codebook.qdc'], { cwd: out }), /^Error: codebook\.qdc already exists — .*--force/);
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
