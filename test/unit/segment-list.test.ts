import { describe, expect, it } from 'vitest';
import { mergeCodeSegments, parseSegmentList } from '../../src/store/analysis.js';

// The string SQLite joins for one code: its segment ids in index order, negative for a span coding.

function decoded(list: string): { ids: number[]; whole: number[] } {
  const { segmentIds, whole } = parseSegmentList(list);
  return { ids: [...segmentIds], whole: [...whole] };
}

describe('parseSegmentList', () => {
  it('reads nothing from an empty list', () => {
    expect(decoded('')).toEqual({ ids: [], whole: [] });
  });

  it('keeps one entry per segment, whole when any of its codings is whole, in either order', () => {
    expect(decoded('3,-3,-7,-7,9,9,-12')).toEqual({ ids: [3, 7, 9, 12], whole: [1, 0, 1, 0] });
    expect(decoded('-3,3')).toEqual({ ids: [3], whole: [1] });
  });

  it('reads ids beyond 32 bits exactly', () => {
    expect(decoded(`${2 ** 40 + 1},-${2 ** 52 + 3}`).ids).toEqual([2 ** 40 + 1, 2 ** 52 + 3]);
  });
});

describe('mergeCodeSegments', () => {
  it('merges the codes\' lists into segment order, keeping each entry\'s code and whole flag', () => {
    const lists = ['1,-5,9', '2,5', '', `-${2 ** 40}`, '3,4,6,7,8,9,10'].map(parseSegmentList);
    const { segmentIds, codes, whole } = mergeCodeSegments(lists);
    const entries = [...segmentIds].map((id, i) => `${id}:${codes[i]}:${whole[i]}`);
    expect(entries.map((entry) => Number(entry.split(':')[0]))).toEqual([1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 9, 10, 2 ** 40]);
    expect(new Set(entries)).toEqual(new Set(['1:0:1', '2:1:1', '3:4:1', '4:4:1', '5:0:0', '5:1:1', '6:4:1', '7:4:1', '8:4:1', '9:0:1', '9:4:1', '10:4:1', `${2 ** 40}:3:0`]));
  });

  it('gives nothing for no codes or no codings', () => {
    expect(mergeCodeSegments([]).segmentIds.length).toBe(0);
    expect(mergeCodeSegments(['', ''].map(parseSegmentList)).segmentIds.length).toBe(0);
  });
});
