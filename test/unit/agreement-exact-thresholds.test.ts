import { describe, expect, it } from 'vitest';
import { alphaFlag } from '../../src/app/agreement.js';
import { alphaFromCoincidence, binaryCoincidenceFromTally, krippendorffAlpha } from '../../src/core/agreement.js';

// Two coders' 2×2 tables whose alpha is exactly one of Krippendorff's minimums: the flag must not fall on
// the wrong side of it through floating-point rounding.

/** Binary alpha of two coders who both applied a code on `both` units, only the first on `firstOnly`, neither on `neither`. */
function alphaOfTable(both: number, firstOnly: number, neither: number): number | null {
  const tally = [
    { coders: 2, present: 2, units: both },
    { coders: 2, present: 1, units: firstOnly },
    { coders: 2, present: 0, units: neither },
  ];
  return alphaFromCoincidence(binaryCoincidenceFromTally(tally)).alpha;
}

describe('alpha exactly at a threshold', () => {
  it('123 units, 21 both, 8 one coder only, 94 neither: alpha is 4/5, which reaches 0.8', () => {
    const alpha = alphaOfTable(21, 8, 94);
    expect(alpha).toBe(0.8);
    expect(alphaFlag(alpha)).toBe('ok');
  });

  it('20 units, 5 both, 3 one coder only, 12 neither: alpha is 2/3, which is Krippendorff\'s .667', () => {
    const alpha = alphaOfTable(5, 3, 12);
    expect(alpha).toBeCloseTo(2 / 3, 12);
    expect(alphaFlag(alpha)).toBe('below 0.8');
  });

  it('gives the same alpha from the reliability data themselves', () => {
    const rows = (both: number, firstOnly: number, neither: number): number[][] => [
      ...Array.from({ length: both }, () => [1, 1]),
      ...Array.from({ length: firstOnly }, () => [1, 0]),
      ...Array.from({ length: neither }, () => [0, 0]),
    ];
    expect(krippendorffAlpha(rows(21, 8, 94)).alpha).toBe(0.8);
    expect(alphaFlag(krippendorffAlpha(rows(5, 3, 12)).alpha)).toBe('below 0.8');
  });

  it('still flags alphas that are below a minimum by more than rounding', () => {
    expect(alphaFlag(0.7999)).toBe('below 0.8');
    expect(alphaFlag(0.6666)).toBe('below 0.667');
    expect(alphaFlag(0.7999999999999999)).toBe('ok');
    expect(alphaFlag(0.6666666666666666)).toBe('below 0.8');
  });
});
