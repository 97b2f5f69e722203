import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { splitPlainCsv } from '../../src/app/tag-csv.js';
import { mulberry32 } from '../../src/core/random.js';

// tag --from reads text without quotes or carriage returns by splitting it, and everything else with
// csv-parse. Property: on any such text the split gives exactly csv-parse's records, with the options
// tag --from uses; text with a quote or a carriage return is left to csv-parse.

const PIECES = ['r01-vilnius-ru', '12', 'forms.protest', 'anna', 'Ольга', '', ' ', '  x ', 'ё', '😀', '\t', ';', ',', '\n', '\n\n', '\uFEFF'];

function randomText(random: () => number): string {
  const parts: string[] = [];
  const length = Math.floor(random() * 40);
  for (let i = 0; i < length; i++) parts.push(PIECES[Math.floor(random() * PIECES.length)]!);
  return parts.join('');
}

describe('splitPlainCsv', () => {
  it('reads quote-free text exactly as csv-parse does, for each delimiter, with and without a byte-order mark', () => {
    const random = mulberry32(20261130);
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      const delimiter = [',', ';', '\t'][i % 3]!;
      const bom = i % 2 === 0;
      const text = (random() < 0.2 ? '\uFEFF' : '') + randomText(random);
      const expected = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, bom }) as string[][];
      expect(splitPlainCsv(text, delimiter, bom), JSON.stringify({ text, delimiter, bom })).toEqual(expected);
      compared++;
    }
    expect(compared).toBe(3000);
  });

  it('leaves text with a quote or a carriage return to csv-parse', () => {
    expect(splitPlainCsv('a,"b"\n', ',', true)).toBeUndefined();
    expect(splitPlainCsv('a,b\r\nc,d\r\n', ',', true)).toBeUndefined();
    expect(splitPlainCsv('a,b\n\nc,d', ',', true)).toEqual([['a', 'b'], ['c', 'd']]);
  });
});
