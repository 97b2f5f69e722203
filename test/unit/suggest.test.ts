import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/core/suggest.js';

describe('did-you-mean', () => {
  it.each([
    ['protest', 'protest', 0],
    ['protst', 'protest', 1],
    ['R10', 'R01', 1],
    ['ab', 'ba', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['ca', 'abc', 3],
  ])('%j is %j away from %j', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it.each([
    ['R10', ['R01', 'R02'], 'R01'],
    ['forms.protst', ['forms.protest', 'forms.petitions'], 'forms.protest'],
    ['de', ['DE', 'LT'], 'DE'],
    ['XX', ['LT', 'LV'], undefined],
    ['Age', ['case', 'kind'], undefined],
    ['x', ['y'], undefined],
    // A name cut short: a prefix of at least three characters and half the candidate.
    ['r07-madri', ['r06-helsinki-ru', 'r07-madrid-ru', 'r08-tbilisi-en'], 'r07-madrid-ru'],
    ['R07-MADRID', ['r07-madrid-ru', 'r07-madrid-ru-2'], 'r07-madrid-ru'],
    ['r07', ['r07-madrid-ru'], undefined],
    ['for', ['forms.protest'], undefined],
    ['r', ['r01'], undefined],
    ['madrid', ['r07-madrid-ru'], undefined],
  ])('suggests for %j among %j: %j', (word, candidates, expected) => {
    expect(didYouMean(word, candidates)).toBe(expected);
  });
});
