import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { RefiCode, RefiSet, RefiValue, RefiVariable } from '../../src/io/refi/read.js';
import { readProject } from '../../src/io/refi/read.js';
import { buildCodebook } from '../../src/io/refi/to-codebook.js';
import { decodeXml, MAX_XML_DEPTH, parseXml } from '../../src/io/refi/xml.js';
import { readZipDirectory } from '../../src/io/refi/zip.js';
import { errorText } from '../helpers.js';

// What a .qdpx or .qdc from elsewhere may hold that qcode must refuse, or drop only with a warning.

const encode = (value: string): Uint8Array => new TextEncoder().encode(value);

async function parseError(xml: string, file = 'x.qdc'): Promise<string> {
  return parseXml(xml, file).then(() => 'parsed', (error: Error) => error.message);
}

describe('characters XML 1.0 does not allow', () => {
  it.each([
    ['an ESC as a reference in an attribute', '<CodeBook>\n  <Codes><Code guid="1" name="Evil&#27;[2J&#27;]0;pwned&#7;.txt"/></Codes></CodeBook>', /^x\.qdc:2:35: not well-formed XML: &#27; stands for U\+001B, which XML 1\.0 does not allow$/],
    ['a bell as a hexadecimal reference in text', '<CodeBook><Codes><Code guid="1" name="A">\n<Description>An&#x7;na</Description></Code></Codes></CodeBook>', /^x\.qdc:2:16: not well-formed XML: &#x7; stands for U\+0007/],
    ['a lone surrogate as a reference', '<CodeBook><Codes><Code guid="1" name="&#xD800;"/></Codes></CodeBook>', /^x\.qdc:1:39: not well-formed XML: &#xD800; stands for U\+D800/],
    ['U+FFFF as a reference', '<CodeBook><Codes><Code guid="1" name="&#65535;"/></Codes></CodeBook>', /&#65535; stands for U\+FFFF/],
    ['NUL as a reference', '<CodeBook><Codes><Code guid="1" name="&#0;"/></Codes></CodeBook>', /&#0; stands for U\+0000/],
    ['a reference beyond Unicode', '<CodeBook><Codes><Code guid="1" name="&#x110000;"/></Codes></CodeBook>', /&#x110000; stands for a number beyond Unicode/],
    ['a raw ESC in text', '<CodeBook><Codes><Code guid="1" name="A">\n<Description>clear \u001b[2J screen</Description></Code></Codes></CodeBook>', /^x\.qdc:2:20: not well-formed XML: the character U\+001B is not allowed in XML 1\.0$/],
    ['a raw U+FFFE in an attribute', '<CodeBook><Codes><Code guid="1" name="a\uFFFEb"/></Codes></CodeBook>', /^x\.qdc:1:40: not well-formed XML: the character U\+FFFE/],
  ])('refuses %s, saying where', async (_what, xml, message) => {
    expect(await parseError(xml)).toMatch(message);
  });

  it('still reads tab, line ends and every allowed character, as references or raw', async () => {
    const { root } = await parseXml('<CodeBook name="a&#9;b&#10;c&#13;d&#x1F600;&#xE000;&#xFFFD;"><Description>\t&#x20;ok 😀</Description><![CDATA[&#27; is text here]]></CodeBook>', 'x.qdc');
    expect(root.attributes.name).toBe('a\tb\nc\rd😀\uE000\uFFFD');
    expect(root.children[0]?.text).toBe('\t ok 😀');
    expect(root.text).toBe('&#27; is text here');
  });
});

describe('XML that is not well-formed, in one line that says where', () => {
  it('says which element a truncated file ends inside, at its end', async () => {
    const truncated = '<?xml version="1.0"?>\n<CodeBook>\n  <Codes>\n    <Code guid="1" name="A">\n      <Code guid="2" name="B">\n        <Description>Cut o';
    expect(await parseError(truncated, 'trunc.qdc')).toBe(
      'trunc.qdc:6:27: not well-formed XML: the file ends inside <Description> (in … > <Code> > <Code> > <Description>), which is never closed; the file is truncated or damaged',
    );
  });

  it('says a file holds no element instead of giving an undefined column', async () => {
    const decoded = decodeXml(new Uint8Array([0xff, 0xfe, 0x3c, 0x00, 0x3f, 0x00]), 'u16.qdc');
    expect(await parseError(decoded.text, 'u16.qdc')).toBe('u16.qdc: not well-formed XML: the file holds no element; it is empty, truncated or not XML');
  });

  it('reads UTF-16 without a byte-order mark as UTF-16, with the warning any non-UTF-8 file gets', () => {
    const xml = '<?xml version="1.0"?><CodeBook/>';
    const little = decodeXml(new Uint8Array(Buffer.from(xml, 'utf16le')), 'le.qdc');
    expect(little).toEqual({ text: xml, warning: 'le.qdc is encoded as UTF-16LE, not UTF-8 as the standard requires; read it as such' });
    const big = Buffer.from(xml, 'utf16le').swap16();
    expect(decodeXml(new Uint8Array(big), 'be.qdc').text).toBe(xml);
  });

  it(`reads elements nested ${MAX_XML_DEPTH} deep and refuses deeper ones by name, not as a bug`, async () => {
    const nested = (depth: number): string => `${'<Code guid="1" name="x">'.repeat(depth)}${'</Code>'.repeat(depth)}`;
    expect((await parseXml(nested(MAX_XML_DEPTH), 'ok.qdc')).root.name).toBe('Code');
    expect(await parseError(nested(MAX_XML_DEPTH + 1), 'deep.qdc')).toBe(
      `deep.qdc: elements nested more than ${MAX_XML_DEPTH} levels deep; qcode reads no deeper (a code tree that deep comes from a damaged or hostile file)`,
    );
    expect(await parseError(nested(20_000), 'deeper.qdc')).toMatch(/^deeper\.qdc: elements nested more than/);
  });
});

describe('damaged archives', () => {
  it('says a ZIP that breaks off is truncated, not that it is no ZIP', () => {
    const zip = zipSync({ 'project.qde': encode('<Project/>'), 'sources/a.txt': encode('x'.repeat(500)) }, { level: 0 });
    expect(errorText(() => readZipDirectory(zip.subarray(0, Math.floor(zip.length / 2)), 'half.qdpx'))).toMatch(/^half\.qdpx: a truncated or damaged ZIP archive/);
    expect(errorText(() => readZipDirectory(zip.subarray(0, 10), 'tiny.qdpx'))).toMatch(/^tiny\.qdpx: a truncated or damaged ZIP archive/);
    expect(errorText(() => readZipDirectory(encode('<Project/>'.repeat(5)), 'p.qdpx'))).toMatch(/^p\.qdpx: not a ZIP archive/);
  });

  it('refuses sources/X.txt and sources\\X.txt in one archive: the reader takes both for one file', () => {
    const twice = zipSync({ 'sources/A.txt': encode('1'), 'sources\\a.txt': encode('2') });
    expect(errorText(() => readZipDirectory(twice, 'p.qdpx'))).toMatch(/^p\.qdpx: the archive holds "sources\\a\.txt" twice; refusing an ambiguous archive/);
  });
});

describe('values and references a codebook cannot keep', () => {
  const code = (guid: string, name: string, description: string | null = null): RefiCode =>
    ({ guid, name, isCodable: true, color: null, description, noteRefs: [], children: [] });
  const build = (input: { codes?: RefiCode[]; sets?: RefiSet[]; variables?: RefiVariable[]; values?: RefiValue[] }): ReturnType<typeof buildCodebook> => buildCodebook({
    codes: input.codes ?? [code('C1', 'Hope')], sets: input.sets ?? [], variables: input.variables ?? [], values: input.values ?? [],
    origin: null, coded: new Set(), fallbackName: 'other', displayName: 'codebook.yaml', fileName: 'other.qdpx', header: '',
  });

  it('reads a date variable holding a day the calendar lacks as text, as it reads other values not of its type', () => {
    const variables: RefiVariable[] = [{ guid: 'V1', name: 'Interview date', type: 'Date', description: null }];
    const good = build({ variables, values: [{ variable: 'V1', type: 'Date', value: '2024-02-29' }] });
    expect(good.attributes.get('V1')).toEqual({ name: 'interview_date', type: 'date' });
    const impossible = build({ variables, values: [{ variable: 'V1', type: 'Date', value: '2024-02-29' }, { variable: 'V1', type: 'Date', value: '2023-02-29' }] });
    expect(impossible.attributes.get('V1')).toEqual({ name: 'interview_date', type: 'text' });
    expect(impossible.warnings).toEqual(['variable "Interview date" holds values that are not of type date; imported as a text attribute']);
  });

  it('warns about a set naming codes the codebook does not hold', () => {
    const result = build({ codes: [code('C1', 'Hope'), code('C2', 'Fear')], sets: [{ guid: 'S1', name: 'Feelings', description: null, memberCodes: ['C1', 'C2', 'DEAD'], memberSources: 0 }] });
    expect(result.warnings).toEqual(['set "Feelings": 1 MemberCode(s) point to codes the codebook does not hold; ignored']);
    expect(result.codebook.hypotheses.map((hypothesis) => hypothesis.rows)).toEqual([[{ kind: 'code', id: 'codes.hope' }, { kind: 'code', id: 'codes.fear' }]]);
  });

  it('suggests removing a [qcode] line only when the file has one', () => {
    const many = Array.from({ length: 2001 }, (_, index) => code(`C${index}`, `Code ${index}`));
    const hint = (codes: RefiCode[]): string | undefined => {
      try {
        build({ codes });
      } catch (error) {
        return (error as { hint?: string }).hint;
      }
      return 'built';
    };
    expect(hint(many)).toBe('Fix it in the tool the file came from, and export again');
    expect(hint([code('M', 'Marked', '[qcode] {"id":"codes.marked"}'), ...many])).toMatch(/remove the \[qcode\] line/);
  });
});

describe('what a project drops, said', () => {
  const project = async (body: string): Promise<ReturnType<typeof readProject>> => {
    const xml = `<Project name="p"><CodeBook><Codes><Code guid="C1" name="Hope" isCodable="true"/></Codes></CodeBook>${body}</Project>`;
    const { root, namespace } = await parseXml(xml, 'p.qde');
    return readProject(root, namespace, 'p.qde');
  };
  const text = '<TextSource guid="T1" name="t.txt"><PlainTextContent>Hello</PlainTextContent></TextSource>';

  it('warns about a case SourceRef and a Link that name nothing in the project', async () => {
    const read = await project(`<Cases><Case guid="K1" name="R01"><SourceRef targetGUID="T1"/><SourceRef targetGUID="DEAD"/></Case></Cases>`
      + `<Sources>${text}</Sources><Notes><Note guid="N1" name="n"/></Notes>`
      + '<Links><Link guid="L1" originGUID="N1" targetGUID="T1"/><Link guid="L2" originGUID="N1" targetGUID="GONE"/><Link guid="L3" originGUID="LOST" targetGUID="C1"/></Links>');
    expect(read.warnings).toEqual([
      '1 SourceRef(s) of cases point to sources the project does not hold; ignored: case "R01" → DEAD',
      '2 Link(s) point to GUIDs the project does not hold; ignored: GONE, LOST',
    ]);
    expect(await project(`<Sources>${text}</Sources>`).then((clean) => clean.warnings)).toEqual([]);
  });

  it('counts the codings and transcripts that go with a source qcode cannot hold', async () => {
    const read = await project(`<Sources>${text}`
      + '<PictureSource guid="P1" name="p.png"><Coding guid="G1"><CodeRef targetGUID="C1"/></Coding><PictureSelection guid="PS1" firstX="0" firstY="0" secondX="1" secondY="1"><Coding guid="G2"><CodeRef targetGUID="C1"/></Coding></PictureSelection></PictureSource>'
      + '<AudioSource guid="A1" name="a.mp3"><Transcript guid="TR1" name="t"><PlainTextContent>Said</PlainTextContent><TranscriptSelection guid="TS1" fromSyncPoint="x" toSyncPoint="y"><Coding guid="G3"><CodeRef targetGUID="C1"/></Coding></TranscriptSelection></Transcript></AudioSource>'
      + '<VideoSource guid="V1" name="v.mp4"/></Sources>');
    expect(Object.fromEntries(read.skippedSources)).toEqual({ PictureSource: 1, AudioSource: 1, VideoSource: 1 });
    expect(Object.fromEntries(read.skippedCodings)).toEqual({ PictureSource: 2, AudioSource: 1 });
    expect(Object.fromEntries(read.skippedTranscripts)).toEqual({ AudioSource: 1 });
  });
});
