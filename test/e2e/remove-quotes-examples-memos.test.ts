// A withdrawal of consent and the codebook: an example the team took from the participant's interview
// holds their words too. The codebook in use must be rewritten by the team (the removal is refused, the
// example named by file:line:col); the history of applied codebooks and the retired codes are cleaned by
// the removal itself, so that the store no longer holds the words anywhere.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { copyProject, editCodebook, newProject, qcodeOk as ok, runQcode, tempDir } from '../helpers.js';
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
    for (const command of [['docs', 'remove', 'r07', '--yes'], ['cases', 'remove', 'R07', '--yes', '--json'], ['docs', 'remove', 'r07', '--dry-run']]) {
      const result = qcode(dir, command);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toEqual([
        `${placeOf(yaml, PROTEST_EXAMPLE)}: the example of code forms.protest quotes r07, which this removal takes`,
        `${placeOf(yaml, PETITION_EXAMPLE)}: the example of code forms.petitions quotes r07, which this removal takes`,
        expect.stringMatching(/^Error: codebook\.yaml quotes the text this removal takes in 2 examples: nothing was removed — Replace or delete those examples in codebook\.yaml, run: qcode codebook apply, then run the removal again \(or add --keep-quotes if they are not this participant's words\)$/),
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
    expect(applied.stderr.trimEnd()).toBe('Error: the applied codebook still has 2 examples quoting r07, which this removal takes (code forms.protest, forms.petitions), though codebook.yaml no longer has them: nothing was removed — Apply codebook.yaml with: qcode codebook apply, then run the removal again (or add --keep-quotes if they are not this participant\'s words)');
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

  it('merge --codebook-from other refuses a codebook that quotes a participant removed here, whose text the other copy holds', () => {
    const dir = project();
    const colleague = copyProject(dir, 'colleague');
    editCodebook(dir, (yaml) => withoutLines(yaml, PROTEST_EXAMPLE, PETITION_EXAMPLE));
    ok(dir, 'codebook', 'apply');
    ok(dir, 'docs', 'remove', 'r07', '--yes');
    const before = readFileSync(join(dir, 'codebook.yaml'), 'utf8');
    const result = qcode(dir, ['merge', colleague, '--codebook-from', 'other']);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd()).toBe("Error: --codebook-from other: the other project's codebook quotes r07, removed here (withdrawal of consent), in 2 places (code forms.protest, code forms.petitions); nothing was merged — Ask its owner to replace those examples and run qcode codebook apply over there, or merge with --codebook-from this");
    expect(readFileSync(join(dir, 'codebook.yaml'), 'utf8')).toBe(before);
    expect(versions(dir)).toHaveLength(2);
    expect(ok(dir, 'merge', colleague, '--codebook-from', 'this')).toContain('left out, removed here (withdrawal of consent): r07');
    expect(storeBytes(dir).includes(Buffer.from(PROTEST_EXAMPLE))).toBe(false);
  });

  it('is refused while a comment in codebook.yaml quotes the text; names an editor\'s backup that does among the copies', () => {
    const dir = project();
    editCodebook(dir, (yaml) => withoutLines(yaml, PROTEST_EXAMPLE, PETITION_EXAMPLE).replace('dimensions:', `# ${PROTEST_EXAMPLE}\ndimensions:`));
    ok(dir, 'codebook', 'apply');
    const refused = qcode(dir, ['docs', 'remove', 'r07', '--yes']);
    expect(refused.code).toBe(1);
    const line = readFileSync(join(dir, 'codebook.yaml'), 'utf8').split('\n').findIndex((text) => text.startsWith('# Every Saturday')) + 1;
    expect(refused.stderr).toContain(`codebook.yaml:${line}:1: a comment quotes the text this removal takes\n`);
    expect(refused.stderr).toContain('Error: codebook.yaml quotes the text this removal takes in 1 place: nothing was removed — Replace or delete that text in codebook.yaml');
    // The team moves the comment out of the codebook into a backup file the editor keeps.
    writeFileSync(join(dir, 'codebook.yaml~'), readFileSync(join(dir, 'codebook.yaml'), 'utf8'));
    editCodebook(dir, (yaml) => yaml.replace(`# ${PROTEST_EXAMPLE}\n`, ''));
    ok(dir, 'codebook', 'apply');
    const result = JSON.parse(ok(dir, 'docs', 'remove', 'r07', '--yes', '--json')) as { backups: string[]; codebook_history: { versions: number } };
    expect(result.backups).toEqual(['codebook.yaml~']);
    // Version 1 held the examples, version 2 the comment: both rewritten.
    expect(result.codebook_history.versions).toBe(2);
    expect(versions(dir)[1]!.yaml).toContain('# [quote removed: withdrawal of consent]\ndimensions:');
    expect(storeBytes(dir).includes(Buffer.from(PROTEST_EXAMPLE))).toBe(false);
  });

  it('merge --codebook-from this brings a code only the other copy has without the examples that quote a participant removed here', () => {
    const dir = project();
    const colleague = copyProject(dir, 'colleague');
    editCodebook(dir, (yaml) => withoutLines(withoutCode(yaml, 'protest'), PETITION_EXAMPLE));
    ok(dir, 'codebook', 'apply');
    ok(dir, 'docs', 'remove', 'r07', '--yes');
    ok(colleague, 'tag', 'r08:2', 'forms.protest', '--coder', 'boris');
    const report = JSON.parse(ok(dir, 'merge', colleague, '--codebook-from', 'this', '--json')) as { added: { retired_codes: string[] }; left_out_removed: { quotes: number } };
    expect(report.added.retired_codes).toContain('forms.protest');
    expect(report.left_out_removed.quotes).toBe(1);
    const [code] = query<{ examples: string }>(dir, "SELECT examples FROM codes WHERE id = 'forms.protest'");
    expect(JSON.parse(code!.examples)).not.toContain(PROTEST_EXAMPLE);
    expect(JSON.parse(code!.examples).length).toBeGreaterThan(0);
    expect(storeBytes(dir).includes(Buffer.from(PROTEST_EXAMPLE))).toBe(false);
  });

  it('with --keep-quotes, removes the document and leaves the examples where they are', () => {
    const dir = project();
    const yaml = readFileSync(join(dir, 'codebook.yaml'), 'utf8');
    const before = versions(dir);
    const result = qcode(dir, ['docs', 'remove', 'r07', '--yes', '--keep-quotes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('Codebook history');
    expect(slugs(dir)).toEqual(['r08']);
    expect(readFileSync(join(dir, 'codebook.yaml'), 'utf8')).toBe(yaml);
    expect(versions(dir)).toEqual(before);
  });
});

describe('a withdrawal and the memos that quote the participant', () => {
  const SAID = 'we collected signatures at the market every weekend and then sent them to the city council';
  const QUOTED = 'Собирали подписи у рынка';

  function memoProject(): string {
    const dir = newProject();
    const files = tempDir('qcode-remove-memos-');
    writeFileSync(join(files, 'r07.txt'), `Interviewer: What did you do in Lithuania?\nR07: Honestly, ${SAID} in Vilnius.\nInterviewer: А потом?\nR07: ${QUOTED} каждую субботу, пока нас не прогнали.\n`);
    writeFileSync(join(files, 'r08.txt'), 'Interviewer: What did you do?\nR08: I mostly wrote for an exile newspaper about the courts.\n');
    ok(dir, 'import', join(files, 'r07.txt'), '--case', 'R07');
    ok(dir, 'import', join(files, 'r08.txt'), '--case', 'R08');
    // Memo 1 copies R07's words without quotation marks; memo 2 quotes them, and is edited; memo 3 quotes no one;
    // memo 4 is on R07's own segment, so it goes with the document.
    ok(dir, 'memo', 'add', '--code', 'forms.protest', `R07 said ${SAID} — striking for H1.`, '--coder', 'anna');
    ok(dir, 'memo', 'add', '--on-project', `Compare «${QUOTED.toLowerCase()}…» with R12.`, '--coder', 'anna');
    ok(dir, 'memo', 'edit', '2', `Compare «${QUOTED.toLowerCase()}…» with R12 and R14.`, '--coder', 'anna');
    ok(dir, 'memo', 'add', '--document', 'r08', 'The courts, again: see H4.', '--coder', 'anna');
    ok(dir, 'memo', 'add', '--segment', 'r07:2', `"${QUOTED}"`, '--coder', 'anna');
    return dir;
  }

  function memoTexts(dir: string): Array<{ id: number; text: string }> {
    return query<{ id: number; text: string }>(dir, 'SELECT id, text FROM memos ORDER BY id');
  }

  it('says which memos quote the text before asking, then replaces only those passages, in the memos and in their history', () => {
    const dir = memoProject();
    const refused = qcode(dir, ['docs', 'remove', 'r07']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('  from memo 1 on code forms.protest: a passage that quotes the removed text, which will read [quote removed: withdrawal of consent]\n');
    expect(refused.stderr).toContain('  from memo 2 on the project: a passage that quotes the removed text, which will read [quote removed: withdrawal of consent]\n');
    expect(refused.stderr).not.toContain('from memo 3');
    expect(refused.stderr).not.toContain('from memo 4');
    expect(memoTexts(dir).map((memo) => memo.id)).toEqual([1, 2, 3, 4]);

    const result = qcode(dir, ['docs', 'remove', 'r07', '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    // Memo 1 was added; memo 2 added and edited (its words before and after): three texts in the log.
    expect((JSON.parse(result.stdout) as { memo_quotes: unknown }).memo_quotes).toEqual({ memos: [1, 2], events: 3 });
    expect(memoTexts(dir)).toEqual([
      { id: 1, text: 'R07 said [quote removed: withdrawal of consent] — striking for H1.' },
      { id: 2, text: 'Compare «[quote removed: withdrawal of consent]» with R12 and R14.' },
      { id: 3, text: 'The courts, again: see H4.' },
    ]);
    const log = JSON.parse(ok(dir, 'log', '--json')) as Array<{ action: string; payload: Record<string, unknown> }>;
    expect(log[0]).toMatchObject({ action: 'remove', payload: { memosRedacted: [1, 2] } });
    const edit = log.find((event) => event.action === 'memo.edit');
    expect(edit?.payload).toMatchObject({ before: 'Compare «[quote removed: withdrawal of consent]» with R12.', after: 'Compare «[quote removed: withdrawal of consent]» with R12 and R14.' });
    for (const words of [SAID, QUOTED, QUOTED.toLowerCase()]) expect(storeBytes(dir).includes(Buffer.from(words))).toBe(false);
    expect(ok(dir, 'docs', 'remove', 'r07', '--yes')).toBe('');
  });

  it('--dry-run lists what would go and which memos would change, and changes nothing', () => {
    const dir = memoProject();
    const before = storeBytes(dir);
    const text = qcode(dir, ['docs', 'remove', 'r07', '--dry-run']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.trimEnd().split('\n')).toEqual([
      'This would remove for good (it cannot be undone):',
      '  r07 (case R07): 4 segments, 0 codings, 1 memo',
      '  from memo 1 on code forms.protest: a passage that quotes the removed text, which will read [quote removed: withdrawal of consent]',
      '  from memo 2 on the project: a passage that quotes the removed text, which will read [quote removed: withdrawal of consent]',
      'Nothing was removed (--dry-run).',
    ]);
    const json = JSON.parse(ok(dir, 'cases', 'remove', 'R07', '--dry-run', '--json')) as Record<string, unknown>;
    expect(json).toMatchObject({
      dry_run: true,
      documents: [{ slug: 'r07', case: 'R07', segments: 4, memos: 1 }],
      cases: [{ case: 'R07', documents: ['r07'] }],
      quoting_memos: [{ memo: 1, on: 'code forms.protest', passages: 1 }, { memo: 2, on: 'the project', passages: 1 }],
    });
    expect(json).not.toHaveProperty('document_ids');
    expect(slugs(dir)).toEqual(['r07', 'r08']);
    expect(memoTexts(dir)).toHaveLength(4);
    expect(storeBytes(dir).includes(Buffer.from(SAID))).toBe(true);
    expect(before.includes(Buffer.from(SAID))).toBe(true);
  });

  it('merge of a copy made before the removal brings those memos and their history in without the quotes', () => {
    const dir = memoProject();
    const colleague = copyProject(dir, 'colleague');
    ok(dir, 'docs', 'remove', 'r07', '--yes');
    const redacted = memoTexts(dir);
    // Over there, after the copy: a new memo quoting R07 and an edit of memo 1 that keeps the quote.
    ok(colleague, 'memo', 'add', '--case', 'R08', `Unlike R07 ("${QUOTED}"), R08 writes.`, '--coder', 'boris');
    ok(colleague, 'memo', 'edit', '1', `R07 said ${SAID}: H1 and H3.`, '--coder', 'boris');

    const result = JSON.parse(ok(dir, 'merge', colleague, '--json')) as { left_out_removed: { quotes: number; memos: number } };
    // Memo 1 (added, edited), memo 2 (added, edited) and the new memo, each as memo and as log texts.
    expect(result.left_out_removed).toMatchObject({ memos: 1, quotes: 8 });
    const texts = memoTexts(dir).map((memo) => memo.text);
    expect(texts.slice(0, 3)).toEqual(redacted.map((memo) => memo.text));
    expect(texts.slice(3).sort()).toEqual(['R07 said [quote removed: withdrawal of consent]: H1 and H3.', 'Unlike R07 ("[quote removed: withdrawal of consent]"), R08 writes.']);
    for (const words of [SAID, QUOTED, QUOTED.toLowerCase()]) expect(storeBytes(dir).includes(Buffer.from(words))).toBe(false);
    // The colleague's copy still quotes R07: every merge says so, and brings nothing in twice.
    const again = JSON.parse(ok(dir, 'merge', colleague, '--json')) as { added: { memos: number; events: number }; left_out_removed: { quotes: number } };
    expect(again).toMatchObject({ added: { memos: 0, events: 0 }, left_out_removed: { quotes: 8 } });
    expect(memoTexts(dir)).toHaveLength(5);
  });

  it('a copy that has not made the removal yet takes the other copy\'s redacted memos for its own, and reads alike once it does', () => {
    const dir = memoProject();
    const colleague = copyProject(dir, 'colleague');
    ok(dir, 'docs', 'remove', 'r07', '--yes');
    const report = JSON.parse(ok(colleague, 'merge', dir, '--json')) as { added: { memos: number; events: number } };
    expect(report.added.memos).toBe(0);
    // The removal event comes in as history (merged.remove); no memo event twice.
    expect(report.added.events).toBe(1);
    expect(memoTexts(colleague)).toHaveLength(4);
    ok(colleague, 'docs', 'remove', 'r07', '--yes');
    expect(memoTexts(colleague)).toEqual(memoTexts(dir));
    expect((JSON.parse(ok(dir, 'merge', colleague, '--json')) as { added: { memos: number } }).added.memos).toBe(0);
  });

  it('a removal made with --keep-quotes is not applied to the memos of a copy merged later', () => {
    const dir = memoProject();
    const colleague = copyProject(dir, 'colleague');
    ok(dir, 'docs', 'remove', 'r07', '--yes', '--keep-quotes');
    const report = JSON.parse(ok(dir, 'merge', colleague, '--json')) as { added: { memos: number }; left_out_removed: { quotes: number } };
    expect(report).toMatchObject({ added: { memos: 0 }, left_out_removed: { quotes: 0 } });
    expect(memoTexts(dir).map((memo) => memo.text)[0]).toBe(`R07 said ${SAID} — striking for H1.`);
  });

  it('leaves a passage that a document that stays holds too: the interview guide\'s question, asked of everyone', () => {
    const dir = newProject();
    const files = tempDir('qcode-remove-guide-');
    const question = 'What did you do in the first year after you left Russia?';
    writeFileSync(join(files, 'r09.txt'), `Interviewer: ${question}\nR09: We organised a legal aid hotline for the people detained at protests.\n`);
    writeFileSync(join(files, 'r10.txt'), `Interviewer: ${question}\nR10: Mostly I looked for work.\n`);
    ok(dir, 'import', join(files, 'r09.txt'), '--case', 'R09');
    ok(dir, 'import', join(files, 'r10.txt'), '--case', 'R10');
    ok(dir, 'memo', 'add', '--on-project', `Everyone was asked "${question}"; R09 said we organised a legal aid hotline for the people detained.`);
    ok(dir, 'docs', 'remove', 'r09', '--yes');
    expect(memoTexts(dir).map((memo) => memo.text)).toEqual([`Everyone was asked "${question}"; R09 said [quote removed: withdrawal of consent].`]);
  });

  it('with --keep-quotes, leaves the memos and their history as they were', () => {
    const dir = memoProject();
    const result = qcode(dir, ['docs', 'remove', 'r07', '--yes', '--keep-quotes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('from memo');
    expect(result.stdout).not.toContain('Memos:');
    expect(memoTexts(dir).map((memo) => memo.text)).toEqual([`R07 said ${SAID} — striking for H1.`, `Compare «${QUOTED.toLowerCase()}…» with R12 and R14.`, 'The courts, again: see H4.']);
  });
});
