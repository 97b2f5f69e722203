import { afterEach, describe, expect, it, vi } from 'vitest';
import { snakeCase, writeJson } from '../../src/cli/output.js';

function printed(value: unknown): unknown {
  let text = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    writeJson(value);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(text);
}

afterEach(() => vi.restoreAllMocks());

describe('snakeCase', () => {
  it('splits camelCase humps and leaves snake_case and capitals-only keys alone', () => {
    expect(snakeCase('tStart')).toBe('t_start');
    expect(snakeCase('unitCount')).toBe('unit_count');
    expect(snakeCase('documentCaseConflicts')).toBe('document_case_conflicts');
    expect(snakeCase('coded_pct')).toBe('coded_pct');
    expect(snakeCase('n_ab')).toBe('n_ab');
    expect(snakeCase('H1')).toBe('H1');
    expect(snakeCase('LT')).toBe('LT');
  });
});

describe('writeJson', () => {
  it('prints report keys in snake_case at every depth, in arrays too', () => {
    expect(printed({ unitCount: 3, rows: [{ byValue: [1], groupLabel: 'x' }], counts: { codingsRemoved: 2 } })).toEqual({
      unit_count: 3,
      rows: [{ by_value: [1], group_label: 'x' }],
      counts: { codings_removed: 2 },
    });
  });

  it('keeps keys that are data: a Map, labels, value_labels and an event payload', () => {
    const value = {
      perCoder: new Map([['annaK', { codingsAdded: 1 }]]),
      attributes: [{ valueLabels: { inPerson: 'In person', LT: 'Lithuania' }, labels: { ru: 'Очно' } }],
      payload: { reverted: { keptByMerge: 1 }, renames: { oldName: 'newName' } },
      tags: new Set(['aB']),
    };
    expect(printed(value)).toEqual({
      // The Map's keys are coder names; the objects it holds are still reports.
      per_coder: { annaK: { codings_added: 1 } },
      attributes: [{ value_labels: { inPerson: 'In person', LT: 'Lithuania' }, labels: { ru: 'Очно' } }],
      payload: { reverted: { keptByMerge: 1 }, renames: { oldName: 'newName' } },
      tags: ['aB'],
    });
  });
});
