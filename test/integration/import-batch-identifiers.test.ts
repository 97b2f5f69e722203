import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProblemsError } from '../../src/core/errors.js';
import { sliceCodePoints } from '../../src/core/text.js';
import { importPaths, slugify, type ImportOptions, type ImportReport } from '../../src/app/import.js';
import type { Project } from '../../src/app/project.js';
import { tempDir } from '../helpers.js';
import { newStudy } from '../seed.js';

// Survey respondents whose ids give one document name, a dry run that sees the names its own batch
// has taken, and identifiers (case ids, column names, values) compared in NFC.

async function run(project: Project, paths: string[], options: ImportOptions = {}): Promise<ImportReport> {
  return importPaths(project, paths, { cwd: tempDir('qcode-cwd-'), ...options });
}

const count = (project: Project, table: string): number => (project.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function snapshot(project: Project): Record<string, number> {
  return Object.fromEntries(['documents', 'segments', 'cases', 'case_values', 'codings'].map((table) => [table, count(project, table)]));
}

/** What a user reads of a report: every file's status, slug and message, and the totals. */
function outcome(report: ImportReport): unknown {
  return { files: report.files.map(({ file, status, slug, documents, segments, carried, message }) => ({ file, status, slug, documents, segments, carried, message })), totals: report.totals };
}

const nfd = (text: string): string => text.normalize('NFD');

describe('survey respondents whose ids give the same document name', () => {
  const survey: ImportOptions = { kind: 'survey', idColumn: 'id', textColumns: ['q1', 'q2'] };

  it('A1 and a1 are refused before anything is written, naming both rows and ids, with or without --replace or --dry-run', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 's.csv');
    writeFileSync(file, 'id,q1,q2\nA1,Да,Нет\na1,Нет,Да\n');
    for (const options of [{}, { replace: true }, { dryRun: true }, { replace: true, dryRun: true }]) {
      const report = await run(project, [file], { ...survey, ...options });
      expect(report.files[0]?.status).toBe('failed');
      expect(report.files[0]?.message).toBe(`${file}:3: row 3: respondent a1 would get the same document name "s-a1" as respondent A1 in row 2; nothing was imported — Make the ids differ by more than letter case, punctuation or accents (document names keep only a-z, 0-9 and -), e.g. A1 and A1b`);
      expect(snapshot(project)).toEqual({ documents: 0, segments: 0, cases: 0, case_values: 0, codings: 0 });
    }
  });

  it('R.1 and R_1 with the same answers are refused too, not counted "unchanged" and re-linked', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 'r.csv');
    writeFileSync(file, 'id,q1,q2\nR.1,Да,Нет\nR_1,Да,Нет\n');
    const report = await run(project, [file], survey);
    expect(report.files[0]?.message).toMatch(/r\.csv:3: row 3: respondent R_1 would get the same document name "r-r-1" as respondent R\.1 in row 2/);
    expect(report.totals).toMatchObject({ failed: 1, documents: 0 });
    expect(snapshot(project).documents).toBe(0);
  });

  it('a respondent without answers still holds its name, so that a later import with answers cannot collide', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 's.csv');
    writeFileSync(file, 'id,q1,q2\nB7,Да,\nb7,,\n');
    const report = await run(project, [file], survey);
    expect(report.files[0]?.message).toMatch(/row 3: respondent b7 would get the same document name "s-b7" as respondent B7 in row 2/);
    expect(snapshot(project).cases).toBe(0);
  });

  it('an id given twice is named as such, even when the two rows disagree on an attribute', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 'd.csv');
    writeFileSync(file, 'id,q1,host_country\nR1,Да,DE\nR1,Нет,LT\n');
    const report = await run(project, [file], { ...survey, textColumns: ['q1'], attributeColumns: ['host_country'] });
    expect(report.files[0]?.message).toMatch(/^\S*d\.csv:3: row 3: respondent R1 appears again \(first in row 2\); nothing was imported — Every respondent needs a row of their own with a unique id$/);
    expect(snapshot(project).cases).toBe(0);
  });

  it('ids that differ in more than case and punctuation import as before', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 's.csv');
    writeFileSync(file, 'id,q1,q2\nA1,Да,Нет\nA1b,Нет,Да\n');
    expect((await run(project, [file], survey)).totals).toMatchObject({ imported: 1, documents: 2 });
    expect((await run(project, [file], survey)).totals).toMatchObject({ unchanged: 1, documents: 2 });
    expect(project.db.prepare('SELECT slug, case_id FROM documents ORDER BY slug').all()).toEqual([{ slug: 's-a1', case_id: 'A1' }, { slug: 's-a1b', case_id: 'A1b' }]);
  });
});

describe('--dry-run reports what the real run would, for names taken earlier in the same batch', () => {
  async function both(files: Record<string, string>, options: ImportOptions = {}): Promise<{ dry: ImportReport; real: ImportReport; project: Project; dir: string }> {
    const project = await newStudy();
    const dir = tempDir();
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const before = snapshot(project);
    const dry = await run(project, [dir], { ...options, dryRun: true });
    expect(snapshot(project)).toEqual(before);
    const real = await run(project, [dir], options);
    return { dry, real, project, dir };
  }

  const text = (project: Project, slug: string): unknown => project.db.prepare('SELECT text FROM documents WHERE slug = ?').pluck().get(slug);
  const taken = (second: string, first: string, slug: string): RegExp =>
    new RegExp(`^${second}: the document name "${slug}" is already taken in this batch by ${first} — Rename one of the two files, or give this one another name in a manifest's slug column \\(or import it on its own with --slug NAME\\)$`);

  for (const replace of [false, true]) {
    it(`a.txt and A.txt${replace ? ' with --replace' : ''}: the second is refused in both, naming both files, and the rest of the batch goes in`, async () => {
      const { dry, real, project, dir } = await both({ 'a.txt': 'one\n', 'A.txt': 'two\n', 'b.txt': 'three\n' }, { replace });
      expect(real.totals).toMatchObject({ imported: 2, replaced: 0, failed: 1 });
      expect(outcome(dry)).toEqual(outcome(real));
      expect(real.files.find((file) => file.status === 'failed')?.message).toMatch(taken(join(dir, 'A.txt'), join(dir, 'a.txt'), 'a'));
      expect(text(project, 'a')).toBe('one\n');
      expect(text(project, 'b')).toBe('three\n');
    });
  }

  it('the same text under one name is refused the second time too (it could re-link the document to another case), and twins are reported alike', async () => {
    const { dry, real } = await both({ 'a.txt': 'one\n', 'A.txt': 'one\n', 'b.txt': 'one\n' });
    expect(real.totals).toMatchObject({ imported: 2, unchanged: 0, failed: 1 });
    expect(real.files.find((file) => file.slug === 'b')?.message).toBe('same text as "a"');
    expect(outcome(dry)).toEqual(outcome(real));
  });

  it('two manifest rows with one slug: the manifest is refused before anything is imported, naming both rows', async () => {
    const project = await newStudy();
    const dir = tempDir();
    writeFileSync(join(dir, 'r1.txt'), 'one\n');
    writeFileSync(join(dir, 'r2.txt'), 'two\n');
    writeFileSync(join(dir, 'manifest.csv'), 'file,case,slug\nr1.txt,R1,r\nr2.txt,R2,r\n');
    const manifest = join(dir, 'manifest.csv');
    for (const dryRun of [true, false]) {
      const error = await run(project, [], { manifest, replace: true, dryRun }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProblemsError);
      expect((error as ProblemsError).problems.map((problem) => `${problem.line}:${problem.col} ${problem.message}`)).toEqual(['3:3 row 3, column slug: "r" is given already in row 2']);
    }
    expect(project.db.prepare('SELECT count(*) FROM documents').pluck().get()).toBe(0);
  });

  async function codedStudy(original: string): Promise<Project> {
    const project = await newStudy();
    const dir = tempDir();
    writeFileSync(join(dir, 'r.txt'), original);
    await run(project, [join(dir, 'r.txt')]);
    project.db.prepare("INSERT INTO coders (name) VALUES ('anna')").run();
    const segment = project.db.prepare("SELECT id FROM segments WHERE text = 'Via Riga.'").pluck().get() as number;
    project.db.prepare("INSERT INTO codings (segment_id, code_id, coder_id, created_at) VALUES (?, 'forms.protest', 1, 'now')").run(segment);
    return project;
  }

  it('--replace still replaces a document of an earlier run; a second file of the batch with its name is refused and leaves the replacement', async () => {
    const project = await codedStudy('I: How?\nR: Via Riga.\n');
    const batch = tempDir();
    writeFileSync(join(batch, 'r.txt'), 'I: Hello.\nI: How?\nR: Via Riga.\n');
    writeFileSync(join(batch, 'R.txt'), 'I: How?\nR: Via Tallinn.\n');
    const before = snapshot(project);
    const dry = await run(project, [batch], { replace: true, dryRun: true });
    expect(snapshot(project)).toEqual(before);
    const real = await run(project, [batch], { replace: true });
    expect(real.files.map((file) => [file.status, file.carried])).toEqual([['replaced', 1], ['failed', 0]]);
    expect(real.files[1]?.message).toMatch(taken(join(batch, 'R.txt'), join(batch, 'r.txt'), 'r'));
    expect(outcome(dry)).toEqual(outcome(real));
    expect(text(project, 'r')).toBe('I: Hello.\nI: How?\nR: Via Riga.\n');
    expect(count(project, 'codings')).toBe(1);
  });

  it('a file found unchanged takes its name as well: a second file of the batch cannot replace it', async () => {
    const original = 'I: How?\nR: Via Riga.\n';
    const project = await codedStudy(original);
    const batch = tempDir();
    writeFileSync(join(batch, 'r.txt'), original);
    writeFileSync(join(batch, 'R.txt'), 'I: How, then?\nR: Via Riga.\n');
    const dry = await run(project, [batch], { replace: true, dryRun: true });
    const real = await run(project, [batch], { replace: true });
    expect(real.files.map((file) => file.status)).toEqual(['unchanged', 'failed']);
    expect(outcome(dry)).toEqual(outcome(real));
    expect(text(project, 'r')).toBe(original);
  });

  it('a survey document whose name an earlier file of the batch took refuses the survey whole; and the other way round', async () => {
    const survey: ImportOptions = { kind: 'survey', idColumn: 'id', textColumns: ['q1'], attributeColumns: ['host_country'] };
    for (const order of ['txt first', 'survey first']) {
      const project = await newStudy();
      const dir = tempDir();
      writeFileSync(join(dir, 's.csv'), 'id,q1,host_country\nR1,Да,DE\nR2,Нет,LT\n');
      writeFileSync(join(dir, 's-r2.txt'), 'Другое.\n');
      const paths = order === 'txt first' ? [join(dir, 's-r2.txt'), join(dir, 's.csv')] : [join(dir, 's.csv'), join(dir, 's-r2.txt')];
      const before = snapshot(project);
      const dry = await run(project, paths, { ...survey, replace: true, dryRun: true });
      expect(snapshot(project)).toEqual(before);
      const real = await run(project, paths, { ...survey, replace: true });
      expect(outcome(dry)).toEqual(outcome(real));
      if (order === 'txt first') {
        expect(real.files.map((file) => file.status)).toEqual(['imported', 'failed']);
        expect(real.files[1]?.message).toBe(`${join(dir, 's.csv')}: row 3: the document name "s-r2" is already taken in this batch by ${join(dir, 's-r2.txt')}; nothing was imported — Rename one of the two files (a survey's document names start with its file name)`);
        expect(snapshot(project)).toMatchObject({ documents: 1, cases: 0, case_values: 0 });
        expect(text(project, 's-r2')).toBe('Другое.\n');
      } else {
        expect(real.files.map((file) => file.status)).toEqual(['imported', 'failed']);
        expect(real.files[1]?.message).toMatch(taken(join(dir, 's-r2.txt'), `${join(dir, 's.csv')}: row 3`, 's-r2'));
        expect(snapshot(project)).toMatchObject({ documents: 2, cases: 2 });
        expect(text(project, 's-r2')).toBe('q1: Нет');
      }
    }
  });

  it('a survey that fails as a whole leaves no names taken for the rest of the batch', async () => {
    const project = await newStudy();
    const dir = tempDir();
    const survey: ImportOptions = { kind: 'survey', idColumn: 'id', textColumns: ['q1'] };
    writeFileSync(join(dir, 's.csv'), 'id,q1\nr2,Да\n');
    await run(project, [join(dir, 's.csv')], survey);
    // Row 2 (r1) would be taken, then row 3 (r2) fails: the real run rolls the whole file back.
    writeFileSync(join(dir, 's.csv'), 'id,q1\nr1,Да\nr2,Нет\n');
    writeFileSync(join(dir, 's-r1.txt'), 'Другое.\n');
    const paths = [join(dir, 's.csv'), join(dir, 's-r1.txt')];
    const dry = await run(project, paths, { ...survey, dryRun: true });
    const real = await run(project, paths, survey);
    expect(real.files.map((file) => file.status)).toEqual(['failed', 'imported']);
    expect(outcome(dry)).toEqual(outcome(real));
  });
});

describe('identifiers are compared and stored in NFC; answer text keeps its offsets', () => {
  it('a decomposed Cyrillic case id, column name and attribute value in a survey', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 'n.csv');
    writeFileSync(file, `id,${nfd('вопрос_й')},city\n${nfd('Йосиф1')},${nfd('Мой ответ: йод.')},${nfd('Kraków')}\n`);
    const report = await run(project, [file], { kind: 'survey', idColumn: 'id', textColumns: ['вопрос_й'], attributeColumns: ['city'] });
    expect(report.totals).toMatchObject({ imported: 1, failed: 0, documents: 1 });
    expect(project.db.prepare('SELECT id FROM cases').pluck().all()).toEqual(['Йосиф1']);
    expect(project.db.prepare('SELECT value FROM case_values').pluck().all()).toEqual(['Kraków']);
    expect(project.db.prepare('SELECT slug, case_id, title FROM documents').get()).toEqual({ slug: 'n-yosif1', case_id: 'Йосиф1', title: 'n: Йосиф1' });
    const text = project.db.prepare('SELECT text FROM documents').pluck().get() as string;
    const segment = project.db.prepare('SELECT speaker, start, "end" AS "end", text FROM segments').get() as { speaker: string; start: number; end: number; text: string };
    expect(segment.speaker).toBe('вопрос_й');
    expect(sliceCodePoints(text, segment.start, segment.end)).toBe(segment.text);
    expect(segment.text).toBe('Мой ответ: йод.');
  });

  it('the same id written composed and decomposed is one respondent given twice', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 'n.csv');
    writeFileSync(file, `id,q1\nЙосиф1,да\n${nfd('Йосиф1')},нет\n`);
    const report = await run(project, [file], { kind: 'survey', idColumn: 'id', textColumns: ['q1'] });
    expect(report.files[0]?.message).toMatch(/row 3: respondent Йосиф1 appears again \(first in row 2\)/);
  });

  it('a decomposed case in a manifest, and --case', async () => {
    const project = await newStudy();
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'one\n');
    writeFileSync(join(dir, 'b.txt'), 'two\n');
    writeFileSync(join(dir, 'manifest.csv'), `file,case,city\na.txt,${nfd('Йосиф1')},${nfd('Kraków')}\n`);
    expect((await run(project, [], { manifest: join(dir, 'manifest.csv') })).totals).toMatchObject({ imported: 1, failed: 0 });
    expect((await run(project, [join(dir, 'b.txt')], { caseId: nfd('Йосиф2') })).totals).toMatchObject({ imported: 1, failed: 0 });
    expect(project.db.prepare('SELECT slug, case_id FROM documents ORDER BY slug').all()).toEqual([{ slug: 'a', case_id: 'Йосиф1' }, { slug: 'b', case_id: 'Йосиф2' }]);
    expect(project.db.prepare('SELECT value FROM case_values').pluck().all()).toEqual(['Kraków']);
  });

  it('a decomposed file name gives the same slug as a composed one', () => {
    expect(slugify(nfd('Йосиф'))).toBe('yosif');
    expect(slugify(nfd('Интервью Йошкар-Ола'))).toBe(slugify('Интервью Йошкар-Ола'));
  });
});
