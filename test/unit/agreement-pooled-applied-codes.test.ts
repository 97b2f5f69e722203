import { describe, expect, it } from 'vitest';
import { binaryAlpha, binaryCodeApplied, coincidenceMatrix, pooledBinaryAlpha } from '../../src/core/agreement.js';

// Units × coders, ATLAS.ti manual ICA example (Krippendorff 2011 binary example: α = 0.095238).
const atlas = [[1, 0], [1, 1], [0, 1], [0, 0], [0, 0], [0, 1], [0, 0], [0, 1], [0, 0], [0, 0]];
const neverApplied = (units: number): number[][] => Array.from({ length: units }, () => [0, 0]);

describe('pooled binary alpha over applied codes only', () => {
  it('does not change when codes nobody applied are added', () => {
    const alone = pooledBinaryAlpha([atlas]);
    expect(alone.alpha).toBeCloseTo(0.095238, 6);
    expect(alone.alpha).toBe(binaryAlpha(atlas).alpha);
    for (const unused of [1, 11, 71]) {
      const pooled = pooledBinaryAlpha([atlas, ...Array.from({ length: unused }, () => neverApplied(10))]);
      expect(pooled).toEqual(alone);
    }
  });

  it('is undefined (no variation) when no code was applied, and has no pairable units when none was seen twice', () => {
    expect(pooledBinaryAlpha([neverApplied(10), neverApplied(3)])).toMatchObject({ alpha: null, reason: 'no-variation', units: 0 });
    expect(pooledBinaryAlpha([[[0, null]]])).toMatchObject({ alpha: null, reason: 'no-pairable-units' });
  });

  it('counts a code as applied only when a presence meets a second coder', () => {
    expect(binaryCodeApplied(coincidenceMatrix(atlas))).toBe(true);
    expect(binaryCodeApplied(coincidenceMatrix(neverApplied(4)))).toBe(false);
    // Applied, but on a unit nobody else saw: no pairable presence.
    expect(binaryCodeApplied(coincidenceMatrix([[1, null], [0, 0]]))).toBe(false);
    expect(binaryCodeApplied(coincidenceMatrix([[1, 1], [1, 1]]))).toBe(true);
  });
});
