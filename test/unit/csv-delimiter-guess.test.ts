import { describe, expect, it } from 'vitest';
import { guessDelimiter, parseCsvTable, parseDelimiterOption } from '../../src/io/import/csv.js';

describe('guessing the separator of a CSV', () => {
  it('counts separators outside quoted fields only, and wants the rows to agree with the header', () => {
    expect(guessDelimiter('id;host_country;"Чем вы занимаетесь, и почему, и как?"\n1;LT;Пишу письма\n')).toBe(';');
    expect(guessDelimiter('id;Чем вы занимаетесь, и почему, и как?\n1;Пишу письма\n2;"Хожу, смотрю"\n')).toBe(';');
    expect(guessDelimiter('id,q1\n1,"a; b; c"\n')).toBe(',');
    expect(guessDelimiter('id\tq1\tq2\n1\tone, two\tthree; four\n')).toBe('\t');
    // A quoted field spanning lines is one record.
    expect(guessDelimiter('id;q1\n1;"first, line\nsecond, line"\n')).toBe(';');
    expect(guessDelimiter('a,b,c\n')).toBe(',');
    expect(guessDelimiter('word\n')).toBe(',');
  });

  it('a .tsv file is read with tabs, and --delimiter wins over the guess', async () => {
    const tsv = await parseCsvTable('id\tq1\n1\ta, b, c\n', 'x.tsv', { path: '/data/x.tsv' });
    expect(tsv.rows[0]?.values).toEqual({ id: '1', q1: 'a, b, c' });
    const given = await parseCsvTable('id;q,r\n1;a,b\n', 'x.csv', { delimiter: ';' });
    expect(given.columns).toEqual(['id', 'q,r']);
  });

  it('--delimiter accepts , ; and a tab written tab, \\t or as itself', () => {
    expect([',', ';', 'tab', 'TAB', '\\t', '\t'].map(parseDelimiterOption)).toEqual([',', ';', '\t', '\t', '\t', '\t']);
    expect(() => parseDelimiterOption('|')).toThrow(/not a separator qcode reads/);
  });
});
