import { closeSync, openSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { BOM, guardFormula } from './formula.js';

export { guardFormula };

// CSV as R, SPSS/PSPP and spreadsheets read it: RFC 4180 (CRLF record ends), UTF-8, no BOM unless --excel.

/** RFC 4180 ends every record with CRLF; GNU PSPP, R, readr and spreadsheets all read it. */
export const RECORD_END = '\r\n';

export interface CellPolicy {
  /** --excel: guard cells that a spreadsheet would run as a formula. */
  excel: boolean;
}

/**
 * PSPP cannot read a line break inside a quoted field (it splits the case), so text cells in the CSVs
 * that qcode.sps reads carry each line break as one space. The exact text stays in qcode.db.
 */
export function flattenLineBreaks(text: string): string {
  return text.includes('\n') || text.includes('\r') ? text.replace(/\r\n|\r|\n/g, ' ') : text;
}

/** The text of a string cell as written: line breaks flattened, guarded under --excel. */
export function textCell(value: string | null | undefined, policy: CellPolicy): string {
  if (value === null || value === undefined) return '';
  const flat = flattenLineBreaks(value);
  return policy.excel ? guardFormula(flat) : flat;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One field, quoted when RFC 4180 requires it (a comma, a double quote or a line break), quotes doubled. */
export function encodeField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function numberCell(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '' : String(value);
}

const BUFFER_BYTES = 1 << 22;

/**
 * A CSV file written through one reused buffer, for the large exports (a million codings): fields are
 * encoded by the caller (encodeField), often once per distinct value, and the buffer is flushed in
 * 4 MiB writes.
 */
export class CsvFileWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  rows = 0;

  constructor(path: string, header: readonly string[], options: { bom: boolean }) {
    this.fd = openSync(path, 'wx', 0o600);
    if (options.bom) this.write(BOM);
    this.write(`${header.map(encodeField).join(',')}${RECORD_END}`);
  }

  /** Appends text that is already CSV (whole records or parts of one). */
  write(text: string): void {
    // A UTF-16 unit never takes more than 3 UTF-8 bytes.
    if (this.used + text.length * 3 > BUFFER_BYTES) {
      this.flush();
      if (text.length * 3 > BUFFER_BYTES) {
        writeAll(this.fd, Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** Appends bytes that are already CSV. */
  writeBytes(bytes: Buffer): void {
    if (this.used + bytes.length > BUFFER_BYTES) {
      this.flush();
      if (bytes.length > BUFFER_BYTES) {
        writeAll(this.fd, bytes);
        return;
      }
    }
    this.used += bytes.copy(this.buffer, this.used);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  /** Closes the file without flushing, after a failure (the temporary folder is removed anyway). */
  abandon(): void {
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.used > 0) writeAll(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** A small table in one go through csv-stringify (documents, cases, codebook, co-occurrence). */
export function smallCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>, options: { bom: boolean }): string {
  const body = stringify(rows.map((row) => row.map((value) => (value === null ? '' : value))), {
    header: true,
    columns: [...header],
    record_delimiter: 'windows',
  });
  return options.bom ? BOM + body : body;
}
