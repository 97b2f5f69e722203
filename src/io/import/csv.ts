import { UserError, usageError } from '../../core/errors.js';

// CSV tables that qcode reads (surveys, manifests, case attributes): RFC 4180 through csv-parse,
// a header row required, comma or semicolon (as European spreadsheets write) or tab separated
// (--delimiter; else tab for .tsv; else guessed from the first rows).
// Every error names the row (the header is row 1, as in a spreadsheet) and the line.

export interface CsvRow {
  /** 1-based record number, the header being row 1: the row a spreadsheet shows when no field spans lines. */
  row: number;
  /** Line of the file where the record starts. */
  line: number;
  values: Record<string, string>;
}

export interface CsvTable {
  columns: string[];
  rows: CsvRow[];
}

const SPREADSHEET_EXTENSIONS = /\.(xlsx|xlsm|xls|ods|numbers)$/i;

/**
 * A spreadsheet where a CSV is expected (a manifest, case attributes, a survey), told by its extension
 * or its bytes (a zip or an old Office file), so the user reads how to save a CSV rather than "binary".
 */
export function assertNotSpreadsheet(path: string, display: string, bytes?: Uint8Array): void {
  const zip = bytes !== undefined && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const ole = bytes !== undefined && bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;
  if (SPREADSHEET_EXTENSIONS.test(path) || zip || ole) {
    throw new UserError(`${display}: a spreadsheet (or other packaged file), not a CSV file`, {
      hint: 'Save the sheet as CSV (in Excel: File → Save As → CSV UTF-8; in LibreOffice: Save As → Text CSV, UTF-8) and give qcode that file',
    });
  }
}

/** The separators qcode reads. */
export type CsvDelimiter = ',' | ';' | '\t';

const DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

/** Parses a --delimiter value: `,`, `;`, or a tab written `tab`, `\t` or as the character itself. */
export function parseDelimiterOption(value: string): CsvDelimiter {
  const named: Record<string, CsvDelimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\\t': '\t', '\t': '\t' };
  const delimiter = named[value.trim() === '' ? value : value.trim().toLowerCase()];
  if (delimiter === undefined) throw usageError(`--delimiter: "${value}" is not a separator qcode reads`, 'Use , or ; or tab (quote them for the shell: --delimiter ";")');
  return delimiter;
}

/** How many records to look at when guessing the separator: enough to see that the rows agree. */
const GUESS_RECORDS = 50;

/**
 * Fields per record (empty lines skipped) of the first records, read with `delimiter` as RFC 4180 reads:
 * a quote opens a quoted field only at the start of a field, so separators inside it do not count.
 */
function fieldCounts(text: string, delimiter: CsvDelimiter): number[] {
  const counts: number[] = [];
  let fields = 1;
  let fieldStart = true;
  let quoted = false;
  let empty = true;
  for (let i = 0; i < text.length && counts.length < GUESS_RECORDS; i++) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
      continue;
    }
    if (char === '\n') {
      if (!empty) counts.push(fields);
      fields = 1;
      fieldStart = true;
      empty = true;
      continue;
    }
    if (char === '\r') continue;
    empty = false;
    if (char === delimiter) {
      fields++;
      fieldStart = true;
      continue;
    }
    if (char === '"' && fieldStart) quoted = true;
    fieldStart = false;
  }
  if (!empty && counts.length < GUESS_RECORDS) counts.push(fields);
  return counts;
}

/**
 * The separator, guessed: the one that splits the header into the most columns while every row of the
 * first ones has that many fields (a header "id;Чем вы, и почему?" is two columns, not three), counting
 * only separators outside quoted fields. When no separator keeps the rows agreeing, the one that splits
 * the header most (the parse then says which row disagrees, and that the guess may be wrong).
 */
export function guessDelimiter(text: string): CsvDelimiter {
  const candidates = DELIMITERS.map((delimiter) => {
    const counts = fieldCounts(text, delimiter);
    const header = counts[0] ?? 1;
    return { delimiter, header, agree: header > 1 && counts.every((count) => count === header) };
  });
  // Ties go to the earlier of comma, semicolon, tab: the comma is what CSV means.
  const best = (list: typeof candidates): CsvDelimiter | undefined => list.reduce<(typeof candidates)[number] | undefined>((top, candidate) => (top === undefined || candidate.header > top.header ? candidate : top), undefined)?.delimiter;
  return best(candidates.filter((candidate) => candidate.agree)) ?? best(candidates.filter((candidate) => candidate.header > 1)) ?? ',';
}

export interface CsvReadOptions {
  /** --delimiter; else tab for a .tsv file, else guessed from the first rows. */
  delimiter?: CsvDelimiter | undefined;
  /** The file's path, for its extension. */
  path?: string | undefined;
}

const DELIMITER_NAMES: Record<CsvDelimiter, string> = { ',': 'a comma', ';': 'a semicolon', '\t': 'a tab' };

/** Parses CSV text with a header row into rows keyed by column name. */
export async function parseCsvTable(text: string, file: string, options: CsvReadOptions = {}): Promise<CsvTable> {
  const { parse } = await import('csv-parse/sync');
  const source = csvSource(text);
  if (source.trim() === '') throw new UserError(`${file}: the CSV file is empty`, { hint: 'It needs a header row and one row per record' });
  const starts = new RecordStarts(source);
  const tsv = options.path !== undefined && /\.tsv$/i.test(options.path);
  const delimiter = options.delimiter ?? (tsv ? '\t' : guessDelimiter(source));
  // Only a guess can be wrong in a way the user cannot see: then a parse error says which separator was taken.
  const guessed = options.delimiter === undefined && !tsv ? delimiter : undefined;
  const records = parseLocated(parse, source, file, { delimiter, relax_column_count: false }, guessed);
  const [header, ...body] = records;
  if (header === undefined) throw new UserError(`${file}: the CSV file is empty`);
  // Column names are identifiers (attribute names, --id-column): one Unicode form, whatever the editor wrote.
  const columns = header.record.map((name) => name.trim().normalize('NFC'));
  const seen = new Set<string>();
  columns.forEach((name, index) => {
    if (name === '') throw new UserError(`${file}: row 1, column ${index + 1}: the header has an empty column name`, { hint: 'Give every column a name in the first row' });
    if (seen.has(name)) throw new UserError(`${file}: row 1: the column "${name}" appears twice in the header`);
    seen.add(name);
  });
  let previousEnd = header.info.lines;
  const rows = body.map(({ record, info }) => {
    const values: Record<string, string> = {};
    columns.forEach((name, index) => {
      values[name] = record[index] ?? '';
    });
    // Records can span lines (quoted newlines): the record starts after the previous one ended.
    const row: CsvRow = { row: info.records, line: starts.after(previousEnd), values };
    previousEnd = info.lines;
    return row;
  });
  return { columns, rows };
}

/**
 * The text as parsed: csv-parse counts a CRLF inside a quoted field as two lines, so every line after it
 * would be reported one too far: read CRLF as LF (a cell's line ends become LF, as stored text has them).
 */
function csvSource(text: string): string {
  return (text.startsWith('\uFEFF') ? text.slice(1) : text).replace(/\r\n/g, '\n');
}

type CsvParse = typeof import('csv-parse/sync').parse;

interface ParsedRecord {
  record: string[];
  info: { lines: number; records: number };
}

/** csv-parse over text already without BOM and CRLF; its failure becomes a UserError naming the row and line. */
function parseLocated(parse: CsvParse, source: string, file: string, options: { delimiter: string; relax_column_count: boolean }, guessed?: CsvDelimiter): ParsedRecord[] {
  const starts = new RecordStarts(source);
  // Where the last complete record ended: a record that fails starts on the next line.
  let lastEnd = 0;
  try {
    return parse(source, {
      ...options, info: true, skip_empty_lines: true, bom: true,
      on_record: (record, context) => {
        lastEnd = context.lines;
        return record;
      },
    }) as unknown as ParsedRecord[];
  } catch (error) {
    throw csvError(error, file, starts.after(lastEnd), guessed);
  }
}

/**
 * Why csv-parse cannot read a CSV text, as parseCsvTable says it: the row, the line and a fix, for other
 * readers of CSV (tag --from) to report alike. Undefined when the text parses.
 */
export function csvSyntaxError(parse: CsvParse, text: string, file: string, options: { delimiter: string; relax_column_count: boolean }): UserError | undefined {
  try {
    parseLocated(parse, csvSource(text), file, options);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  return undefined;
}

/**
 * The line on which a record starts, given the line on which the one before it ended: the next line
 * that is not empty (empty lines between records are skipped). Asked in increasing order, so one
 * pass over the text serves the whole table.
 */
class RecordStarts {
  private position = 0;
  private line = 1;

  constructor(private readonly source: string) {}

  after(previousEnd: number): number {
    while (this.line <= previousEnd && this.advance()) {
      // move to the line after the previous record
    }
    while (this.blank() && this.advance()) {
      // skip empty lines
    }
    return this.line;
  }

  private blank(): boolean {
    const end = this.source.indexOf('\n', this.position);
    return this.source.slice(this.position, end === -1 ? this.source.length : end).trim() === '' && end !== -1;
  }

  private advance(): boolean {
    const end = this.source.indexOf('\n', this.position);
    if (end === -1) return false;
    this.position = end + 1;
    this.line++;
    return true;
  }
}

/**
 * The table with the cells of `columns` in NFC: cells used as identifiers (case ids, attribute
 * values) must compare equal however they were typed. Free text (answers, titles) is left as read,
 * and so are file names, which must match the file system.
 */
export function nfcCells(table: CsvTable, columns: readonly string[]): CsvTable {
  return {
    columns: table.columns,
    rows: table.rows.map((row) => {
      const values = { ...row.values };
      for (const column of columns) {
        const value = values[column];
        if (value !== undefined) values[column] = value.normalize('NFC');
      }
      return { ...row, values };
    }),
  };
}

function csvError(error: unknown, file: string, recordStart: number, guessed?: CsvDelimiter): UserError {
  const details = error as { code?: string; lines?: number; records?: number; message?: string; record?: unknown[] };
  const line = details.lines ?? 0;
  const row = (details.records ?? 0) + 1;
  const where = `${file}:${line}: row ${row}`;
  const orDelimiter = guessed === undefined ? '' : `; qcode took the separator to be ${DELIMITER_NAMES[guessed]} (guessed from the first rows): if it is another, pass --delimiter , or ; or tab`;
  switch (details.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new UserError(`${file}:${recordStart}: row ${row}: a quoted field is never closed (unbalanced quotes; the row starts on line ${recordStart} and runs to the end of the file)`, {
        hint: `Every field that starts with " must end with "; a quote inside a quoted field is written twice ("")${orDelimiter}`,
      });
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      // The line the record starts on: csv-parse's line is where it ends, after any quoted line breaks.
      return new UserError(`${file}:${recordStart}: row ${row}: has ${details.record?.length ?? '?'} fields, but the header has a different number`, {
        hint: `Quote fields that contain the separator, e.g. "Vilnius, LT"${orDelimiter}`,
      });
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return new UserError(`${where}: a quote in the middle of a field (unbalanced quotes)`, {
        hint: `Quote the whole field and double the quotes inside it: "he said ""no"""${orDelimiter}`,
      });
    default:
      return new UserError(`${where}: ${(details.message ?? String(error)).replace(/ at line \d+.*$/, '')}`);
  }
}
