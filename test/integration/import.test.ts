import { execFileSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, readFileSync, writeFileSync, ftruncateSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ProblemsError } from '../../src/core/errors.js';
import { sliceCodePoints } from '../../src/core/text.js';
import { importPaths, slugify, type ImportOptions, type ImportReport } from '../../src/app/import.js';
import { reasonOf } from '../../src/io/import/paths.js';
import { MAX_FILE_BYTES } from '../../src/io/import/read.js';
import type { Project } from '../../src/app/project.js';
import { FIXTURES, tempDir } from '../helpers.js';
import { newStudy } from '../seed.js';

function copyFixtures(): string {
  const dir = join(tempDir('qcode-fixtures-'), 'fixtures');
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

const count = (project: Project, table: string): number => (project.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function snapshot(project: Project): Record<string, number> {
  return Object.fromEntries(['documents', 'segments', 'cases', 'case_values', 'codings', 'segments_fts'].map((table) => [table, count(project, table)]));
}

async function run(project: Project, paths: string[], options: ImportOptions = {}): Promise<ImportReport> {
  return importPaths(project, paths, { cwd: tempDir('qcode-cwd-'), ...options });
}

function failureOf(report: ImportReport): string {
  const failed = report.files.filter((file) => file.status === 'failed');
  expect(failed).toHaveLength(1);
  return failed[0]?.message ?? '';
}

const SURVEY: ImportOptions = {
  kind: 'survey', idColumn: 'respondent_id', textColumns: ['q1_activities', 'q2_networks', 'q3_remittances'],
  attributeColumns: ['host_country', 'emigration_year', 'activism_in_russia', 'gender', 'age_band'],
};

// Segments per document as fixtures/README.md defines them (turns, or cues for .vtt/.srt).
const EXPECTED_SEGMENTS: Record<string, number> = {
  'r01-vilnius-ru': 20, 'r02-riga-en': 22, 'r03-warsaw-ru': 22, 'r04-berlin-ru': 22, 'r05-london-en': 22, 'r06-helsinki-ru': 20,
  'r07-madrid-ru': 22, 'r08-munich-ru': 20, 'r09-krakow-ru': 18, 'r10-vilnius-en': 18, 'r11-riga-ru': 20, 'r12-berlin-en': 22,
  'r13-london-ru': 20, 'r14-helsinki-en': 18, 'r15-valencia-en': 16, 'r16-kaunas-ru': 14,
};

describe('the fixtures', () => {
  it('import with their manifest: every document, case and attribute; turns and cues counted as the README says', async () => {
    const project = await newStudy();
    const fixtures = copyFixtures();
    const report = await run(project, [join(fixtures, 'interviews')], { manifest: join(fixtures, 'interviews', 'manifest.csv') });
    expect(report.totals).toMatchObject({ files: 16, imported: 16, failed: 0, documents: 16 });
    const rows = project.db.prepare('SELECT d.slug, d.case_id, d.language, d.encoding, d.format, count(s.id) AS n, min(s.ordinal) AS lo, max(s.ordinal) AS hi FROM documents d JOIN segments s ON s.document_id = d.id GROUP BY d.id ORDER BY d.slug').all() as Array<{ slug: string; case_id: string; language: string; encoding: string | null; format: string; n: number; lo: number; hi: number }>;
    expect(Object.fromEntries(rows.map((row) => [row.slug, row.n]))).toEqual(EXPECTED_SEGMENTS);
    for (const row of rows) {
      expect(row.lo).toBe(1);
      expect(row.hi).toBe(row.n);
      expect(row.case_id).toBe(row.slug.slice(0, 3).toUpperCase());
      expect(row.language).toBe(row.slug.endsWith('-ru') ? 'ru' : 'en');
    }
    const encodings = Object.fromEntries(rows.map((row) => [row.slug, row.encoding]));
    expect(encodings).toMatchObject({ 'r03-warsaw-ru': 'utf8', 'r06-helsinki-ru': 'cp1251', 'r07-madrid-ru': 'koi8r', 'r08-munich-ru': 'utf16le', 'r10-vilnius-en': null });
    const values = project.db.prepare("SELECT case_id, attribute, value FROM case_values WHERE case_id IN ('R09', 'R10') ORDER BY case_id, attribute").all();
    expect(values).toContainEqual({ case_id: 'R09', attribute: 'city', value: 'Kraków' });
    expect(values).toContainEqual({ case_id: 'R10', attribute: 'role', value: 'host_opinion_maker' });
    expect(values.filter((value) => (value as { case_id: string }).case_id === 'R10').map((value) => (value as { attribute: string }).attribute)).not.toContain('emigration_year');
    expect(new Set((project.db.prepare('SELECT value FROM case_values WHERE attribute = ?').all('host_country') as Array<{ value: string }>).map((row) => row.value)).size).toBe(7);
  });

  it('are what issue 3 asks for: ≥ 12 interviews in Russian and English, in several conventions, encodings and formats, ≥ 5 host countries, two pages, a 30 × 3 survey', async () => {
    const project = await newStudy();
    const fixtures = copyFixtures();
    await run(project, [], { manifest: join(fixtures, 'interviews', 'manifest.csv') });
    await run(project, [join(fixtures, 'web')]);
    await run(project, [join(fixtures, 'survey', 'survey.csv')], SURVEY);
    const interviews = project.db.prepare("SELECT slug, language, format, encoding, case_id FROM documents WHERE kind = 'interview'").all() as Array<{ slug: string; language: string; format: string; encoding: string | null; case_id: string }>;
    expect(interviews.length).toBeGreaterThanOrEqual(12);
    expect(new Set(interviews.map((doc) => doc.language))).toEqual(new Set(['ru', 'en']));
    expect(interviews.every((doc) => doc.case_id !== null)).toBe(true);
    const formats = interviews.map((doc) => doc.format);
    for (const format of ['txt', 'md', 'docx', 'vtt', 'srt']) expect(formats, format).toContain(format);
    const encodings = interviews.map((doc) => doc.encoding);
    for (const encoding of ['cp1251', 'koi8r', 'utf16le', 'utf8']) expect(encodings, encoding).toContain(encoding);
    const countries = project.db.prepare("SELECT DISTINCT v.value FROM case_values v JOIN documents d ON d.case_id = v.case_id WHERE v.attribute = 'host_country' AND d.kind = 'interview'").all();
    expect(countries.length).toBeGreaterThanOrEqual(5);
    // The interviewer's label of each transcript: the conventions of the issue, several of them.
    const interviewerLabels = new Set((project.db.prepare("SELECT s.speaker FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.kind = 'interview' AND s.ordinal = 1").all() as Array<{ speaker: string }>).map((row) => row.speaker));
    expect([...interviewerLabels].sort()).toEqual(expect.arrayContaining(['I', 'Interviewer', 'Q', 'ВОПРОС', 'И', 'Интервьюер']));
    const speakers = new Set((project.db.prepare("SELECT DISTINCT s.speaker FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.kind = 'interview'").all() as Array<{ speaker: string }>).map((row) => row.speaker));
    for (const label of ['R', 'A', 'Respondent', 'Респондент', 'Р', 'ОТВЕТ', 'ВС', 'Ольга Д.', 'Mikko L.']) expect(speakers, label).toContain(label);
    expect(count(project, "documents WHERE kind = 'web'")).toBe(2);
    expect(count(project, "cases WHERE kind = 'respondent'")).toBe(30);
    expect(new Set((project.db.prepare("SELECT DISTINCT s.speaker FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.kind = 'survey'").all() as Array<{ speaker: string }>).map((row) => row.speaker))).toEqual(new Set(SURVEY.textColumns));
  });

  it('give the segments the demo codings point at: every coded ordinal is a respondent turn or cue', async () => {
    const project = await newStudy();
    const fixtures = copyFixtures();
    await run(project, [], { manifest: join(fixtures, 'interviews', 'manifest.csv') });
    const interviewers = new Set(['Интервьюер', 'I', 'И', 'ВОПРОС', 'Q', 'Interviewer', 'ИНТЕРВЬЮЕР']);
    const lookup = project.db.prepare('SELECT s.speaker FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = ? AND s.ordinal = ?');
    const lines = readFileSync(join(fixtures, 'codings', 'demo-codings.csv'), 'utf8').trim().split('\n').slice(1);
    expect(lines.length).toBeGreaterThan(1000);
    for (const line of lines) {
      const [document, ordinal] = line.split(',');
      const segment = lookup.get(document, Number(ordinal)) as { speaker: string | null } | undefined;
      expect(segment, `${document} #${ordinal}`).toBeDefined();
      expect(interviewers.has(segment?.speaker ?? ''), `${document} #${ordinal} is an interviewer turn`).toBe(false);
    }
  });

  it('every segment of every fixture slices its document exactly (interviews, web pages, survey)', async () => {
    const project = await newStudy();
    const fixtures = copyFixtures();
    await run(project, [], { manifest: join(fixtures, 'interviews', 'manifest.csv') });
    await run(project, [join(fixtures, 'web')]);
    await run(project, [join(fixtures, 'survey', 'survey.csv')], SURVEY);
    const documents = project.db.prepare('SELECT id, slug, text FROM documents').all() as Array<{ id: number; slug: string; text: string }>;
    expect(documents.length).toBe(16 + 2 + 30);
    const segments = project.db.prepare('SELECT start, "end" AS "end", text FROM segments WHERE document_id = ? ORDER BY ordinal');
    let checked = 0;
    for (const document of documents) {
      expect(document.text).toBe(document.text.normalize('NFC'));
      expect(document.text).not.toMatch(/\r|\u0000|\uFEFF/);
      for (const segment of segments.all(document.id) as Array<{ start: number; end: number; text: string }>) {
        expect(sliceCodePoints(document.text, segment.start, segment.end)).toBe(segment.text);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('keep media times: timestamps of turns, start and end of cues', async () => {
    const project = await newStudy();
    const fixtures = copyFixtures();
    await run(project, [join(fixtures, 'interviews', 'r13-london-ru.txt'), join(fixtures, 'interviews', 'r15-valencia-en.vtt'), join(fixtures, 'interviews', 'r16-kaunas-ru.srt')]);
    const times = (slug: string): unknown => project.db.prepare('SELECT speaker, t_start, t_end FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = ? AND ordinal <= 2 ORDER BY ordinal').all(slug);
    expect(times('r13-london-ru')).toEqual([{ speaker: 'И', t_start: 6000, t_end: null }, { speaker: 'Р', t_start: 15000, t_end: null }]);
    expect(times('r15-valencia-en')).toEqual([{ speaker: 'Interviewer', t_start: 1000, t_end: 6500 }, { speaker: 'Sasha', t_start: 7000, t_end: 19800 }]);
    expect(times('r16-kaunas-ru')).toEqual([{ speaker: 'ИНТЕРВЬЮЕР', t_start: 500, t_end: 5000 }, { speaker: 'АЛИСА', t_start: 5400, t_end: 17900 }]);
  });

  it('web pages: kind web, the title kept, no navigation chrome', async () => {
    const project = await newStudy();
    const report = await run(project, [join(copyFixtures(), 'web')]);
    expect(report.totals.imported).toBe(2);
    const pages = project.db.prepare("SELECT slug, kind, title, text FROM documents ORDER BY slug").all() as Array<{ slug: string; kind: string; title: string; text: string }>;
    expect(pages.map((page) => [page.slug, page.kind])).toEqual([['blog-reverse-remittances-en', 'web'], ['ngo-vilnius-about-ru', 'web']]);
    for (const page of pages) {
      expect(page.title).toBeTruthy();
      expect(page.text).not.toMatch(/<|function\s*\(|\{\s*[a-z-]+\s*:/);
    }
  });

  it('the survey: one case with attributes and one document per respondent, the question as speaker', async () => {
    const project = await newStudy();
    const report = await run(project, [join(copyFixtures(), 'survey', 'survey.csv')], SURVEY);
    expect(report.totals).toMatchObject({ imported: 1, failed: 0, documents: 30 });
    expect(count(project, 'cases')).toBe(30);
    expect(project.db.prepare("SELECT value FROM case_values WHERE case_id = 'S07' AND attribute = 'host_country'").get()).toEqual({ value: 'DE' });
    const s02 = project.db.prepare("SELECT s.speaker, s.text FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'survey-s02' ORDER BY ordinal").all() as Array<{ speaker: string }>;
    expect(s02.map((segment) => segment.speaker)).toEqual(['q1_activities', 'q2_networks']);
    const s07 = project.db.prepare("SELECT s.text FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'survey-s07' AND s.speaker = 'q3_remittances'").get() as { text: string };
    expect(s07.text).toContain('\n');
    expect(project.db.prepare("SELECT kind FROM documents WHERE slug = 'survey-s01'").get()).toEqual({ kind: 'survey' });
  });
});

describe('surveys', () => {
  it('find the id and answer columns whatever their case, and keep the header\'s spelling as the speaker', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 'feedback.csv');
    writeFileSync(file, 'Case,Age,Qual\nID4,24,I lost interest.\nID5,54,"I needed to upskill, for work."\n');
    const report = await run(project, [file], { kind: 'survey', idColumn: 'case', textColumns: ['qual'] });
    expect(report.totals).toMatchObject({ imported: 1, failed: 0, documents: 2 });
    expect(project.db.prepare("SELECT s.speaker, s.text FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'feedback-id5'").all()).toEqual([{ speaker: 'Qual', text: 'I needed to upskill, for work.' }]);
  });
});

describe('importing again', () => {
  it('the same content is a no-op that says so', async () => {
    const project = await newStudy();
    const fixtures = copyFixtures();
    await run(project, [join(fixtures, 'interviews')], { manifest: join(fixtures, 'interviews', 'manifest.csv') });
    const before = snapshot(project);
    const again = await run(project, [join(fixtures, 'interviews')], { manifest: join(fixtures, 'interviews', 'manifest.csv') });
    expect(again.totals).toMatchObject({ unchanged: 16, imported: 0, failed: 0 });
    expect(snapshot(project)).toEqual(before);
  });

  it('a changed file under an existing slug is refused without --replace, and nothing changes', async () => {
    const project = await newStudy();
    const dir = tempDir();
    const file = join(dir, 'r20.txt');
    writeFileSync(file, 'I: How?\nR: Like this.\n');
    await run(project, [file]);
    writeFileSync(file, 'I: How?\nR: Like that.\n');
    const before = snapshot(project);
    const report = await run(project, [file]);
    expect(failureOf(report)).toMatch(/"r20" is already imported .* with different text .*--replace/);
    expect(snapshot(project)).toEqual(before);
  });

  describe('--replace with codings', () => {
    async function coded(): Promise<{ project: Project; file: string; ids: Record<number, number> }> {
      const project = await newStudy();
      const file = join(tempDir(), 'r21.txt');
      writeFileSync(file, 'I: How did it start?\nR: It started in Riga.\nI: And then?\nR: Then Berlin.\n');
      await run(project, [file]);
      const ids = Object.fromEntries((project.db.prepare('SELECT ordinal, id FROM segments ORDER BY ordinal').all() as Array<{ ordinal: number; id: number }>).map((row) => [row.ordinal, row.id]));
      project.db.prepare("INSERT INTO coders (name) VALUES ('anna')").run();
      const tag = project.db.prepare("INSERT INTO codings (segment_id, code_id, coder_id, start, \"end\", created_at) VALUES (?, 'forms.protest', 1, ?, ?, 'now')");
      tag.run(ids[2], null, null);
      // "Riga" is code points 38–42 of the document: a span coding.
      tag.run(ids[2], 38, 42);
      tag.run(ids[4], null, null);
      return { project, file, ids };
    }

    it('carries codings over to segments whose speaker and text are unchanged, with their ids and spans', async () => {
      const { project, file, ids } = await coded();
      expect(sliceCodePoints(project.db.prepare('SELECT text FROM documents').pluck().get() as string, 38, 42)).toBe('Riga');
      writeFileSync(file, 'I: Hello, a new first question?\nR: A new answer.\nI: How did it start?\nR: It started in Riga.\nI: And then?\nR: Then Berlin.\n');
      const report = await run(project, [file], { replace: true });
      expect(report.files[0]).toMatchObject({ status: 'replaced', carried: 3, segments: 6 });
      const segments = project.db.prepare('SELECT id, ordinal, text FROM segments ORDER BY ordinal').all() as Array<{ id: number; ordinal: number; text: string }>;
      expect(segments.map((segment) => segment.ordinal)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(segments[3]).toMatchObject({ id: ids[2], text: 'It started in Riga.' });
      expect(segments[5]).toMatchObject({ id: ids[4], text: 'Then Berlin.' });
      const text = project.db.prepare('SELECT text FROM documents').pluck().get() as string;
      const span = project.db.prepare('SELECT start, "end" AS "end" FROM codings WHERE start IS NOT NULL').get() as { start: number; end: number };
      expect(sliceCodePoints(text, span.start, span.end)).toBe('Riga');
      expect(count(project, 'codings')).toBe(3);
      const fts = project.db.prepare("SELECT count(*) AS n FROM segments_fts WHERE segments_fts MATCH 'hello'").get() as { n: number };
      expect(fts.n).toBe(1);
    });

    it('refuses, with the count, when a coded segment changed; the store stays as it was', async () => {
      const { project, file } = await coded();
      const before = snapshot(project);
      const text = project.db.prepare('SELECT text FROM documents').pluck().get();
      writeFileSync(file, 'I: How did it start?\nR: It started in Vilnius.\nI: And then?\nR: Then Berlin.\n');
      const report = await run(project, [file], { replace: true });
      expect(failureOf(report)).toMatch(/cannot replace "r21": 2 codings on 1 segment \(#2\) whose text or speaker changed would be lost/);
      expect(snapshot(project)).toEqual(before);
      expect(project.db.prepare('SELECT text FROM documents').pluck().get()).toBe(text);
    });

    it('--dry-run reports the replacement and writes nothing', async () => {
      const { project, file } = await coded();
      const before = snapshot(project);
      writeFileSync(file, 'I: How did it start?\nR: It started in Riga.\nI: And then?\nR: Then Berlin.\nI: Thanks.\n');
      const report = await run(project, [file], { replace: true, dryRun: true });
      expect(report.files[0]).toMatchObject({ status: 'replaced', carried: 3 });
      expect(report.dryRun).toBe(true);
      expect(snapshot(project)).toEqual(before);
    });
  });
});

describe('options', () => {
  it('--dry-run writes nothing, not even cases', async () => {
    const project = await newStudy();
    const fixtures = copyFixtures();
    const before = snapshot(project);
    const report = await run(project, [join(fixtures, 'interviews')], { manifest: join(fixtures, 'interviews', 'manifest.csv'), dryRun: true });
    expect(report.totals).toMatchObject({ imported: 16, failed: 0 });
    expect(snapshot(project)).toEqual(before);
  });

  it('--case links and creates the case; --slug names the document; --speakers maps labels; --segment sentences', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 'Интервью 07.txt');
    writeFileSync(file, 'X: Как вы уехали? Когда?\nY: В марте. Через Грузию.\n');
    await run(project, [file], { caseId: 'R07', speakers: 'X=Interviewer,Y=Respondent', segment: 'sentences' });
    expect(project.db.prepare('SELECT slug, case_id FROM documents').get()).toEqual({ slug: 'intervyu-07', case_id: 'R07' });
    expect(project.db.prepare('SELECT speaker, text FROM segments ORDER BY ordinal').all()).toEqual([
      { speaker: 'Interviewer', text: 'Как вы уехали?' }, { speaker: 'Interviewer', text: 'Когда?' },
      { speaker: 'Respondent', text: 'В марте.' }, { speaker: 'Respondent', text: 'Через Грузию.' },
    ]);
    await run(project, [file], { slug: 'r07-alt', segment: 'paragraphs' });
    expect(project.db.prepare("SELECT count(*) AS n FROM documents WHERE slug = 'r07-alt'").get()).toEqual({ n: 1 });
    await expect(run(project, [file, file.replace('07', '08')], { slug: 'x' })).rejects.toThrow(/--slug names one document/);
  });

  it('--strict stops at the first failure and imports nothing after it', async () => {
    const project = await newStudy();
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'one');
    writeFileSync(join(dir, 'b.txt'), '');
    writeFileSync(join(dir, 'c.txt'), 'three');
    const report = await run(project, [dir], { strict: true });
    expect(report.files.map((file) => file.status)).toEqual(['imported', 'failed']);
    expect(report.stopped).toBe(true);
    expect(count(project, 'documents')).toBe(1);
  });

  it('walks folders recursively in natural order, skipping dotfiles and unsupported files with a note; takes globs', async () => {
    const project = await newStudy();
    const dir = tempDir();
    mkdirSync(join(dir, 'sub', '.hidden'), { recursive: true });
    writeFileSync(join(dir, 'r10.txt'), 'ten');
    writeFileSync(join(dir, 'r9.txt'), 'nine');
    writeFileSync(join(dir, 'sub', 'r11.md'), '# eleven');
    writeFileSync(join(dir, 'sub', '.hidden', 'r12.txt'), 'hidden');
    writeFileSync(join(dir, '.notes.txt'), 'hidden');
    writeFileSync(join(dir, 'scan.pdf'), '%PDF-1.4');
    writeFileSync(join(dir, 'answers.csv'), 'a,b\n1,2\n');
    const report = await run(project, [dir]);
    expect(report.files.map((file) => file.slug)).toEqual(['r9', 'r10', 'r11']);
    expect(report.skipped.map((item) => item.message).sort()).toEqual(['a .csv file (surveys need --kind survey)', 'hidden (a dotfile)', 'hidden (a dotfile)', 'unsupported file type .pdf']);
    const globbed = await importPaths(project, ['r*.txt'], { cwd: dir, dryRun: true });
    expect(globbed.files.map((file) => [file.file, file.status])).toEqual([['r9.txt', 'unchanged'], ['r10.txt', 'unchanged']]);
    expect((await importPaths(project, ['*.docx'], { cwd: dir })).files[0]?.message).toMatch(/no files match this pattern/);
  });

  it('reads a page that declares windows-1251 in a <meta> tag as declared; --format reads any extension', async () => {
    const project = await newStudy();
    const dir = tempDir();
    const page = '<html><head><meta charset="windows-1251"><title>Да</title></head><body><p>Привет.</p></body></html>';
    writeFileSync(join(dir, 'page.htm'), iconv.encode(page, 'windows-1251'));
    writeFileSync(join(dir, 'notes.log'), 'I: Hi.\nR: Hello.');
    const report = await run(project, [join(dir, 'page.htm')]);
    expect(report.files[0]).toMatchObject({ status: 'imported', encoding: 'windows-1251', segments: 1 });
    expect(project.db.prepare('SELECT title, text, kind FROM documents').get()).toEqual({ title: 'Да', text: 'Привет.', kind: 'web' });
    expect((await run(project, [join(dir, 'notes.log')])).files[0]?.message).toMatch(/unsupported file type \.log/);
    expect((await run(project, [join(dir, 'notes.log')], { format: 'txt' })).files[0]).toMatchObject({ status: 'imported', slug: 'notes', segments: 2 });
  });

  it('refuses a page that declares UTF-8 but is not, naming the spot; --encoding reads it as it really is', async () => {
    const project = await newStudy();
    const dir = tempDir();
    const page = '<html><head><meta charset="utf-8"><title>Да</title></head><body><p>Мы работаем в Вильнюсе с 2022 года и помогаем политзаключённым.</p></body></html>';
    writeFileSync(join(dir, 'page.html'), iconv.encode(page, 'windows-1251'));
    const refusedReport = await run(project, [join(dir, 'page.html')]);
    expect(failureOf(refusedReport)).toMatch(/page\.html:1:42: byte 0xC4 is not valid UTF-8, although the page declares charset utf-8 — .*--encoding cp1251/);
    expect(count(project, 'documents')).toBe(0);
    const forced = await run(project, [join(dir, 'page.html')], { encoding: 'cp1251' });
    expect(forced.files[0]).toMatchObject({ status: 'imported', encoding: 'windows-1251' });
    expect(project.db.prepare('SELECT title FROM documents').get()).toEqual({ title: 'Да' });
  });

  it('refuses usage mistakes before reading anything', async () => {
    const project = await newStudy();
    await expect(run(project, [])).rejects.toThrow(/nothing to import/);
    await expect(run(project, ['x.txt'], { caseId: 'has space' })).rejects.toThrow(/--case/);
    await expect(run(project, ['x.csv'], { kind: 'survey' })).rejects.toThrow(/needs --id-column and --text-columns/);
    await expect(run(project, ['x.txt'], { slug: 'Bad Slug' })).rejects.toThrow(/not a usable slug/);
    await expect(run(project, ['x.txt'], { speakers: 'nonsense' })).rejects.toThrow(/not LABEL=NAME/);
  });

  it.each([
    ['Интервью 07.txt', 'intervyu-07'], ['R07_Madrid (final).docx', 'r07-madrid-final'], ['Café Ölberg.md', 'cafe-olberg'], ['!!!.txt', 'document'],
  ])('slugify(stem of %j) = %s', (name, slug) => {
    expect(slugify(name.replace(/\.[^.]+$/, ''))).toBe(slug);
  });
});

describe('manifests', () => {
  it('names the row and column of an unknown column and of an unknown value, and imports nothing', async () => {
    const project = await newStudy();
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'I: Hi.\nR: Hello.');
    writeFileSync(join(dir, 'manifest.csv'), 'file,case,host_country,hostcountry,emigration_year\na.txt,R01,DE,x,2022\na.txt,R02,Germany,,1850\n');
    const error = await run(project, [], { manifest: join(dir, 'manifest.csv') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemsError);
    const messages = (error as ProblemsError).problems.map((problem) => `${problem.line}:${problem.col} ${problem.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^1:4 row 1, column hostcountry: not a declared attribute \(did you mean "host_country"\?\)/),
      expect.stringMatching(/^3:1 row 3, column file: a\.txt is listed already in row 2/),
      expect.stringMatching(/^3:3 row 3, column host_country: "Germany" is not a value of host_country; allowed: LT, LV, PL, DE, UK, FI, ES/),
      expect.stringMatching(/^3:5 row 3, column emigration_year: emigration_year 1850 is below the minimum 1990/),
    ]);
    expect(snapshot(project)).toMatchObject({ documents: 0, cases: 0 });
  });

  it('reports a missing file at its row and imports the others', async () => {
    const project = await newStudy();
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'I: Hi.\nR: Hello.');
    writeFileSync(join(dir, 'manifest.csv'), 'file,case,host_country\na.txt,R01,DE\nmissing.txt,R02,LT\n');
    const report = await run(project, [], { manifest: join(dir, 'manifest.csv') });
    expect(failureOf(report)).toMatch(/manifest\.csv row 3: missing\.txt: no such file or folder/);
    expect(report.totals.imported).toBe(1);
    expect(project.db.prepare('SELECT id FROM cases').all()).toEqual([{ id: 'R01' }]);
  });
});

describe('bad input: a clear line each, nothing half-imported', () => {
  async function refused(files: Record<string, string | Buffer>, options: ImportOptions = {}, target?: string): Promise<string> {
    const project = await newStudy();
    const dir = tempDir();
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const before = snapshot(project);
    const report = await run(project, [target ?? join(dir, Object.keys(files)[0] as string)], options);
    expect(snapshot(project)).toEqual(before);
    return failureOf(report);
  }

  it('an empty file', async () => {
    expect(await refused({ 'empty.txt': '' })).toMatch(/empty\.txt: the file is empty/);
  });

  it('a file of white space and control characters only', async () => {
    expect(await refused({ 'blank.txt': ' \n\t\n  ' })).toMatch(/blank\.txt: no text to import/);
  });

  it.each([
    ['a 200 MB file', 200 * 1024 * 1024, /huge\.txt: the file is 200 MB; qcode imports files of at most 100 MB — Split it into one file per interview or document/],
    ['a file one byte over the limit', MAX_FILE_BYTES + 1, /huge\.txt: the file is 100 MB; qcode imports files of at most 100 MB/],
  ])('%s is refused by its size, without reading it', async (_name, size, expected) => {
    const project = await newStudy();
    const file = join(tempDir(), 'huge.txt');
    // A sparse file: the size is real, the disk blocks are not, and a read would see only NULs.
    const fd = openSync(file, 'w');
    ftruncateSync(fd, size);
    closeSync(fd);
    const report = await run(project, [file]);
    expect(failureOf(report)).toMatch(expected);
    expect(count(project, 'documents')).toBe(0);
  });

  it('a truncated .docx', async () => {
    const docx = readFileSync(join(FIXTURES, 'interviews', 'r10-vilnius-en.docx'));
    expect(await refused({ 'cut.docx': docx.subarray(0, Math.floor(docx.length / 2)) })).toMatch(/cut\.docx: the \.docx is damaged or truncated/);
  });

  it('a zip renamed .docx', async () => {
    const zip = Buffer.from(zipSync({ 'notes.txt': new TextEncoder().encode('hello') }));
    expect(await refused({ 'fake.docx': zip })).toMatch(/fake\.docx: not a Word document: it is a zip archive renamed \.docx/);
  });

  it('a text file renamed .docx', async () => {
    expect(await refused({ 'text.docx': 'I: Hi.' })).toMatch(/text\.docx: not a \.docx file/);
  });

  it('invalid UTF-8 in a file declared UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('I: Hello.\nR: Привет, '), Buffer.from([0xc3, 0x28]), Buffer.from(' мир.\n')]);
    expect(await refused({ 'broken.txt': bytes }, { encoding: 'utf8' })).toMatch(/broken\.txt:2:12: byte 0xC3 is not valid UTF-8 \(--encoding utf8\)/);
  });

  it('an encoding it cannot be sure of, naming the candidates and the flag', async () => {
    const bytes = Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2, 0x2c, 0x20, 0xec, 0xe8, 0xf0]);
    expect(await refused({ 'short.txt': bytes })).toMatch(/short\.txt: cannot tell the encoding: .*windows-1251 or KOI8-R.*--encoding/);
  });

  it('a binary file with a text extension', async () => {
    expect(await refused({ 'photo.txt': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]) })).toMatch(/photo\.txt: not a text file \(a PNG image\)/);
  });

  it('a survey CSV with unbalanced quotes, with the row', async () => {
    const csv = 'respondent_id,q1_activities,q2_networks,q3_remittances\nS01,a,b,c\nS02,"never closed,b,c\nS03,a,b,c\n';
    expect(await refused({ 'survey.csv': csv }, { kind: 'survey', idColumn: 'respondent_id', textColumns: ['q1_activities'] })).toMatch(/survey\.csv:3: row 3: a quoted field is never closed \(unbalanced quotes; the row starts on line 3 and runs to the end of the file\)/);
  });

  it('a spreadsheet given as a survey or a manifest, with the way to save it as CSV', async () => {
    const zip = Buffer.from(zipSync({ 'xl/workbook.xml': new TextEncoder().encode('<workbook/>') }));
    expect(await refused({ 'survey.xlsx': zip }, { kind: 'survey', idColumn: 'id', textColumns: ['q1'] })).toMatch(/survey\.xlsx: a spreadsheet: save it as CSV \(UTF-8\)/);
    expect(await refused({ 'survey.xlsx': zip }, { kind: 'survey', format: 'csv', idColumn: 'id', textColumns: ['q1'] })).toMatch(/survey\.xlsx: a spreadsheet \(or other packaged file\), not a CSV file — Save the sheet as CSV/);
    const project = await newStudy();
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.xlsx'), zip);
    await expect(run(project, [], { manifest: join(dir, 'manifest.xlsx') })).rejects.toThrow(/manifest\.xlsx: a spreadsheet/);
  });

  it('a survey value the codebook does not allow, with row and column; the whole file stays out', async () => {
    const csv = 'respondent_id,host_country,q1_activities\nS01,DE,Answer one.\nS02,XX,Answer two.\n';
    expect(await refused({ 'survey.csv': csv }, { kind: 'survey', idColumn: 'respondent_id', textColumns: ['q1_activities'], attributeColumns: ['host_country'] })).toMatch(/row 3, column host_country: "XX" is not a value of host_country/);
  });

  it('a device', async () => {
    expect(await refused({}, {}, '/dev/null')).toMatch(/\/dev\/null: is a device, not a file/);
  });

  it('a named pipe (FIFO), without blocking on it', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe.txt');
    execFileSync('mkfifo', [fifo]);
    expect(await refused({}, {}, fifo)).toMatch(/pipe\.txt: is a named pipe \(FIFO\), not a file/);
    const project = await newStudy();
    const report = await run(project, [dir]);
    expect(report.skipped).toEqual([{ display: fifo, message: 'is a named pipe (FIFO), not a file' }]);
  });

  it('a socket', async () => {
    const socket = join(tempDir(), 'qcode.sock');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(await refused({}, {}, socket)).toMatch(/qcode\.sock: is a socket, not a file/);
    } finally {
      server.close();
    }
  });

  it('a path that does not exist', async () => {
    expect(await refused({}, {}, '/nonexistent/r01.txt')).toMatch(/\/nonexistent\/r01\.txt: no such file or folder/);
  });

  // The real thing, as a user who may not read the file, is in test/e2e/import.test.ts.
  it('permission denied gets its own words', () => {
    expect(reasonOf(Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' }))).toBe("permission denied (check the file's permissions)");
  });

  it('a failing file leaves the others imported and reports exactly that file', async () => {
    const project = await newStudy();
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'I: Hi.\nR: Hello.');
    writeFileSync(join(dir, 'b.txt'), '');
    writeFileSync(join(dir, 'c.txt'), 'I: Bye.\nR: Bye.');
    const report = await run(project, [dir]);
    expect(report.totals).toMatchObject({ imported: 2, failed: 1 });
    expect(failureOf(report)).toMatch(/b\.txt: the file is empty/);
    expect(report.files.map((file) => [file.file.split('/').pop(), file.status])).toEqual([['a.txt', 'imported'], ['b.txt', 'failed'], ['c.txt', 'imported']]);
  });
});
