import { unzipSync, zipSync } from 'fflate';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAttributeValue } from '../../src/app/cases.js';
import { addMemo, editMemo } from '../../src/app/memo.js';
import { closeProject, openProject } from '../../src/app/project.js';
import { exportRefi, importRefiCodebook, importRefiProject } from '../../src/app/refi.js';
import { tempDir } from '../helpers.js';
import { queryReadOnly as query, seedProject } from '../refi-helpers.js';

// Problems a reviewer found in `refi import` / `refi export`; each archive is built here, by hand.

const encode = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

async function exportProject(dir: string, options: { qdpx?: string; qdc?: string }): Promise<void> {
  const project = openProject({ project: dir });
  try {
    await exportRefi(project, options);
  } finally {
    closeProject(project);
  }
}

const TEXT = 'Hello world, this is a test.\n';
const G = {
  user: '11111111-0000-4000-8000-000000000001', stance: '11111111-0000-4000-8000-000000000002', pro: '11111111-0000-4000-8000-000000000003',
  contra: '11111111-0000-4000-8000-000000000004', source: '11111111-0000-4000-8000-000000000005', file: '11111111-0000-4000-8000-000000000006',
  score: '11111111-0000-4000-8000-000000000007', case: '11111111-0000-4000-8000-000000000008', selection: '33333333-0000-4000-8000-000000000001',
};

/** A small project as another tool (or a hand) might write it: one exclusive dimension, one number variable, one case. */
function handMadeQdpx(options: {
  variableMeta: string; value: string; valueElement?: string;
  codings: Array<{ code: string; user?: string | null }>; users?: Array<{ guid: string; name: string }>;
}): Uint8Array {
  const codings = options.codings.map((coding, index) => {
    const user = coding.user === undefined ? G.user : coding.user;
    return `<Coding guid="22222222-0000-4000-8000-00000000000${index}"${user === null ? '' : ` creatingUser="${user}"`}><CodeRef targetGUID="${coding.code}"/></Coding>`;
  }).join('');
  const users = (options.users ?? [{ guid: G.user, name: 'anna' }]).map((user) => `<User guid="${user.guid}" name="${user.name}"/>`).join('');
  const element = options.valueElement ?? 'IntegerValue';
  const qde = `<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="r"><Users>${users}</Users>
<CodeBook><Codes><Code guid="${G.stance}" name="Stance" isCodable="false"><Description>[qcode] {"dimension":"stance","exclusive":true}</Description>
<Code guid="${G.pro}" name="Pro" isCodable="true"/><Code guid="${G.contra}" name="Contra" isCodable="true"/></Code></Codes></CodeBook>
<Variables><Variable guid="${G.score}" name="score" typeOfVariable="Integer"><Description>Score

[qcode] ${options.variableMeta}</Description></Variable></Variables>
<Cases><Case guid="${G.case}" name="P1"><VariableValue><VariableRef targetGUID="${G.score}"/><${element}>${options.value}</${element}></VariableValue><SourceRef targetGUID="${G.source}"/></Case></Cases>
<Sources><TextSource guid="${G.source}" name="doc.txt" plainTextPath="internal://${G.file}.txt">
<PlainTextSelection guid="${G.selection}" startPosition="0" endPosition="${TEXT.length - 1}" creatingUser="${G.user}">${codings}</PlainTextSelection></TextSource></Sources></Project>`;
  return zipSync({ 'project.qde': encode(qde), [`sources/${G.file}.txt`]: encode(TEXT) });
}

async function importBytes(bytes: Uint8Array, name = 'in.qdpx'): Promise<{ dir: string; warnings: string[]; file: string }> {
  const out = tempDir('qcode-refi-fix-');
  const file = join(out, name);
  writeFileSync(file, bytes);
  const report = await importRefiProject({ file, dir: join(out, 'copy'), now: '2030-01-01T00:00:00.000Z' });
  return { dir: join(out, 'copy'), warnings: report.warnings, file };
}

describe('segments from a qcode meta line', () => {
  // Lines as segments, speaker labels included: not qcode's default cut, so the export carries the layout.
  const seed = {
    coders: ['anna'],
    documents: [{ slug: 'talk', lines: ['И: Как дела? Всё хорошо.', 'Р: Хорошо, спасибо.', 'Р: Ещё вопрос?'] }],
    codings: [{ document: 'talk', segment: 2, code: 'forms.protest', coder: 'anna' }],
  };
  const segmentsOf = (dir: string): unknown[] => query(dir, 'SELECT ordinal, start, "end", text FROM segments ORDER BY ordinal');
  const codingsOf = (dir: string): unknown[] => query(dir, 'SELECT s.ordinal, k.start, k."end" FROM codings k JOIN segments s ON s.id = k.segment_id');

  it('keeps them where they were when another tool rewrote the text with CR LF (and moved its selections)', async () => {
    const original = await seedProject(seed);
    const out = tempDir('qcode-refi-fix-');
    await exportProject(original, { qdpx: join(out, 'lf.qdpx') });
    const files = unzipSync(new Uint8Array(readFileSync(join(out, 'lf.qdpx'))));
    const qde = decode(files['project.qde']);
    expect(qde).toContain('"segments":[[0,24],[25,44],[45,59]]');
    // What NVivo or MAXQDA does: CR LF in the text, every position counting the CRs before it.
    const sourceName = Object.keys(files).find((name) => name.startsWith('sources/')) as string;
    const text = decode(files[sourceName]);
    const shift = (position: number): number => position + (Array.from(text).slice(0, position).join('').match(/\n/g)?.length ?? 0);
    files[sourceName] = encode(text.replace(/\n/g, '\r\n'));
    files['project.qde'] = encode(qde.replace(/(startPosition|endPosition)="(\d+)"/g, (_all, name: string, value: string) => `${name}="${shift(Number(value))}"`));
    const lf = await importBytes(readFileSync(join(out, 'lf.qdpx')));
    const crlf = await importBytes(zipSync(files));
    const expected = [
      { ordinal: 1, start: 0, end: 24, text: 'И: Как дела? Всё хорошо.' },
      { ordinal: 2, start: 25, end: 44, text: 'Р: Хорошо, спасибо.' },
      { ordinal: 3, start: 45, end: 59, text: 'Р: Ещё вопрос?' },
    ];
    expect(segmentsOf(lf.dir)).toEqual(expected);
    expect(segmentsOf(crlf.dir)).toEqual(expected);
    // Still a coding of the whole segment, not a span of a joined one.
    expect(codingsOf(lf.dir)).toEqual([{ ordinal: 2, start: null, end: null }]);
    expect(codingsOf(crlf.dir)).toEqual([{ ordinal: 2, start: null, end: null }]);
    expect(crlf.warnings).toEqual(['1 source(s) normalised to NFC with LF line ends; positions were moved with the text']);
  });
});

describe('rule violations in a file from another tool', () => {
  it('imports two codes of an exclusive dimension on one segment, with the dimension made non-exclusive and a warning', async () => {
    const { dir, warnings } = await importBytes(handMadeQdpx({ variableMeta: '{"attribute":"score","type":"number"}', value: '15', codings: [{ code: G.pro }, { code: G.contra }] }));
    expect(warnings).toEqual([
      `source "doc.txt": selection ${G.selection} adds stance.contra from anna to a segment that has stance.pro, but dimension "stance" is exclusive (one code per segment); imported as non-exclusive`,
    ]);
    expect(query(dir, 'SELECT id, exclusive FROM dimensions')).toEqual([{ id: 'stance', exclusive: 0 }]);
    expect(readFileSync(join(dir, 'codebook.yaml'), 'utf8')).not.toContain('exclusive');
    expect(query(dir, 'SELECT code_id FROM codings ORDER BY code_id')).toEqual([{ code_id: 'stance.contra' }, { code_id: 'stance.pro' }]);
  });

  it('keeps an exclusive dimension exclusive when nothing breaks the rule', async () => {
    const { dir, warnings } = await importBytes(handMadeQdpx({ variableMeta: '{"attribute":"score","type":"number"}', value: '15', codings: [{ code: G.pro }] }));
    expect(warnings).toEqual([]);
    expect(query(dir, 'SELECT id, exclusive FROM dimensions')).toEqual([{ id: 'stance', exclusive: 1 }]);
  });

  it('keeps a case value outside min/max and leaves out the bound it breaks, with a warning naming case and variable', async () => {
    const { dir, warnings } = await importBytes(handMadeQdpx({ variableMeta: '{"attribute":"score","type":"number","min":10,"max":20}', value: '3', codings: [{ code: G.pro }] }));
    expect(warnings).toEqual(['variable "score": case "P1" has 3, below its minimum 10; the minimum was left out']);
    expect(query(dir, 'SELECT name, min, max FROM attributes')).toEqual([{ name: 'score', min: null, max: 20 }]);
    expect(query(dir, 'SELECT case_id, attribute, value FROM case_values')).toEqual([{ case_id: 'P1', attribute: 'score', value: '3' }]);
  });

  it('refuses min above max in one line naming the archive and the variable, and creates nothing', async () => {
    const out = tempDir('qcode-refi-fix-');
    writeFileSync(join(out, 'r1-minmax.qdpx'), handMadeQdpx({ variableMeta: '{"attribute":"score","type":"number","min":20,"max":10}', value: '15', codings: [{ code: G.pro }] }));
    const error = await importRefiProject({ file: 'r1-minmax.qdpx', dir: 'r1', cwd: out }).then(
      () => { throw new Error('the import should have been refused'); },
      (caught: unknown) => caught as Error & { hint?: string },
    );
    expect(error.message).toBe('r1-minmax.qdpx: variable "score": min 20 above max 10');
    expect(error.hint).toMatch(/another tool.*\[qcode\] line/);
    expect(existsSync(join(out, 'r1'))).toBe(false);
  });

  it('stores an IntegerValue written with an exponent as cases set would (42), and exports it as an IntegerValue', async () => {
    const { dir } = await importBytes(handMadeQdpx({ variableMeta: '{"attribute":"score","type":"number"}', value: '4.2e1', codings: [{ code: G.pro }] }));
    expect(query(dir, 'SELECT value FROM case_values')).toEqual([{ value: '42' }]);
    const out = tempDir('qcode-refi-fix-');
    await exportProject(dir, { qdpx: join(out, 'again.qdpx') });
    const qde = decode(unzipSync(new Uint8Array(readFileSync(join(out, 'again.qdpx'))))['project.qde']);
    expect(qde).toContain('<IntegerValue>42</IntegerValue>');
    expect(qde).toContain('typeOfVariable="Integer"');
  });

  it('gives every unknown user GUID a coder of its own, and never merges work into a user named "imported"', async () => {
    const stranger = 'AAAAAAAA-0000-4000-8000-000000000001';
    const other = 'BBBBBBBB-0000-4000-8000-000000000002';
    const { dir, warnings } = await importBytes(handMadeQdpx({
      variableMeta: '{"attribute":"score","type":"number"}', value: '15',
      users: [{ guid: G.user, name: 'imported' }],
      codings: [{ code: G.pro, user: stranger }, { code: G.pro, user: other }, { code: G.pro, user: null }, { code: G.pro }],
    }));
    expect(query(dir, 'SELECT c.name, count(*) AS n FROM codings k JOIN coders c ON c.id = k.coder_id GROUP BY c.name ORDER BY c.name')).toEqual([
      { name: 'imported', n: 1 }, { name: 'imported_2', n: 1 }, { name: 'user-aaaaaaaa', n: 1 }, { name: 'user-bbbbbbbb', n: 1 },
    ]);
    expect(warnings).toContain(`2 user GUID(s) not among the project's Users; each became a coder of its own: ${stranger} → user-aaaaaaaa, ${other} → user-bbbbbbbb`);
  });
});

describe('codebooks (.qdc)', () => {
  it('says that a set was left out because its columns were attributes, which a .qdc cannot hold', async () => {
    const qdc = `<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="${G.stance}" name="Stance" isCodable="false"><Description>[qcode] {"dimension":"stance"}</Description><Code guid="${G.pro}" name="Pro" isCodable="true"/></Code>
</Codes><Sets><Set guid="${G.case}" name="H1: Stance by age"><Description>[qcode] {"hypothesis":"H1","title":"Stance by age","rows":["stance"],"columns":["attribute:age"]}</Description>
<MemberCode guid="${G.stance}"/></Set></Sets></CodeBook>`;
    const out = tempDir('qcode-refi-fix-');
    writeFileSync(join(out, 'h.qdc'), qdc);
    const report = await importRefiCodebook({ file: join(out, 'h.qdc') });
    expect(report.warnings).toEqual(['set "H1: Stance by age": its columns are attributes only (attribute:age), which a .qdc codebook cannot hold (a .qdpx keeps them); left out']);
  });

  it('writes a set whose rows are its columns as two plain lists, without YAML anchors', async () => {
    const qdc = `<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="${G.stance}" name="Stance" isCodable="false"><Code guid="${G.pro}" name="Pro" isCodable="true"/><Code guid="${G.contra}" name="Contra" isCodable="true"/></Code>
</Codes><Sets><Set guid="${G.case}" name="Both"><MemberCode guid="${G.pro}"/><MemberCode guid="${G.contra}"/></Set></Sets></CodeBook>`;
    const out = tempDir('qcode-refi-fix-');
    writeFileSync(join(out, 'set.qdc'), qdc);
    const report = await importRefiCodebook({ file: join(out, 'set.qdc') });
    expect(report.yaml).not.toMatch(/[&*]a\d/);
    expect(report.yaml).toContain('rows:\n      - stance.pro\n      - stance.contra\n    columns:\n      - stance.pro\n      - stance.contra\n');
  });
});

describe('characters XML cannot hold', () => {
  it('are refused in memos and attribute values at input', async () => {
    const dir = await seedProject({});
    const project = openProject({ project: dir });
    try {
      expect(() => addMemo(project, { text: 'note \uFFFF x' })).toThrow('the memo contains U+FFFF at character 6, which XML (qcode refi export) cannot hold: nothing saved');
      const { id } = addMemo(project, { text: 'fine' });
      expect(() => editMemo(project, { id, text: 'a\uFFFEb' })).toThrow(/U\+FFFE/);
    } finally {
      closeProject(project);
    }
    expect(query(dir, 'SELECT text FROM memos')).toEqual([{ text: 'fine' }]);
    const rule = { name: 'note', type: 'text', allowed: null, min: null, max: null, status: 'active' } as const;
    expect(checkAttributeValue(rule, 'a\uFFFFb')).toEqual({ error: 'note: the value contains U+FFFF, a character XML (qcode refi export) cannot hold; remove it' });
    expect(checkAttributeValue(rule, 'a\u0001b')).toEqual({ error: 'note: the value contains U+0001, a character XML (qcode refi export) cannot hold; remove it' });
    expect(checkAttributeValue(rule, 'a\tb')).toEqual({ value: 'a\tb' });
  });

  it('in old data make the export fail naming the memo, or the case and attribute', async () => {
    const out = tempDir('qcode-refi-fix-');
    const withMemo = await seedProject({ memos: [{ kind: 'project', text: 'fine' }, { kind: 'project', text: 'bad \uFFFF memo' }] });
    await expect(exportProject(withMemo, { qdpx: join(out, 'a.qdpx') })).rejects.toThrow('cannot export memo 2: it contains U+FFFF, a character XML cannot hold');
    const withValue = await seedProject({ cases: [{ id: 'R01', values: { city: 'Vil\uFFFFnius' } }] });
    await expect(exportProject(withValue, { qdpx: join(out, 'b.qdpx') })).rejects.toThrow('cannot export case R01, attribute city: it contains U+FFFF, a character XML cannot hold');
    expect(existsSync(join(out, 'a.qdpx')) || existsSync(join(out, 'b.qdpx'))).toBe(false);
  });
});
