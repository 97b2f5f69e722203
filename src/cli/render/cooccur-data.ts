import { longRows, LONG_KEYS, measureOf, type LongRow, type Measure } from '../../core/cooccurrence.js';
import type { CooccurReport, HypothesisTable } from '../../app/analysis.js';
import type { Column } from '../output.js';

export const LONG_COLUMNS: Column<LongRow>[] = LONG_KEYS.map((key) => ({ key, header: key }));

export function allLongRows(tables: readonly HypothesisTable[]): LongRow[] {
  return tables.flatMap((hypothesis) => longRows(hypothesis.id, hypothesis.table));
}

type WideRow = Record<string, string | number | null>;

/**
 * One table as a wide matrix for a spreadsheet: a row per table row (id, label, n), a column per table
 * column headed "label [id]", and a last row "n" with the column totals. Percentages are 0–100, and
 * empty where their denominator is 0.
 */
export function wideMatrix(hypothesis: HypothesisTable, measure: Measure): { rows: WideRow[]; columns: Column<WideRow>[] } {
  const { table } = hypothesis;
  const headers = table.columns.map((column) => `${column.label} [${column.id}]`);
  const scale = measure === 'rowpct' || measure === 'colpct' ? 100 : 1;
  const digits = measure === 'count' ? 0 : measure === 'c' ? 6 : 4;
  const rows: WideRow[] = table.rows.map((row, r) => {
    const line: WideRow = { row: row.id, row_label: row.label, n: row.n };
    headers.forEach((header, k) => {
      const value = measureOf(table.cells[r]![k]!, measure);
      line[header] = value === null ? null : Number((value * scale).toFixed(digits));
    });
    return line;
  });
  const totals: WideRow = { row: 'n', row_label: `${table.unit}s carrying the column`, n: table.unitCount };
  headers.forEach((header, k) => {
    totals[header] = table.columns[k]!.n;
  });
  rows.push(totals);
  return { rows, columns: ['row', 'row_label', 'n', ...headers].map((key) => ({ key, header: key })) };
}

/** The report as JSON: per table its rows, columns (with n) and cells in long form. */
export function cooccurJson(report: CooccurReport): unknown {
  return {
    unit: report.unit,
    coders: report.coders,
    tables: report.tables.map((hypothesis) => ({
      id: hypothesis.id,
      title: hypothesis.title,
      unitCount: hypothesis.table.unitCount,
      rows: hypothesis.table.rows,
      columns: hypothesis.table.columns,
      cells: longRows(hypothesis.id, hypothesis.table).map(({ hypothesis: _id, row_label: _r, column_label: _c, ...cell }) => cell),
    })),
  };
}
