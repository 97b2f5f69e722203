import { describe, expect, it } from 'vitest';
import { didYouMean } from '../../src/core/suggest.js';

describe('didYouMean', () => {
  it.each([
    ['lable', ['label', 'labels', 'codes'], 'label'],
    ['de', ['LT', 'DE'], 'DE'],
    ['FR', ['LT', 'FI'], 'FI'],
    ['XX', ['LT', 'LV', 'PL', 'DE', 'UK', 'FI', 'ES'], undefined],
    ['z', ['x', 'year'], undefined],
    ['Age', ['case', 'age_band'], undefined],
    ['typo', ['type', 'label'], 'type'],
    ['host_county', ['host_country', 'city'], 'host_country'],
    ['something', ['label', 'codes'], undefined],
  ])('%s among %j → %s', (word, candidates, expected) => {
    expect(didYouMean(word, candidates)).toBe(expected);
  });
});
