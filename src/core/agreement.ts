/**
 * Inter-coder agreement statistics: Krippendorff's alpha (coincidence-matrix method, Krippendorff 2011,
 * "Computing Krippendorff's Alpha-Reliability"), Cohen's kappa, percent agreement and a unit bootstrap.
 *
 * Reliability data are given as a matrix of UNITS × CODERS: `matrix[u][i]` is the value coder i gave unit u,
 * `null` (or a hole) when coder i did not code unit u. Rows may differ in length.
 *
 * Rules shared by every function here:
 * - A statistic that is mathematically undefined is returned as `null` together with a `reason`, never NaN.
 * - Alpha uses only pairable values: units with fewer than 2 values are dropped, as Krippendorff prescribes.
 * - When all pairable values are the same (expected disagreement D_e = 0) alpha is 0/0: Krippendorff says
 *   reliability cannot be assessed for data without variation, so alpha is `null` with reason 'no-variation'.
 * - Malformed input (NaN, unequal lengths, negative values at ratio level) is a programming error: RangeError.
 */

import { mulberry32 } from './random.js';

export type AlphaLevel = 'nominal' | 'ordinal' | 'interval' | 'ratio';

/** Units × coders; `null` marks a missing value. */
export type ReliabilityData = ReadonlyArray<ReadonlyArray<number | null>>;

export type AlphaUndefinedReason = 'no-variation' | 'no-pairable-units';

export interface CoincidenceMatrix {
  /** Distinct values that occur in pairable units, ascending; index c of the matrix stands for values[c]. */
  readonly values: readonly number[];
  /** o_ck, row-major: `counts[c * values.length + k]`. */
  readonly counts: Float64Array;
  /** n_c = Σ_k o_ck. */
  readonly marginals: Float64Array;
  /** n = Σ n_c, the number of pairable values. */
  readonly pairableValues: number;
  /** Units that contributed (those with at least 2 values). */
  readonly units: number;
}

export interface AlphaResult {
  alpha: number | null;
  level: AlphaLevel;
  /** D_o = (1/n) Σ o_ck δ²_ck; null when there are no pairable values. */
  observedDisagreement: number | null;
  /** D_e = (1/(n(n−1))) Σ n_c n_k δ²_ck; null when there are no pairable values. */
  expectedDisagreement: number | null;
  pairableValues: number;
  units: number;
  reason?: AlphaUndefinedReason;
}

/** Values of the units with at least 2 values, as indices into `values`, in compressed-row form. */
interface EncodedUnits {
  values: number[];
  /** Unit u owns categories[offsets[u] .. offsets[u + 1]). */
  offsets: Int32Array;
  categories: Int32Array;
  units: number;
}

// Code ids and presence flags are small non-negative integers; a flat table avoids a Map lookup per value.
const SMALL_VALUE_LIMIT = 1024;

function encodeUnits(matrix: ReliabilityData): EncodedUnits {
  let capacity = 0;
  for (const row of matrix) capacity += row.length;
  const provisional = new Int32Array(capacity);
  const offsets = new Int32Array(matrix.length + 1);
  const smallIndex = new Int32Array(SMALL_VALUE_LIMIT).fill(-1);
  const otherIndex = new Map<number, number>();
  const seen: number[] = [];
  let filled = 0;
  let units = 0;

  for (let u = 0; u < matrix.length; u++) {
    const row = matrix[u]!;
    let present = 0;
    for (const value of row) if (value != null) present++;
    if (present < 2) continue;
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (value == null) continue;
      if (!Number.isFinite(value)) {
        throw new RangeError(`Reliability data: unit ${u + 1}, coder ${i + 1} has value ${value}; use null for missing`);
      }
      let index: number;
      if (Number.isInteger(value) && value >= 0 && value < SMALL_VALUE_LIMIT) {
        index = smallIndex[value]!;
        if (index < 0) {
          index = seen.push(value) - 1;
          smallIndex[value] = index;
        }
      } else {
        const known = otherIndex.get(value);
        if (known === undefined) {
          index = seen.push(value) - 1;
          otherIndex.set(value, index);
        } else {
          index = known;
        }
      }
      provisional[filled++] = index;
    }
    units++;
    offsets[units] = filled;
  }

  const order = seen.map((_, i) => i).sort((a, b) => seen[a]! - seen[b]!);
  const rank = new Int32Array(seen.length);
  order.forEach((provisionalIndex, sortedIndex) => {
    rank[provisionalIndex] = sortedIndex;
  });
  const categories = new Int32Array(filled);
  for (let i = 0; i < filled; i++) categories[i] = rank[provisional[i]!]!;
  return { values: order.map((i) => seen[i]!), offsets: offsets.subarray(0, units + 1), categories, units };
}

/**
 * Adds one unit's pairs to `counts`. A unit with n_uc values of category c contributes n_uc·n_uk/(m_u−1)
 * to o_ck (c ≠ k) and n_uc(n_uc−1)/(m_u−1) to o_cc: the ordered pairs of values from different coders.
 */
function addUnitPairs(
  counts: Float64Array,
  size: number,
  categories: Int32Array,
  start: number,
  end: number,
  perCategory: Float64Array,
  touched: Int32Array,
): void {
  let distinct = 0;
  for (let i = start; i < end; i++) {
    const c = categories[i]!;
    if (perCategory[c] === 0) touched[distinct++] = c;
    perCategory[c]! += 1;
  }
  const scale = 1 / (end - start - 1);
  for (let i = 0; i < distinct; i++) {
    const c = touched[i]!;
    const nc = perCategory[c]!;
    counts[c * size + c]! += scale * nc * (nc - 1);
    for (let j = 0; j < distinct; j++) {
      if (j !== i) counts[c * size + touched[j]!]! += scale * nc * perCategory[touched[j]!]!;
    }
  }
  for (let i = 0; i < distinct; i++) perCategory[touched[i]!] = 0;
}

function maxUnitLength(encoded: EncodedUnits): number {
  let longest = 0;
  for (let u = 0; u < encoded.units; u++) {
    longest = Math.max(longest, encoded.offsets[u + 1]! - encoded.offsets[u]!);
  }
  return longest;
}

// n is passed in as the exact integer Σ m_u rather than summed from the fractional 1/(m_u−1) cells.
function withMarginals(
  values: readonly number[],
  counts: Float64Array,
  units: number,
  pairableValues: number,
): CoincidenceMatrix {
  const size = values.length;
  const marginals = new Float64Array(size);
  for (let c = 0; c < size; c++) {
    let sum = 0;
    for (let k = 0; k < size; k++) sum += counts[c * size + k]!;
    marginals[c] = sum;
  }
  return { values, counts, marginals, pairableValues, units };
}

/** Krippendorff's coincidence matrix of units × coders reliability data. */
export function coincidenceMatrix(matrix: ReliabilityData): CoincidenceMatrix {
  const encoded = encodeUnits(matrix);
  const size = encoded.values.length;
  const counts = new Float64Array(size * size);
  const perCategory = new Float64Array(size);
  const touched = new Int32Array(maxUnitLength(encoded));
  for (let u = 0; u < encoded.units; u++) {
    addUnitPairs(counts, size, encoded.categories, encoded.offsets[u]!, encoded.offsets[u + 1]!, perCategory, touched);
  }
  return withMarginals(encoded.values, counts, encoded.units, encoded.categories.length);
}

/**
 * Coincidence matrix of presence/absence data without building a matrix: `present[u]` coders applied the
 * code to unit u out of `coders` (a number for all units, or one per unit) who coded it. Units coded by
 * fewer than 2 coders are dropped. The result always has both categories [0, 1].
 */
export function binaryCoincidence(
  present: ArrayLike<number>,
  coders: number | ArrayLike<number>,
): CoincidenceMatrix {
  if (typeof coders !== 'number' && coders.length !== present.length) {
    throw new RangeError(`binaryCoincidence: ${present.length} presence counts but ${coders.length} coder counts`);
  }
  let absentPairs = 0;
  let mixedPairs = 0;
  let presentPairs = 0;
  let units = 0;
  let pairableValues = 0;
  for (let u = 0; u < present.length; u++) {
    const m = typeof coders === 'number' ? coders : coders[u]!;
    const ones = present[u]!;
    if (!Number.isInteger(m) || !Number.isInteger(ones) || ones < 0 || ones > m) {
      throw new RangeError(`binaryCoincidence: unit ${u + 1} has ${ones} of ${m} coders applying the code`);
    }
    if (m < 2) continue;
    const zeros = m - ones;
    absentPairs += (zeros * (zeros - 1)) / (m - 1);
    mixedPairs += (zeros * ones) / (m - 1);
    presentPairs += (ones * (ones - 1)) / (m - 1);
    units++;
    pairableValues += m;
  }
  const counts = Float64Array.of(absentPairs, mixedPairs, mixedPairs, presentPairs);
  return withMarginals([0, 1], counts, units, pairableValues);
}

/**
 * Presence data summarised: `units` units were each seen by `coders` coders, of whom `present` applied the
 * code. Agreement over many units needs only these counts, so callers never build a units × coders matrix.
 */
export interface PresenceTally {
  coders: number;
  present: number;
  units: number;
}

function checkTallyRow(row: PresenceTally): number {
  const { coders, present, units } = row;
  if (!Number.isInteger(coders) || !Number.isInteger(present) || !Number.isInteger(units) || present < 0 || present > coders || units < 0) {
    throw new RangeError(`Presence tally: ${units} units with ${present} of ${coders} coders applying the code`);
  }
  return coders;
}

/** binaryCoincidence of tallied units: the same matrix as listing every unit, in time proportional to the tally. */
export function binaryCoincidenceFromTally(tally: readonly PresenceTally[]): CoincidenceMatrix {
  let absentPairs = 0;
  let mixedPairs = 0;
  let presentPairs = 0;
  let units = 0;
  let pairableValues = 0;
  for (const row of tally) {
    const m = checkTallyRow(row);
    if (m < 2 || row.units === 0) continue;
    const ones = row.present;
    const zeros = m - ones;
    absentPairs += (row.units * zeros * (zeros - 1)) / (m - 1);
    mixedPairs += (row.units * zeros * ones) / (m - 1);
    presentPairs += (row.units * ones * (ones - 1)) / (m - 1);
    units += row.units;
    pairableValues += row.units * m;
  }
  return withMarginals([0, 1], Float64Array.of(absentPairs, mixedPairs, mixedPairs, presentPairs), units, pairableValues);
}

/** Sum of coincidence matrices, aligned on their values; the basis of pooled alpha. */
export function sumCoincidences(matrices: readonly CoincidenceMatrix[]): CoincidenceMatrix {
  const values = [...new Set(matrices.flatMap((m) => m.values))].sort((a, b) => a - b);
  const size = values.length;
  const position = new Map(values.map((v, i) => [v, i]));
  const counts = new Float64Array(size * size);
  let units = 0;
  let pairableValues = 0;
  for (const m of matrices) {
    const from = m.values.map((v) => position.get(v)!);
    const k = m.values.length;
    for (let c = 0; c < k; c++) {
      for (let d = 0; d < k; d++) counts[from[c]! * size + from[d]!]! += m.counts[c * k + d]!;
    }
    units += m.units;
    pairableValues += m.pairableValues;
  }
  return withMarginals(values, counts, units, pairableValues);
}

/** Krippendorff's alpha from a coincidence matrix at the given level of measurement. */
export function alphaFromCoincidence(cm: CoincidenceMatrix, level: AlphaLevel = 'nominal'): AlphaResult {
  const n = cm.pairableValues;
  const base = { level, pairableValues: n, units: cm.units };
  if (n === 0) {
    return { ...base, alpha: null, observedDisagreement: null, expectedDisagreement: null, reason: 'no-pairable-units' };
  }
  const size = cm.values.length;
  if (level === 'ratio' && size > 0 && cm.values[0]! < 0) {
    throw new RangeError(`Ratio-level alpha needs non-negative values; found ${cm.values[0]}`);
  }
  const delta = distanceFunction(cm, level);
  let observedSum = 0;
  let expectedSum = 0;
  let occupied = 0;
  for (let c = 0; c < size; c++) {
    if (cm.marginals[c]! > 0) occupied++;
    // δ² is symmetric and zero on the diagonal, so the upper triangle counted twice is enough.
    for (let k = c + 1; k < size; k++) {
      const d = delta(c, k);
      observedSum += 2 * d * cm.counts[c * size + k]!;
      expectedSum += 2 * d * cm.marginals[c]! * cm.marginals[k]!;
    }
  }
  const observedDisagreement = observedSum / n;
  const expectedDisagreement = expectedSum / (n * (n - 1));
  if (occupied < 2) {
    return { ...base, alpha: null, observedDisagreement, expectedDisagreement, reason: 'no-variation' };
  }
  // α = 1 − D_o/D_e = 1 − (n − 1)·Σo/Σe: the sums are whole numbers for whole counts, so a ratio that is
  // exact (α = 4/5 from 16 and 19,600) comes out exact, where dividing D_o by D_e gives 0.7999999999999999.
  return { ...base, alpha: 1 - ((n - 1) * observedSum) / expectedSum, observedDisagreement, expectedDisagreement };
}

/** Krippendorff's smallest acceptable alphas: 0.8 for conclusions, and his ".667", which is 2/3. */
export const ALPHA_RELIABLE = 0.8;
export const ALPHA_TENTATIVE = 2 / 3;

/**
 * Whether alpha falls below a minimum. Rounding in floating point must not flag data exactly at the
 * minimum, so alpha within 1e-9 of it counts as reaching it (far finer than any agreement table shows).
 */
export function alphaBelow(alpha: number, minimum: number): boolean {
  return alpha < minimum - 1e-9;
}

function distanceFunction(cm: CoincidenceMatrix, level: AlphaLevel): (c: number, k: number) => number {
  const values = cm.values;
  switch (level) {
    case 'nominal':
      return () => 1;
    case 'interval':
      return (c, k) => (values[c]! - values[k]!) ** 2;
    case 'ratio':
      return (c, k) => ((values[c]! - values[k]!) / (values[c]! + values[k]!)) ** 2;
    case 'ordinal': {
      // cumulative[g] = n_0 + … + n_{g−1}, so Σ_{g=c..k} n_g = cumulative[k+1] − cumulative[c].
      const cumulative = new Float64Array(values.length + 1);
      for (let g = 0; g < values.length; g++) cumulative[g + 1] = cumulative[g]! + cm.marginals[g]!;
      return (c, k) =>
        (cumulative[k + 1]! - cumulative[c]! - (cm.marginals[c]! + cm.marginals[k]!) / 2) ** 2;
    }
  }
}

/** Krippendorff's alpha of units × coders reliability data (null = missing). */
export function krippendorffAlpha(matrix: ReliabilityData, level: AlphaLevel = 'nominal'): AlphaResult {
  return alphaFromCoincidence(coincidenceMatrix(matrix), level);
}

/** Alpha for the presence (1) or absence (0) of one code: nominal alpha on {0, 1}. */
export function binaryAlpha(matrix: ReliabilityData): AlphaResult {
  assertBinary(matrix);
  return krippendorffAlpha(matrix, 'nominal');
}

/**
 * Whether a code's binary coincidence matrix has a presence (1) among its pairable values, i.e. whether any
 * coder applied the code on a unit that a second coder also saw. Only such codes enter pooled figures: a code
 * nobody applied adds nothing but (0, 0) pairs, which would make a pooled figure move with the number of
 * unused entries in the codebook.
 */
export function binaryCodeApplied(cm: CoincidenceMatrix): boolean {
  const present = cm.values.indexOf(1);
  return present >= 0 && cm.marginals[present]! > 0;
}

/**
 * Pooled binary alpha over several codes: the coincidence matrices of the applied codes (binaryCodeApplied)
 * are summed and alpha is computed once, so codes weigh by their pairable values. Its `units` and
 * `pairableValues` count unit × code pairs of the applied codes. When no code was applied but some had pairable
 * units, the data have no variation: alpha is null with reason 'no-variation', as for one such code.
 */
export function pooledBinaryAlphaOf(matrices: readonly CoincidenceMatrix[]): AlphaResult {
  const applied = matrices.filter(binaryCodeApplied);
  const result = alphaFromCoincidence(sumCoincidences(applied), 'nominal');
  if (applied.length === 0 && matrices.some((cm) => cm.pairableValues > 0)) return { ...result, reason: 'no-variation' };
  return result;
}

/** pooledBinaryAlphaOf of units × coders 0/1 matrices, one per code. */
export function pooledBinaryAlpha(matrices: readonly ReliabilityData[]): AlphaResult {
  for (const matrix of matrices) assertBinary(matrix);
  return pooledBinaryAlphaOf(matrices.map(coincidenceMatrix));
}

function assertBinary(matrix: ReliabilityData): void {
  matrix.forEach((row, u) => {
    row.forEach((value, i) => {
      if (value != null && value !== 0 && value !== 1) {
        throw new RangeError(`Binary alpha: unit ${u + 1}, coder ${i + 1} has value ${value}; expected 0, 1 or null`);
      }
    });
  });
}

/** Arithmetic mean of the defined values (nulls skipped); null when none is defined. */
export function meanOfDefined(values: ReadonlyArray<number | null>): { mean: number | null; defined: number } {
  let sum = 0;
  let defined = 0;
  for (const value of values) {
    if (value === null) continue;
    sum += value;
    defined++;
  }
  return { mean: defined === 0 ? null : sum / defined, defined };
}

export interface KappaResult {
  kappa: number | null;
  /** p_o, the share of items on which both coders agree. */
  observed: number | null;
  /** p_e = Σ_k p_{1k} p_{2k}, the agreement expected from the coders' own label frequencies. */
  expected: number | null;
  n: number;
  /** 'no-variation': p_e = 1 (both coders used one and the same label), so κ = 0/0. */
  reason?: 'no-variation' | 'no-units';
}

/** Cohen's kappa of two coders' paired labels (same length, no missing values). */
export function cohenKappa<T>(a: readonly T[], b: readonly T[]): KappaResult {
  if (a.length !== b.length) {
    throw new RangeError(`Cohen's kappa needs paired labels; got ${a.length} and ${b.length}`);
  }
  const n = a.length;
  if (n === 0) return { kappa: null, observed: null, expected: null, n, reason: 'no-units' };
  const index = new Map<T, number>();
  const label = (value: T): number => {
    let i = index.get(value);
    if (i === undefined) {
      i = index.size;
      index.set(value, i);
    }
    return i;
  };
  const firstCounts: number[] = [];
  const secondCounts: number[] = [];
  let agreements = 0;
  for (let i = 0; i < n; i++) {
    const x = label(a[i]!);
    const y = label(b[i]!);
    firstCounts[x] = (firstCounts[x] ?? 0) + 1;
    secondCounts[y] = (secondCounts[y] ?? 0) + 1;
    if (x === y) agreements++;
  }
  // Integer arithmetic up to the final division keeps κ exact in the degenerate cases (e.g. exactly 0).
  let chanceProducts = 0;
  for (let k = 0; k < index.size; k++) chanceProducts += (firstCounts[k] ?? 0) * (secondCounts[k] ?? 0);
  const observed = agreements / n;
  const expected = chanceProducts / (n * n);
  if (chanceProducts === n * n) return { kappa: null, observed, expected, n, reason: 'no-variation' };
  return { kappa: (n * agreements - chanceProducts) / (n * n - chanceProducts), observed, expected, n };
}

/**
 * Cohen's kappa from a square agreement table: `table[i][j]` items got label i from the first coder and
 * label j from the second. Equal to cohenKappa on the items the table counts.
 */
export function cohenKappaFromTable(table: ReadonlyArray<ReadonlyArray<number>>): KappaResult {
  const size = table.length;
  let n = 0;
  let agreements = 0;
  const rowSums = new Array<number>(size).fill(0);
  const columnSums = new Array<number>(size).fill(0);
  table.forEach((row, i) => {
    if (row.length !== size) throw new RangeError(`Agreement table must be square; row ${i + 1} has ${row.length} of ${size} cells`);
    row.forEach((count, j) => {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`Agreement table cell [${i}][${j}] is ${count}; expected a count`);
      n += count;
      rowSums[i]! += count;
      columnSums[j]! += count;
      if (i === j) agreements += count;
    });
  });
  if (n === 0) return { kappa: null, observed: null, expected: null, n, reason: 'no-units' };
  let chanceProducts = 0;
  for (let k = 0; k < size; k++) chanceProducts += rowSums[k]! * columnSums[k]!;
  const observed = agreements / n;
  const expected = chanceProducts / (n * n);
  if (chanceProducts === n * n) return { kappa: null, observed, expected, n, reason: 'no-variation' };
  return { kappa: (n * agreements - chanceProducts) / (n * n - chanceProducts), observed, expected, n };
}

/**
 * Share of units on which all coders who coded the unit gave the same value. Units with fewer than 2
 * values are skipped; to restrict to units seen by all coders, pass only complete rows.
 */
export function percentAgreement<T>(
  rows: ReadonlyArray<ReadonlyArray<T | null>>,
): { agreement: number | null; agreed: number; units: number } {
  let units = 0;
  let agreed = 0;
  for (const row of rows) {
    let first: T | null = null;
    let present = 0;
    let same = true;
    for (const value of row) {
      if (value == null) continue;
      if (present === 0) first = value;
      else if (value !== first) same = false;
      present++;
    }
    if (present < 2) continue;
    units++;
    if (same) agreed++;
  }
  return { agreement: units === 0 ? null : agreed / units, agreed, units };
}

export interface BootstrapOptions {
  /** Number of bootstrap samples (default 1000). */
  samples?: number;
  /** Seed of the pseudo-random generator; equal seeds give equal intervals (default 1). */
  seed?: number;
  /** Two-sided confidence level of the percentile interval (default 0.95). */
  confidence?: number;
  /** Minimum acceptable alphas for which the share of samples below is reported (default 0.667 and 0.8). */
  minimums?: readonly number[];
}

export interface BootstrapResult {
  level: AlphaLevel;
  /** Alpha of the data themselves. */
  estimate: number | null;
  /** Percentile interval bounds; null when no sample had a defined alpha. */
  low: number | null;
  high: number | null;
  confidence: number;
  /** Samples with a defined alpha, the ones the interval rests on. */
  samples: number;
  requested: number;
  /** Krippendorff's q: the share of (defined) samples whose alpha falls below each minimum. */
  belowMinimum: Array<{ minimum: number; proportion: number | null }>;
}

/**
 * Percentile bootstrap interval for alpha that resamples pairable UNITS with replacement. This is not
 * Krippendorff's own macro (which resamples pairable values against a fixed D_e); resampling units is simpler,
 * respects the dependence of values within a unit, and is the approach of Zapf et al. (2016) and the R
 * package krippendorffsalpha. Units with identical value profiles share one contribution, so each sample
 * costs one draw per unit plus work proportional to the number of distinct profiles.
 */
export function bootstrapAlpha(
  matrix: ReliabilityData,
  level: AlphaLevel = 'nominal',
  options: BootstrapOptions = {},
): BootstrapResult {
  const settings = bootstrapSettings(options);
  const encoded = encodeUnits(matrix);
  const { profileOfUnit, profiles } = unitProfiles(encoded);
  return bootstrapProfiles(encoded.values, profileOfUnit, profiles, level, settings);
}

/**
 * The same unit bootstrap for binary alpha from a presence tally (see binaryCoincidenceFromTally): every
 * tally row is one unit profile, so no per-unit data are needed.
 */
export function bootstrapBinaryAlpha(tally: readonly PresenceTally[], options: BootstrapOptions = {}): BootstrapResult {
  const settings = bootstrapSettings(options);
  const rows = tally.filter((row) => checkTallyRow(row) >= 2 && row.units > 0);
  const profiles = rows.map((row) => {
    const cm = binaryCoincidenceFromTally([{ ...row, units: 1 }]);
    const cells: number[] = [];
    const amounts: number[] = [];
    cm.counts.forEach((amount, cell) => {
      if (amount !== 0) {
        cells.push(cell);
        amounts.push(amount);
      }
    });
    return { values: row.coders, cells: Int32Array.from(cells), amounts: Float64Array.from(amounts) };
  });
  const profileOfUnit = new Int32Array(rows.reduce((sum, row) => sum + row.units, 0));
  let next = 0;
  rows.forEach((row, p) => {
    profileOfUnit.fill(p, next, next + row.units);
    next += row.units;
  });
  return bootstrapProfiles([0, 1], profileOfUnit, profiles, 'nominal', settings);
}

interface BootstrapSettings {
  requested: number;
  confidence: number;
  minimums: readonly number[];
  seed: number;
}

function bootstrapSettings(options: BootstrapOptions): BootstrapSettings {
  const requested = options.samples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new RangeError(`Bootstrap samples must be a positive integer; got ${requested}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`Bootstrap confidence must lie between 0 and 1; got ${confidence}`);
  }
  return { requested, confidence, minimums: options.minimums ?? [0.667, 0.8], seed: options.seed ?? 1 };
}

/** Resamples units (each standing for its profile's coincidence contribution) with replacement. */
function bootstrapProfiles(
  values: readonly number[],
  profileOfUnit: Int32Array,
  profiles: readonly Profile[],
  level: AlphaLevel,
  settings: BootstrapSettings,
): BootstrapResult {
  const { requested, confidence, minimums } = settings;
  const size = values.length;
  const alphaOf = (weights: Float64Array, counts: Float64Array): number | null => {
    counts.fill(0);
    let units = 0;
    let pairableValues = 0;
    for (let p = 0; p < profiles.length; p++) {
      const weight = weights[p]!;
      if (weight === 0) continue;
      const profile = profiles[p]!;
      for (let i = 0; i < profile.cells.length; i++) counts[profile.cells[i]!]! += weight * profile.amounts[i]!;
      units += weight;
      pairableValues += weight * profile.values;
    }
    return alphaFromCoincidence(withMarginals(values, counts, units, pairableValues), level).alpha;
  };

  const counts = new Float64Array(size * size);
  const weights = new Float64Array(profiles.length);
  for (const p of profileOfUnit) weights[p]! += 1;
  const estimate = alphaOf(weights, counts);

  const units = profileOfUnit.length;
  const random = mulberry32(settings.seed);
  const alphas: number[] = [];
  for (let s = 0; s < requested && units > 0; s++) {
    weights.fill(0);
    for (let draw = 0; draw < units; draw++) {
      weights[profileOfUnit[Math.floor(random() * units)]!]! += 1;
    }
    const alpha = alphaOf(weights, counts);
    if (alpha !== null) alphas.push(alpha);
  }

  alphas.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return {
    level,
    estimate,
    low: quantile(alphas, tail),
    high: quantile(alphas, 1 - tail),
    confidence,
    samples: alphas.length,
    requested,
    belowMinimum: minimums.map((minimum) => ({
      minimum,
      proportion: alphas.length === 0 ? null : countBelow(alphas, minimum) / alphas.length,
    })),
  };
}

/** The coincidence contribution, as (cell, amount) pairs, of the units that share one multiset of values. */
interface Profile {
  values: number;
  cells: Int32Array;
  amounts: Float64Array;
}

function unitProfiles(encoded: EncodedUnits): { profileOfUnit: Int32Array; profiles: Profile[] } {
  const size = encoded.values.length;
  const profileOfUnit = new Int32Array(encoded.units);
  const profiles: Profile[] = [];
  const byKey = new Map<string, number>();
  const scratch = new Float64Array(size * size);
  const perCategory = new Float64Array(size);
  const touched = new Int32Array(maxUnitLength(encoded));
  for (let u = 0; u < encoded.units; u++) {
    const start = encoded.offsets[u]!;
    const end = encoded.offsets[u + 1]!;
    const key = Array.from(encoded.categories.subarray(start, end)).sort((x, y) => x - y).join(',');
    let profile = byKey.get(key);
    if (profile === undefined) {
      addUnitPairs(scratch, size, encoded.categories, start, end, perCategory, touched);
      const cells: number[] = [];
      const amounts: number[] = [];
      scratch.forEach((amount, cell) => {
        if (amount !== 0) {
          cells.push(cell);
          amounts.push(amount);
          scratch[cell] = 0;
        }
      });
      profile = profiles.push({ values: end - start, cells: Int32Array.from(cells), amounts: Float64Array.from(amounts) }) - 1;
      byKey.set(key, profile);
    }
    profileOfUnit[u] = profile;
  }
  return { profileOfUnit, profiles };
}

/** Linear interpolation between order statistics (R's type 7). */
function quantile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * p;
  const below = Math.floor(h);
  const lower = sorted[below]!;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)]!;
  return lower + (h - below) * (upper - lower);
}

function countBelow(sorted: readonly number[], threshold: number): number {
  let count = 0;
  while (count < sorted.length && sorted[count]! < threshold) count++;
  return count;
}

