// Code co-occurrence over units (segments, documents or cases), ATLAS.ti's c-coefficient, and the
// crosstabs of case attributes with codes that the study's hypotheses ask for. Pure: the store hands in
// plain arrays, this module counts.
//
// Counting rules (docs/analysis.md):
// - A unit carries a code when any selected coder applied the code anywhere in it.
// - Segment unit: codes a and b co-occur in a segment when one of them is applied to the whole segment,
//   or when a span of a and a span of b overlap, half-open: max(start) < min(end). Touching spans
//   ([20,30) and [30,35)) do not overlap. Each segment counts at most once per pair.
// - Document and case units: a and b co-occur when both occur anywhere in the unit.
// - An attribute value v stands for the units whose case has the value v. Units without a case, or whose
//   case lacks the attribute, form one more item, "(no value)", shown whenever there are any (as R's
//   table(useNA = "ifany")), so that the values' units add up to all units.

import { codeSuggestion, formatAxis, labelIn, type AxisRef, type ProjectCodebook } from './codebook-model.js';
import { UserError } from './errors.js';
import { didYouMeanSuffix } from './suggest.js';

export type Unit = 'segment' | 'document' | 'case';
export const UNITS: readonly Unit[] = ['segment', 'document', 'case'];

export type Measure = 'count' | 'c' | 'rowpct' | 'colpct';

/** One coding inside a segment; start and end are null for a coding of the whole segment. */
export interface CodeSpan {
  code: number;
  start: number | null;
  end: number | null;
}

/** The codings of one segment and the unit it counts towards. */
export interface CodedSegment {
  /** Key of the unit: segments with the same key form one document or case unit. Distinct per segment for the segment unit. */
  unit: number;
  /** Index of the unit's case, or -1 for none. */
  caseIndex: number;
  codings: readonly CodeSpan[];
}

export interface CountInput {
  unit: Unit;
  codeCount: number;
  caseCount: number;
  /** How many units (coded or not) each case has; entry caseCount counts the units without a case. */
  unitsPerCase: ArrayLike<number>;
  segments: Iterable<CodedSegment>;
}

/** Everything a table needs, counted in one pass so that several hypotheses share it. */
export interface CooccurrenceCounts {
  unit: Unit;
  codeCount: number;
  caseCount: number;
  unitCount: number;
  /** n_a: units carrying code a. */
  codeUnits: Int32Array;
  /** n_ab at [a * codeCount + b], symmetric; the diagonal equals n_a. */
  pairUnits: Int32Array;
  /** Units per case (entry caseCount: units without a case). */
  caseUnits: Int32Array;
  /** Units of case k carrying code a at [k * codeCount + a]. */
  caseCodeUnits: Int32Array;
}

/** c = n_ab / (n_a + n_b − n_ab), ATLAS.ti's c-coefficient (the Jaccard index); 0 when nothing occurs. */
export function cCoefficient(nab: number, na: number, nb: number): number {
  const denominator = na + nb - nab;
  return denominator === 0 ? 0 : nab / denominator;
}

/** Whether two half-open spans [start, end) share at least one position. */
export function spansOverlap(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  return Math.max(aStart, bStart) < Math.min(aEnd, bEnd);
}

/** Counts code occurrence and co-occurrence per unit in one pass over the coded segments. */
export function countCooccurrence(input: CountInput): CooccurrenceCounts {
  const K = input.codeCount;
  const caseSlots = input.caseCount + 1;
  if (input.unitsPerCase.length !== caseSlots) throw new Error('unitsPerCase needs one entry per case plus one for no case');
  const codeUnits = new Int32Array(K);
  const pairUnits = new Int32Array(K * K);
  const caseUnits = Int32Array.from(input.unitsPerCase);
  const caseCodeUnits = new Int32Array(caseSlots * K);
  const unitCount = caseUnits.reduce((sum, n) => sum + n, 0);

  // Codes present in the unit at hand; `seen[code] === stamp` marks membership without clearing.
  const seen = new Int32Array(K);
  let stamp = 0;
  const present: number[] = [];
  const recordUnit = (caseIndex: number): void => {
    const slot = caseIndex < 0 ? input.caseCount : caseIndex;
    for (const code of present) {
      codeUnits[code]! += 1;
      caseCodeUnits[slot * K + code]! += 1;
    }
  };

  if (input.unit === 'segment') {
    const pairSeen = new Int32Array(K * K);
    const whole = new Int32Array(K);
    for (const segment of input.segments) {
      stamp++;
      present.length = 0;
      let spanOnly = 0;
      for (const coding of segment.codings) {
        if (seen[coding.code] !== stamp) {
          seen[coding.code] = stamp;
          present.push(coding.code);
        }
        if (coding.start === null) whole[coding.code] = stamp;
      }
      for (const code of present) if (whole[code] !== stamp) spanOnly++;
      recordUnit(segment.caseIndex);
      if (spanOnly < 2) {
        // With at most one span-only code, every pair includes a whole-segment coding: all pairs co-occur.
        addAllPairs(pairUnits, present, K);
        continue;
      }
      for (let i = 0; i < present.length; i++) {
        for (let j = i + 1; j < present.length; j++) {
          const a = present[i]!;
          const b = present[j]!;
          if (whole[a] === stamp || whole[b] === stamp) addPair(pairUnits, a, b, K);
        }
      }
      const codings = segment.codings;
      for (let i = 0; i < codings.length; i++) {
        const x = codings[i]!;
        if (x.start === null || whole[x.code] === stamp) continue;
        for (let j = i + 1; j < codings.length; j++) {
          const y = codings[j]!;
          if (y.start === null || y.code === x.code || whole[y.code] === stamp) continue;
          const [a, b] = x.code < y.code ? [x.code, y.code] : [y.code, x.code];
          if (pairSeen[a * K + b] === stamp) continue;
          if (spansOverlap(x.start, x.end as number, y.start, y.end as number)) {
            pairSeen[a * K + b] = stamp;
            addPair(pairUnits, a, b, K);
          }
        }
      }
    }
  } else {
    // Document and case units: merge the codes of all segments of a unit first.
    const units = new Map<number, { caseIndex: number; codes: Set<number> }>();
    for (const segment of input.segments) {
      let unit = units.get(segment.unit);
      if (!unit) {
        unit = { caseIndex: segment.caseIndex, codes: new Set() };
        units.set(segment.unit, unit);
      }
      for (const coding of segment.codings) unit.codes.add(coding.code);
    }
    for (const unit of units.values()) {
      present.length = 0;
      for (const code of unit.codes) present.push(code);
      recordUnit(unit.caseIndex);
      addAllPairs(pairUnits, present, K);
    }
  }
  for (let a = 0; a < K; a++) {
    pairUnits[a * K + a] = codeUnits[a]!;
    for (let b = a + 1; b < K; b++) pairUnits[b * K + a] = pairUnits[a * K + b]!;
  }
  return { unit: input.unit, codeCount: K, caseCount: input.caseCount, unitCount, codeUnits, pairUnits, caseUnits, caseCodeUnits };
}

function addPair(pairUnits: Int32Array, a: number, b: number, K: number): void {
  if (a < b) pairUnits[a * K + b]! += 1;
  else pairUnits[b * K + a]! += 1;
}

function addAllPairs(pairUnits: Int32Array, codes: readonly number[], K: number): void {
  for (let i = 0; i < codes.length; i++) {
    for (let j = i + 1; j < codes.length; j++) addPair(pairUnits, codes[i]!, codes[j]!, K);
  }
}

/**
 * One row or column of a table: a code, or one value of a case attribute (the cases having it). The value
 * null stands for no value: its cases are those without the attribute, and the slot of units without a case.
 */
export type AxisItem =
  | { kind: 'code'; id: string; label: string; group: string; groupLabel: string; code: number }
  | { kind: 'value'; id: string; label: string; group: string; groupLabel: string; attribute: string; value: string | null; cases: readonly number[] };

/** The label of an attribute's "no value" item. */
export const NO_VALUE_LABEL = '(no value)';

export interface Cell {
  nab: number;
  na: number;
  nb: number;
  c: number;
  /** n_ab / n_a: the share of the row's units that carry the column; null when n_a is 0 (a share of nothing is undefined, not 0). */
  rowpct: number | null;
  /** n_ab / n_b: the share of the column's units that carry the row; null when n_b is 0. */
  colpct: number | null;
}

export interface TableItem {
  kind: 'code' | 'value';
  id: string;
  label: string;
  group: string;
  groupLabel: string;
  /** An attribute item's value; null for its "(no value)" item. Absent for codes. */
  value?: string | null;
  /** Units carrying the code or having the value. */
  n: number;
}

export interface CooccurrenceTable {
  unit: Unit;
  unitCount: number;
  rows: TableItem[];
  columns: TableItem[];
  /** cells[row][column] */
  cells: Cell[][];
}

/** Builds a rows × columns table from counts; attribute values cross with codes as a crosstab. */
export function cooccurrenceTable(counts: CooccurrenceCounts, rows: readonly AxisItem[], columns: readonly AxisItem[]): CooccurrenceTable {
  const K = counts.codeCount;
  const itemUnits = (item: AxisItem): number =>
    item.kind === 'code' ? (counts.codeUnits[item.code] ?? 0) : sum(item.cases, (k) => counts.caseUnits[k] ?? 0);
  const joint = (a: AxisItem, b: AxisItem): number => {
    if (a.kind === 'code' && b.kind === 'code') return counts.pairUnits[a.code * K + b.code] ?? 0;
    if (a.kind === 'value' && b.kind === 'value') {
      const other = new Set(b.cases);
      return sum(a.cases.filter((k) => other.has(k)), (k) => counts.caseUnits[k] ?? 0);
    }
    const [value, code] = a.kind === 'value' ? [a, b as Extract<AxisItem, { kind: 'code' }>] : [b as Extract<AxisItem, { kind: 'value' }>, a];
    return sum(value.cases, (k) => counts.caseCodeUnits[k * K + code.code] ?? 0);
  };
  const describe = (item: AxisItem): TableItem => ({
    kind: item.kind, id: item.id, label: item.label, group: item.group, groupLabel: item.groupLabel,
    ...(item.kind === 'value' ? { value: item.value } : {}), n: itemUnits(item),
  });
  const rowItems = rows.map(describe);
  const columnItems = columns.map(describe);
  const cells = rows.map((row, r) =>
    columns.map((column, k) => {
      const nab = joint(row, column);
      const na = rowItems[r]!.n;
      const nb = columnItems[k]!.n;
      return { nab, na, nb, c: cCoefficient(nab, na, nb), rowpct: na === 0 ? null : nab / na, colpct: nb === 0 ? null : nab / nb };
    }),
  );
  return { unit: counts.unit, unitCount: counts.unitCount, rows: rowItems, columns: columnItems, cells };
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}

/** A cell's value in the chosen measure; null for a percentage of no units. */
export function measureOf(cell: Cell, measure: Measure): number | null {
  switch (measure) {
    case 'count':
      return cell.nab;
    case 'c':
      return cell.c;
    case 'rowpct':
      return cell.rowpct;
    case 'colpct':
      return cell.colpct;
  }
}

/**
 * The cells to emphasise: the strongest relations by c among cells with n_ab > 0, about the top tenth
 * (at least one, at most ten) of a table. Returned as "row,column" keys.
 */
export function strongestCells(table: CooccurrenceTable, skipDiagonal = true): Set<string> {
  const candidates: Array<{ key: string; c: number }> = [];
  table.cells.forEach((line, r) =>
    line.forEach((cell, k) => {
      if (cell.nab === 0) return;
      if (skipDiagonal && table.rows[r]!.kind === 'code' && table.rows[r]!.id === table.columns[k]!.id) return;
      candidates.push({ key: `${r},${k}`, c: cell.c });
    }),
  );
  const keep = Math.min(10, Math.max(1, Math.round(candidates.length / 10)));
  candidates.sort((x, y) => y.c - x.c);
  return new Set(candidates.slice(0, keep).map((candidate) => candidate.key));
}

export interface AxisContext {
  codebook: ProjectCodebook;
  /** Position of each code id in the counts. */
  codeIndex: ReadonlyMap<string, number>;
  /** Per attribute, the cases (by index) holding each value. */
  casesByValue: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;
  /**
   * Units per case, and last the units without a case (CooccurrenceCounts.caseUnits). With it, an attribute
   * whose values leave some units out gets a "(no value)" item for them; without it, none.
   */
  caseUnits?: ArrayLike<number>;
  language?: string | undefined;
}

/**
 * The rows or columns one axis reference stands for: a dimension's active codes in codebook order, a
 * single code, or an attribute's values (a category's declared values in order, else the values found,
 * sorted), then "(no value)" if some units have none.
 */
export function expandAxis(ref: AxisRef, context: AxisContext): AxisItem[] {
  const { codebook, language } = context;
  const codeItem = (code: ProjectCodebook['codes'][number]): AxisItem => {
    const dimension = codebook.dimensions.find((candidate) => candidate.id === code.dimensionId);
    const index = context.codeIndex.get(code.id);
    if (index === undefined) throw new Error(`code ${code.id} has no index`);
    return {
      kind: 'code', id: code.id, label: labelIn(code, language), group: code.dimensionId,
      groupLabel: dimension ? labelIn(dimension, language) : code.dimensionId, code: index,
    };
  };
  if (ref.kind === 'dimension') {
    return codebook.codes.filter((code) => code.dimensionId === ref.id && code.status === 'active').map(codeItem);
  }
  if (ref.kind === 'code') {
    const code = codebook.codes.find((candidate) => candidate.id === ref.id);
    if (!code) throw new UserError(`unknown code "${ref.id}"${codeSuggestion(ref.id, codebook.codes.map((c) => c.id))}`, { hint: 'See: qcode codebook show' });
    return [codeItem(code)];
  }
  const attribute = codebook.attributes.find((candidate) => candidate.name === ref.name);
  if (!attribute) throw unknownAttribute(ref.name, codebook);
  const found = context.casesByValue.get(attribute.name) ?? new Map<string, readonly number[]>();
  const declared = attribute.values ?? [];
  const extra = [...found.keys()].filter((value) => !declared.includes(value));
  extra.sort(attribute.type === 'number' ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const groupLabel = labelIn(attribute, language);
  const items: AxisItem[] = [...declared, ...extra].map((value) => ({
    kind: 'value', id: `${formatAxis(ref)}=${value}`, label: attribute.valueLabels[value] ?? value, group: formatAxis(ref),
    groupLabel, attribute: attribute.name, value, cases: found.get(value) ?? [],
  }));
  const missing = casesWithoutValue(found, context.caseUnits);
  if (missing.length > 0) {
    // The id ends in "=" with nothing after it: no stored value is empty (`cases set C x=` clears x), so it names no real value.
    items.push({ kind: 'value', id: `${formatAxis(ref)}=`, label: NO_VALUE_LABEL, group: formatAxis(ref), groupLabel, attribute: attribute.name, value: null, cases: missing });
  }
  return items;
}

/** The case slots (the last: units without a case) that have units but no value, or [] when every unit has a value. */
function casesWithoutValue(found: ReadonlyMap<string, readonly number[]>, caseUnits: ArrayLike<number> | undefined): number[] {
  if (caseUnits === undefined) return [];
  const valued = new Set<number>();
  for (const cases of found.values()) for (const k of cases) valued.add(k);
  const missing: number[] = [];
  let units = 0;
  for (let k = 0; k < caseUnits.length; k++) {
    if (valued.has(k)) continue;
    missing.push(k);
    units += caseUnits[k] ?? 0;
  }
  return units > 0 ? missing : [];
}

export function unknownAttribute(name: string, codebook: ProjectCodebook): UserError {
  const names = codebook.attributes.map((attribute) => attribute.name);
  return new UserError(`unknown attribute "${name}"${didYouMeanSuffix(name, names)}`, {
    hint: names.length > 0 ? `Attributes: ${names.join(', ')}` : 'The codebook declares no attributes',
  });
}

/**
 * Parses an ad-hoc axis as the user types it: comma-separated dimension ids, code ids and
 * attribute:NAME, e.g. "attribute:host_country,networks".
 */
export function parseAxisList(text: string, codebook: ProjectCodebook, flag: string): AxisRef[] {
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) throw new UserError(`${flag} is empty`, { hint: `Name dimensions, codes or attribute:NAME, e.g. ${flag} forms,attribute:host_country`, exitCode: 2 });
  return parts.map((part): AxisRef => {
    if (part.startsWith('attribute:')) {
      const name = part.slice('attribute:'.length);
      if (!codebook.attributes.some((attribute) => attribute.name === name)) throw unknownAttribute(name, codebook);
      return { kind: 'attribute', name };
    }
    if (codebook.dimensions.some((dimension) => dimension.id === part)) return { kind: 'dimension', id: part };
    if (codebook.codes.some((code) => code.id === part)) return { kind: 'code', id: part };
    const attributeGuess = codebook.attributes.some((attribute) => attribute.name === part) ? ` (an attribute: write attribute:${part})` : '';
    const candidates = [...codebook.dimensions.map((dimension) => dimension.id), ...codebook.codes.map((code) => code.id)];
    throw new UserError(`${flag}: unknown dimension or code "${part}"${attributeGuess || codeSuggestion(part, candidates)}`, {
      hint: 'See: qcode codebook show',
    });
  });
}

/** One cell of a table in long form, as `cooccur --long` prints it and `export all` writes it. */
export interface LongRow {
  hypothesis: string;
  row: string;
  row_label: string;
  column: string;
  column_label: string;
  n_ab: number;
  n_a: number;
  n_b: number;
  c: number;
  /** Percentages 0–100; null when the row's (column's) units are none. */
  rowpct: number | null;
  colpct: number | null;
}

export const LONG_KEYS: ReadonlyArray<keyof LongRow> = ['hypothesis', 'row', 'row_label', 'column', 'column_label', 'n_ab', 'n_a', 'n_b', 'c', 'rowpct', 'colpct'];

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The cells of a table, row by row; c rounded to 6 decimals, percentages to 4. */
export function longRows(hypothesis: string, table: CooccurrenceTable): LongRow[] {
  const rows: LongRow[] = [];
  table.rows.forEach((row, r) =>
    table.columns.forEach((column, k) => {
      const cell = table.cells[r]![k]!;
      rows.push({
        hypothesis, row: row.id, row_label: row.label, column: column.id, column_label: column.label,
        n_ab: cell.nab, n_a: cell.na, n_b: cell.nb, c: round(cell.c, 6),
        rowpct: cell.rowpct === null ? null : round(cell.rowpct * 100, 4), colpct: cell.colpct === null ? null : round(cell.colpct * 100, 4),
      });
    }),
  );
  return rows;
}
