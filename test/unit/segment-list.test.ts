import { describe, expect, it } from 'vitest';
import { parseSegmentList } from '../../src/store/analysis.js';

// The string SQLite joins for one code: its segment ids in index order, negative for a span coding.

function decoded(list: string): { ids: number[]; whole: number[]; codings: number } {
  const { segmentIds, whole, codings } = parseSegmentList(list);
  return { ids: [...segmentIds], whole: [...whole], codings };
}

describe('parseSegmentList', () => {
  it('reads nothing from an empty list', () => {
    expect(decoded('')).toEqual({ ids: [], whole: [], codings: 0 });
  });

  it('keeps one entry per segment, whole when any of its codings is whole, in either order', () => {
    expect(decoded('3,-3,-7,-7,9,9,-12')).toEqual({ ids: [3, 7, 9, 12], whole: [1, 0, 1, 0], codings: 7 });
    expect(decoded('-3,3')).toEqual({ ids: [3], whole: [1], codings: 2 });
  });

  it('reads ids beyond 32 bits exactly', () => {
    expect(decoded(`${2 ** 40 + 1},-${2 ** 52 + 3}`).ids).toEqual([2 ** 40 + 1, 2 ** 52 + 3]);
  });
});
