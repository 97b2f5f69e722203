// A withdrawal of consent and the codebook: an example the team took from the participant's interview
// holds their words too. The codebook in use must be rewritten by the team (the removal is refused, the
// example named by file:line:col); the history of applied codebooks and the retired codes are cleaned by
// the removal itself, so that the store no longer holds the words anywhere.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { editCodebook, newProject, qcodeOk as ok, runQcode, tempDir } from '../helpers.js';
import { query } from '../seed.js';

// Two examples of the bundled codebook, which r07 says in its own way (typeset differently, in a longer sentence).
const PROTEST_EXAMPLE = 'Every Saturday we stood with posters outside the embassy in Vilnius.';
const PETITION_EXAMPLE = 'Подписала петицию против выдачи активистов.';
const PETITION_KEPT = 'We drafted an open letter to the Bundestag about humanitarian visas.';

function qcode(dir: string, args: string[]) {
  return runQcode(['--project', dir, ...args]);
}

function project(): string {
  const dir = newProject();
  const files = tempDir('qcode-remove-examples-');
  writeFileSync(join(files, 'r07.txt'), 'Interviewer: What did you do in Lithuania?\nR07: Honestly — every Saturday we stood with posters outside the embassy in Vilnius, rain or shine.\nInterviewer: И потом?\nR07: Потом я подписала петицию против выдачи активистов, конечно.\n');
  writeFileSync(join(files, 'r08.txt'), 'Interviewer: What did you do?\nR08: I mostly wrote for an exile newspaper about the courts.\n');
  ok(dir, 'import', join(files, 'r07.txt'), '--case', 'R07');
  ok(dir, 'import', join(files, 'r08.txt'), '--case', 'R08');
  return dir;
}

/** Where the codebook file has an example: line and column of its opening quote, as an editor counts them. */
function placeOf(yaml: string, example: string): string {
  const lines = yaml.split('\n');
  const index = lines.findIndex((line) => line.includes(`"${example}"`));
  expect(index).toBeGreaterThanOrEqual(0);
  return `codebook.yaml:${index + 1}:${lines[index]!.indexOf('"') + 1}`;
}

/** The codebook text without the lines that hold these examples. */
function withoutLines(yaml: string, ...examples: string[]): string {
  const kept = yaml.split('\n').filter((line) => !examples.some((example) => line.includes(`"${example}"`)));
  expect(kept.length).toBe(yaml.split('\n').length - examples.length);
  return kept.join('\n');
}

/** The codebook text without one code's block (its lines up to the next code of the same list). */
function withoutCode(yaml: string, id: string): string {
  const lines = yaml.split('\n');
  const start = lines.findIndex((line) => line === `      - id: ${id}`);
  const next = lines.findIndex((line, index) => index > start && line.startsWith('      - id: '));
  expect(start).toBeGreaterThan(0);
  expect(next).toBeGreaterThan(start);
  return [...lines.slice(0, start), ...lines.slice(next)].join('\n');
}

function storeBytes(dir: string): Buffer {
  const wal = join(dir, 'qcode.db-wal');
  return Buffer.concat([readFileSync(join(dir, 'qcode.db')), existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)]);
}

function slugs(dir: string): string[] {
  return (JSON.parse(ok(dir, 'docs', 'list', '--json')) as Array<{ slug: string }>).map((row) => row.slug);
}

function versions(dir: string): Array<{ id: number; yaml: string; sha256: string }> {
  return query<{ id: number; yaml: string; sha256: string }>(dir, 'SELECT id, yaml, sha256 FROM codebook_versions ORDER BY id');
}

describe('a withdrawal and the codebook examples that quote the participant', () => {
  it('is refused while codebook.yaml quotes the text, each example named by file:line:col; nothing is removed', () => {
    const dir = project();
    const yaml = readFileSync(join(dir, 'codebook.yaml'), 'utf8');
    for (const command of [['docs', 'remove', 'r07', '--yes'], ['cases', 'remove', 'R07', '--yes', '--json']]) {
      const result = qcode(dir, command);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toEqual([
        `${placeOf(yaml, PROTEST_EXAMPLE)}: the example of code forms.protest quotes r07, which this removal takes`,
        `${placeOf(yaml, PETITION_EXAMPLE)}: the example of code forms.petitions quotes r07, which this removal takes`,
        expect.stringMatching(/^Error: codebook\.yaml quotes the text this removal takes in 2 examples: nothing was removed — Replace or delete those examples in codebook\.yaml, run: qcode codebook apply, then run the removal again \(or add --keep-examples if they are not this participant's words\)$/),
      ]);
    }
    expect(slugs(dir)).toEqual(['r07', 'r08']);
    expect(query(dir, 'SELECT * FROM removed_documents')).toEqual([]);
    expect(readFileSync(join(dir, 'codebook.yaml'), 'utf8')).toBe(yaml);
  });

  it('is refused while the applied codebook still quotes it, though codebook.yaml no longer does', () => {
    const dir = project();
    editCodebook(dir, (yaml) => withoutLines(yaml, PROTEST_EXAMPLE));
    const result = qcode(dir, ['docs', 'remove', 'r07', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('codebook.yaml:');
    expect(result.stderr).toContain('forms.petitions quotes r07');
    editCodebook(dir, (yaml) => withoutLines(yaml, PETITION_EXAMPLE));
    const applied = qcode(dir, ['docs', 'remove', 'r07', '--yes']);
    expect(applied.code).toBe(1);
    expect(applied.stderr.trimEnd()).toBe('Error: the applied codebook still has 2 examples quoting r07, which this removal takes (code forms.protest, forms.petitions), though codebook.yaml no longer has them: nothing was removed — Apply codebook.yaml with: qcode codebook apply, then run the removal again (or add --keep-examples if they are not this participant\'s words)');
    expect(slugs(dir)).toEqual(['r07', 'r08']);
  });

  it('once the codebook is rewritten, takes the quotes out of the earlier versions and the retired codes, and the bytes from the store', () => {
    const dir = project();
    ok(dir, 'tag', 'r08:2', 'forms.petitions', '--coder', 'anna');
    const original = readFileSync(join(dir, 'codebook.yaml'), 'utf8');
    // The team replaces the protest example, and drops the petitions code: coded, so it is retired with its examples.
    editCodebook(dir, (yaml) => withoutCode(withoutLines(yaml, PROTEST_EXAMPLE), 'petitions'));
    ok(dir, 'codebook', 'apply');
    const [first, second] = versions(dir);
    expect(first!.yaml).toBe(original);
    expect(query(dir, "SELECT status, examples FROM codes WHERE id = 'forms.petitions'")).toEqual([{ status: 'retired', examples: JSON.stringify([PETITION_KEPT, PETITION_EXAMPLE]) }]);
    // A copy of the old codebook next to the project (a merge's backup) still quotes the participant.
    writeFileSync(join(dir, 'codebook.yaml.before-merge-1'), original);
    writeFileSync(join(dir, 'notes.yaml'), 'examples: ["Nothing quoted here, only the team\'s own words."]\n');
    expect(storeBytes(dir).includes(Buffer.from(PROTEST_EXAMPLE))).toBe(true);
    expect(storeBytes(dir).includes(Buffer.from(PETITION_EXAMPLE))).toBe(true);

    const result = qcode(dir, ['docs', 'remove', 'r07', '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { codebook_history: unknown; backups: string[] };
    expect(report.codebook_history).toEqual({ examples: 2, versions: 1, codes: ['forms.petitions', 'forms.protest'] });
    expect(report.backups).toEqual(['codebook.yaml.before-merge-1']);
    expect(result.stderr).toContain('Warning: still hold the removed text: codebook.yaml.before-merge-1');

    const [firstAfter, secondAfter] = versions(dir);
    // The first version lost those two lines and nothing else; the one in use was not touched.
    expect(firstAfter!.yaml).toBe(withoutLines(original, PROTEST_EXAMPLE, PETITION_EXAMPLE));
    expect(firstAfter!.sha256).toBe(createHash('sha256').update(firstAfter!.yaml).digest('hex'));
    expect(secondAfter).toEqual(second);
    expect(query(dir, "SELECT examples FROM codes WHERE id = 'forms.petitions'")).toEqual([{ examples: JSON.stringify([PETITION_KEPT]) }]);
    expect(storeBytes(dir).includes(Buffer.from(PROTEST_EXAMPLE))).toBe(false);
    expect(storeBytes(dir).includes(Buffer.from(PETITION_EXAMPLE))).toBe(false);
    // The history still reads as the codebook it was, and the project goes on.
    expect((parse(firstAfter!.yaml) as { version: number }).version).toBe((parse(original) as { version: number }).version);
    expect(ok(dir, 'codebook', 'apply')).toContain('the codebook the project already uses: nothing to apply');
    expect(JSON.parse(ok(dir, 'log', '--json'))[0]).toMatchObject({ action: 'remove', payload: { examples: 2 } });
  });

  it('with --keep-examples, removes the document and leaves the examples where they are', () => {
    const dir = project();
    const yaml = readFileSync(join(dir, 'codebook.yaml'), 'utf8');
    const before = versions(dir);
    const result = qcode(dir, ['docs', 'remove', 'r07', '--yes', '--keep-examples']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('Codebook history');
    expect(slugs(dir)).toEqual(['r08']);
    expect(readFileSync(join(dir, 'codebook.yaml'), 'utf8')).toBe(yaml);
    expect(versions(dir)).toEqual(before);
  });
});
