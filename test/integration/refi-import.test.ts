import Database from 'better-sqlite3';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCodebook } from '../../src/core/codebook.js';
import { UserError } from '../../src/core/errors.js';
import { closeProject, openProject } from '../../src/app/project.js';
import { exportRefi, importRefiCodebook, importRefiProject } from '../../src/app/refi.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/io/refi/zip.js';
import { loadProjectCodebook } from '../../src/store/codebook.js';
import { ROOT, tempDir } from '../helpers.js';
import { expectSchemaValid, queryReadOnly as query, RICH_SEED, seedProject } from '../refi-helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures-refi');
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

async function exportProject(dir: string, qdpx: string, qdc?: string): Promise<void> {
  const project = openProject({ project: dir });
  try {
    await exportRefi(project, { qdpx, qdc });
  } finally {
    closeProject(project);
  }
}

/** Everything a round trip must keep, in forms that do not depend on row ids. */
function snapshot(dir: string): Record<string, unknown> {
  const db = new Database(join(dir, 'qcode.db'), { readonly: true });
  try {
    const codebook = loadProjectCodebook(db);
    const all = (sql: string): unknown[] => db.prepare(sql).all();
    return {
      codebook: {
        name: codebook.name, version: codebook.version, languages: codebook.languages,
        dimensions: codebook.dimensions.map(({ ord: _ord, ...rest }) => rest),
        codes: codebook.codes.map(({ ord: _ord, ...rest }) => rest),
        attributes: codebook.attributes.map(({ ord: _ord, ...rest }) => rest),
        hypotheses: codebook.hypotheses.map(({ ord: _ord, ...rest }) => rest),
      },
      documents: all('SELECT slug, case_id, title, kind, language, format, encoding, sha256, text, imported_at FROM documents ORDER BY slug'),
      coders: all('SELECT name FROM coders ORDER BY name'),
      segments: all(`SELECT d.slug, s.ordinal, s.start, s."end", s.speaker, s.t_start, s.t_end, s.text FROM segments s JOIN documents d ON d.id = s.document_id ORDER BY 1, 2`),
      // What agreement counts as seen (docs/team.md): a seen mark, or a coding.
      seen: all(`SELECT d.slug, s.ordinal, c.name AS coder FROM (SELECT segment_id, coder_id FROM seen UNION SELECT segment_id, coder_id FROM codings) v
        JOIN segments s ON s.id = v.segment_id JOIN documents d ON d.id = s.document_id JOIN coders c ON c.id = v.coder_id ORDER BY 1, 2, 3`),
      cases: all('SELECT id, kind FROM cases ORDER BY id'),
      values: all('SELECT case_id, attribute, value FROM case_values ORDER BY case_id, attribute'),
      codings: all(`
        SELECT d.slug, ifnull(k.start, s.start) AS start, ifnull(k."end", s."end") AS "end", k.code_id, c.name AS coder, k.created_at,
               substr(d.text, ifnull(k.start, s.start) + 1, ifnull(k."end", s."end") - ifnull(k.start, s.start)) AS coded
        FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id JOIN coders c ON c.id = k.coder_id
        ORDER BY 1, 2, 3, 4, 5`),
      memos: all(`
        SELECT m.target_kind,
               CASE m.target_kind WHEN 'segment' THEN d.slug || ':' || s.start || '-' || s."end" ELSE m.target_id END AS target,
               c.name AS coder, m.text, m.created_at, m.updated_at
        FROM memos m LEFT JOIN coders c ON c.id = m.coder_id
        LEFT JOIN segments s ON m.target_kind = 'segment' AND s.id = CAST(m.target_id AS INTEGER)
        LEFT JOIN documents d ON d.id = s.document_id
        ORDER BY 1, 2, 3, 4, 5`),
    };
  } finally {
    db.close();
  }
}

/** Segments hold exactly their slice of the document (the store's invariant). */
function expectSegmentsConsistent(dir: string): void {
  const rows = query<{ text: string; doc: string; start: number; end: number }>(dir, 'SELECT s.text, d.text AS doc, s.start, s."end" AS "end" FROM segments s JOIN documents d ON d.id = s.document_id');
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) expect(Array.from(row.doc).slice(row.start, row.end).join('')).toBe(row.text);
}

describe('round trip qcode → .qdpx → qcode → .qdpx', () => {
  it('keeps every code, text, coding, position, coder, case value and memo, and exports the same bytes again', async () => {
    const original = await seedProject(RICH_SEED);
    const out = tempDir('qcode-refi-rt-');
    await exportProject(original, join(out, 'a.qdpx'));
    const report = await importRefiProject({ file: join(out, 'a.qdpx'), dir: join(out, 'copy'), now: '2030-01-01T00:00:00.000Z' });
    expect(report.counts).toMatchObject({ documents: 3, codings: 10, coders: 3, cases: 3, memos: 8 });
    expect(report.warnings).toEqual([]);
    await exportProject(join(out, 'copy'), join(out, 'b.qdpx'));
    expect(readFileSync(join(out, 'b.qdpx')).equals(readFileSync(join(out, 'a.qdpx')))).toBe(true);
    expectSchemaValid({ qdpx: join(out, 'b.qdpx') });

    const before = snapshot(original);
    const after = snapshot(join(out, 'copy'));
    // The original's sha256 column was written by the seeding, the import computes it from the text.
    for (const document of [...(before.documents as Array<Record<string, unknown>>), ...(after.documents as Array<Record<string, unknown>>)]) delete document.sha256;
    expect(after).toEqual(before);
    expectSegmentsConsistent(join(out, 'copy'));
    // The local folder of a source never leaves the machine; its file name does.
    expect(query<{ source_path: string }>(join(out, 'copy'), "SELECT source_path FROM documents WHERE slug = 'r01-vilnius-ru'")).toEqual([{ source_path: 'r01.txt' }]);
  });

  it('cuts the text afresh when the segments in a meta line do not fit it, with a warning', async () => {
    const original = await seedProject(RICH_SEED);
    const out = tempDir('qcode-refi-rt-');
    await exportProject(original, join(out, 'a.qdpx'));
    const files: Record<string, Uint8Array> = unzipSync(new Uint8Array(readFileSync(join(out, 'a.qdpx'))));
    const qde = new TextDecoder().decode(files['project.qde']);
    expect(qde).toContain('"segments":[[0,45],[46,135],[137,223]]');
    files['project.qde'] = encode(qde.replace('"segments":[[0,45],[46,135],[137,223]]', '"segments":[[0,45],[40,135],[137,9999]]'));
    writeFileSync(join(out, 'b.qdpx'), zipSync(files));
    const report = await importRefiProject({ file: join(out, 'b.qdpx'), dir: join(out, 'copy') });
    expect(report.warnings).toEqual(['source "Интервью R01, Вильнюс": the segments in its qcode meta line do not fit its text; cut as qcode import cuts it']);
    // qcode's own cut: speaker turns without their labels, except where a coding of the whole line takes
    // the label in; codings keep their characters.
    expect(query(join(out, 'copy'), `SELECT s.speaker, s.text FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'r01-vilnius-ru' ORDER BY s.ordinal`)).toEqual([
      { speaker: 'И', text: 'Расскажите, чем вы занимаетесь в Вильнюсе?' },
      { speaker: 'Р', text: 'Р: Каждую субботу мы стоим с плакатами у посольства, а ещё пишем письма политзаключённым.' },
      { speaker: 'Р', text: 'Ёлки-палки, «Свободная Россия» — это наше общество; мы его зарегистрировали в 2023.' },
    ]);
    expect((snapshot(join(out, 'copy')) as { codings: unknown }).codings).toEqual((snapshot(original) as { codings: unknown }).codings);
    expectSegmentsConsistent(join(out, 'copy'));
  });

  it('cuts an imported text as qcode import does, so a transcript gets its turns and speakers back', async () => {
    const original = await seedProject({
      coders: ['anna'],
      documents: [{
        slug: 'r09-turns', cutLikeImport: true,
        lines: ['И: Где вы живёте сейчас?', 'Р: В Вильнюсе. Работаю в НКО.', 'Продолжение ответа 😀 на второй строке.', 'И: Спасибо.', 'Р: Пожалуйста.'],
      }],
      codings: [
        { document: 'r09-turns', segment: 2, code: 'forms.ngo_work', coder: 'anna' },
        { document: 'r09-turns', segment: 2, code: 'forms.online', coder: 'anna', span: [14, 28] },
      ],
    });
    const turns = query<{ speaker: string; start: number; end: number }>(original, 'SELECT speaker, start, "end" FROM segments ORDER BY ordinal');
    expect(turns.map((turn) => turn.speaker)).toEqual(['И', 'Р', 'И', 'Р']);
    const out = tempDir('qcode-refi-rt-');
    await exportProject(original, join(out, 'a.qdpx'));
    await importRefiProject({ file: join(out, 'a.qdpx'), dir: join(out, 'copy') });
    expect(query(join(out, 'copy'), 'SELECT speaker, start, "end" FROM segments ORDER BY ordinal')).toEqual(turns);
    expect(query(join(out, 'copy'), 'SELECT start, "end" FROM codings ORDER BY code_id')).toEqual([{ start: null, end: null }, { start: 42, end: 56 }]);
  });

  it('keeps overlapping codings of one segment apart, each with its own span', async () => {
    const original = await seedProject(RICH_SEED);
    const out = tempDir('qcode-refi-rt-');
    await exportProject(original, join(out, 'a.qdpx'));
    await importRefiProject({ file: join(out, 'a.qdpx'), dir: join(out, 'copy') });
    const overlaps = query<{ code_id: string; coded: string }>(join(out, 'copy'), `
      SELECT k.code_id, substr(d.text, ifnull(k.start, s.start) + 1, ifnull(k."end", s."end") - ifnull(k.start, s.start)) AS coded
      FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id
      WHERE d.slug = 'r02-berlin-en' AND k.code_id IN ('forms.media', 'forms.online') ORDER BY k.code_id, coded`);
    expect(overlaps).toEqual([
      { code_id: 'forms.media', coded: '' },
      { code_id: 'forms.media', coded: 'run a Telegram channel 𝒳' },
      { code_id: 'forms.online', coded: 'nel 𝒳 for readers in Russia & we "translate" ' },
    ]);
    // Both overlapping spans lie in one segment of the imported project.
    const segments = query<{ n: number }>(join(out, 'copy'), `
      SELECT count(DISTINCT k.segment_id) AS n FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id
      WHERE d.slug = 'r02-berlin-en' AND k.start IS NOT NULL AND k.start < k."end"`);
    expect(segments).toEqual([{ n: 1 }]);
  });

  it('takes a .qdc back into the same codebook (a .qdc has no attributes, so hypothesis rows naming them drop out)', async () => {
    const original = await seedProject({});
    const out = tempDir('qcode-refi-qdc-');
    await exportProject(original, join(out, 'a.qdpx'), join(out, 'a.qdc'));
    expectSchemaValid({ qdpx: join(out, 'a.qdpx'), qdc: join(out, 'a.qdc') });
    const report = await importRefiCodebook({ file: join(out, 'a.qdc'), to: join(out, 'codebook.yaml') });
    const bundled = parseCodebook(readFileSync(join(ROOT, 'codebooks', 'political-remittances.yaml'), 'utf8'), 'bundled');
    const imported = parseCodebook(readFileSync(join(out, 'codebook.yaml'), 'utf8'), 'imported');
    expect(report.warnings).toEqual([]);
    expect(imported.name).toBe('political-remittances');
    expect(imported.languages).toEqual(['en', 'ru']);
    expect(imported.dimensions).toEqual(bundled.dimensions);
    expect(imported.codes).toEqual(bundled.codes);
    expect(imported.hypotheses.map((hypothesis) => hypothesis.id)).toEqual(['H1', 'H2', 'H3', 'H4']);
    expect(imported.hypotheses[0]).toEqual(bundled.hypotheses[0]);
    expect(imported.hypotheses[1]?.rows).toEqual([{ kind: 'dimension', id: 'host_context' }]);
  });
});

describe('round trip of a project from another tool (CR LF source, ATLAS.ti positions)', () => {
  it('exports what it imported so that the schemas accept it, and a second trip changes nothing', async () => {
    const out = tempDir('qcode-refi-crlf-');
    await importRefiProject({ file: qdpxFile(), dir: join(out, 'first'), now: '2030-01-01T00:00:00.000Z' });
    await exportProject(join(out, 'first'), join(out, 'first.qdpx'));
    const second = await importRefiProject({ file: join(out, 'first.qdpx'), dir: join(out, 'second'), now: '2031-01-01T00:00:00.000Z' });
    expect(second.warnings).toEqual([]);
    await exportProject(join(out, 'second'), join(out, 'second.qdpx'));
    expect(readFileSync(join(out, 'second.qdpx')).equals(readFileSync(join(out, 'first.qdpx')))).toBe(true);
    expect(snapshot(join(out, 'second'))).toEqual(snapshot(join(out, 'first')));
    expectSchemaValid({ qdpx: join(out, 'first.qdpx') });
  });
});

describe('importing a .qdc from another tool', () => {
  it('reads the standard\'s own example (Annex A.1): flat codes into a dimension "codes", empty folders left out', async () => {
    const report = await importRefiCodebook({ file: join(FIXTURES, 'spec-annex-a1.qdc') });
    expect(report.codebook.name).toBe('spec-annex-a1');
    expect(report.codebook.dimensions.map((dimension) => dimension.id)).toEqual(['codes']);
    expect(report.codebook.codes.map((code) => [code.id, code.label, code.color, code.definition])).toEqual([
      ['codes.economy', 'Economy', '#ffff00', 'Anything about jobs or taxes or business'],
      ['codes.health_care', 'Health care', '#33cc33', 'Health care issues, doctor, patients, etc.'],
      ['codes.conservatives', 'Conservatives', '#ff0000', 'Republicans or right-wing libertarians'],
      ['codes.liberals', 'Liberals', '#0000ff', 'Democrats, socialists, or progressive independents'],
    ]);
    expect(report.warnings).toEqual(['code folder "Topics" holds no codes; left out', 'code folder "Values" holds no codes; left out']);
    expect(report.written).toBeNull();
    expect(report.yaml.startsWith('# yaml-language-server: $schema=./codebook.schema.json\n')).toBe(true);
  });

  it('nests folders, transliterates Cyrillic, keeps ids unique and turns a set into a hypothesis', async () => {
    const out = tempDir();
    const report = await importRefiCodebook({ file: join(FIXTURES, 'nested-ru.qdc'), to: join(out, 'codebook.yaml') });
    expect(report.codebook.dimensions.map((dimension) => [dimension.id, dimension.label, dimension.color])).toEqual([
      ['formy_uchastiya', 'Формы участия', '#1A5D94'], ['coke', 'Coke', null], ['codes', 'Codes', null],
    ]);
    expect(report.codebook.codes.map((code) => code.id)).toEqual([
      'formy_uchastiya.protest', 'formy_uchastiya.protest.odinochnyj_piket', 'formy_uchastiya.protest_2', 'formy_uchastiya.podgruppa',
      'formy_uchastiya.podgruppa.shhedrost', 'coke.general', 'coke.diet_coke', 'codes.anger',
    ]);
    const protest = report.codebook.codes[0];
    expect([protest?.definition, protest?.include, protest?.exclude, protest?.color]).toEqual(['Митинги и пикеты.', 'уличные акции.', 'онлайн-акции.', '#13386C']);
    expect(report.codebook.hypotheses).toEqual([expect.objectContaining({
      id: 'protest_i_gnev', title: 'Протест и гнев',
      rows: [{ kind: 'code', id: 'formy_uchastiya.protest' }, { kind: 'code', id: 'codes.anger' }],
    })]);
    expect(report.warnings).toEqual([
      expect.stringMatching(/nested-ru\.qdc: namespace "urn:QDA-XML:codebook:0:4" instead of "urn:QDA-XML:codebook:1\.0"; read by element names$/),
      '1 code folders below the top level became ordinary codes (qcode codes any code below a dimension)',
    ]);
    expect(parseCodebook(readFileSync(join(out, 'codebook.yaml'), 'utf8'), 'codebook.yaml').codes).toHaveLength(8);
    await expect(importRefiCodebook({ file: join(FIXTURES, 'nested-ru.qdc'), to: join(out, 'codebook.yaml') })).rejects.toThrow(/already exists/);
  });

  it('reads a codebook saved as UTF-16 or in the encoding its declaration names, with a warning, and says where UTF-8 breaks', async () => {
    const xml = (encoding: string): string => `<?xml version="1.0" encoding="${encoding}"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="Протест" isCodable="true"/></Codes></CodeBook>`;
    const utf16 = join(tempDir(), 'utf16.qdc');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml('UTF-16'), 'utf16le')]));
    const fromUtf16 = await importRefiCodebook({ file: utf16 });
    expect(fromUtf16.codebook.codes.map((code) => [code.id, code.label])).toEqual([['codes.protest', 'Протест']]);
    expect(fromUtf16.warnings[0]).toMatch(/utf16\.qdc is encoded as UTF-16LE, not UTF-8 as the standard requires; read it as such$/);
    const cp1251 = join(tempDir(), 'cp1251.qdc');
    // Node has no windows-1251 encoder: write the bytes by hand (П=0xCF р=0xF0 о=0xEE т=0xF2 е=0xE5 с=0xF1).
    writeFileSync(cp1251, Buffer.from(xml('windows-1251').replace('Протест', '\u00CF\u00F0\u00EE\u00F2\u00E5\u00F1\u00F2'), 'latin1'));
    const fromCp1251 = await importRefiCodebook({ file: cp1251 });
    expect(fromCp1251.codebook.codes.map((code) => code.label)).toEqual(['Протест']);
    const broken = join(tempDir(), 'broken.qdc');
    writeFileSync(broken, Buffer.concat([Buffer.from(xml('UTF-8').slice(0, 60), 'utf8'), Buffer.from([0xcf, 0x20]), Buffer.from('rest')]));
    await expect(importRefiCodebook({ file: broken })).rejects.toThrow(/broken\.qdc:2:\d+: not valid UTF-8; the standard requires UTF-8/);
  });

  it('refuses a codebook without a usable code', async () => {
    const file = join(tempDir(), 'folders.qdc');
    writeFileSync(file, '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="{5215cc69-b628-4e02-afb9-9beeaee55808}" name="Topics" isCodable="false"/></Codes></CodeBook>');
    await expect(importRefiCodebook({ file })).rejects.toThrow(/folders\.qdc: no codes qcode can use/);
  });

  it('refuses a codebook with a DOCTYPE before parsing it', async () => {
    const file = join(tempDir(), 'evil.qdc');
    writeFileSync(file, '<?xml version="1.0"?>\n<!DOCTYPE CodeBook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="&b;" isCodable="true"/></Codes></CodeBook>');
    await expect(importRefiCodebook({ file, to: join(tempDir(), 'out.yaml') })).rejects.toThrow(/evil\.qdc:2:1: the XML has a DOCTYPE declaration/);
  });
});

// ---------------------------------------------------------------- a project from another tool

const MABEL_CRLF = 'I\'m a single mum with an 8 month old.\r\nBreakfast is mayhem 😀: каша, Coke.\r\nThe baby has porridge, q\u0307uite.';
// Positions as ATLAS.ti counts them: CR LF is one character.
const ATLAS_TEXT = MABEL_CRLF.replace(/\r\n/g, '\n');
const at = (needle: string): [number, number] => {
  const chars = Array.from(ATLAS_TEXT);
  const start = Array.from(ATLAS_TEXT.slice(0, ATLAS_TEXT.indexOf(needle))).length;
  expect(chars.slice(start, start + Array.from(needle).length).join('')).toBe(needle);
  return [start, start + Array.from(needle).length];
};

interface ProjectParts {
  namespace?: string;
  origin?: string;
  doctype?: string;
  selections?: string;
  codes?: string;
  sourceFile?: string | null;
  extraEntries?: Zippable;
}

/** A project written by hand after the standard's Annex A.2 (an ATLAS.ti export), with one text source. */
function atlasQde(parts: ProjectParts = {}): string {
  const [mayhemStart, mayhemEnd] = at('Breakfast is mayhem 😀');
  const [kashaStart, kashaEnd] = at('😀: каша, Coke');
  const [babyStart, babyEnd] = at('porridge, q\u0307uite.');
  return `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
${parts.doctype ?? ''}<Project xmlns="${parts.namespace ?? 'urn:QDA-XML:project:1.0'}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" origin="${parts.origin ?? 'ATLAS.ti 8.4.0 573 , macOS Version 10.14.3 (Build 18D109)'}" creatingUserGUID="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" modifiedDateTime="2018-03-27T17:46:39Z" creationDateTime="2018-03-27T17:46:39Z" modifyingUserGUID="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" name="ATLAS.ti standard project" xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd">
 <Users>
  <User guid="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B" name="ATLAS.ti"/>
  <User guid="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" name="Friedrich Markgraf"/>
  <User guid="A5DE7584-8296-418B-A322-136F77ADF87B" name="Себастьян Петраух"/>
 </Users>
 <CodeBook>
  <Codes>
${parts.codes ?? `   <Code color="#F00082" isCodable="true" name="happiness" guid="85D17F60-7BB0-481E-B742-B4861DD669DF"/>
   <Code color="#966450" isCodable="true" name="Coke" guid="7496BA52-9C8D-4396-8FAB-CC438614E453">
    <Description>the breakfast of champions</Description>
    <Code color="#966450" isCodable="true" name="diet Coke" guid="D299EFAE-5779-46DC-9827-A3D1A5D544BC"><Description>non sucré</Description></Code>
   </Code>
   <Code color="#F00082" isCodable="true" name="&quot;rushed&quot;" guid="{9f43fe32-c2cb-4ba8-b766-a0734c826e49}"/>`}
  </Codes>
 </CodeBook>
 <Sources>
  <TextSource plainTextPath="internal://01106019-2518-43DD-BBD1-8F0252BACB30.txt" modifyingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" modifiedDateTime="2018-03-27T18:01:07Z" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T18:01:07Z" richTextPath="internal://B5566006-EB5F-43F0-9BC2-DBCD4D2F73F7.docx" guid="EC0A7242-65E1-457C-B7D1-310DAE603FAB" name="Mabel.txt">
${parts.selections ?? `   <PlainTextSelection startPosition="${mayhemStart}" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T19:04:19Z" endPosition="${mayhemEnd}" guid="2F24EA88-C6A7-482B-8F89-893EF66D7A21" name="Breakfast is mayhem">
    <Coding creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T19:04:42Z" guid="2284BF5B-8F78-45B6-A6EF-A128D991408B">
     <CodeRef targetGUID="85D17F60-7BB0-481E-B742-B4861DD669DF"/>
    </Coding>
    <Coding creatingUser="A5DE7584-8296-418B-A322-136F77ADF87B" creationDateTime="2018-03-27T19:05:00Z" guid="89B9918E-4209-4FE0-BEA0-0C7FF56D67A4">
     <CodeRef targetGUID="9F43FE32-C2CB-4BA8-B766-A0734C826E49"/>
    </Coding>
   </PlainTextSelection>
   <PlainTextSelection startPosition="${kashaStart}" endPosition="${kashaEnd}" guid="4191294A-E287-4510-95B0-69BCE4638E56" name="каша" creatingUser="A5DE7584-8296-418B-A322-136F77ADF87B" creationDateTime="2018-03-27T19:29:27Z">
    <Description>Mabel is not the only person I know who has Coke for breakfast!</Description>
    <Coding creatingUser="A5DE7584-8296-418B-A322-136F77ADF87B" creationDateTime="2018-03-27T19:29:27Z" guid="445A6AEC-1400-4502-919D-0867832FF211">
     <CodeRef targetGUID="D299EFAE-5779-46DC-9827-A3D1A5D544BC"/>
    </Coding>
    <Coding creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T19:30:00Z" guid="445A6AEC-1400-4502-919D-0867832FF212">
     <CodeRef targetGUID="7496BA52-9C8D-4396-8FAB-CC438614E453"/>
    </Coding>
   </PlainTextSelection>
   <PlainTextSelection startPosition="${babyStart}" endPosition="${babyEnd}" guid="238965CB-E557-405D-B4F0-6F824B2F4570" name="porridge">
    <Coding creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T19:31:00Z" guid="B1CE75CA-1953-43E9-9CE4-26A9AAB4DC02">
     <CodeRef targetGUID="85D17F60-7BB0-481E-B742-B4861DD669DF"/>
    </Coding>
   </PlainTextSelection>`}
  </TextSource>
  <PictureSource path="internal://87EAD86F-3112-4537-8A01-01427CAE1C6D.jpg" guid="02255470-09E6-400B-9E20-97D71FBEC65D" name="cornflakes-n-milk.jpg"/>
 </Sources>
 <Notes>
  <Note creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T19:38:46Z" name="Research Plan" modifiedDateTime="2018-03-27T19:41:09Z" guid="CE15250D-46AD-42C2-B90F-A509B8D64EC8">
   <Description>day to day log about this amazing project</Description>
   <PlainTextContent>This is a great project by a dynamic team of researcher-developers.
</PlainTextContent>
  </Note>
  <Note creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T19:41:28Z" name="My favorite Coke ad" modifiedDateTime="2018-03-27T19:43:23Z" guid="E41BE463-FDF3-4ED0-B668-119C53D8D687">
   <PlainTextContent>This version is much better than the new Director’s cut</PlainTextContent>
  </Note>
 </Notes>
 <Links>
  <Link direction="OneWay" color="#000000" originGUID="E41BE463-FDF3-4ED0-B668-119C53D8D687" name="Memo-Quotation Relation" targetGUID="238965CB-E557-405D-B4F0-6F824B2F4570" guid="7B56978E-9D9F-4D47-B4EC-436E2F6B8BE5"/>
 </Links>
 <Sets>
  <Set guid="C29B5DB8-2ED6-406B-BFD2-68E8E273C1E9" name="Mabel">
   <MemberSource targetGUID="EC0A7242-65E1-457C-B7D1-310DAE603FAB"/>
  </Set>
  <Set guid="02B010C9-3990-4065-B09C-2D228030B01C" name="Food codes">
   <MemberCode targetGUID="85D17F60-7BB0-481E-B742-B4861DD669DF"/>
   <MemberCode targetGUID="7496BA52-9C8D-4396-8FAB-CC438614E453"/>
  </Set>
 </Sets>
</Project>
`;
}

function qdpxFile(parts: ProjectParts = {}, qde = atlasQde(parts)): string {
  const files: Zippable = { 'project.qde': encode(qde) };
  if (parts.sourceFile !== null) files[`sources/01106019-2518-43DD-BBD1-8F0252BACB30.txt`] = encode(parts.sourceFile ?? MABEL_CRLF);
  Object.assign(files, parts.extraEntries ?? {});
  const path = join(tempDir('qcode-refi-in-'), 'atlas.qdpx');
  writeFileSync(path, zipSync(files));
  return path;
}

describe('importing a .qdpx from another tool', () => {
  it('reads a project written after the standard\'s Annex A.2 (ATLAS.ti): CR LF as one position, notes, links, sets', async () => {
    const dir = join(tempDir(), 'atlas-study');
    const report = await importRefiProject({ file: qdpxFile(), dir, now: '2030-01-01T00:00:00.000Z' });
    expect(report.counts).toMatchObject({ documents: 1, codings: 5, coders: 3, memos: 3 });
    expect(report.warnings).toEqual([
      '1 PictureSource source(s) left out: qcode holds text only',
      'set "Mabel" names no codes qcode holds (qcode has no sets of documents); left out',
      '1 source(s) normalised to NFC with LF line ends; positions were moved with the text (CR LF counted as one position, as ATLAS.ti does)',
    ]);
    expect(readFileSync(join(dir, 'codebook.yaml'), 'utf8')).toContain('# Imported from atlas.qdpx by qcode refi import.');
    const codebook = parseCodebook(readFileSync(join(dir, 'codebook.yaml'), 'utf8'), 'codebook.yaml');
    expect(codebook.codes.map((code) => code.id)).toEqual(['coke.general', 'coke.diet_coke', 'codes.happiness', 'codes.rushed']);
    // A set member that became a dimension (Coke, with its sub-codes) stands for the whole dimension.
    expect(codebook.hypotheses).toEqual([expect.objectContaining({ id: 'food_codes', title: 'Food codes', rows: [{ kind: 'code', id: 'codes.happiness' }, { kind: 'dimension', id: 'coke' }] })]);

    const documents = query<{ slug: string; title: string; text: string; source_path: string; imported_at: string }>(dir, 'SELECT slug, title, text, source_path, imported_at FROM documents');
    expect(documents).toEqual([{ slug: 'mabel', title: 'Mabel.txt', text: ATLAS_TEXT, source_path: 'Mabel.txt', imported_at: '2018-03-27T18:01:07.000Z' }]);
    const codings = query<{ code_id: string; coder: string; created_at: string; coded: string }>(dir, `
      SELECT k.code_id, c.name AS coder, k.created_at,
             substr(d.text, ifnull(k.start, s.start) + 1, ifnull(k."end", s."end") - ifnull(k.start, s.start)) AS coded
      FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id JOIN coders c ON c.id = k.coder_id
      ORDER BY k.created_at`);
    expect(codings).toEqual([
      { code_id: 'codes.happiness', coder: 'Friedrich Markgraf', created_at: '2018-03-27T19:04:42.000Z', coded: 'Breakfast is mayhem 😀' },
      { code_id: 'codes.rushed', coder: 'Себастьян Петраух', created_at: '2018-03-27T19:05:00.000Z', coded: 'Breakfast is mayhem 😀' },
      { code_id: 'coke.diet_coke', coder: 'Себастьян Петраух', created_at: '2018-03-27T19:29:27.000Z', coded: '😀: каша, Coke' },
      { code_id: 'coke.general', coder: 'Friedrich Markgraf', created_at: '2018-03-27T19:30:00.000Z', coded: '😀: каша, Coke' },
      { code_id: 'codes.happiness', coder: 'Friedrich Markgraf', created_at: '2018-03-27T19:31:00.000Z', coded: 'porridge, q\u0307uite.' },
    ]);
    expectSegmentsConsistent(dir);
    const segments = query<{ ordinal: number; text: string }>(dir, 'SELECT ordinal, text FROM segments ORDER BY ordinal');
    // The text has no blank lines and no speaker labels: qcode cuts it into lines, and every selection fits in one.
    expect(segments).toEqual([
      { ordinal: 1, text: 'I\'m a single mum with an 8 month old.' },
      { ordinal: 2, text: 'Breakfast is mayhem 😀: каша, Coke.' },
      { ordinal: 3, text: 'The baby has porridge, q\u0307uite.' },
    ]);
    const memos = query<{ target_kind: string; segment: string | null; coder: string | null; text: string }>(dir, `
      SELECT m.target_kind, s.text AS segment, c.name AS coder, m.text FROM memos m
      LEFT JOIN segments s ON m.target_kind = 'segment' AND s.id = CAST(m.target_id AS INTEGER) LEFT JOIN coders c ON c.id = m.coder_id ORDER BY m.id`);
    expect(memos).toEqual([
      { target_kind: 'segment', segment: 'Breakfast is mayhem 😀: каша, Coke.', coder: 'Себастьян Петраух', text: 'Mabel is not the only person I know who has Coke for breakfast!' },
      { target_kind: 'project', segment: null, coder: 'Friedrich Markgraf', text: 'day to day log about this amazing project\n\nThis is a great project by a dynamic team of researcher-developers.\n' },
      { target_kind: 'segment', segment: 'The baby has porridge, q\u0307uite.', coder: 'Friedrich Markgraf', text: 'This version is much better than the new Director’s cut' },
    ]);
    expect(query<{ value: string }>(dir, "SELECT value FROM meta WHERE key = 'project.name'")).toEqual([{ value: 'ATLAS.ti standard project' }]);
  });

  it('counts CR LF as two positions for other tools, and tolerates a namespace variant', async () => {
    // Transana writes :0:10 (Annex A.3); positions then count every code point of the file.
    const chars = Array.from(MABEL_CRLF);
    const start = Array.from(MABEL_CRLF.slice(0, MABEL_CRLF.indexOf('The baby'))).length;
    const selections = `   <PlainTextSelection startPosition="${start}" endPosition="${chars.length}" guid="a1b2c3d4-0000-4000-8000-000000000001">
    <Coding guid="a1b2c3d4-0000-4000-8000-000000000002" creatingUser="ad68fbe7-e1ee-4a82-a279-23cc698c89eb"><CodeRef targetGUID="85d17f60-7bb0-481e-b742-b4861dd669df"/></Coding>
   </PlainTextSelection>`;
    const dir = join(tempDir(), 'transana');
    const report = await importRefiProject({ file: qdpxFile({ namespace: 'urn:QDA-XML:project:0:10', origin: 'Transana 3.22b2-QDE-Win', selections }), dir });
    expect(report.warnings[0]).toMatch(/namespace "urn:QDA-XML:project:0:10" instead of "urn:QDA-XML:project:1\.0"/);
    const coded = query<{ coded: string }>(dir, `SELECT substr(d.text, ifnull(k.start, s.start) + 1, ifnull(k."end", s."end") - ifnull(k.start, s.start)) AS coded
      FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id`);
    expect(coded).toEqual([{ coded: 'The baby has porridge, q\u0307uite.' }]);
  });

  it('removes a byte-order mark and counts positions from the character after it, with a warning', async () => {
    const dir = join(tempDir(), 'bom');
    const report = await importRefiProject({ file: qdpxFile({ sourceFile: `\uFEFF${ATLAS_TEXT}` }), dir });
    expect(report.warnings).toContain('sources/01106019-2518-43DD-BBD1-8F0252BACB30.txt starts with a byte-order mark; removed (positions count from the first character after it)');
    expect(query(dir, 'SELECT text FROM documents')).toEqual([{ text: ATLAS_TEXT }]);
    expect(query<{ coded: string }>(dir, `SELECT substr(d.text, k.start + 1, k."end" - k.start) AS coded FROM codings k JOIN segments s ON s.id = k.segment_id
      JOIN documents d ON d.id = s.document_id ORDER BY k.created_at LIMIT 1`)).toEqual([{ coded: 'Breakfast is mayhem 😀' }]);
  });

  it('refuses a text source kept outside the archive', async () => {
    const qde = atlasQde().replace('plainTextPath="internal://01106019-2518-43DD-BBD1-8F0252BACB30.txt"', 'plainTextPath="absolute:///C:/PROJECT/Sources/Mabel.txt"');
    const dir = join(tempDir(), 'outside');
    await expect(importRefiProject({ file: qdpxFile({}, qde), dir })).rejects.toThrow(/source "Mabel\.txt" is stored outside the archive \(absolute:\/\/\/C:\/PROJECT\/Sources\/Mabel\.txt\)/);
    expect(existsSync(dir)).toBe(false);
  });

  it('reads cases, variables and inline texts, and moves document variables onto a case', async () => {
    const qde = `<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Survey" origin="MAXQDA 2022">
  <CodeBook><Codes><Code guid="c0000000-0000-4000-8000-000000000001" name="Hope" isCodable="true"/></Codes></CodeBook>
  <Variables>
    <Variable guid="v0000000-0000-4000-8000-000000000001" name="Страна" typeOfVariable="Text"/>
    <Variable guid="v0000000-0000-4000-8000-000000000002" name="Age" typeOfVariable="Integer"/>
    <Variable guid="v0000000-0000-4000-8000-000000000003" name="Activist" typeOfVariable="Boolean"/>
    <Variable guid="v0000000-0000-4000-8000-000000000004" name="Interviewed" typeOfVariable="Date"/>
  </Variables>
  <Cases>
    <Case guid="k0000000-0000-4000-8000-000000000001" name="Anna K.">
      <Description>Met at the Riga meeting.</Description>
      <VariableValue><VariableRef targetGUID="v0000000-0000-4000-8000-000000000001"/><TextValue>Латвия</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="v0000000-0000-4000-8000-000000000002"/><IntegerValue>34</IntegerValue></VariableValue>
      <VariableValue><VariableRef targetGUID="v0000000-0000-4000-8000-000000000003"/><BooleanValue>1</BooleanValue></VariableValue>
      <SourceRef targetGUID="s0000000-0000-4000-8000-000000000001"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="s0000000-0000-4000-8000-000000000001" name="Answer 1">
      <PlainTextContent>Надеюсь вернуться.</PlainTextContent>
      <PlainTextSelection guid="p0000000-0000-4000-8000-000000000001" startPosition="0" endPosition="18">
        <Coding guid="g0000000-0000-4000-8000-000000000001"><CodeRef targetGUID="c0000000-0000-4000-8000-000000000001"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="s0000000-0000-4000-8000-000000000002" name="Answer 2">
      <PlainTextContent>No hope.</PlainTextContent>
      <VariableValue><VariableRef targetGUID="v0000000-0000-4000-8000-000000000004"/><DateValue>2024-02-03</DateValue></VariableValue>
    </TextSource>
  </Sources>
</Project>`;
    const path = join(tempDir(), 'survey.qdpx');
    writeFileSync(path, zipSync({ 'project.qde': encode(qde) }));
    const dir = join(tempDir(), 'survey');
    const report = await importRefiProject({ file: path, dir, now: '2030-01-01T00:00:00.000Z' });
    expect(report.warnings).toContain('source "Answer 2" has variable values but no case; they went to a new case answer-2');
    const codebook = parseCodebook(readFileSync(join(dir, 'codebook.yaml'), 'utf8'), 'codebook.yaml');
    expect(codebook.attributes.map((attribute) => [attribute.name, attribute.type, attribute.label, attribute.values])).toEqual([
      ['strana', 'text', 'Страна', null], ['age', 'number', 'Age', null], ['activist', 'category', 'Activist', ['false', 'true']], ['interviewed', 'date', 'Interviewed', null],
    ]);
    expect(query(dir, 'SELECT case_id, attribute, value FROM case_values ORDER BY case_id, attribute')).toEqual([
      { case_id: 'anna-k', attribute: 'activist', value: 'true' },
      { case_id: 'anna-k', attribute: 'age', value: '34' },
      { case_id: 'anna-k', attribute: 'strana', value: 'Латвия' },
      { case_id: 'answer-2', attribute: 'interviewed', value: '2024-02-03' },
    ]);
    expect(query(dir, 'SELECT slug, case_id, text FROM documents ORDER BY slug')).toEqual([
      { slug: 'answer-1', case_id: 'anna-k', text: 'Надеюсь вернуться.' },
      { slug: 'answer-2', case_id: 'answer-2', text: 'No hope.' },
    ]);
    expect(query(dir, "SELECT c.name AS coder, k.created_at FROM codings k JOIN coders c ON c.id = k.coder_id")).toEqual([{ coder: 'imported', created_at: '2030-01-01T00:00:00.000Z' }]);
    expect(query(dir, 'SELECT target_kind, target_id, text FROM memos')).toEqual([{ target_kind: 'case', target_id: 'anna-k', text: 'Met at the Riga meeting.' }]);
  });
});

describe('importing the shapes real tools write', () => {
  it('reads a QualCoder-style export: BOMs, PDF text representations, empty values and users, annotation notes', async () => {
    // Written after QualCoder's exporter (src/qualcoder/refi.py): sources and notes as UTF-8 with a BOM,
    // `<Description />` everywhere, codings without times, creatingUser="" for unknown owners, a
    // VariableValue without a value for a missing number, a PDF as PDFSource + Representation.
    const text = 'Interviewer: How did you leave?\nRespondent: In March 2022, via Tbilisi. Café owners helped us.\n';
    const pdf = 'Page one of the report.\nSecond line about remittances.\n';
    const slice = (value: string, start: number, end: number): string => Array.from(value).slice(start, end).join('');
    expect([slice(text, 44, 70), slice(text, 72, 94), slice(pdf, 24, 54)]).toEqual(['In March 2022, via Tbilisi', 'Café owners helped us.', 'Second line about remittances.']);
    const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="emigres.qda" origin="QualCoder 3.6" creatingUserGUID="11111111-2222-4333-8444-555555555555" creationDateTime="2024-05-01T10:00:00Z" xmlns="urn:QDA-XML:project:1.0">
<Users>
<User guid="aaaaaaaa-0000-4000-8000-000000000001" name="default" />
<User guid="aaaaaaaa-0000-4000-8000-000000000002" name="maria" />
</Users>
<CodeBook><Codes>
<Code guid="cccccccc-0000-4000-8000-000000000001" name="Leaving" isCodable="false"><Description />
<Code guid="cccccccc-0000-4000-8000-000000000002" name="Route" isCodable="true" color="#F781F3"><Description>How they left</Description></Code>
</Code>
<Code guid="cccccccc-0000-4000-8000-000000000003" name="Help" isCodable="true" color="#81BEF7"><Description /></Code>
</Codes></CodeBook>
<Variables>
<Variable guid="eeeeeeee-0000-4000-8000-000000000001" name="Age" typeOfVariable="Float" ><Description /></Variable>
<Variable guid="eeeeeeee-0000-4000-8000-000000000002" name="Country" typeOfVariable="Text" ><Description /></Variable>
</Variables>
<Cases>
<Case guid="bbbbbbbb-0000-4000-8000-000000000001" name="P1"><Description />
<VariableValue><VariableRef targetGUID="eeeeeeee-0000-4000-8000-000000000001" /><FloatValue>34.5</FloatValue></VariableValue>
<VariableValue><VariableRef targetGUID="eeeeeeee-0000-4000-8000-000000000002" /><TextValue>Georgia</TextValue></VariableValue>
<SourceRef targetGUID="ffffffff-0000-4000-8000-000000000001"/>
</Case>
<Case guid="bbbbbbbb-0000-4000-8000-000000000002" name="P2"><Description />
<VariableValue><VariableRef targetGUID="eeeeeeee-0000-4000-8000-000000000001" />
</VariableValue>
<VariableValue><VariableRef targetGUID="eeeeeeee-0000-4000-8000-000000000002" /><TextValue></TextValue></VariableValue>
</Case>
</Cases>
<Sources>
<TextSource richTextPath="internal://dddddddd-0000-4000-8000-000000000001.docx" plainTextPath="internal://dddddddd-0000-4000-8000-000000000002.txt" creatingUser="aaaaaaaa-0000-4000-8000-000000000002" creationDateTime="2024-05-01T10:05:00Z" guid="ffffffff-0000-4000-8000-000000000001" name="interview1.docx">
<Description>Recorded online</Description>
<PlainTextSelection guid="99999999-0000-4000-8000-000000000001" startPosition="44" endPosition="70" name="In March 2022, via Tbilisi" creatingUser="aaaaaaaa-0000-4000-8000-000000000002" creationDateTime="2024-05-01T11:00:00Z">
<Description>key route</Description>
<Coding guid="88888888-0000-4000-8000-000000000001" creatingUser="aaaaaaaa-0000-4000-8000-000000000002" ><CodeRef targetGUID="cccccccc-0000-4000-8000-000000000002" /></Coding>
</PlainTextSelection>
<PlainTextSelection guid="99999999-0000-4000-8000-000000000002" startPosition="72" endPosition="94" name="Café owners helped us." creatingUser="" creationDateTime="2024-05-01T11:01:00Z">
<Coding guid="88888888-0000-4000-8000-000000000002" creatingUser="" ><CodeRef targetGUID="cccccccc-0000-4000-8000-000000000003" /></Coding>
</PlainTextSelection>
<NoteRef targetGUID="77777777-0000-4000-8000-000000000002" />
</TextSource>
<PDFSource path="internal://dddddddd-0000-4000-8000-000000000003.pdf" creatingUser="aaaaaaaa-0000-4000-8000-000000000001" creationDateTime="2024-05-01T10:06:00Z" guid="ffffffff-0000-4000-8000-000000000002" name="report.pdf">
<Description>Annual report</Description>
<PDFSelection guid="99999999-0000-4000-8000-000000000004" page="0" firstX="1" firstY="1" secondX="9" secondY="9"><Coding guid="88888888-0000-4000-8000-000000000004"><CodeRef targetGUID="cccccccc-0000-4000-8000-000000000003" /></Coding></PDFSelection>
<Representation guid="66666666-0000-4000-8000-000000000001" plainTextPath="internal://dddddddd-0000-4000-8000-000000000004.txt" creatingUser="aaaaaaaa-0000-4000-8000-000000000001" name="report.pdf">
<PlainTextSelection guid="99999999-0000-4000-8000-000000000003" startPosition="24" endPosition="54" name="Second line about remittances." creatingUser="aaaaaaaa-0000-4000-8000-000000000001" creationDateTime="2024-05-01T11:02:00Z">
<Coding guid="88888888-0000-4000-8000-000000000003" creatingUser="aaaaaaaa-0000-4000-8000-000000000001" ><CodeRef targetGUID="cccccccc-0000-4000-8000-000000000003" /></Coding>
</PlainTextSelection>
</Representation></PDFSource>
</Sources>
<Notes>
<Note guid="77777777-0000-4000-8000-000000000001" creatingUser="aaaaaaaa-0000-4000-8000-000000000002" creationDateTime="2024-05-02T09:00:00Z" name="Journal: first impressions"  plainTextPath="internal://77777777-0000-4000-8000-000000000001.txt" >
<Description /></Note>
<Note guid="77777777-0000-4000-8000-000000000002" creatingUser="aaaaaaaa-0000-4000-8000-000000000002" creationDateTime="2024-05-02T09:30:00Z" >
<PlainTextContent>Annotation: check the date</PlainTextContent>
<PlainTextSelection guid="99999999-0000-4000-8000-000000000009" startPosition="47" endPosition="57" />
</Note>
</Notes>
<Description>Pilot of the emigre study</Description>
</Project>`;
    const bom = (value: string): Uint8Array => encode(`\uFEFF${value}`);
    const path = join(tempDir(), 'qualcoder.qdpx');
    writeFileSync(path, zipSync({
      'project.qde': encode(qde),
      'sources/dddddddd-0000-4000-8000-000000000001.docx': encode('PK not read'),
      'sources/dddddddd-0000-4000-8000-000000000002.txt': bom(text),
      'sources/dddddddd-0000-4000-8000-000000000003.pdf': encode('%PDF-1.4 not read'),
      'sources/dddddddd-0000-4000-8000-000000000004.txt': bom(pdf),
      'sources/77777777-0000-4000-8000-000000000001.txt': bom('Journal entry text.'),
    }));
    const dir = join(tempDir(), 'qualcoder');
    const report = await importRefiProject({ file: path, dir, now: '2030-01-01T00:00:00.000Z' });
    expect(report.warnings).toContain('1 PDFSelection(s) (areas of a PDF page) left out: qcode codes characters of the PDF\'s text');
    expect(report.warnings.filter((warning) => warning.includes('byte-order mark'))).toHaveLength(3);
    expect(report.warnings.some((warning) => warning.includes('not of type number'))).toBe(false);
    const codebook = parseCodebook(readFileSync(join(dir, 'codebook.yaml'), 'utf8'), 'codebook.yaml');
    expect(codebook.attributes.map((attribute) => [attribute.name, attribute.type])).toEqual([['age', 'number'], ['country', 'text']]);
    expect(query(dir, 'SELECT case_id, attribute, value FROM case_values ORDER BY case_id, attribute')).toEqual([
      { case_id: 'P1', attribute: 'age', value: '34.5' }, { case_id: 'P1', attribute: 'country', value: 'Georgia' },
    ]);
    expect(query(dir, 'SELECT slug, case_id, title, format, text FROM documents ORDER BY slug')).toEqual([
      { slug: 'interview1', case_id: 'P1', title: 'interview1.docx', format: 'txt', text },
      { slug: 'report', case_id: null, title: 'report.pdf', format: 'pdf', text: pdf },
    ]);
    expect(query(dir, `SELECT d.slug, k.code_id, c.name AS coder, k.created_at,
        substr(d.text, ifnull(k.start, s.start) + 1, ifnull(k."end", s."end") - ifnull(k.start, s.start)) AS coded
      FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id JOIN coders c ON c.id = k.coder_id ORDER BY k.created_at`)).toEqual([
      { slug: 'interview1', code_id: 'leaving.route', coder: 'maria', created_at: '2024-05-01T11:00:00.000Z', coded: 'In March 2022, via Tbilisi' },
      { slug: 'interview1', code_id: 'codes.help', coder: 'imported', created_at: '2024-05-01T11:01:00.000Z', coded: 'Café owners helped us.' },
      { slug: 'report', code_id: 'codes.help', coder: 'default', created_at: '2024-05-01T11:02:00.000Z', coded: 'Second line about remittances.' },
    ]);
    // The annotation is a note holding a selection, referred to by its source: a memo on that passage's segment.
    expect(query(dir, `SELECT m.target_kind, CASE m.target_kind WHEN 'segment' THEN s.text ELSE m.target_id END AS target, m.text
      FROM memos m LEFT JOIN segments s ON m.target_kind = 'segment' AND s.id = CAST(m.target_id AS INTEGER) ORDER BY m.id`)).toEqual([
      { target_kind: 'segment', target: 'In March 2022, via Tbilisi. Café owners helped us.', text: 'key route' },
      { target_kind: 'document', target: 'interview1', text: 'Recorded online' },
      { target_kind: 'document', target: 'report', text: 'Annual report' },
      { target_kind: 'project', target: null, text: 'Journal entry text.' },
      { target_kind: 'segment', target: 'In March 2022, via Tbilisi. Café owners helped us.', text: 'Annotation: check the date' },
      { target_kind: 'project', target: null, text: 'Pilot of the emigre study' },
    ]);
    expectSegmentsConsistent(dir);
    // What came from QualCoder goes out again as valid REFI-QDA, the PDF's text as a text source.
    const again = join(tempDir(), 'again.qdpx');
    await exportProject(dir, again);
    expectSchemaValid({ qdpx: again });
    expect(new TextDecoder().decode(unzipSync(new Uint8Array(readFileSync(again)))['project.qde'])).toContain('name="report.pdf"');
  });

  it('finds the project in a .qdpx zipped again with its folder (macOS Compress) or with Windows backslashes', async () => {
    const wrapped = join(tempDir(), 'wrapped.qdpx');
    writeFileSync(wrapped, zipSync({
      'atlas/project.qde': encode(atlasQde()),
      'atlas/sources/01106019-2518-43DD-BBD1-8F0252BACB30.txt': encode(MABEL_CRLF),
      '__MACOSX/atlas/._project.qde': encode('resource fork'),
    }));
    const report = await importRefiProject({ file: wrapped, dir: join(tempDir(), 'wrapped') });
    expect(report.counts).toMatchObject({ documents: 1, codings: 5 });
    expect(report.warnings[0]).toMatch(/wrapped\.qdpx: the project is in the folder atlas\/ of the archive, not at its root; read it anyway$/);
    const backslashes = join(tempDir(), 'windows.qdpx');
    writeFileSync(backslashes, zipSync({ 'Project.qde': encode(atlasQde()), 'Sources\\01106019-2518-43DD-BBD1-8F0252BACB30.TXT': encode(MABEL_CRLF) }));
    expect((await importRefiProject({ file: backslashes, dir: join(tempDir(), 'windows') })).counts).toMatchObject({ documents: 1, codings: 5 });
    const two = join(tempDir(), 'two.qdpx');
    writeFileSync(two, zipSync({ 'a/project.qde': encode(atlasQde()), 'b/project.qde': encode(atlasQde()) }));
    await expect(importRefiProject({ file: two, dir: join(tempDir(), 'two') })).rejects.toThrow(/two\.qdpx: no project\.qde in the archive \(and 2 other \.qde files\); is this a REFI-QDA project\?/);
  });

  it('uses the inline text when a source also names a file the archive does not hold (requal\'s test project)', async () => {
    // After RE-QDA/requal tests/testthat/test-qdpx-import.R: inline PlainTextContent plus plainTextPath="doc1.txt",
    // non-conformant GUIDs, an empty <Sets/> inside the CodeBook, a selection carrying only a NoteRef.
    const content = 'This is the content of the first document. It contains some text that will be coded.';
    const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project name="Test Project" origin="RE-QDA" xmlns="urn:QDA-XML:project:1.0">
  <Users><User guid="a1b2c3d4-e5f6-7890-abcd-ef1234567890" id="admin" name="Admin User"/></Users>
  <CodeBook><Codes>
    <Code guid="code-001-aaaa-bbbb-cccc-ddddeeeeffff" name="Theme A" color="#FFFF00" isCodable="true"><Description>First theme</Description></Code>
    <Code guid="code-002-aaaa-bbbb-cccc-ddddeeeeffff" name="Theme B" color="#00FF00" isCodable="true"><Description>Second theme</Description></Code>
  </Codes><Sets/></CodeBook>
  <Sources>
    <TextSource guid="source-001-aaaa-bbbb-cccc-ddddeeeeffff" name="Document 1" plainTextPath="doc1.txt">
      <PlainTextContent>${content}</PlainTextContent>
      <PlainTextSelection guid="sel-001-aaaa-bbbb-cccc-ddddeeeeffff" startPosition="0" endPosition="31">
        <Coding guid="coding-001-aaaa-bbbb-cccc-ddddeeeeffff" creatingUser="a1b2c3d4-e5f6-7890-abcd-ef1234567890"><CodeRef targetGUID="code-001-aaaa-bbbb-cccc-ddddeeeeffff"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="sel-003-aaaa-bbbb-cccc-ddddeeeeffff" startPosition="65" endPosition="83">
        <NoteRef targetGUID="note-001-aaaa-bbbb-cccc-ddddeeeeffff"/>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes><Note guid="note-001-aaaa-bbbb-cccc-ddddeeeeffff" creatingUser="a1b2c3d4-e5f6-7890-abcd-ef1234567890"><PlainTextContent>This is a test note.</PlainTextContent></Note></Notes>
  <Links/>
</Project>`;
    const path = join(tempDir(), 'requal.qdpx');
    writeFileSync(path, zipSync({ 'project.qde': encode(qde), 'doc1.txt': encode(content) }));
    const dir = join(tempDir(), 'requal');
    const report = await importRefiProject({ file: path, dir });
    expect(report.warnings).toContain('source "Document 1": its plainTextPath doc1.txt is not in the archive; its inline PlainTextContent is used');
    expect(query(dir, 'SELECT text FROM documents')).toEqual([{ text: content }]);
    expect(query(dir, `SELECT k.code_id, substr(d.text, k.start + 1, k."end" - k.start) AS coded FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id`))
      .toEqual([{ code_id: 'codes.theme_a', coded: 'This is the content of the firs' }]);
    expect(query(dir, "SELECT m.target_kind, m.text FROM memos m")).toEqual([{ target_kind: 'segment', text: 'This is a test note.' }]);
  });
});

describe('refusing bad .qdpx files, with nothing written', () => {
  const [mayhemStart] = at('Breakfast is mayhem 😀');

  async function expectRefused(file: string, message: RegExp, options: { dir?: string; limits?: typeof DEFAULT_ZIP_LIMITS } = {}): Promise<void> {
    const dir = options.dir ?? join(tempDir(), 'new-project');
    const before = existsSync(dir) ? readdirSync(dir) : null;
    let error: unknown;
    try {
      await importRefiProject({ file, dir, limits: options.limits });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    if (before === null) expect(existsSync(dir)).toBe(false);
    else expect(readdirSync(dir)).toEqual(before);
  }

  it.each([
    ['an entry climbing out with ../', { extraEntries: { '../evil.txt': encode('x') } }, /unsafe entry "\.\.\/evil\.txt": its name climbs out of the archive/],
    ['an absolute entry', { extraEntries: { '/tmp/evil.txt': encode('x') } }, /unsafe entry "\/tmp\/evil\.txt": its name is an absolute path/],
    ['a symbolic link', { extraEntries: { 'sources/link.txt': [encode('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] } }, /unsafe entry "sources\/link\.txt": it is a symbolic link/],
    ['a DOCTYPE', { doctype: '<!DOCTYPE Project [<!ENTITY lol "lol">]>\n' }, /project\.qde:2:1: the XML has a DOCTYPE declaration/],
    ['an external entity', { doctype: '<!ENTITY xxe SYSTEM "file:///etc/passwd">\n' }, /project\.qde:2:1: the XML has a ENTITY declaration/],
    ['a missing source file', { sourceFile: null }, /source "Mabel\.txt" refers to sources\/01106019-2518-43DD-BBD1-8F0252BACB30\.txt, which is missing from the archive/],
    ['positions beyond the text', {
      selections: `<PlainTextSelection startPosition="${mayhemStart}" endPosition="500" guid="2F24EA88-C6A7-482B-8F89-893EF66D7A21"/>`,
    }, /selection 2F24EA88-C6A7-482B-8F89-893EF66D7A21 of source "Mabel\.txt" spans \d+\.\.500, beyond its text of 103 characters/],
    ['an unknown codeRef', {
      selections: `<PlainTextSelection startPosition="0" endPosition="3" guid="2F24EA88-C6A7-482B-8F89-893EF66D7A21"><Coding guid="2284BF5B-8F78-45B6-A6EF-A128D991408B"><CodeRef targetGUID="DEADBEEF-0000-4000-8000-000000000000"/></Coding></PlainTextSelection>`,
    }, /coding 2284BF5B-8F78-45B6-A6EF-A128D991408B in selection .* refers to code DEADBEEF-0000-4000-8000-000000000000, which the codebook does not hold \(unknown codeRef\)/],
    ['a source that is not UTF-8', { sourceFile: '' , extraEntries: { 'sources/01106019-2518-43DD-BBD1-8F0252BACB30.txt': new Uint8Array([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]) } }, /is not valid UTF-8, which the standard requires/],
  ] as Array<[string, ProjectParts, RegExp]>)('refuses %s', async (_what, parts, message) => {
    await expectRefused(qdpxFile(parts), message);
  });

  it('refuses a zip bomb whose declared sizes lie, stopping the inflation at the declared size', async () => {
    const bomb = zipSync({ 'project.qde': [new Uint8Array(40 * 1024 * 1024).fill(0x20), { level: 9 }] });
    const view = new DataView(bomb.buffer);
    for (let offset = 0; offset + 4 <= bomb.length; offset++) {
      if (view.getUint32(offset, true) === 0x02014b50) view.setUint32(offset + 24, 4096, true);
      if (view.getUint32(offset, true) === 0x04034b50) view.setUint32(offset + 22, 4096, true);
    }
    const file = join(tempDir(), 'bomb.qdpx');
    writeFileSync(file, bomb);
    await expectRefused(file, /"project\.qde" inflates to more than the 4096 bytes it declares; refusing the archive \(a zip bomb/);
  });

  it('refuses a huge, highly compressible source by its declared size before inflating it', async () => {
    const huge = zipSync({ 'project.qde': encode(atlasQde()), 'sources/01106019-2518-43DD-BBD1-8F0252BACB30.txt': [new Uint8Array(100 * 1024 * 1024).fill(0x20), { level: 1 }] });
    expect(huge.length).toBeLessThan(1024 * 1024);
    const file = join(tempDir(), 'huge.qdpx');
    writeFileSync(file, huge);
    await expectRefused(file, /"sources\/01106019-2518-43DD-BBD1-8F0252BACB30\.txt" declares 100\.0 MB, beyond the 16\.0 MB of text qcode reads from one project; refusing it \(a zip bomb/, {
      limits: { ...DEFAULT_ZIP_LIMITS, maxReadBytes: 16 * 1024 * 1024 },
    });
  });

  it('imports a project whose archive carries media far beyond that limit, reading only its texts', async () => {
    const withVideo = zipSync({
      'project.qde': encode(atlasQde()),
      'sources/01106019-2518-43DD-BBD1-8F0252BACB30.txt': encode(MABEL_CRLF),
      'sources/87EAD86F-3112-4537-8A01-01427CAE1C6D.mp4': [new Uint8Array(100 * 1024 * 1024), { level: 1 }],
    });
    const file = join(tempDir(), 'video.qdpx');
    writeFileSync(file, withVideo);
    const report = await importRefiProject({ file, dir: join(tempDir(), 'video'), limits: { ...DEFAULT_ZIP_LIMITS, maxReadBytes: 16 * 1024 * 1024 } });
    expect(report.counts).toMatchObject({ documents: 1, codings: 5 });
  });

  it('refuses an existing folder that is not empty, and a file that is not a ZIP', async () => {
    const dir = join(tempDir(), 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expectRefused(qdpxFile(), /busy already exists and is not empty; refi import creates a new project/, { dir });
    await expect(importRefiProject({ file: qdpxFile(), dir: join(dir, 'notes.txt') })).rejects.toThrow(/notes\.txt is a file; refi import creates a new project folder/);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    const notZip = join(tempDir(), 'fake.qdpx');
    writeFileSync(notZip, atlasQde());
    await expectRefused(notZip, /fake\.qdpx: not a ZIP archive/);
  });

  // Two of each kind of element the import looks up by GUID, each on a line of its own.
  const TWINS_QDE = `<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Twins">
  <Users>
    <User guid="u0000000-0000-4000-8000-000000000001" name="anna"/>
    <User guid="u0000000-0000-4000-8000-000000000002" name="boris"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="c0000000-0000-4000-8000-000000000001" name="Protest" isCodable="true">
      <Code guid="c0000000-0000-4000-8000-000000000003" name="Picket" isCodable="true"/>
    </Code>
    <Code guid="c0000000-0000-4000-8000-000000000002" name="Petitions" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="v0000000-0000-4000-8000-000000000001" name="Country" typeOfVariable="Text"/>
    <Variable guid="v0000000-0000-4000-8000-000000000002" name="City" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="k0000000-0000-4000-8000-000000000001" name="R01"><SourceRef targetGUID="s0000000-0000-4000-8000-000000000001"/></Case>
    <Case guid="k0000000-0000-4000-8000-000000000002" name="R02"><SourceRef targetGUID="s0000000-0000-4000-8000-000000000002"/></Case>
  </Cases>
  <Sources>
    <TextSource guid="s0000000-0000-4000-8000-000000000001" name="One">
      <PlainTextContent>We stood outside the embassy.</PlainTextContent>
      <PlainTextSelection guid="p0000000-0000-4000-8000-000000000001" startPosition="0" endPosition="8" creatingUser="u0000000-0000-4000-8000-000000000001">
        <Coding guid="g0000000-0000-4000-8000-000000000001" creatingUser="u0000000-0000-4000-8000-000000000001"><CodeRef targetGUID="c0000000-0000-4000-8000-000000000001"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="p0000000-0000-4000-8000-000000000002" startPosition="9" endPosition="16" creatingUser="u0000000-0000-4000-8000-000000000002">
        <Coding guid="g0000000-0000-4000-8000-000000000002" creatingUser="u0000000-0000-4000-8000-000000000002"><CodeRef targetGUID="c0000000-0000-4000-8000-000000000002"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="s0000000-0000-4000-8000-000000000002" name="Two">
      <PlainTextContent>We signed letters.</PlainTextContent>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="n0000000-0000-4000-8000-000000000001" name="First"><PlainTextContent>a</PlainTextContent></Note>
    <Note guid="n0000000-0000-4000-8000-000000000002" name="Second"><PlainTextContent>b</PlainTextContent></Note>
  </Notes>
</Project>`;

  /** line:column of the first occurrence of text in TWINS_QDE, counted from 1. */
  const lineColumn = (needle: string): string => {
    const before = TWINS_QDE.slice(0, TWINS_QDE.indexOf(needle));
    return `${before.split('\n').length}:${before.length - before.lastIndexOf('\n')}`;
  };

  it('imports the twins as they are, each GUID once', async () => {
    const path = join(tempDir(), 'twins.qdpx');
    writeFileSync(path, zipSync({ 'project.qde': encode(TWINS_QDE) }));
    const report = await importRefiProject({ file: path, dir: join(tempDir(), 'twins') });
    expect(report.counts).toMatchObject({ documents: 2, codings: 2 });
  });

  it.each([
    ['code', '<Code guid="c0000000-0000-4000-8000-000000000002"', 'c0000000-0000-4000-8000-000000000001', 'Petitions', '<Code guid="c0000000-0000-4000-8000-000000000001"', 'Protest'],
    ['code', '<Code guid="c0000000-0000-4000-8000-000000000002"', '{C0000000-0000-4000-8000-000000000003}', 'Petitions', '<Code guid="c0000000-0000-4000-8000-000000000003"', 'Picket'],
    ['user', '<User guid="u0000000-0000-4000-8000-000000000002"', 'u0000000-0000-4000-8000-000000000001', 'boris', '<User guid="u0000000-0000-4000-8000-000000000001"', 'anna'],
    ['variable', '<Variable guid="v0000000-0000-4000-8000-000000000002"', 'v0000000-0000-4000-8000-000000000001', 'City', '<Variable guid="v0000000-0000-4000-8000-000000000001"', 'Country'],
    ['case', '<Case guid="k0000000-0000-4000-8000-000000000002"', 'k0000000-0000-4000-8000-000000000001', 'R02', '<Case guid="k0000000-0000-4000-8000-000000000001"', 'R01'],
    ['source', '<TextSource guid="s0000000-0000-4000-8000-000000000002"', 's0000000-0000-4000-8000-000000000001', 'Two', '<TextSource guid="s0000000-0000-4000-8000-000000000001"', 'One'],
    ['note', '<Note guid="n0000000-0000-4000-8000-000000000002"', 'n0000000-0000-4000-8000-000000000001', 'Second', '<Note guid="n0000000-0000-4000-8000-000000000001"', 'First'],
  ])('refuses two of a kind (%s) with one GUID, naming both and where they are', async (kind, second, guid, secondName, first, firstName) => {
    const qde = TWINS_QDE.replace(second, `${second.slice(0, second.indexOf('guid="'))}guid="${guid}"`);
    const path = join(tempDir(), 'twins.qdpx');
    writeFileSync(path, zipSync({ 'project.qde': encode(qde) }));
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expectRefused(path, new RegExp(`${escape(`/twins.qdpx:project.qde:${lineColumn(second)}: ${kind} "${secondName}" has the GUID ${guid} of ${kind} "${firstName}" (at ${lineColumn(first)}); qcode cannot tell them apart`)}$`));
  });

  it('refuses two selections with one GUID', async () => {
    const qde = TWINS_QDE.replace('p0000000-0000-4000-8000-000000000002', 'P0000000-0000-4000-8000-000000000001');
    const path = join(tempDir(), 'twins.qdpx');
    writeFileSync(path, zipSync({ 'project.qde': encode(qde) }));
    await expectRefused(path, /twins\.qdpx:project\.qde:\d+:7: selection 9–16 in source "One" has the GUID P0000000-0000-4000-8000-000000000001 of selection 0–8 in source "One" \(at \d+:7\)/);
  });

  it('refuses a .qdc whose codes share a GUID', async () => {
    const file = join(tempDir(), 'twins.qdc');
    writeFileSync(file, '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n<Code guid="1" name="Protest" isCodable="true"/>\n<Code guid="1" name="Petitions" isCodable="true"/>\n</Codes></CodeBook>');
    await expect(importRefiCodebook({ file })).rejects.toThrow(/twins\.qdc:3:1: code "Petitions" has the GUID 1 of code "Protest" \(at 2:1\)/);
  });

  it('imports into an existing empty folder', async () => {
    const dir = join(tempDir(), 'empty');
    mkdirSync(dir);
    const report = await importRefiProject({ file: qdpxFile(), dir });
    expect(report.counts.documents).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['codebook.schema.json', 'codebook.yaml', 'qcode.db']));
  });
});
