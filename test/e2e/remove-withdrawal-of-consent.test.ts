// qcode docs remove / qcode cases remove: a participant withdraws consent, and their words must leave the
// project for good: rows, full-text index, audit log, and the bytes of qcode.db and qcode.db-wal.
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyProject, newProject, qcodeOk as ok, runQcode, tempDir } from '../helpers.js';
import { query } from '../seed.js';

// Distinctive phrases: each occurs in one place only, so finding its bytes means that place was not erased.
const REMOVED_PHRASE = 'Мой брат служил в зеленоградской прокуратуре до весны';
const REMOVED_TERM = 'квокказанзибар';
const KEPT_PHRASE = 'пикетировали посольство каждую субботу';
const MEMO_PHRASE = 'помнит фамилию следователя Кузнецова';

function qcode(dir: string, args: string[], env: Record<string, string> = {}) {
  return runQcode(['--project', dir, ...args], { env });
}

/** Two interviews (R07 to be removed, R01 kept) as files, imported into a new project. */
function project(): { dir: string; files: string } {
  const dir = newProject();
  const files = tempDir('qcode-remove-files-');
  writeFileSync(join(files, 'r07.txt'), `Интервьюер: Расскажите о семье.\nРеспондент: ${REMOVED_PHRASE}, а потом уволился. Слово ${REMOVED_TERM} я придумала сама.\n`);
  writeFileSync(join(files, 'r01.txt'), `Интервьюер: Что вы делали?\nРеспондент: Мы ${KEPT_PHRASE} в Вильнюсе.\n`);
  ok(dir, 'import', join(files, 'r07.txt'), '--case', 'R07');
  ok(dir, 'import', join(files, 'r01.txt'), '--case', 'R01');
  ok(dir, 'cases', 'set', 'R07', 'host_country=ES');
  return { dir, files };
}

/** Every byte of the store and its WAL (the WAL may not exist once the last connection closed). */
function storeBytes(dir: string): Buffer {
  const wal = join(dir, 'qcode.db-wal');
  return Buffer.concat([readFileSync(join(dir, 'qcode.db')), existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)]);
}

/** Terms the full-text index holds, read through fts5vocab (what its shadow tables hold, deletions applied). */
function indexTerms(dir: string): string[] {
  const db = new Database(join(dir, 'qcode.db'), { readonly: true });
  try {
    db.exec("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, 'segments_fts', 'row')");
    return (db.prepare('SELECT term FROM temp.terms').pluck().all() as string[]);
  } finally {
    db.close();
  }
}

/** A report key, in camelCase or snake_case (the output seam converts known keys). */
/** A --json field, named in snake_case as every JSON key qcode prints. */
function key<T>(object: Record<string, unknown>, camel: string): T {
  const snake = camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  if (snake !== camel) expect(object).not.toHaveProperty(camel);
  return object[snake] as T;
}

function slugs(dir: string): string[] {
  return (JSON.parse(ok(dir, 'docs', 'list', '--json')) as Array<{ slug: string }>).map((row) => row.slug);
}

describe('qcode docs remove', () => {
  it('removes a document with its segments, codings, memos and index entries, and its bytes from qcode.db and the WAL', () => {
    const { dir } = project();
    ok(dir, 'tag', 'r07:2', 'forms.protest', '--coder', 'anna');
    ok(dir, 'tag', 'r07:2', 'forms.media', '--coder', 'boris');
    ok(dir, 'memo', 'add', '--segment', 'r07:2', MEMO_PHRASE, '--coder', 'anna');
    ok(dir, 'memo', 'add', '--document', 'r07', 'second memo', '--coder', 'anna');
    // Present before, so that the checks below can fail.
    expect(storeBytes(dir).includes(Buffer.from(REMOVED_PHRASE, 'utf8'))).toBe(true);
    expect(storeBytes(dir).includes(Buffer.from(MEMO_PHRASE, 'utf8'))).toBe(true);
    expect(indexTerms(dir)).toContain(REMOVED_TERM);
    expect(ok(dir, 'search', REMOVED_TERM)).toContain('r07');

    const result = qcode(dir, ['docs', 'remove', 'r07', '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('r07 (case R07): 2 segments, 2 codings, 2 memos');
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(key<{ documents: number; segments: number; codings: number; memos: number }>(report, 'totals')).toMatchObject({ documents: 1, segments: 2, codings: 2, memos: 2 });
    expect(key<{ documents: string[] }>(report, 'tombstones').documents).toEqual(['r07']);
    expect(JSON.stringify(report)).not.toContain(REMOVED_PHRASE);

    const bytes = storeBytes(dir);
    expect(bytes.includes(Buffer.from(REMOVED_PHRASE, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from(REMOVED_TERM, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from(MEMO_PHRASE, 'utf8'))).toBe(false);
    expect(indexTerms(dir)).not.toContain(REMOVED_TERM);
    expect(slugs(dir)).toEqual(['r01']);
    expect(query<{ n: number }>(dir, 'SELECT (SELECT count(*) FROM codings) + (SELECT count(*) FROM memos) + (SELECT count(*) FROM seen) AS n')[0]?.n).toBe(0);
    // The case stays (only the document was named); the kept document is still found.
    expect(ok(dir, 'cases', 'list', '--json')).toContain('"R07"');
    expect(ok(dir, 'search', '"пикетировали посольство"')).toContain('r01');
    expect(ok(dir, 'search', REMOVED_TERM)).not.toContain('r07');
  });

  it("erases one survey respondent's words from an index they share with the file's other respondents", () => {
    const { dir, files } = project();
    const SURVEY_TERM = 'ежемесячнокриптопереводила';
    // One file is one transaction, so its answers share one index segment; one row in forty deleted is too
    // few for FTS5 to merge that segment on its own, so the words would stay in it unless qcode merges it.
    const rows = Array.from({ length: 40 }, (_, n) => `S${n + 1},${n === 6 ? `Я ${SURVEY_TERM} каждый месяц` : `Ответ номер ${n + 1} про волонтёрство`}`);
    writeFileSync(join(files, 'survey.csv'), `respondent_id,q1\n${rows.join('\n')}\n`);
    ok(dir, 'import', join(files, 'survey.csv'), '--kind', 'survey', '--id-column', 'respondent_id', '--text-columns', 'q1');
    expect(indexTerms(dir)).toContain(SURVEY_TERM);
    ok(dir, 'docs', 'remove', 'survey-s7', '--yes');
    expect(storeBytes(dir).includes(Buffer.from(SURVEY_TERM, 'utf8'))).toBe(false);
    expect(indexTerms(dir)).not.toContain(SURVEY_TERM);
    expect(ok(dir, 'search', 'волонтерство', '--json')).toContain('survey-s8');
  });

  it('refuses without --yes when there is no terminal (exit 2) and removes nothing', () => {
    const { dir } = project();
    const environments: Array<Record<string, string>> = [{}, { CI: 'true' }];
    for (const env of environments) {
      const result = qcode(dir, ['docs', 'remove', 'r07'], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--yes');
      expect(result.stderr).toContain('r07 (case R07): 2 segments');
    }
    expect(slugs(dir)).toEqual(['r01', 'r07']);
    expect(storeBytes(dir).includes(Buffer.from(REMOVED_PHRASE, 'utf8'))).toBe(true);
  });

  it('refuses an unknown document with a did-you-mean, removing none of the others named', () => {
    const { dir } = project();
    const result = qcode(dir, ['docs', 'remove', 'r01', 'r7', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('no document "r7" (did you mean "r07"?)');
    expect(slugs(dir)).toEqual(['r01', 'r07']);
    const cases = qcode(dir, ['cases', 'remove', 'R7', '--yes']);
    expect(cases.code).toBe(1);
    expect(cases.stderr).toContain('no case "R7" (did you mean "R07"?)');
  });

  it('refuses to import the removed text again, names it, and takes it with --readmit', () => {
    const { dir, files } = project();
    ok(dir, 'docs', 'remove', 'r07', '--yes');
    const again = qcode(dir, ['import', join(files, 'r07.txt')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/r07\.txt: not imported: its text is that of "r07" of case R07, removed on \d{4}-\d{2}-\d{2} \(withdrawal of consent\).*--readmit/);
    expect(slugs(dir)).toEqual(['r01']);
    ok(dir, 'import', join(files, 'r07.txt'), '--readmit');
    expect(slugs(dir)).toEqual(['r01', 'r07']);
    expect(query<{ n: number }>(dir, 'SELECT count(*) AS n FROM removed_documents')[0]?.n).toBe(0);
  });

  it('keeps the log free of the removed words, logs the removal, and undo skips nothing it should not touch', () => {
    const { dir } = project();
    ok(dir, 'tag', 'r01:2', 'forms.protest', '--coder', 'anna');
    ok(dir, 'tag', 'r07:2', 'forms.media', '--coder', 'anna');
    ok(dir, 'memo', 'add', '--segment', 'r07:2', MEMO_PHRASE, '--coder', 'anna');
    ok(dir, 'docs', 'remove', 'r07', '--yes');

    const log = JSON.parse(ok(dir, 'log', '--json')) as Array<{ action: string; target: string; payload: Record<string, unknown> }>;
    expect(log.map((entry) => entry.action)).toEqual(['remove', 'tag']);
    expect(log[0]?.target).toBe('r07');
    expect(JSON.stringify(log)).not.toContain(MEMO_PHRASE);
    expect(JSON.stringify(log[0]?.payload)).toMatch(/"sha256":"[0-9a-f]{64}"/);
    const events = query<{ payload: string }>(dir, 'SELECT payload FROM events').map((row) => row.payload).join('\n');
    expect(events).not.toContain(MEMO_PHRASE);

    // The actions on the removed document left the log with it: past the removal (asked for), undo reverts
    // the last one that stands.
    expect(qcode(dir, ['undo', '--coder', 'anna']).stderr).toContain('cannot be undone');
    const undo = qcode(dir, ['undo', '--coder', 'anna', '--past-removal']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain('r01:2: +forms.protest');
    expect(qcode(dir, ['undo', '--coder', 'anna']).stdout).toContain('Nothing to undo');
  });
});

describe('qcode cases remove', () => {
  it("removes the case, its values and memos and every document of it, a survey respondent's answers included", () => {
    const { dir, files } = project();
    writeFileSync(join(files, 'survey.csv'), `respondent_id,q1\nR07,Я анонимно ${REMOVED_TERM} переводила деньги\nR08,Ничего не делала\n`);
    const survey = ['import', join(files, 'survey.csv'), '--kind', 'survey', '--id-column', 'respondent_id', '--text-columns', 'q1'];
    ok(dir, ...survey);
    ok(dir, 'memo', 'add', '--case', 'R07', MEMO_PHRASE, '--coder', 'anna');
    expect(slugs(dir)).toEqual(['r01', 'r07', 'survey-r07', 'survey-r08']);

    const result = qcode(dir, ['cases', 'remove', 'R07', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('case R07: 1 attribute value, 1 memo');
    expect(result.stdout).toContain('Removed 2 documents');
    expect(result.stdout).toContain('outside qcode\'s reach');
    expect(slugs(dir)).toEqual(['r01', 'survey-r08']);
    expect(ok(dir, 'cases', 'list', '--json')).not.toContain('"R07"');
    const bytes = storeBytes(dir);
    for (const phrase of [REMOVED_PHRASE, REMOVED_TERM, MEMO_PHRASE]) expect(bytes.includes(Buffer.from(phrase, 'utf8'))).toBe(false);

    // Importing the survey again leaves the withdrawn respondent out, and says so.
    const again = qcode(dir, survey);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('1 respondent removed earlier (withdrawal of consent) left out: R07');
    expect(slugs(dir)).toEqual(['r01', 'survey-r08']);
    expect(ok(dir, 'cases', 'list', '--json')).not.toContain('"R07"');
  });
});

describe('qcode merge after a removal', () => {
  it("does not bring a removed document, case or their work back from a colleague's older copy, and reports it", () => {
    const { dir } = project();
    ok(dir, 'tag', 'r07:2', 'forms.media', '--coder', 'anna');
    ok(dir, 'memo', 'add', '--segment', 'r07:2', MEMO_PHRASE, '--coder', 'anna');
    const older = copyProject(dir, 'older');
    ok(older, 'tag', 'r07:1', 'forms.protest', '--coder', 'boris');
    ok(dir, 'cases', 'remove', 'R07', '--yes');

    const text = ok(dir, 'merge', older);
    expect(text).toContain('left out, removed here (withdrawal of consent): case R07, r07');
    const dry = JSON.parse(ok(dir, 'merge', older, '--dry-run', '--json')) as Record<string, unknown>;
    const leftOut = key<Record<string, unknown>>(dry, 'leftOutRemoved');
    expect(leftOut.documents).toEqual([{ slug: 'r07', case: 'R07', reason: 'document-removed' }]);
    expect(leftOut.cases).toEqual(['R07']);
    expect(leftOut).toMatchObject({ segments: 2, codings: 2, memos: 1 });
    expect(slugs(dir)).toEqual(['r01']);
    expect(ok(dir, 'cases', 'list', '--json')).not.toContain('"R07"');
    const bytes = storeBytes(dir);
    for (const phrase of [REMOVED_PHRASE, MEMO_PHRASE]) expect(bytes.includes(Buffer.from(phrase, 'utf8'))).toBe(false);
    expect(query<{ n: number }>(dir, 'SELECT count(*) AS n FROM events WHERE action IN (\'tag\', \'memo.add\')')[0]?.n).toBe(0);
  });

  it('warns about copies of the store next to it that still hold the removed text', () => {
    const { dir } = project();
    writeFileSync(join(dir, 'qcode.db.before-merge-2'), readFileSync(join(dir, 'qcode.db')));
    const result = qcode(dir, ['docs', 'remove', 'r07', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/still hold the removed text: qcode\.db\.before-merge-2 .*delete them/);
    expect(existsSync(join(dir, 'qcode.db.before-merge-2'))).toBe(true);
  });
});
