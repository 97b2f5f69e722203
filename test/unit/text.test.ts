import { describe, expect, it } from 'vitest';
import { CodePointIndex, codePointLength, foldYo, groupDigits, normalizeText, sliceCodePoints, unfoldSnippet } from '../../src/core/text.js';

describe('code-point offsets', () => {
  it('counts the REFERENCE example: 17 code points, 18 UTF-16 units', () => {
    const text = '😀 Diet and health';
    expect(codePointLength(text)).toBe(17);
    expect(text.length).toBe(18);
    expect(sliceCodePoints(text, 2, 6)).toBe('Diet');
  });

  it('counts combining marks as separate code points', () => {
    const text = 'е\u0308лка 𝒳';
    const index = new CodePointIndex(text);
    expect(index.length).toBe(7);
    expect(index.slice(0, 2)).toBe('е\u0308');
    expect(index.slice(6, 7)).toBe('𝒳');
    expect(index.toCodePoint(index.toUtf16(6))).toBe(6);
  });

  it('refuses offsets outside the text', () => {
    expect(() => new CodePointIndex('abc').toUtf16(4)).toThrow(RangeError);
  });
});

describe('normalizeText', () => {
  it('stores NFC with LF line ends and without BOM or control characters', () => {
    const { text, removedControls } = normalizeText('\uFEFFa\r\nb\rc\u0000d\u0007\te\u0301');
    expect(text).toBe('a\nb\ncd\té');
    expect(removedControls).toBe(2);
  });

  it('turns other line and page breaks into line feeds, never gluing words together', () => {
    expect(normalizeText('page one\fpage two\u000Bthree\u0085four\u2028five\u2029six')).toEqual({ text: 'page one\npage two\nthree\nfour\nfive\n\nsix', removedControls: 0 });
  });
});

describe('ё and е in full-text search', () => {
  it('folds ё into е and keeps the length', () => {
    expect(foldYo('Ещё раз, Ёлки')).toBe('Еще раз, Елки');
    expect(foldYo('Ещё раз, Ёлки')).toHaveLength('Ещё раз, Ёлки'.length);
    expect(foldYo('мой')).toBe('мой');
  });

  it.each([
    ['a snippet of the whole text', 'Да, \u0002еще\u0003 как', 'Да, ещё как', 'Да, \u0002ещё\u0003 как'],
    ['a snippet cut at both ends', '…раз \u0002еще\u0003 раз…', 'Один раз ещё раз и ещё', '…раз \u0002ещё\u0003 раз…'],
    ['a text that starts with an ellipsis', '…и \u0002елки\u0003', '…и ёлки', '…и \u0002ёлки\u0003'],
    ['a text without ё', 'мой \u0002дом\u0003', 'мой дом', 'мой \u0002дом\u0003'],
    ['a snippet that is not a slice of the text', '\u0002еще\u0003', 'совсем другое ёж', '\u0002еще\u0003'],
  ])('puts the ё back into %s', (_, snippet, original, expected) => {
    expect(unfoldSnippet(snippet, original, ['\u0002', '\u0003'])).toBe(expected);
  });
});

describe('groupDigits', () => {
  it('writes whole numbers as toLocaleString(\'en-US\') does', () => {
    for (const n of [0, 7, 999, 1000, -1000, 12345, 887668, 1234567, -98765432, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      expect(groupDigits(n), String(n)).toBe(n.toLocaleString('en-US'));
    }
  });
});
