import { describe, expect, it } from 'vitest';
import { median, runOrder } from '../../src/bench/measure.js';

describe('runOrder (the benchmark interleaves a figure with its floor)', () => {
  it('alternates A B and B A, so each program runs first in half of the rounds', () => {
    const rounds = Array.from({ length: 6 }, (_, round) => runOrder(2, round));
    expect(rounds).toEqual([[0, 1], [1, 0], [0, 1], [1, 0], [0, 1], [1, 0]]);
    const firsts = rounds.map((order) => order[0]);
    expect(firsts.filter((index) => index === 0)).toHaveLength(3);
  });

  it('runs every program exactly once per round, whatever their number', () => {
    for (const count of [1, 2, 3, 5]) {
      for (const round of [0, 1, 2, 7]) expect([...runOrder(count, round)].sort()).toEqual(Array.from({ length: count }, (_, index) => index));
    }
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
