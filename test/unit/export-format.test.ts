import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { isPortableName, NameAllocator, portableStem } from '../../src/core/names.js';
import { encodeField, flattenLineBreaks, guardFormula, smallCsv, textCell } from '../../src/io/export/csv.js';
import { rString } from '../../src/io/export/r.js';
import { spssString, truncateUtf8 } from '../../src/io/export/spss.js';

describe('portable column names', () => {
  it.each([
    ['forms.protest', 'forms_protest'],
    ['policy_areas.anti-war', 'policy_areas_anti_war'],
    ['1st code', 'v1st_code'],
    ['a..b__', 'a_b'],
    ['Ernährung', 'Ernahrung'],
    ['Протест', 'v'],
    ['and', 'and_v'],
    ['WITH', 'WITH_v'],
    ['TRUE', 'TRUE_v'],
    ['function', 'function_v'],
    ['doc', 'doc_v'],
    ['DOCUM', 'DOCUM_v'],
    ['document', 'document_v'],
    ['documents', 'documents'],
    ['doc_id', 'doc_id'],
  ])('%s → %s', (raw, name) => {
    expect(portableStem(raw)).toBe(name);
    expect(isPortableName(name)).toBe(true);
  });

  it('keeps names within 64 bytes, never ending in _', () => {
    const name = portableStem(`${'a'.repeat(63)}_b`);
    expect(name).toBe('a'.repeat(63));
    expect(isPortableName(name)).toBe(true);
  });

  it('makes names unique case-insensitively and keeps fixed names free', () => {
    const names = new NameAllocator(['doc_id', 'text']);
    expect(names.allocate('Text')).toBe('Text_2');
    expect(names.allocate('forms.protest')).toBe('forms_protest');
    expect(names.allocate('forms_protest')).toBe('forms_protest_2');
    expect(names.allocate('FORMS.PROTEST')).toBe('FORMS_PROTEST_3');
    const long = 'x'.repeat(70);
    expect(names.allocate(long)).toBe('x'.repeat(64));
    expect(names.allocate(long)).toBe(`${'x'.repeat(62)}_2`);
  });

  it.each(['1a', 'a.b', 'a_', 'NOT', 'NA', 'docu', `a${'b'.repeat(64)}`])('%s is not portable', (name) => {
    expect(isPortableName(name)).toBe(false);
  });
});

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['', ''],
  ])('encodes %j as %j', (value, encoded) => {
    expect(encodeField(value)).toBe(encoded);
  });

  it('writes line breaks as spaces for PSPP', () => {
    expect(flattenLineBreaks('a\r\nb\nc\rd')).toBe('a b c d');
  });

  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', "'+1"],
    ['-5 degrees', "'-5 degrees"],
    ['@home', "'@home"],
    ['\tindent', "'\tindent"],
    ["'=x", "''=x"],
    ["''+y", "'''+y"],
    ["'plain", "'plain"],
    ['a=b', 'a=b'],
  ])('guards %j as %j, so that one leading apostrophe less gives it back', (value, guarded) => {
    expect(guardFormula(value)).toBe(guarded);
    expect(guarded.replace(/^'(?='*[=+\-@\t\r])/, '')).toBe(value);
  });

  it('guards only with --excel', () => {
    expect(textCell('=1+2', { excel: false })).toBe('=1+2');
    expect(textCell('=1+2', { excel: true })).toBe("'=1+2");
    expect(textCell(null, { excel: true })).toBe('');
  });

  it('round-trips awkward values through csv-parse, with and without a BOM', () => {
    const values = ['a,b', 'say "hi"', 'Протест, митинг', '', '😀 emoji', "it's"];
    const line = `${values.map(encodeField).join(',')}\n`;
    expect(parse(line)).toEqual([values]);
    const small = smallCsv(['x', 'y'], [[values[0]!, 1], [values[1]!, null]], { bom: true });
    expect(small.startsWith('\uFEFF')).toBe(true);
    expect(parse(small, { bom: true })).toEqual([['x', 'y'], ['a,b', '1'], ['say "hi"', '']]);
  });
});

describe('SPSS syntax strings', () => {
  it('cuts UTF-8 on a character boundary', () => {
    expect(truncateUtf8('Протест', 5)).toBe('Пр');
    expect(truncateUtf8('abc', 5)).toBe('abc');
    expect(truncateUtf8('a😀b', 4)).toBe('a');
  });

  it('doubles apostrophes and flattens line breaks', () => {
    expect(spssString("it's\nnew", 255)).toBe("'it''s new'");
  });

  it('splits a long label into pieces joined by + and keeps it within the byte limit', () => {
    const literal = spssString('ы'.repeat(200), 255);
    const pieces = literal.split(/ \+\n\s*/);
    expect(pieces.length).toBeGreaterThan(1);
    const text = pieces.map((piece) => piece.slice(1, -1)).join('');
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(255);
    expect(text).toBe('ы'.repeat(127));
  });
});

describe('R strings', () => {
  it('escapes quotes, backslashes and non-ASCII so the script is pure ASCII', () => {
    expect(rString('say "hi" \\ Протест 😀')).toBe('"say \\"hi\\" \\\\ \\u041f\\u0440\\u043e\\u0442\\u0435\\u0441\\u0442 \\U0001f600"');
  });
});
