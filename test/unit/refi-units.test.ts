import { describe, expect, it } from 'vitest';
import { codeNotesWithFallback, describe as describeWith, parseCodeNotes, readDescription, renderCodeNotes } from '../../src/io/refi/describe.js';
import { guidKey, refiGuid } from '../../src/io/refi/guid.js';
import { idFromName, transliterate, uniqueId } from '../../src/io/refi/ids.js';
import { normalizeSource, planSegments, segmentOf } from '../../src/io/refi/positions.js';
import type { RefiCode } from '../../src/io/refi/read.js';
import { buildCodebook } from '../../src/io/refi/to-codebook.js';
import { sixDigitColor, xsdDateTime } from '../../src/io/refi/write.js';
import { escapeAttribute, escapeText, parseXml, XmlWriter } from '../../src/io/refi/xml.js';

describe('ids from names', () => {
  it.each([
    ['Протест, митинг, пикет', 'protest_miting_piket'],
    ['Щедрость и ёлка', 'shhedrost_i_yolka'],
    ['Хартия Цой', 'xartiya_czoj'],
    ['Объявление, съезд', 'obyavlenie_sezd'],
    ['Эмиграция: выход', 'emigracziya_vyxod'],
    ['Ukrainian: Їжак, Євген, Ґанок, і', 'ukrainian_yizhak_yevgen_ganok_i'],
    ['Café Straße Łódź', 'cafe_strasse_lodz'],
    ['"rushed"', 'rushed'],
    ['1990s emigration', 'code_1990s_emigration'],
    ['!!!', 'code'],
    ['中文 视频', 'code'],
  ])('%s → %s', (name, id) => {
    expect(idFromName(name, 'code')).toBe(id);
  });

  it('keeps ids to 40 characters at a word boundary', () => {
    const id = idFromName('Participation in local elections as observers and candidates abroad', 'code');
    expect(id).toBe('participation_in_local_elections_as');
    expect(id.length).toBeLessThanOrEqual(40);
  });

  it('makes slugs with hyphens and allows a leading digit there', () => {
    expect(idFromName('2ième Mabêl.txt', 'document', '-')).toBe('2ieme-mabel-txt');
  });

  it('transliterates capitals like lower case', () => {
    expect(transliterate('ЖЁЛТЫЙ')).toBe('zhyoltyj');
  });

  it('suffixes taken ids with _2, _3 in order', () => {
    const taken = new Set<string>();
    expect([uniqueId('protest', taken), uniqueId('protest', taken), uniqueId('protest', taken)]).toEqual(['protest', 'protest_2', 'protest_3']);
  });
});

describe('GUIDs', () => {
  it('derives the same GUID from the same key, in the schema pattern, version 5', () => {
    const guid = refiGuid('code', 'forms.protest');
    expect(guid).toBe(refiGuid('code', 'forms.protest'));
    expect(guid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(refiGuid('dimension', 'forms.protest')).not.toBe(guid);
    expect(refiGuid('code', 'forms.protests')).not.toBe(guid);
  });

  it('matches GUIDs from other tools regardless of braces and case', () => {
    expect(guidKey('{5215cc69-b628-4e02-afb9-9beeaee55808}')).toBe(guidKey('5215CC69-B628-4E02-AFB9-9BEEAEE55808'));
    expect(guidKey(' c001 ')).toBe('C001');
  });
});

describe('Description layout', () => {
  const notes = {
    definition: 'Public collective action.\nSecond line.',
    include: 'Rallies; pickets.',
    exclude: 'Online only (use forms.online).',
    examples: ['We stood outside the embassy.', 'Я вышла на пикет.\nИ ещё раз.'],
  };

  it('renders definition, include, exclude and examples readably and parses them back', () => {
    const text = renderCodeNotes(notes);
    expect(text).toBe('Public collective action.\nSecond line.\n\nInclude: Rallies; pickets.\n\nExclude: Online only (use forms.online).\n\nExamples:\n- We stood outside the embassy.\n- Я вышла на пикет.\n  И ещё раз.');
    expect(parseCodeNotes(text)).toEqual(notes);
  });

  it('falls back to the meta line when the readable form would not read back', () => {
    const tricky = { definition: 'A definition.\n\nInclude: this paragraph is part of the definition.', include: null, exclude: null, examples: [] };
    const { metaNotes } = codeNotesWithFallback(tricky);
    expect(metaNotes).toEqual(tricky);
    expect(codeNotesWithFallback(notes).metaNotes).toBeNull();
  });

  it('reads a description from another tool as a definition', () => {
    expect(parseCodeNotes('Anything about jobs or taxes or business')).toEqual({ definition: 'Anything about jobs or taxes or business', include: null, exclude: null, examples: [] });
  });

  it('splits off the [qcode] meta line', () => {
    const described = describeWith('Readable text.', { id: 'forms.protest', labels: { ru: 'Протест' } });
    expect(described).toBe('Readable text.\n\n[qcode] {"id":"forms.protest","labels":{"ru":"Протест"}}');
    expect(readDescription(described)).toEqual({ text: 'Readable text.', meta: { id: 'forms.protest', labels: { ru: 'Протест' } } });
    expect(readDescription('[qcode] {"slug":"r01"}')).toEqual({ text: '', meta: { slug: 'r01' } });
    expect(readDescription('Text\n[qcode] not json')).toEqual({ text: 'Text\n[qcode] not json', meta: null });
  });
});

describe('positions through normalisation', () => {
  it('leaves clean text alone', () => {
    const source = normalizeSource('😀 Diet and health', false);
    expect(source.changed).toBe(false);
    expect(source.sourceLength).toBe(17);
    expect(source.mapStart(2)).toBe(2);
  });

  it('counts CR LF as two positions by default and maps them onto the LF text', () => {
    const source = normalizeSource('ab\r\ncd\r\nef', false);
    expect(source.text).toBe('ab\ncd\nef');
    expect(source.sourceLength).toBe(10);
    // "cd" is 4..6 in the CRLF text, 3..5 in the stored one.
    expect([source.mapStart(4), source.mapEnd(6)]).toEqual([3, 5]);
    expect([source.mapStart(8), source.mapEnd(10)]).toEqual([6, 8]);
  });

  it('counts CR LF as one position the ATLAS.ti way', () => {
    const source = normalizeSource('ab\r\ncd', true);
    expect(source.sourceLength).toBe(5);
    expect([source.mapStart(3), source.mapEnd(5)]).toEqual([3, 5]);
  });

  it('composes to NFC and widens a selection that cut a composed character', () => {
    const source = normalizeSource('caf\u0065\u0301 ok', false);
    expect(source.text).toBe('café ok');
    expect(source.sourceLength).toBe(8);
    // "ok" is 6..8 in the decomposed text, 5..7 in the stored one.
    expect([source.mapStart(6), source.mapEnd(8)]).toEqual([5, 7]);
    // A selection ending between e and its accent keeps the whole é.
    expect([source.mapStart(0), source.mapEnd(4)]).toEqual([0, 4]);
    expect(source.mapStart(4)).toBe(3);
  });

  it('drops control characters and keeps later positions on their characters', () => {
    const source = normalizeSource('a\u0007bc', false);
    expect(source.text).toBe('abc');
    expect([source.mapStart(2), source.mapEnd(4)]).toEqual([1, 3]);
  });
});

describe('segments of an imported document', () => {
  const base = (start: number, end: number, speaker: string | null = null, tStart: number | null = null, tEnd: number | null = null) => ({ start, end, speaker, tStart, tEnd });

  it('keeps qcode\'s own segments where every selection fits inside one', () => {
    const segments = planSegments([base(3, 20, 'I'), base(24, 60, 'R')], [{ start: 3, end: 20 }, { start: 30, end: 40 }, { start: 35, end: 60 }]);
    expect(segments).toEqual([base(3, 20, 'I'), base(24, 60, 'R')]);
    expect(segmentOf(segments, { start: 30, end: 40 })).toBe(1);
  });

  it('joins the segments a selection crosses, and a selection over a label with its segment', () => {
    const segments = planSegments([base(3, 20, 'R', 1000, 2000), base(24, 60, 'R', 2500, 4000), base(64, 80, 'I'), base(84, 90, 'R')], [
      { start: 10, end: 30 }, { start: 62, end: 70 }, { start: 80, end: 84 },
    ]);
    expect(segments).toEqual([base(3, 60, 'R', 1000, 4000), base(62, 80, 'I'), base(80, 84), base(84, 90, 'R')]);
    expect(segmentOf(segments, { start: 62, end: 70 })).toBe(1);
    expect(segmentOf(segments, { start: 80, end: 84 })).toBe(2);
  });

  it('drops the speaker of a joined segment whose parts have different speakers', () => {
    expect(planSegments([base(0, 5, 'I'), base(6, 9, 'R')], [{ start: 4, end: 7 }])).toEqual([base(0, 9)]);
  });

  it('keeps touching selections apart and gives an empty selection outside every segment an empty segment', () => {
    const segments = planSegments([base(0, 2), base(4, 6)], [{ start: 3, end: 3 }, { start: 1, end: 1 }, { start: 0, end: 1 }, { start: 1, end: 2 }]);
    expect(segments).toEqual([base(0, 2), base(3, 3), base(4, 6)]);
    expect(segmentOf(segments, { start: 3, end: 3 })).toBe(1);
    expect(segmentOf(segments, { start: 1, end: 1 })).toBe(0);
  });
});

describe('XML', () => {
  it('escapes text and attributes so they read back exactly', async () => {
    const value = 'a & b < c > d "q" \'s\'\ttab\nline\r\nend 😀';
    const xml = new XmlWriter().start('Root', [['name', value]]).text('Description', value).end('Root').toString();
    expect(escapeAttribute('\t\n')).toBe('&#9;&#10;');
    expect(escapeText('\r')).toBe('&#13;');
    const { root } = await parseXml(xml, 't.xml');
    expect(root.attributes.name).toBe(value);
    expect(root.children[0]?.text).toBe(value);
  });

  it('refuses characters XML cannot hold', () => {
    expect(() => escapeText('bell \u0007')).toThrow(/U\+0007, a character XML cannot hold/);
  });

  it('reads elements by local name whatever the prefix, and reports the namespace', async () => {
    const { root, namespace } = await parseXml('<q:CodeBook xmlns:q="urn:QDA-XML:codebook:0:4"><q:Codes><q:Code guid="1" name="A &amp; B"/></q:Codes></q:CodeBook>', 'x.qdc');
    expect(namespace).toBe('urn:QDA-XML:codebook:0:4');
    expect(root.name).toBe('CodeBook');
    expect(root.children[0]?.children[0]?.attributes.name).toBe('A & B');
  });

  it.each([
    ['a DOCTYPE', '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n<CodeBook/>', /x\.qdc:2:1: the XML has a DOCTYPE declaration/],
    ['an external entity', '<CodeBook>\n<!ENTITY xxe SYSTEM "file:///etc/passwd">&xxe;</CodeBook>', /x\.qdc:2:1: the XML has a ENTITY declaration/],
    ['malformed XML', '<CodeBook><Codes></CodeBook>', /x\.qdc:1:\d+: not well-formed XML/],
  ])('refuses %s', async (_what, xml, message) => {
    await expect(parseXml(xml, 'x.qdc')).rejects.toThrow(message);
  });
});

describe('colours and names at the codebook boundary', () => {
  it('writes #rgb as #rrggbb and leaves #rrggbb as it is', () => {
    expect(sixDigitColor('#1aF')).toBe('#11aaFF');
    expect(sixDigitColor('#13386c')).toBe('#13386c');
    expect(sixDigitColor(null)).toBeNull();
  });

  const code = (guid: string, name: string, color: string | null = null, children: RefiCode[] = []): RefiCode =>
    ({ guid, name, isCodable: true, color, description: null, noteRefs: [], children });
  const build = (codes: RefiCode[]): ReturnType<typeof buildCodebook> => buildCodebook({
    codes, sets: [], variables: [], values: [], origin: null, coded: new Set(), fallbackName: 'other', displayName: 'codebook.yaml', fileName: 'other.qdc', header: '',
  });

  it('names codes that have no name, so that every label is filled in', () => {
    const result = build([code('1', ''), code('2', '  '), code('3', 'Hope')]);
    expect(result.codebook.codes.map((entry) => [entry.id, entry.label])).toEqual([
      ['codes.unnamed_code_1', 'Unnamed code 1'], ['codes.unnamed_code_2', 'Unnamed code 2'], ['codes.hope', 'Hope'],
    ]);
    expect(result.warnings).toEqual(['2 code(s) without a name were named "Unnamed code 1"…']);
  });

  it('leaves out a colour that is not #rgb or #rrggbb, with a warning naming the code', () => {
    const result = build([code('1', 'Hope', 'red'), code('2', 'Fear', ' #ABC ')]);
    expect(result.codebook.codes.map((entry) => entry.color)).toEqual([null, '#ABC']);
    expect(result.warnings).toEqual(['colours that are not #rgb or #rrggbb were left out: "Hope" (red)']);
  });
});

describe('times in the export', () => {
  it('keeps xsd:dateTime values and reads other forms without a zone as UTC, whatever the machine\'s zone', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      expect(xsdDateTime('2025-03-02T10:00:00.000Z')).toBe('2025-03-02T10:00:00.000Z');
      expect(xsdDateTime('2025-03-02 10:00:00')).toBe('2025-03-02T10:00:00.000Z');
      expect(xsdDateTime('Sun, 02 Mar 2025 10:00:00 GMT')).toBe('2025-03-02T10:00:00.000Z');
      expect(xsdDateTime('not a time')).toBeNull();
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});

describe('selection names', () => {
  it('drop characters XML cannot hold instead of failing the export (a text may contain U+FFFF)', async () => {
    const { writeProjectXml } = await import('../../src/io/refi/write.js');
    const codebook = {
      name: 'cb', version: 1, title: null, languages: ['en'], attributes: [], hypotheses: [],
      dimensions: [{ id: 'd', label: 'D', labels: {}, description: null, exclusive: false, color: null, status: 'active' as const, ord: 0 }],
      codes: [{ id: 'd.c', dimensionId: 'd', parentId: null, label: 'C', labels: {}, definition: null, include: null, exclude: null, examples: [], color: null, was: [], depth: 1, status: 'active' as const, ord: 0 }],
    };
    const { xml, sources } = writeProjectXml({
      name: 'p', createdAt: null, origin: 'qcode test', codebook, coders: ['anna'], cases: [], memos: [],
      documents: [{ slug: 'doc', title: null, kind: 'interview', language: null, fileName: null, format: 'txt', encoding: null, text: 'ab\uFFFFcd', importedAt: '2025-01-01T00:00:00.000Z', segments: [{ start: 0, end: 5, speaker: null, tStart: null, tEnd: null }], seenUncoded: {} }],
      codings: [{ document: 'doc', start: 0, end: 5, codeId: 'd.c', coder: 'anna', createdAt: '2025-01-01T00:00:00.000Z' }],
    });
    expect(xml).toContain('name="abcd" startPosition="0" endPosition="5"');
    expect(sources[0]?.text).toBe('ab\uFFFFcd');
  });
});
