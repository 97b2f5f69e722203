import type { StatsReport } from '../../app/analysis.js';
import { NO_VALUE_LABEL } from '../../core/cooccurrence.js';
import type { Column } from '../output.js';
import { oneLine, truncate } from './style.js';

type StatsLine = Record<string, string | number>;

/**
 * The frequency table: code, label, n, share and codings, then one column per --by value (and one for
 * the units without a value, if any), and with --by a last row giving the units per value. For the
 * terminal, labels are cut to 40 columns and value columns are headed by the value, explained in the
 * legend. In CSV the no-value column is headed "NAME=" (no stored value is empty).
 */
export function statsTable(report: StatsReport, terminal: boolean): { rows: StatsLine[]; columns: Column<StatsLine>[]; legend: string | null } {
  const values = report.by?.values ?? [];
  // On the terminal the keys are positions, so that a value called "n" or "code" cannot take another column's place.
  const valueKey = (index: number): string => (terminal ? `#${index}` : `${report.by!.attribute}=${values[index]!.value ?? ''}`);
  const valueHeader = (index: number): string => (terminal ? oneLine(values[index]!.value ?? NO_VALUE_LABEL) : valueKey(index));
  const rows: StatsLine[] = report.rows.map((row) => {
    const line: StatsLine = {
      code: row.code,
      label: terminal ? truncate(oneLine(row.label), 40) : row.label,
      n: row.n,
      percent: terminal ? `${(row.share * 100).toFixed(1)}%` : Math.round(row.share * 1e6) / 1e4,
      codings: row.codings,
    };
    row.byValue.forEach((n, index) => {
      line[valueKey(index)] = n;
    });
    return line;
  });
  if (report.by) {
    const total: StatsLine = { code: `(${report.unit}s)`, label: terminal ? '' : `${report.unit}s per value`, n: report.unitCount, percent: terminal ? '' : 100, codings: '' };
    values.forEach((value, index) => {
      total[valueKey(index)] = value.units;
    });
    rows.push(total);
  }
  const columns: Column<StatsLine>[] = [
    { key: 'code', header: 'code' },
    { key: 'label', header: 'label' },
    { key: 'n', header: `${report.unit}s`, align: 'right' },
    { key: 'percent', header: '%', align: 'right' },
    { key: 'codings', header: 'codings', align: 'right' },
    ...values.map((_value, index) => ({ key: valueKey(index), header: valueHeader(index), align: 'right' as const })),
  ];
  const legendEntry = (value: (typeof values)[number]): string => (value.value === null ? `${NO_VALUE_LABEL} no case, or no ${report.by!.attribute}` : `${value.value} ${value.label}`);
  const legend = report.by && terminal ? oneLine(`${report.by.label}: ${values.map(legendEntry).join(' · ')}`) : null;
  return { rows, columns, legend };
}
