import type { ChalkInstance } from 'chalk';
import { measureOf, strongestCells, type Measure, type TableItem, type Unit } from '../../core/cooccurrence.js';
import { formatAxis } from '../../core/codebook-model.js';
import type { HypothesisTable } from '../../app/analysis.js';
import type { Project } from '../../app/project.js';
import wrapAnsi from 'wrap-ansi';
import { displayWidth, oneLine, pad, palette, terminalWidth, truncate, wrapLabel } from './style.js';

export interface TableRenderOptions {
  measure: Measure;
  unit: Unit;
  coders: string[] | 'all';
  width: number;
  color: ChalkInstance;
}

const MEASURE_NAMES: Record<Measure, string> = {
  count: 'units coded with both (n_ab)',
  c: 'c-coefficient n_ab/(n_a+n_b−n_ab)',
  rowpct: 'row % (n_ab/n_a)',
  colpct: 'column % (n_ab/n_b)',
};

const HEADER_LINES = 3;
const MAX_ROW_LABEL = 34;

/** A cell's text: counts as integers, c with three decimals, percentages with one; zero as a dot, a percentage of no units as a dash (as agreement shows undefined figures). */
export function formatMeasure(value: number | null, measure: Measure): string {
  if (value === null) return '—';
  if (value === 0) return '·';
  if (measure === 'count') return String(value);
  if (measure === 'c') return value.toFixed(3);
  return `${(value * 100).toFixed(1)}%`;
}

/**
 * One hypothesis as terminal text: a title, then one block per column group (dimension or attribute),
 * split further to fit the width. Each block has the row labels, the row totals n, the cells, and a
 * bottom line of column totals. The strongest cells by c are bold (with colours) or starred (without).
 */
export function renderHypothesisTable(hypothesis: HypothesisTable, options: TableRenderOptions): string {
  const { table } = hypothesis;
  const color = options.color;
  const plain = color.level === 0;
  const strong = strongestCells(table);
  const lines: string[] = [];
  const axes = `${hypothesis.rows.map(formatAxis).join(', ')} × ${hypothesis.columns.map(formatAxis).join(', ')}`;
  lines.push(color.bold(`${hypothesis.id === 'table' ? '' : `${hypothesis.id}  `}${oneLine(hypothesis.title)}`));
  const coders = options.coders === 'all' ? 'all coders' : `coder${options.coders.length > 1 ? 's' : ''} ${options.coders.join(', ')}`;
  // An ad-hoc table's title already is its axes, as typed.
  const subtitle = [...(hypothesis.id === 'table' ? [] : [axes]), MEASURE_NAMES[options.measure], `${options.unit}s (N = ${table.unitCount})`, coders];
  lines.push(color.dim(wrapAnsi(subtitle.join(' · '), options.width, { hard: true })));
  if (table.rows.length === 0 || table.columns.length === 0) {
    lines.push('(no rows or columns: the axes name no active codes or attribute values)');
    return lines.join('\n');
  }

  const cellText = table.cells.map((line) => line.map((cell) => formatMeasure(measureOf(cell, options.measure), options.measure)));
  const valueWidth = Math.max(5, ...cellText.flat().map((text) => text.length), ...table.columns.map((column) => String(column.n).length)) + (plain ? 1 : 0);
  const nWidth = Math.max(3, ...table.rows.map((row) => String(row.n).length));
  const labelWidth = Math.min(MAX_ROW_LABEL, Math.max(8, ...table.rows.map((row) => displayWidth(oneLine(row.label)) + 3)), Math.max(12, options.width - nWidth - valueWidth - 4));
  // Wider cells give the column labels room, up to 12 columns; a group of more columns is split.
  const room = options.width - labelWidth - nWidth - 1;
  const widest = Math.max(...groupSizes(table.columns));
  const cellWidth = Math.max(valueWidth, 8, Math.min(12, Math.floor(room / Math.max(1, widest)) - 1));
  const perBlock = Math.max(1, Math.floor(room / (cellWidth + 1)));

  for (const block of columnBlocks(table.columns, perBlock)) {
    lines.push('');
    lines.push(color.bold.underline(truncate(oneLine(block.groupLabel), options.width)));
    const headers = block.columns.map((k) => wrapLabel(table.columns[k]!.label, cellWidth, HEADER_LINES));
    const depth = Math.max(...headers.map((header) => header.length));
    for (let line = 0; line < depth; line++) {
      const head = line === depth - 1 ? pad('', labelWidth) + pad('n', nWidth, 'right') : pad('', labelWidth + nWidth);
      lines.push(color.dim(`${head} ${headers.map((header) => pad(header[line - (depth - header.length)] ?? '', cellWidth, 'right')).join(' ')}`));
    }
    let group = '';
    table.rows.forEach((row, r) => {
      if (row.group !== group) {
        group = row.group;
        if (hasSeveralGroups(table.rows)) lines.push(color.italic(truncate(oneLine(row.groupLabel), options.width)));
      }
      const cells = block.columns.map((k) => {
        const text = cellText[r]![k]!;
        const isStrong = strong.has(`${r},${k}`);
        if (!isStrong) return pad(text, cellWidth, 'right');
        return plain ? pad(`${text}*`, cellWidth, 'right') : pad(color.bold(text), cellWidth, 'right');
      });
      lines.push(`${pad(truncate(`  ${oneLine(row.label)}`, labelWidth - 1), labelWidth)}${pad(String(row.n), nWidth, 'right')} ${cells.join(' ')}`.trimEnd());
    });
    const totals = block.columns.map((k) => pad(String(table.columns[k]!.n), cellWidth, 'right'));
    lines.push(color.dim(`${pad('  n', labelWidth)}${pad('', nWidth)} ${totals.join(' ')}`));
  }
  if (strong.size > 0) {
    lines.push('', color.dim(wrapAnsi(`${plain ? '* ' : 'bold: '}the strongest cells by c (n_ab/(n_a+n_b−n_ab)); n: units carrying the row or column`, options.width, { hard: true })));
  }
  if (cellText.some((line) => line.includes('—'))) lines.push(color.dim(wrapAnsi('—: a percentage of no units (n = 0)', options.width, { hard: true })));
  return lines.join('\n');
}

function groupSizes(items: readonly TableItem[]): number[] {
  const sizes = new Map<string, number>();
  for (const item of items) sizes.set(item.group, (sizes.get(item.group) ?? 0) + 1);
  return [...sizes.values()];
}

function hasSeveralGroups(rows: readonly TableItem[]): boolean {
  return rows.some((row) => row.group !== rows[0]?.group);
}

/** Columns in blocks: one per column group, each cut into pieces of at most `perBlock` columns. */
function columnBlocks(columns: readonly TableItem[], perBlock: number): Array<{ groupLabel: string; columns: number[] }> {
  const blocks: Array<{ groupLabel: string; columns: number[] }> = [];
  let group: string | undefined;
  columns.forEach((column, index) => {
    const last = blocks[blocks.length - 1];
    if (column.group !== group || !last || last.columns.length >= perBlock) {
      const continued = column.group === group;
      group = column.group;
      blocks.push({ groupLabel: continued ? `${column.groupLabel} …` : column.groupLabel, columns: [index] });
    } else {
      last.columns.push(index);
    }
  });
  return blocks;
}

export interface PrintHypothesesOptions {
  unit?: Unit;
  measure?: Measure;
  /** Label language, e.g. "ru". */
  language?: string;
  /** Defaults to the terminal's width. */
  width?: number;
  /** Where the text goes (default: stdout). */
  write?: (text: string) => void;
}

/**
 * Prints the co-occurrence table of every hypothesis in the project's codebook, all coders, as
 * `qcode cooccur --hypothesis all` does. For the demo and anyone who wants the tables in one call.
 */
export async function printHypothesisTables(project: Project, options: PrintHypothesesOptions = {}): Promise<void> {
  const { hypothesisTables } = await import('../../app/analysis.js');
  const unit = options.unit ?? 'segment';
  const tables = hypothesisTables(project.db, { unit, language: options.language });
  const write = options.write ?? ((text: string) => process.stdout.write(`${text}\n`));
  const render = { measure: options.measure ?? 'c', unit, coders: 'all' as const, width: options.width ?? terminalWidth(), color: palette() };
  write(tables.map((table) => renderHypothesisTable(table, render)).join('\n\n'));
}
