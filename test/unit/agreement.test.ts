import { describe, it, expect } from 'vitest';
import {
  alphaFromCoincidence,
  binaryAlpha,
  binaryCoincidence,
  binaryCoincidenceFromTally,
  bootstrapAlpha,
  cohenKappa,
  cohenKappaFromTable,
  coincidenceMatrix,
  krippendorffAlpha,
  meanOfDefined,
  percentAgreement,
  pooledBinaryAlpha,
  sumCoincidences,
  type AlphaLevel,
  type ReliabilityData,
} from '../../src/core/agreement.js';

const _ = null;

/** Turns coders × units rows (as printed in the literature) into the units × coders matrix the API takes. */
function byUnit(coders: ReadonlyArray<ReadonlyArray<number | null>>): (number | null)[][] {
  return coders[0]!.map((_value, u) => coders.map((row) => row[u] ?? null));
}

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers × 12 units.
const krippendorffC = byUnit([
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]);

// ATLAS.ti manual ICA example (same marginals as Krippendorff's 2011 binary example).
const atlasCoder1 = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
const atlasCoder2 = [0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
const atlasBinary = byUnit([atlasCoder1, atlasCoder2]);

function repeat<T>(value: T, times: number): T[] {
  return Array.from({ length: times }, () => value);
}

describe('coincidenceMatrix', () => {
  it('reproduces the coincidence matrix of Krippendorff 2011 section C', () => {
    const cm = coincidenceMatrix(krippendorffC);
    expect(cm.values).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(cm.marginals, (n) => Math.round(n * 1e9) / 1e9)).toEqual([9, 13, 10, 5, 3]);
    expect(cm.pairableValues).toBe(40);
    expect(cm.units).toBe(11);
    const expected = [
      [7, 4 / 3, 1 / 3, 1 / 3, 0],
      [4 / 3, 10, 4 / 3, 1 / 3, 0],
      [1 / 3, 4 / 3, 8, 1 / 3, 0],
      [1 / 3, 1 / 3, 1 / 3, 4, 0],
      [0, 0, 0, 0, 3],
    ];
    expected.forEach((row, c) => {
      row.forEach((value, k) => expect(cm.counts[c * 5 + k]).toBeCloseTo(value, 12));
    });
  });

  it('gives the binary example matrix [[10,4],[4,2]]', () => {
    expect(Array.from(coincidenceMatrix(atlasBinary).counts)).toEqual([10, 4, 4, 2]);
  });

  it('binaryCoincidence from presence counts equals the matrix-based result', () => {
    const present = atlasBinary.map((row) => row.reduce<number>((sum, v) => sum + (v ?? 0), 0));
    const fast = binaryCoincidence(present, 2);
    expect(Array.from(fast.counts)).toEqual([10, 4, 4, 2]);
    expect(fast.pairableValues).toBe(20);
    expect(fast.units).toBe(10);
  });

  it('binaryCoincidence drops units seen by fewer than 2 coders', () => {
    const cm = binaryCoincidence([1, 0, 1], [3, 1, 2]);
    expect(cm.units).toBe(2);
    expect(cm.pairableValues).toBe(5);
  });

  it('maps arbitrary numbers (negative, fractional, large) to sorted categories', () => {
    const cm = coincidenceMatrix([
      [2.5, -1],
      [5000, 5000],
    ]);
    expect(cm.values).toEqual([-1, 2.5, 5000]);
    expect(Array.from(cm.counts)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 2]);
  });

  it('rejects NaN instead of treating it as a value', () => {
    expect(() => coincidenceMatrix([[1, Number.NaN]])).toThrow(RangeError);
  });
});

describe('krippendorffAlpha on Krippendorff 2011 section C', () => {
  it('nominal matches NLTK (0.743421052632)', () => {
    const result = krippendorffAlpha(krippendorffC, 'nominal');
    expect(result.alpha).toBeCloseTo(0.743421052632, 9);
    expect(result.pairableValues).toBe(40);
    expect(result.units).toBe(11);
    expect(result.reason).toBeUndefined();
  });

  it.each<[AlphaLevel, number]>([
    ['nominal', 0.743],
    ['ordinal', 0.815],
    ['interval', 0.849],
    ['ratio', 0.797],
  ])('%s alpha is %f (published, 3 dp)', (level, published) => {
    expect(krippendorffAlpha(krippendorffC, level).alpha).toBeCloseTo(published, 3);
  });

  // Recomputed to 6 dp (REFERENCE 2b); they pin the distance functions more tightly than the published 3 dp.
  it.each<[AlphaLevel, number]>([
    ['ordinal', 0.815388],
    ['interval', 0.849107],
    ['ratio', 0.797403],
  ])('%s alpha is %f to 6 dp', (level, recomputed) => {
    expect(krippendorffAlpha(krippendorffC, level).alpha).toBeCloseTo(recomputed, 6);
  });

  it('defaults to the nominal level', () => {
    expect(krippendorffAlpha(krippendorffC).level).toBe('nominal');
  });

  it('gives the same alpha when coders are permuted and units are shuffled', () => {
    const shuffled = [...krippendorffC].reverse().map((row) => [...row].reverse());
    expect(krippendorffAlpha(shuffled, 'ordinal').alpha).toBeCloseTo(0.815388, 6);
  });
});

describe('krippendorffAlpha edge cases', () => {
  it.each<[string, ReliabilityData, number | null, string | undefined]>([
    ['perfect agreement with variation', byUnit([[1, 2, 3], [1, 2, 3]]), 1, undefined],
    ['no variation (all agree on one value)', byUnit([[4, 4, 4], [4, 4, 4]]), null, 'no-variation'],
    ['a single unit with one value', [[1]], null, 'no-pairable-units'],
    ['a single unit, one value and a missing one', [[1, null]], null, 'no-pairable-units'],
    ['all missing', [[null, null], [null, null]], null, 'no-pairable-units'],
    ['no units at all', [], null, 'no-pairable-units'],
  ])('%s', (_name, matrix, alpha, reason) => {
    const result = krippendorffAlpha(matrix, 'nominal');
    expect(result.alpha).toBe(alpha);
    expect(result.reason).toBe(reason);
  });

  it('reports null disagreements, not NaN, without pairable units', () => {
    const result = krippendorffAlpha([[null, 3]], 'interval');
    expect(result.observedDisagreement).toBeNull();
    expect(result.expectedDisagreement).toBeNull();
  });

  it('reports D_e = 0 when there is no variation', () => {
    const result = krippendorffAlpha([[2, 2], [2, 2]], 'interval');
    expect(result.expectedDisagreement).toBe(0);
    expect(result.observedDisagreement).toBe(0);
  });

  it('is 1 for perfect agreement at every level', () => {
    const matrix = byUnit([[1, 2, 3, 7], [1, 2, 3, 7], [1, 2, null, 7]]);
    for (const level of ['nominal', 'ordinal', 'interval', 'ratio'] as const) {
      expect(krippendorffAlpha(matrix, level).alpha).toBe(1);
    }
  });

  it('ignores values of units that have only one value', () => {
    const withSingleton = [...atlasBinary, [7, null]];
    expect(krippendorffAlpha(withSingleton).alpha).toBeCloseTo(0.095238, 6);
    expect(coincidenceMatrix(withSingleton).values).toEqual([0, 1]);
  });

  it('rejects negative values at the ratio level', () => {
    expect(() => krippendorffAlpha([[-1, 2], [3, 3]], 'ratio')).toThrow(RangeError);
  });
});

// The edge cases of docs/team.md, two coders, presence (1) / absence (0) of one code. Each figure follows from the
// formulas by hand: e.g. one unit (0, 1) gives o01 = o10 = 1, n = 2, D_o = 1, D_e = 2·1·1/(2·1) = 1, alpha 0;
// p_o = 0, p_e = 1·0 + 0·1 = 0, kappa 0. Always opposite (1,0)/(0,1): p_o = 0, p_e = 1/2, kappa −1;
// o01 = o10 = 2, n = 4, D_o = 1, D_e = 2·2·2/(4·3) = 2/3, alpha −1/2.
describe('documented edge cases (docs/team.md), two coders', () => {
  it.each<[string, number[], number[], number | null, number | null, number | null]>([
    ['perfect agreement with variation', [1, 0, 0], [1, 0, 0], 1, 1, 1],
    ['no variation: nobody applied the code', [0, 0, 0], [0, 0, 0], 1, null, null],
    ['no variation: applied to every unit', [1, 1], [1, 1], 1, null, null],
    ['a single unit, agreeing', [1], [1], 1, null, null],
    ['a single unit, differing', [0], [1], 0, 0, 0],
    ['always opposite', [1, 0], [0, 1], 0, -1, -0.5],
    ['all missing: no unit seen by both', [], [], null, null, null],
  ])('%s', (_name, first, second, agreement, kappa, alpha) => {
    const units = first.map((value, u) => [value, second[u]!]);
    expect(percentAgreement(units).agreement).toBe(agreement);
    const k = cohenKappa(first, second).kappa;
    const a = binaryAlpha(units).alpha;
    // The same through the counting path `qcode agreement` takes: a 2×2 table and a presence tally.
    const table = [[0, 0], [0, 0]];
    const tally = [0, 1, 2].map((present) => ({ coders: 2, present, units: 0 }));
    units.forEach(([x, y]) => {
      table[x!]![y!]! += 1;
      tally[x! + y!]!.units += 1;
    });
    const kFromTable = cohenKappaFromTable(table).kappa;
    const aFromTally = alphaFromCoincidence(binaryCoincidenceFromTally(tally)).alpha;
    for (const [actual, expected] of [[k, kappa], [a, alpha], [kFromTable, kappa], [aFromTally, alpha]] as const) {
      if (expected === null) expect(actual).toBeNull();
      else expect(actual).toBeCloseTo(expected, 12);
    }
  });

  it('gives the reason of an undefined figure instead of NaN', () => {
    expect(binaryAlpha([[1, 1]])).toMatchObject({ alpha: null, reason: 'no-variation' });
    expect(binaryAlpha([[1, null], [null, 0]])).toMatchObject({ alpha: null, reason: 'no-pairable-units' });
    expect(cohenKappa([1], [1])).toMatchObject({ kappa: null, reason: 'no-variation' });
    expect(cohenKappa([], [])).toMatchObject({ kappa: null, reason: 'no-units' });
  });
});

describe('binary agreement, ATLAS.ti manual example', () => {
  it('binaryAlpha is 0.095238', () => {
    expect(binaryAlpha(atlasBinary).alpha).toBeCloseTo(0.095238, 6);
  });

  it('percent agreement is 0.6', () => {
    expect(percentAgreement(atlasBinary)).toEqual({ agreement: 0.6, agreed: 6, units: 10 });
  });

  it("Cohen's kappa is 0.090909 with p_e = 0.56", () => {
    const result = cohenKappa(atlasCoder1, atlasCoder2);
    expect(result.kappa).toBeCloseTo(0.090909, 6);
    expect(result.observed).toBeCloseTo(0.6, 12);
    expect(result.expected).toBeCloseTo(0.56, 12);
  });

  it('binaryAlpha rejects values other than 0 and 1', () => {
    expect(() => binaryAlpha([[0, 2]])).toThrow(RangeError);
  });
});

describe('pooled binary alpha', () => {
  it('sums the coincidence matrices of all codes before computing alpha once', () => {
    const otherCode = byUnit([[1, 0, 1, 1], [1, 0, 0, 1]]);
    const pooled = pooledBinaryAlpha([atlasBinary, otherCode]);
    const manual = alphaFromCoincidence(
      sumCoincidences([coincidenceMatrix(atlasBinary), coincidenceMatrix(otherCode)]),
    );
    // o = [[10,4],[4,2]] + [[2,1],[1,4]] = [[12,5],[5,6]], n = 28, n_0 = n_1 = ... computed by hand:
    // D_o = 10/28, D_e = 2·17·11/(28·27), alpha = 1 − (10·27)/(2·17·11).
    expect(pooled.alpha).toBeCloseTo(1 - 270 / 374, 12);
    expect(pooled.alpha).toBe(manual.alpha);
    expect(pooled.units).toBe(14);
    expect(pooled.pairableValues).toBe(28);
  });

  it('aligns codes whose matrices have different categories', () => {
    const neverApplied = byUnit([[0, 0], [0, 0]]);
    const summed = sumCoincidences([coincidenceMatrix(atlasBinary), coincidenceMatrix(neverApplied)]);
    expect(alphaFromCoincidence(summed).alpha).toBe(alphaFromCoincidence(binaryCoincidence([1, 2, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0], 2)).alpha);
    // pooledBinaryAlpha leaves out a code nobody applied (docs/team.md, "Pooled figures").
    expect(pooledBinaryAlpha([atlasBinary, neverApplied]).alpha).toBe(binaryAlpha(atlasBinary).alpha);
  });

  it('meanOfDefined skips undefined alphas', () => {
    expect(meanOfDefined([0.5, null, 1])).toEqual({ mean: 0.75, defined: 2 });
    expect(meanOfDefined([null])).toEqual({ mean: null, defined: 0 });
  });
});

/** Expands a 2-coder contingency table (rows: coder 1 label, columns: coder 2 label) into paired labels. */
function fromTable(table: number[][]): [number[], number[]] {
  const first: number[] = [];
  const second: number[] = [];
  table.forEach((row, i) =>
    row.forEach((count, j) => {
      first.push(...repeat(i, count));
      second.push(...repeat(j, count));
    }),
  );
  return [first, second];
}

describe('cohenKappa', () => {
  it.each<[string, (number | string)[], (number | string)[], number, number]>([
    ['Artstein & Poesio Table 1 [[20,20],[10,50]]', ...fromTable([[20, 20], [10, 50]]), 0.347826, 6],
    [
      'Artstein & Poesio multiclass',
      [...repeat(0, 46), ...repeat(1, 44), ...repeat(2, 10)],
      [...repeat(0, 52), ...repeat(1, 32), ...repeat(2, 16)],
      0.801325,
      4,
    ],
    ['perfect agreement with variation', ['a', 'b', 'c'], ['a', 'b', 'c'], 1, 12],
  ])('%s', (_name, a, b, kappa, digits) => {
    expect(cohenKappa(a, b).kappa).toBeCloseTo(kappa, digits);
  });

  it('is exactly 0 for [[6,0],[4,0]]', () => {
    const result = cohenKappa(...fromTable([[6, 0], [4, 0]]));
    expect(result.kappa).toBe(0);
    expect(result.n).toBe(10);
  });

  it('is null with reason no-variation when both coders use one and the same label', () => {
    const result = cohenKappa(['x', 'x', 'x'], ['x', 'x', 'x']);
    expect(result).toEqual({ kappa: null, observed: 1, expected: 1, n: 3, reason: 'no-variation' });
  });

  it('is null with reason no-units for empty input', () => {
    expect(cohenKappa([], []).reason).toBe('no-units');
  });

  it('rejects unpaired labels', () => {
    expect(() => cohenKappa([1, 2], [1])).toThrow(RangeError);
  });
});

describe('percentAgreement', () => {
  it.each<[string, ReadonlyArray<ReadonlyArray<string | null>>, number | null, number]>([
    ['three coders, one disagreement', [['a', 'a', 'a'], ['a', 'b', 'a']], 0.5, 2],
    ['missing values are ignored within a unit', [['a', null, 'a'], ['b', 'b', null]], 1, 2],
    ['units with fewer than 2 values are skipped', [['a', null], ['a', 'b']], 0, 1],
    ['no comparable units', [[null, 'a']], null, 0],
  ])('%s', (_name, rows, agreement, units) => {
    const result = percentAgreement(rows);
    expect(result.agreement).toBe(agreement);
    expect(result.units).toBe(units);
  });
});

describe('bootstrapAlpha', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const first = bootstrapAlpha(krippendorffC, 'interval', { samples: 300, seed: 42 });
    const again = bootstrapAlpha(krippendorffC, 'interval', { samples: 300, seed: 42 });
    const other = bootstrapAlpha(krippendorffC, 'interval', { samples: 300, seed: 43 });
    expect(again).toEqual(first);
    expect([other.low, other.high]).not.toEqual([first.low, first.high]);
  });

  it.each<AlphaLevel>(['nominal', 'ordinal', 'interval', 'ratio'])(
    '%s interval contains the point estimate of the Krippendorff data',
    (level) => {
      const result = bootstrapAlpha(krippendorffC, level, { samples: 1000, seed: 7 });
      expect(result.estimate).toBeCloseTo(krippendorffAlpha(krippendorffC, level).alpha!, 12);
      expect(result.low!).toBeLessThanOrEqual(result.estimate!);
      expect(result.high!).toBeGreaterThanOrEqual(result.estimate!);
      expect(result.low!).toBeLessThanOrEqual(result.high!);
      expect(result.high!).toBeLessThanOrEqual(1);
    },
  );

  it('respects the sample count and reports how many samples had a defined alpha', () => {
    const result = bootstrapAlpha(atlasBinary, 'nominal', { samples: 250, seed: 3 });
    expect(result.requested).toBe(250);
    expect(result.samples).toBeGreaterThan(0);
    expect(result.samples).toBeLessThanOrEqual(250);
  });

  it('counts only samples with variation: identical units never give a defined alpha', () => {
    const result = bootstrapAlpha([[1, 1], [1, 1], [1, 1]], 'nominal', { samples: 50, seed: 1 });
    expect(result).toMatchObject({ estimate: null, low: null, high: null, samples: 0, requested: 50 });
    expect(result.belowMinimum).toEqual([
      { minimum: 0.667, proportion: null },
      { minimum: 0.8, proportion: null },
    ]);
  });

  it('a narrower confidence level gives a nested interval', () => {
    const wide = bootstrapAlpha(krippendorffC, 'nominal', { samples: 500, seed: 11, confidence: 0.95 });
    const narrow = bootstrapAlpha(krippendorffC, 'nominal', { samples: 500, seed: 11, confidence: 0.5 });
    expect(narrow.low!).toBeGreaterThanOrEqual(wide.low!);
    expect(narrow.high!).toBeLessThanOrEqual(wide.high!);
  });

  it('reports the share of samples below each minimum alpha (Krippendorff q)', () => {
    const result = bootstrapAlpha(atlasBinary, 'nominal', { samples: 400, seed: 5, minimums: [0.667, 2] });
    expect(result.belowMinimum[0]!.proportion).toBeGreaterThan(0.9);
    expect(result.belowMinimum[1]).toEqual({ minimum: 2, proportion: 1 });
  });

  it.each([0, 1.5, -3])('rejects %s samples', (samples) => {
    expect(() => bootstrapAlpha(krippendorffC, 'nominal', { samples })).toThrow(RangeError);
  });
});
