import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { usageError } from '../core/errors.js';
import { BOM, guardFormula } from '../io/export/formula.js';
import { displayWidth } from './render/style.js';

export interface OutputOptions {
  json?: boolean;
  csv?: boolean;
  /** With csv: a BOM and guarded formula cells, as `qcode export --excel`. */
  excel?: boolean | undefined;
}

export interface Column<Row> {
  key: keyof Row & string;
  header: string;
  align?: 'left' | 'right';
  /** How the value looks in the terminal table (CSV and JSON get the raw value). */
  format?: (value: Row[keyof Row], row: Row) => string;
}

export const EXCEL_HELP = "with --csv, for spreadsheets: a UTF-8 BOM, and a leading ' on text cells starting with = + - @ tab or CR (as qcode export --excel)";

/** Gives a listing command the same --json / --csv / --excel flags as every other. */
export function addOutputOptions(command: Command, jsonShape = 'an array of objects'): Command {
  return command
    .option('--json', `print JSON (${jsonShape}) for scripts`)
    .option('--csv', 'print CSV (RFC 4180, UTF-8)')
    .option('--excel', EXCEL_HELP)
    .hook('preAction', (_command, action) => {
      const { json, csv, excel } = action.opts<OutputOptions>();
      if (json && csv) throw usageError('choose one of --csv, --json');
      requireCsvForExcel(excel, csv === true);
    });
}

/**
 * --excel only changes CSV; anywhere else it would be silently ignored, and the user would open an
 * unguarded file believing it safe.
 */
export function requireCsvForExcel(excel: boolean | undefined, csv: boolean, csvFlags = '--csv'): void {
  if (excel && !csv) throw usageError(`--excel only applies to CSV output: use it with ${csvFlags}`);
}

/**
 * A parser of a whole number from `min` up: digits only (no 0x10, 1e3 or spaces), and no larger than a
 * double holds exactly, since a bigger one reaches SQLite as a float and fails there as if qcode were broken.
 * `what` begins the message: "--limit takes", "a memo id is".
 */
export function wholeNumber(what: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw usageError(`${what} a whole number from ${min} to ${max}, not "${value}"`);
    }
    return number;
  };
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Progress and notices go to stderr so that stdout stays clean for --json and --csv. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Renders rows as a table, CSV or JSON: the one output seam of the CLI. */
export function writeRows<Row extends object>(rows: readonly Row[], columns: readonly Column<Row>[], options: OutputOptions): void {
  if (options.json) {
    out(JSON.stringify(rows.map((row) => pick(row, columns)), null, 2));
  } else if (options.csv) {
    process.stdout.write(toCsv(rows, columns, { excel: options.excel ?? false }));
  } else {
    out(renderTable(rows, columns));
  }
}

/**
 * Writes many small pieces in writes of about 1 MB: no single huge string, no write per piece. Each piece
 * is encoded straight into the chunk, instead of joining a string that Node would then flatten and encode.
 */
export function writeChunked(pieces: Iterable<string>, write: (chunk: Buffer | string) => void = (chunk) => process.stdout.write(chunk)): void {
  const size = 1 << 20;
  let chunk = Buffer.allocUnsafe(size);
  let used = 0;
  for (const piece of pieces) {
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    if (used + piece.length * 3 > size) {
      if (used > 0) write(chunk.subarray(0, used));
      chunk = Buffer.allocUnsafe(size);
      used = 0;
      if (piece.length * 3 > size) {
        write(piece);
        continue;
      }
    }
    used += chunk.write(piece, used);
  }
  if (used > 0) write(chunk.subarray(0, used));
}

export function writeJson(value: unknown): void {
  out(JSON.stringify(value, snakeCaseReplacer(), 2));
}

/**
 * JSON for scripts speaks snake_case, as the CSV headers, the codebook YAML, the exports and the SQLite
 * schema do, while the TypeScript reports keep camelCase. Keys that are data stay as they are: those of
 * a Map (coder names, values), of `labels` and `value_labels` (language codes, attribute values), and the
 * whole of an event's `payload`, which prints as the store holds it (docs/schema.md).
 */
function snakeCaseReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const verbatim = new WeakSet<object>();
  const dataKeyed = new WeakSet<object>();
  return function replace(this: unknown, key, value) {
    if (typeof value !== 'object' || value === null) return value;
    if (isObject(this) && verbatim.has(this)) {
      verbatim.add(value);
      return value;
    }
    if (value instanceof Set) return [...value];
    if (value instanceof Map) {
      const entries = Object.fromEntries(value) as object;
      dataKeyed.add(entries);
      return entries;
    }
    if (Array.isArray(value) || dataKeyed.has(value)) return value;
    if (key === 'payload') {
      verbatim.add(value);
      return value;
    }
    if (key === 'labels' || key === 'value_labels') {
      dataKeyed.add(value);
      return value;
    }
    const renamed: Record<string, unknown> = {};
    for (const [name, inner] of Object.entries(value)) renamed[snakeCase(name)] = inner;
    return renamed;
  };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** tStart → t_start; keys without a lower-case letter before a capital (H1, LT) are left alone. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, (_match, before: string, capital: string) => `${before}_${capital.toLowerCase()}`);
}

function pick<Row extends object>(row: Row, columns: readonly Column<Row>[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const column of columns) result[column.key] = row[column.key];
  return result;
}

// Loaded on first use: most runs print a table or JSON.
let csvStringify: typeof import('csv-stringify/sync').stringify | undefined;

/** CSV text; with excel, a BOM first and text cells guarded by the same function as qcode export --excel. */
export function toCsv<Row extends object>(rows: readonly Row[], columns: readonly Column<Row>[], policy: { excel: boolean } = { excel: false }): string {
  csvStringify ??= (createRequire(import.meta.url)('csv-stringify/sync') as typeof import('csv-stringify/sync')).stringify;
  const body = csvStringify(
    rows.map((row) => columns.map((column) => csvValue(row[column.key], policy.excel))),
    // Headers too: cooccur --csv heads its columns with codebook labels.
    { header: true, columns: columns.map((column) => (policy.excel ? guardFormula(column.key) : column.key)), record_delimiter: 'unix' },
  );
  return policy.excel ? BOM + body : body;
}

function csvValue(value: unknown, excel: boolean): unknown {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : value;
  // Numbers stay numbers (a kappa of -0.2 is data, not a formula), as in qcode export.
  return excel && typeof text === 'string' ? guardFormula(text) : text;
}

/** A plain aligned table; wide cells are cut with an ellipsis only when a width is given. */
export function renderTable<Row extends object>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) =>
    columns.map((column) => {
      const value = row[column.key];
      return column.format ? column.format(value, row) : value === null || value === undefined ? '' : String(value);
    }),
  );
  const widths = columns.map((column, index) =>
    Math.max(displayWidth(column.header), ...cells.map((line) => displayWidth(line[index] ?? ''))),
  );
  const line = (values: string[]): string =>
    values
      .map((value, index) => {
        const pad = ' '.repeat(Math.max(0, (widths[index] ?? 0) - displayWidth(value)));
        return columns[index]?.align === 'right' ? pad + value : value + pad;
      })
      .join('  ')
      .trimEnd();
  const header = line(columns.map((column) => column.header));
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [header, rule, ...cells.map(line)].join('\n');
}

/** The "Examples:" block of a command's help (test/integration/help-docs.test.ts asks every command for one). */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;
}
