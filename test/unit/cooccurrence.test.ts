import { describe, expect, it } from 'vitest';
import {
  cCoefficient,
  cooccurrenceTable,
  countCooccurrence,
  expandAxis,
  longRows,
  parseAxisList,
  spansOverlap,
  strongestCells,
  type AxisItem,
  type CodedSegment,
  type CodeSpan,
  type Unit,
} from '../../src/core/cooccurrence.js';
import type { ProjectCodebook } from '../../src/core/codebook.js';

const A = 0;
const B = 1;
const C = 2;
const whole = (code: number): CodeSpan => ({ code, start: null, end: null });
const span = (code: number, start: number, end: number): CodeSpan => ({ code, start, end });

/** Segments each their own unit, without cases. */
function count(segments: CodeSpan[][], codeCount = 3, unit: Unit = 'segment') {
  const coded: CodedSegment[] = segments.map((codings, index) => ({ unit: index, caseIndex: -1, codings }));
  return countCooccurrence({ unit, codeCount, caseCount: 0, unitsPerCase: [segments.length], segments: coded });
}

const item = (code: number, id = `d.c${code}`): AxisItem => ({ kind: 'code', id, label: id, group: 'd', groupLabel: 'D', code });

describe('c-coefficient', () => {
  it('is 5/105 for the ATLAS.ti manual example (100 A, 10 B, 5 together)', () => {
    expect(cCoefficient(5, 100, 10)).toBeCloseTo(0.047619, 6);
    const segments = [
      ...Array.from({ length: 5 }, () => [whole(A), whole(B)]),
      ...Array.from({ length: 95 }, () => [whole(A)]),
      ...Array.from({ length: 5 }, () => [whole(B)]),
    ];
    const counts = count(segments);
    const table = cooccurrenceTable(counts, [item(A)], [item(B)]);
    expect(table.cells[0]![0]).toMatchObject({ nab: 5, na: 100, nb: 10 });
    expect(table.cells[0]![0]!.c).toBeCloseTo(5 / 105, 12);
  });

  it.each([
    [0, 0, 0, 0],
    [3, 3, 3, 1],
    [1, 2, 4, 0.2],
    [0, 7, 2, 0],
  ])('c(%i, %i, %i) = %f', (nab, na, nb, c) => {
    expect(cCoefficient(nab, na, nb)).toBeCloseTo(c, 12);
  });
});

describe('half-open overlap', () => {
  it.each([
    [[0, 10], [5, 15], true],
    [[20, 30], [30, 35], false],
    [[30, 35], [20, 30], false],
    [[40, 50], [45, 48], true],
    [[0, 10], [0, 10], true],
    [[5, 5], [0, 10], false],
  ] as const)('%j and %j overlap: %s', (a, b, expected) => {
    expect(spansOverlap(a[0], a[1], b[0], b[1])).toBe(expected);
  });

  it('gives n12 = 2 and c = 0.5 for the reference table (A [0,10),[20,30),[40,50); B [5,15),[30,35),[45,48))', () => {
    // One segment per pair of codings: the touching pair [20,30)/[30,35) does not co-occur.
    const counts = count([
      [span(A, 0, 10), span(B, 5, 15)],
      [span(A, 20, 30), span(B, 30, 35)],
      [span(A, 40, 50), span(B, 45, 48)],
    ]);
    const cell = cooccurrenceTable(counts, [item(A)], [item(B)]).cells[0]![0]!;
    expect(cell).toMatchObject({ nab: 2, na: 3, nb: 3 });
    expect(cell.c).toBe(0.5);
  });

  it('counts a segment once per pair however many spans overlap in it', () => {
    const counts = count([[span(A, 0, 10), span(A, 20, 30), span(B, 5, 25)]]);
    expect(counts.pairUnits[A * 3 + B]).toBe(1);
  });

  it('lets a whole-segment coding co-occur with every span, even with one coder each', () => {
    const counts = count([[whole(A), span(B, 3, 4), span(C, 8, 9)]]);
    expect(counts.pairUnits[A * 3 + B]).toBe(1);
    expect(counts.pairUnits[A * 3 + C]).toBe(1);
    expect(counts.pairUnits[B * 3 + C]).toBe(0);
  });

  it('uses the whole-segment coding of one coder when another coded a span of the same code', () => {
    const counts = count([[span(A, 0, 2), whole(A), span(B, 10, 12)]]);
    expect(counts.pairUnits[A * 3 + B]).toBe(1);
  });

  it('ignores spans at the document unit: both codes in the document co-occur', () => {
    const coded: CodedSegment[] = [
      { unit: 7, caseIndex: -1, codings: [span(A, 20, 30)] },
      { unit: 7, caseIndex: -1, codings: [span(B, 30, 35)] },
      { unit: 8, caseIndex: -1, codings: [span(A, 0, 1)] },
    ];
    const counts = countCooccurrence({ unit: 'document', codeCount: 3, caseCount: 0, unitsPerCase: [3], segments: coded });
    expect(counts.pairUnits[A * 3 + B]).toBe(1);
    expect([...counts.codeUnits]).toEqual([2, 1, 0]);
    expect(counts.unitCount).toBe(3);
  });
});

describe('tables', () => {
  // Three cases: 0 and 1 from DE, 2 from LT; units per case 2, 1, 2; one unit without a case.
  const segments: CodedSegment[] = [
    { unit: 1, caseIndex: 0, codings: [whole(A), whole(B)] },
    { unit: 2, caseIndex: 0, codings: [whole(A)] },
    { unit: 3, caseIndex: 1, codings: [whole(B), whole(C)] },
    { unit: 4, caseIndex: 2, codings: [whole(A), whole(C)] },
    { unit: 6, caseIndex: -1, codings: [whole(C)] },
  ];
  const counts = countCooccurrence({ unit: 'segment', codeCount: 3, caseCount: 3, unitsPerCase: [2, 1, 2, 1], segments });
  const de: AxisItem = { kind: 'value', id: 'attribute:country=DE', label: 'Germany', group: 'attribute:country', groupLabel: 'Country', attribute: 'country', value: 'DE', cases: [0, 1] };
  const lt: AxisItem = { kind: 'value', id: 'attribute:country=LT', label: 'Lithuania', group: 'attribute:country', groupLabel: 'Country', attribute: 'country', value: 'LT', cases: [2] };

  it('counts a small code × code table by hand', () => {
    const table = cooccurrenceTable(counts, [item(A), item(B)], [item(B), item(C)]);
    expect(table.unitCount).toBe(6);
    expect(table.rows.map((row) => row.n)).toEqual([3, 2]);
    expect(table.columns.map((column) => column.n)).toEqual([2, 3]);
    expect(table.cells.map((line) => line.map((cell) => cell.nab))).toEqual([[1, 1], [2, 1]]);
    expect(table.cells[0]![0]!.c).toBeCloseTo(1 / 4, 12); // A×B: 1 / (3 + 2 − 1)
    expect(table.cells[0]![1]!.rowpct).toBeCloseTo(1 / 3, 12);
    expect(table.cells[0]![1]!.colpct).toBeCloseTo(1 / 3, 12);
    expect(table.cells[1]![0]).toMatchObject({ nab: 2, na: 2, nb: 2, c: 1 }); // the diagonal
  });

  it('crosses attribute values with codes, counting units of cases with the value', () => {
    const table = cooccurrenceTable(counts, [de, lt], [item(A), item(C)]);
    expect(table.rows.map((row) => row.n)).toEqual([3, 2]);
    expect(table.cells.map((line) => line.map((cell) => cell.nab))).toEqual([[2, 1], [1, 1]]);
    expect(table.cells[0]![0]!.c).toBeCloseTo(2 / (3 + 3 - 2), 12);
    expect(table.cells[1]![1]!.colpct).toBeCloseTo(1 / 3, 12);
  });

  it('crosses two attribute values (units of cases having both)', () => {
    const table = cooccurrenceTable(counts, [de], [de, lt]);
    expect(table.cells[0]!.map((cell) => cell.nab)).toEqual([3, 0]);
  });

  it('flattens to long rows with percentages and rounded c', () => {
    const rows = longRows('H9', cooccurrenceTable(counts, [item(A)], [item(B)]));
    expect(rows).toEqual([{ hypothesis: 'H9', row: 'd.c0', row_label: 'd.c0', column: 'd.c1', column_label: 'd.c1', n_ab: 1, n_a: 3, n_b: 2, c: 0.25, rowpct: 33.3333, colpct: 50 }]);
  });

  it('emphasises the strongest off-diagonal cells', () => {
    const table = cooccurrenceTable(counts, [item(A), item(B), item(C)], [item(A), item(B), item(C)]);
    expect([...strongestCells(table)]).toEqual(['0,1']);
  });
});

describe('axes', () => {
  const codebook = {
    name: 't', version: 1, languages: ['en', 'ru'],
    attributes: [{ name: 'country', type: 'category', label: 'Country', labels: { ru: 'Страна' }, description: null, values: ['DE', 'LT'], valueLabels: { DE: 'Germany' }, min: null, max: null, ord: 0, status: 'active' },
      { name: 'year', type: 'number', label: 'Year', labels: {}, description: null, values: null, valueLabels: {}, min: null, max: null, ord: 1, status: 'active' }],
    dimensions: [{ id: 'forms', label: 'Forms', labels: { ru: 'Формы' }, description: null, exclusive: false, color: null, ord: 0, status: 'active' }],
    codes: [
      { id: 'forms.protest', dimensionId: 'forms', parentId: null, label: 'Protest', labels: { ru: 'Протест' }, definition: null, include: null, exclude: null, examples: [], color: null, was: [], depth: 0, ord: 0, status: 'active' },
      { id: 'forms.old', dimensionId: 'forms', parentId: null, label: 'Old', labels: {}, definition: null, include: null, exclude: null, examples: [], color: null, was: [], depth: 0, ord: 1, status: 'retired' },
    ],
    hypotheses: [],
  } as ProjectCodebook;
  const context = {
    codebook,
    codeIndex: new Map([['forms.protest', 0], ['forms.old', 1]]),
    casesByValue: new Map([['country', new Map([['LT', [1]], ['DE', [0, 2]]])], ['year', new Map([['2014', [0]], ['2009', [1]]])]]),
    language: 'ru',
  };

  it('expands a dimension to its active codes, labelled in the language asked', () => {
    expect(expandAxis({ kind: 'dimension', id: 'forms' }, context)).toEqual([
      { kind: 'code', id: 'forms.protest', label: 'Протест', group: 'forms', groupLabel: 'Формы', code: 0 },
    ]);
  });

  it('expands a category attribute to its declared values in order, a number attribute to the values found, sorted', () => {
    expect(expandAxis({ kind: 'attribute', name: 'country' }, context).map((value) => [value.id, value.label])).toEqual([
      ['attribute:country=DE', 'Germany'],
      ['attribute:country=LT', 'LT'],
    ]);
    expect(expandAxis({ kind: 'attribute', name: 'year' }, context).map((value) => value.id)).toEqual(['attribute:year=2009', 'attribute:year=2014']);
  });

  it('parses an ad-hoc axis list', () => {
    expect(parseAxisList('attribute:country, forms,forms.protest', codebook, '--rows')).toEqual([
      { kind: 'attribute', name: 'country' },
      { kind: 'dimension', id: 'forms' },
      { kind: 'code', id: 'forms.protest' },
    ]);
  });

  it.each([
    ['form', /unknown dimension or code "form" \(did you mean "forms"\?\)/],
    ['country', /write attribute:country/],
    ['attribute:contry', /unknown attribute "contry" \(did you mean "country"\?\)/],
    ['protest', /unknown dimension or code "protest" \(did you mean "forms\.protest"\?\)/],
  ])('rejects %s with a clear message', (text, message) => {
    expect(() => parseAxisList(text, codebook, '--rows')).toThrow(message);
  });
});
