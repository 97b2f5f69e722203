import { describe, expect, it } from 'vitest';
import { codePointLength, CodePointIndex, normalizeText, sliceCodePoints } from '../../src/core/text.js';

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
