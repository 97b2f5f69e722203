import { describe, expect, it } from 'vitest';
import {
  alphaFromCoincidence,
  binaryCoincidence,
  binaryCoincidenceFromTally,
  bootstrapAlpha,
  bootstrapBinaryAlpha,
  cohenKappa,
  cohenKappaFromTable,
  type PresenceTally,
} from '../../src/core/agreement.js';

// ATLAS.ti manual ICA example: coder 1 = 1100000000, coder 2 = 0110010100 (REFERENCE 2b), α = 0.095238.
const atlasPresent = [1, 2, 1, 0, 0, 1, 0, 1, 0, 0];
const atlasTally: PresenceTally[] = [
  { coders: 2, present: 0, units: 5 },
  { coders: 2, present: 1, units: 4 },
  { coders: 2, present: 2, units: 1 },
];

describe('binaryCoincidenceFromTally', () => {
  it('gives the matrix [[10,4],[4,2]] and alpha 0.095238 of the ATLAS.ti example', () => {
    // The tally is the example's units counted by how many of the two coders applied the code.
    expect(atlasTally.map((row) => atlasPresent.filter((present) => present === row.present).length)).toEqual(atlasTally.map((row) => row.units));
    const cm = binaryCoincidenceFromTally(atlasTally);
    expect(Array.from(cm.counts)).toEqual([10, 4, 4, 2]);
    expect(cm.units).toBe(10);
    expect(cm.pairableValues).toBe(20);
    expect(alphaFromCoincidence(cm).alpha).toBeCloseTo(0.095238, 6);
  });

  it('equals binaryCoincidence unit by unit, missing data included', () => {
    const present = [0, 1, 2, 3, 1, 0, 2];
    const coders = [3, 3, 2, 3, 1, 2, 2];
    const tally = present.map((ones, u) => ({ coders: coders[u]!, present: ones, units: 1 }));
    const fromTally = binaryCoincidenceFromTally(tally);
    const fromUnits = binaryCoincidence(present, coders);
    expect(Array.from(fromTally.counts)).toEqual(Array.from(fromUnits.counts));
    expect(fromTally.units).toBe(6);
    expect(fromTally.pairableValues).toBe(fromUnits.pairableValues);
  });

  it('drops units seen by fewer than 2 coders and rejects impossible rows', () => {
    expect(binaryCoincidenceFromTally([{ coders: 1, present: 1, units: 9 }]).units).toBe(0);
    expect(() => binaryCoincidenceFromTally([{ coders: 2, present: 3, units: 1 }])).toThrow(RangeError);
  });
});

describe('bootstrapBinaryAlpha', () => {
  it('equals bootstrapAlpha on the same units listed in tally order', () => {
    const matrix = atlasTally.flatMap((row) =>
      Array.from({ length: row.units }, () => [...Array(row.present).fill(1), ...Array(row.coders - row.present).fill(0)] as number[]),
    );
    const fromTally = bootstrapBinaryAlpha(atlasTally, { samples: 200, seed: 7 });
    expect(fromTally).toEqual(bootstrapAlpha(matrix, 'nominal', { samples: 200, seed: 7 }));
    expect(fromTally.estimate).toBeCloseTo(0.095238, 6);
    expect(fromTally.low!).toBeLessThan(fromTally.high!);
  });

  it('gives no interval without units', () => {
    const result = bootstrapBinaryAlpha([], { samples: 10 });
    expect(result).toMatchObject({ estimate: null, low: null, high: null, samples: 0 });
  });
});

describe('cohenKappaFromTable', () => {
  it.each([
    ['Artstein & Poesio 2008 table 1', [[20, 20], [10, 50]], 0.347826],
    ['ATLAS.ti example (REFERENCE 2b: 0.090909)', [[5, 3], [1, 1]], 0.090909],
    ['[[6,0],[4,0]] is exactly 0', [[6, 0], [4, 0]], 0],
  ])('%s', (_name, table, expected) => {
    expect(cohenKappaFromTable(table).kappa).toBeCloseTo(expected, 6);
  });

  it('matches cohenKappa on the Artstein & Poesio multiclass example (0.8013)', () => {
    const a = [...Array(46).fill(0), ...Array(44).fill(1), ...Array(10).fill(2)] as number[];
    const b = [...Array(52).fill(0), ...Array(32).fill(1), ...Array(16).fill(2)] as number[];
    const table = [0, 1, 2].map((i) => [0, 1, 2].map((j) => a.filter((x, k) => x === i && b[k] === j).length));
    expect(cohenKappaFromTable(table).kappa).toBeCloseTo(0.8013, 4);
    expect(cohenKappaFromTable(table)).toEqual(cohenKappa(a, b));
  });

  it('reports the degenerate cases instead of NaN', () => {
    expect(cohenKappaFromTable([[5, 0], [0, 0]])).toMatchObject({ kappa: null, reason: 'no-variation' });
    expect(cohenKappaFromTable([[0, 0], [0, 0]])).toMatchObject({ kappa: null, reason: 'no-units' });
    expect(() => cohenKappaFromTable([[1, 2]])).toThrow(RangeError);
  });
});
