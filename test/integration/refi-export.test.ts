import Database from 'better-sqlite3';
import { unzipSync } from 'fflate';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeProject, openProject } from '../../src/app/project.js';
import { exportRefi } from '../../src/app/refi.js';
import { readDescription } from '../../src/io/refi/describe.js';
import { childNamed, childrenNamed, parseXml, type XmlElement } from '../../src/io/refi/xml.js';
import { tempDir } from '../helpers.js';
import { RICH_SEED, seedProject, validateAgainstXsd, xsdValidation } from '../refi-helpers.js';

async function exportBoth(dir: string, name = 'study'): Promise<{ qdc: string; qdpx: string; warnings: string[] }> {
  const out = tempDir('qcode-refi-out-');
  const project = openProject({ project: dir });
  try {
    const report = await exportRefi(project, { qdc: join(out, `${name}.qdc`), qdpx: join(out, `${name}.qdpx`) });
    return { qdc: join(out, `${name}.qdc`), qdpx: join(out, `${name}.qdpx`), warnings: report.warnings };
  } finally {
    closeProject(project);
  }
}

function unzip(path: string): Record<string, Uint8Array> {
  return unzipSync(new Uint8Array(readFileSync(path)));
}

const utf8 = (bytes: Uint8Array | undefined): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

function walk(element: XmlElement, name: string, found: XmlElement[] = []): XmlElement[] {
  for (const child of element.children) {
    if (child.name === name) found.push(child);
    walk(child, name, found);
  }
  return found;
}

describe('qcode refi export', () => {
  it('writes a .qdpx and a .qdc that the official schemas accept', async (context) => {
    if (!xsdValidation.available) {
      context.skip(`XSD validation skipped: ${xsdValidation.reason}`);
      return;
    }
    const dir = await seedProject(RICH_SEED);
    const { qdc, qdpx } = await exportBoth(dir);
    const qde = join(tempDir(), 'project.qde');
    writeFileSync(qde, unzip(qdpx)['project.qde'] as Uint8Array);
    const project = validateAgainstXsd(qde, 'Project.xsd');
    expect(project.output).toContain('validates');
    expect(project.ok).toBe(true);
    const codebook = validateAgainstXsd(qdc, 'Codebook.xsd');
    expect(codebook.output).toContain('validates');
    expect(codebook.ok).toBe(true);
  });

  it('validates an empty project too (no coders, cases, documents or memos)', async (context) => {
    if (!xsdValidation.available) {
      context.skip(`XSD validation skipped: ${xsdValidation.reason}`);
      return;
    }
    const dir = await seedProject({}, 'example');
    const { qdc, qdpx } = await exportBoth(dir);
    const qde = join(tempDir(), 'project.qde');
    writeFileSync(qde, unzip(qdpx)['project.qde'] as Uint8Array);
    expect(validateAgainstXsd(qde, 'Project.xsd').ok).toBe(true);
    expect(validateAgainstXsd(qdc, 'Codebook.xsd').ok).toBe(true);
  });

  it('gives byte-identical files on a second export, with private file modes', async () => {
    const dir = await seedProject(RICH_SEED);
    const first = await exportBoth(dir, 'one');
    const second = await exportBoth(dir, 'two');
    expect(readFileSync(second.qdpx).equals(readFileSync(first.qdpx))).toBe(true);
    expect(readFileSync(second.qdc).equals(readFileSync(first.qdc))).toBe(true);
    expect(statSync(first.qdpx).mode & 0o777).toBe(0o600);
    expect(Object.keys(unzip(first.qdpx))[0]).toBe('project.qde');
  });

  it('puts every coded span where it slices the right text, with its coder and time', async () => {
    const dir = await seedProject(RICH_SEED);
    const { qdpx } = await exportBoth(dir);
    const files = unzip(qdpx);
    const { root, namespace } = await parseXml(utf8(files['project.qde']), 'project.qde');
    expect(namespace).toBe('urn:QDA-XML:project:1.0');

    const codeIdOf = new Map<string, string>();
    for (const code of walk(root, 'Code')) {
      const meta = readDescription(childNamed(code, 'Description')?.text).meta;
      if (typeof meta?.id === 'string') codeIdOf.set(code.attributes.guid as string, meta.id);
    }
    const userOf = new Map(walk(root, 'User').map((user) => [user.attributes.guid as string, user.attributes.name as string]));
    expect([...userOf.values()].sort()).toEqual(['anna', 'boris', 'Ольга']);

    const db = new Database(join(dir, 'qcode.db'), { readonly: true });
    const expected = (db.prepare(`
      SELECT d.slug, d.text AS doc, ifnull(k.start, s.start) AS start, ifnull(k."end", s."end") AS "end", k.code_id, c.name AS coder, k.created_at
      FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id JOIN coders c ON c.id = k.coder_id`).all() as Array<{
      slug: string; doc: string; start: number; end: number; code_id: string; coder: string; created_at: string;
    }>).map((row) => `${row.slug}|${row.code_id}|${row.coder}|${row.created_at}|${Array.from(row.doc).slice(row.start, row.end).join('')}`).sort();
    const documents = db.prepare('SELECT slug, text FROM documents').all() as Array<{ slug: string; text: string }>;
    db.close();

    const actual: string[] = [];
    for (const source of walk(root, 'TextSource')) {
      const meta = readDescription(childNamed(source, 'Description')?.text).meta;
      const slug = meta?.slug as string;
      const path = (source.attributes.plainTextPath as string).replace('internal://', 'sources/');
      const bytes = files[path];
      expect(bytes?.[0]).not.toBe(0xef);
      const text = utf8(bytes);
      expect(text).toBe(documents.find((document) => document.slug === slug)?.text);
      const chars = Array.from(text);
      for (const selection of childrenNamed(source, 'PlainTextSelection')) {
        const slice = chars.slice(Number(selection.attributes.startPosition), Number(selection.attributes.endPosition)).join('');
        for (const coding of childrenNamed(selection, 'Coding')) {
          const code = codeIdOf.get(childNamed(coding, 'CodeRef')?.attributes.targetGUID as string);
          actual.push(`${slug}|${code}|${userOf.get(coding.attributes.creatingUser as string)}|${coding.attributes.creationDateTime}|${slice}`);
        }
      }
    }
    expect(actual.sort()).toEqual(expected);
    expect(actual).toContain('r02-berlin-en|forms.media|boris|2025-03-02T10:00:00.000Z|run a Telegram channel 𝒳');
    expect(actual).toContain('r02-berlin-en|forms.old_code|anna|2025-03-02T10:00:00.000Z|R:\tTabs stay, and so does a zero-width joiner: 👩\u200d💻.');
  });

  it('carries memos, cases, variables, hypotheses and document facts, but no local folder paths', async () => {
    const dir = await seedProject(RICH_SEED);
    const { qdpx } = await exportBoth(dir);
    const xml = utf8(unzip(qdpx)['project.qde']);
    expect(xml).not.toContain('/home/anna');
    const { root } = await parseXml(xml, 'project.qde');

    const notes = walk(root, 'Note');
    expect(notes).toHaveLength(RICH_SEED.memos?.length as number);
    const noteText = new Map(notes.map((note) => [note.attributes.guid as string, childNamed(note, 'PlainTextContent')?.text]));
    expect([...noteText.values()]).toContain('Важно: регулярность «каждую субботу».\r\nSecond line & <b>.');
    const r01 = walk(root, 'TextSource').find((source) => source.attributes.name === 'Интервью R01, Вильнюс') as XmlElement;
    expect(readDescription(childNamed(r01, 'Description')?.text).meta).toEqual({
      slug: 'r01-vilnius-ru', title: 'Интервью R01, Вильнюс', kind: 'interview', language: 'ru', format: 'txt', encoding: 'cp1251', file: 'r01.txt',
      // One segment per line, not the turns qcode import would cut, so the layout travels; and the segments
      // seen without a coding (indexes into it), which agreement counts.
      segments: [[0, 45], [46, 135], [137, 223]],
      seen: { anna: [0], boris: [0, 2] },
    });
    const r02 = walk(root, 'TextSource').find((source) => readDescription(childNamed(source, 'Description')?.text).meta?.slug === 'r02-berlin-en') as XmlElement;
    expect(readDescription(childNamed(r02, 'Description')?.text).meta).toMatchObject({
      segments: [[0, 33, null, 0, 4200], [34, 120, null, 4200, 15800], [121, 172, null, 15800, 21000]],
      seen: { anna: [1] },
    });
    const web = walk(root, 'TextSource').find((source) => source.attributes.name === 'web-note') as XmlElement;
    expect(readDescription(childNamed(web, 'Description')?.text).meta).toEqual({ slug: 'web-note', kind: 'web', format: 'txt' });
    expect(childrenNamed(r01, 'NoteRef').map((ref) => noteText.get(ref.attributes.targetGUID as string))).toEqual(['Recorded in a café; noisy.']);
    const protest = walk(root, 'Code').find((code) => code.attributes.name === 'Protest, demonstration, picket') as XmlElement;
    expect(childrenNamed(protest, 'NoteRef').map((ref) => noteText.get(ref.attributes.targetGUID as string))).toEqual(['Protest vs. art: see the exclude note.']);
    const links = walk(root, 'Link');
    expect(links).toHaveLength(2);
    expect(links.map((link) => noteText.get(link.attributes.originGUID as string))).toEqual(['R01 asked to be called back in May.', 'R01 asked to be called back in May.']);
    expect(new Set(links.map((link) => link.attributes.originGUID)).size).toBe(2);
    expect(childrenNamed(root, 'NoteRef').map((ref) => noteText.get(ref.attributes.targetGUID as string))).toEqual(['Project memo: pilot interviews only.']);

    const variables = new Map(walk(root, 'Variable').map((variable) => [variable.attributes.name, variable.attributes.typeOfVariable]));
    expect(Object.fromEntries(variables)).toMatchObject({ host_country: 'Text', emigration_year: 'Integer', interview_date: 'Date', city: 'Text', pilot_group: 'Text' });
    const r01Case = walk(root, 'Case').find((entry) => entry.attributes.name === 'R01') as XmlElement;
    expect(childrenNamed(r01Case, 'VariableValue').map((value) => value.children[1]?.name + '=' + value.children[1]?.text)).toEqual([
      'TextValue=LT', 'IntegerValue=2022', 'TextValue=emigrant', 'TextValue=Vilnius', 'DateValue=2024-05-01',
    ]);
    expect(childrenNamed(r01Case, 'SourceRef')).toHaveLength(1);
    const expert = walk(root, 'Case').find((entry) => entry.attributes.name === 'EXP1') as XmlElement;
    expect(readDescription(childNamed(expert, 'Description')?.text).meta).toEqual({ kind: 'expert' });

    const sets = walk(root, 'Set');
    expect(sets.map((set) => set.attributes.name)).toEqual([
      'H1: Migration context mobilises or inhibits', 'H2: Host-country characteristics shape strategies',
      'H3: Value-based social networks encourage mobilisation', 'H4: Transfers diffuse democracy directly and in reverse',
    ]);
    expect(readDescription(childNamed(sets[1] as XmlElement, 'Description')?.text).meta).toMatchObject({ rows: ['attribute:host_country', 'host_context'] });
    expect(childrenNamed(sets[1] as XmlElement, 'MemberCode')).toHaveLength(4);
  });

  it('writes the codebook hierarchy: dimensions as uncodable parents, definitions readable, colours kept', async () => {
    const dir = await seedProject({});
    const { qdc } = await exportBoth(dir);
    const { root } = await parseXml(readFileSync(qdc, 'utf8'), 'study.qdc');
    expect(root.attributes.origin).toMatch(/^qcode \d+\.\d+\.\d+ \[qcode\] \{"codebook":"political-remittances","version":1,/);
    const top = childrenNamed(childNamed(root, 'Codes') as XmlElement, 'Code');
    expect(top.map((code) => code.attributes.isCodable)).toEqual(top.map(() => 'false'));
    const forms = top[0] as XmlElement;
    expect(readDescription(childNamed(forms, 'Description')?.text).meta).toEqual({ dimension: 'forms', labels: { ru: 'Формы гражданского и политического участия' } });
    const protest = childrenNamed(forms, 'Code')[0] as XmlElement;
    expect(protest.attributes).toMatchObject({ name: 'Protest, demonstration, picket', isCodable: 'true', color: '#13386c' });
    const description = childNamed(protest, 'Description')?.text as string;
    expect(description).toMatch(/^Public, physically present collective action/);
    expect(description).toContain('\n\nInclude: Street rallies and marches;');
    expect(description).toContain('\n\nExamples:\n- Every Saturday we stood with posters outside the embassy in Vilnius.\n- Я организовала пикет');
    expect(description.endsWith('[qcode] {"id":"forms.protest","labels":{"ru":"Протест, митинг, пикет"}}')).toBe(true);
    const exclusive = top.find((code) => readDescription(childNamed(code, 'Description')?.text).meta?.exclusive === true);
    expect(exclusive).toBeDefined();
    const members = walk(root, 'MemberCode');
    expect(members.length).toBeGreaterThan(0);
    expect(members.every((member) => member.attributes.guid !== undefined && member.attributes.targetGUID === undefined)).toBe(true);
  });

  it('refuses file names without the right extension', async () => {
    const dir = await seedProject({});
    const project = openProject({ project: dir });
    try {
      await expect(exportRefi(project, { qdpx: join(tempDir(), 'study.zip') })).rejects.toThrow(/--qdpx .*study\.zip: the file name must end in \.qdpx/);
      await expect(exportRefi(project, {})).rejects.toThrow(/say what to export/);
    } finally {
      closeProject(project);
    }
  });
});
