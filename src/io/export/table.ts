// What the SPSS syntax and the R script need to know about each exported CSV.

/**
 * string: text; integer: whole numbers; number: decimals; flag: a code column, 0 = not coded, 1 = coded;
 * date: an ISO date kept as text in SPSS and turned into a Date in R.
 */
export type ColumnType = 'string' | 'integer' | 'number' | 'flag' | 'date';

export interface ExportColumn {
  /** Portable variable name (src/core/names.ts). */
  name: string;
  /** Full variable label; the syntax truncates it where the format demands. */
  label: string;
  type: ColumnType;
  /** Strings: the longest value in UTF-8 bytes (at least 1). */
  bytes?: number;
  /** Integers and numbers: the longest value as written, in characters. */
  chars?: number;
  /** Category values in codebook order with their labels: SPSS value labels, R factor levels. */
  categories?: Array<{ value: string; label: string }>;
  /** R: keep the values as the factor's labels (ids such as code ids), the labels go to SPSS only. */
  keepValues?: boolean;
  /** Decimals to display (numbers). */
  decimals?: number;
  /** Numbers: the SPSS display format chosen from the values (spss.ts numberDisplay); else F with `decimals`. */
  display?: NumberDisplay;
}

export interface NumberDisplay {
  type: 'F' | 'E';
  width: number;
  decimals: number;
}

export interface ExportTable {
  /** File name inside the export folder, e.g. segments.csv. */
  file: string;
  /** Name of the dataset / data frame, e.g. segments. */
  name: string;
  /** R: the data frame's key in a list, e.g. "H1" in cooccur[["H1"]]. */
  key?: string;
  /** One line saying what a row is. */
  title: string;
  columns: ExportColumn[];
  rows: number;
}

/** Tracks the widths the syntax must declare while rows are written. */
export class WidthTracker {
  constructor(private readonly columns: ExportColumn[]) {
    for (const column of columns) {
      if (column.type === 'string' || column.type === 'date') column.bytes = Math.max(1, column.bytes ?? 1);
      else column.chars = Math.max(1, column.chars ?? 1);
    }
  }

  /** Notes a string value (as written) in column i. */
  text(i: number, value: string): void {
    const column = this.columns[i]!;
    // Length is a lower bound of the UTF-8 size; only measure when it might matter.
    if (value.length * 3 <= column.bytes!) return;
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > column.bytes!) column.bytes = bytes;
  }

  /** Notes a number (as written) in column i. */
  number(i: number, written: string): void {
    const column = this.columns[i]!;
    if (written.length > column.chars!) column.chars = written.length;
  }
}
