import type { ExportColumn, ExportTable, NumberDisplay } from './table.js';

// SPSS / GNU PSPP syntax that reads the exported CSVs as they are (docs/exports.md). Verified with
// PSPP 1.6: GET DATA /TYPE=TXT with /FIRSTCASE=2 and a qualifier, names that PSPP cannot take for a command (names.ts),
// labels cut to 255 bytes (variable) and 120 bytes (value) on character boundaries, apostrophes doubled.

export const VARIABLE_LABEL_BYTES = 255;
export const VALUE_LABEL_BYTES = 120;
/** The widest string SPSS and PSPP hold. */
export const MAX_STRING_BYTES = 32767;
// Long labels are split into quoted pieces joined by "+", keeping every line short for any SPSS version.
const PIECE_BYTES = 80;

/** Cuts text to at most maxBytes of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  let result = '';
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    result += char;
    bytes += size;
  }
  return result;
}

/** A syntax string literal: 'text' with apostrophes doubled, line breaks as spaces, cut to maxBytes, long ones split with +. */
export function spssString(text: string, maxBytes: number, indent = '    '): string {
  const cut = truncateUtf8(text.replace(/[\r\n]+/g, ' '), maxBytes);
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const char of cut) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > PIECE_BYTES) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += char;
    bytes += size;
  }
  pieces.push(piece);
  return pieces.map((part) => `'${part.replaceAll("'", "''")}'`).join(` +\n${indent}`);
}

/** A display format for a column of fixed decimals (the co-occurrence coefficients and percentages). */
function fixedDisplay(column: ExportColumn): NumberDisplay {
  const width = Math.min(40, Math.max(8, (column.chars ?? 1) + 1));
  return { type: 'F', width, decimals: Math.min(width - 2, column.decimals ?? 4) };
}

// Beyond about 16 significant digits a double's digits are noise, so F stops there and E takes over.
const MAX_PLAIN_DIGITS = 16;

/** Digits before the point of a number written out in full, after it (to 16 significant), and its significant digits. */
function plainDigits(value: number): { integer: number; decimals: number; significant: number } {
  const [mantissa = '0', exponent = '0'] = String(Math.abs(value)).split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  let point = whole.length + Number(exponent);
  const leading = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leading).replace(/0+$/, '');
  point -= leading;
  if (digits === '') return { integer: 1, decimals: 0, significant: 1 };
  return { integer: Math.max(1, point), decimals: Math.max(0, Math.min(digits.length, MAX_PLAIN_DIGITS) - point), significant: digits.length };
}

/**
 * The display format that shows every value of a number column as written: F with as many decimals as
 * the most precise value needs (to 16 significant digits: 0.1 + 0.2 shows as .3000000000000000), or E
 * when a value is too large (17 digits before the point) or too small (beyond 16 decimals) for F.
 */
export function numberDisplay(values: readonly number[]): NumberDisplay {
  let sign = 0;
  let integer = 1;
  let decimals = 0;
  let significant = 1;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    const digits = plainDigits(value);
    if (value < 0) sign = 1;
    integer = Math.max(integer, digits.integer);
    decimals = Math.max(decimals, digits.decimals);
    significant = Math.max(significant, digits.significant);
  }
  if (integer <= MAX_PLAIN_DIGITS && decimals <= MAX_PLAIN_DIGITS) {
    return { type: 'F', width: sign + integer + (decimals > 0 ? decimals + 1 : 0), decimals };
  }
  // d.ddd plus E+nnn: a sign, the first digit, the point and the exponent take 8 characters.
  const shown = Math.min(MAX_PLAIN_DIGITS - 1, significant - 1);
  return { type: 'E', width: shown + 8, decimals: shown };
}

function format(column: ExportColumn): string {
  switch (column.type) {
    case 'string':
    case 'date':
      return `A${Math.min(MAX_STRING_BYTES, Math.max(1, column.bytes ?? 1))}`;
    case 'flag':
      return 'F1.0';
    case 'integer':
      return `F${Math.min(40, Math.max(1, column.chars ?? 1))}.0`;
    case 'number':
      // Read with no implied decimals ("15" stays 15); FORMATS sets the display below.
      return `F${Math.min(40, Math.max(8, column.chars ?? 1))}.0`;
  }
}

/** Names wrapped onto indented lines. */
function nameList(names: readonly string[], indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const name of names) {
    if (line.length + name.length + 1 > 72 && line !== '') {
      lines.push(line);
      line = '';
    }
    line += `${line === '' ? '' : ' '}${name}`;
  }
  lines.push(line);
  return lines.map((text) => indent + text).join('\n');
}

function readTable(table: ExportTable): string {
  const out: string[] = [];
  out.push(`* ${table.file}: ${table.title}.`);
  out.push('GET DATA');
  out.push('  /TYPE=TXT');
  out.push(`  /FILE=${spssString(table.file, MAX_STRING_BYTES)}`);
  out.push("  /ENCODING='UTF-8'");
  out.push('  /ARRANGEMENT=DELIMITED');
  out.push('  /DELCASE=LINE');
  out.push('  /FIRSTCASE=2');
  out.push('  /DELIMITERS=","');
  out.push(`  /QUALIFIER='"'`);
  out.push('  /VARIABLES=');
  table.columns.forEach((column, index) => {
    out.push(`    ${column.name} ${format(column)}${index === table.columns.length - 1 ? '.' : ''}`);
  });
  out.push(`DATASET NAME ${table.name}.`);

  out.push('VARIABLE LABELS');
  table.columns.forEach((column, index) => {
    out.push(`  ${index === 0 ? '' : '/'}${column.name} ${spssString(column.label, VARIABLE_LABEL_BYTES)}${index === table.columns.length - 1 ? '.' : ''}`);
  });

  const flags = table.columns.filter((column) => column.type === 'flag').map((column) => column.name);
  const categories = table.columns.filter((column) => column.categories && column.categories.length > 0);
  if (flags.length > 0 || categories.length > 0) {
    const groups: string[] = [];
    if (flags.length > 0) groups.push(`${nameList(flags, '    ').trimStart()}\n    0 'not coded' 1 'coded'`);
    for (const column of categories) {
      const pairs = column.categories!.map((category) => `    ${spssString(category.value, MAX_STRING_BYTES, '      ')} ${spssString(category.label, VALUE_LABEL_BYTES, '      ')}`);
      groups.push(`${column.name}\n${pairs.join('\n')}`);
    }
    out.push(`VALUE LABELS\n  ${groups.join('\n  /')}.`);
  }

  // R reads an empty cell as NA; without this SPSS would count an empty string as a valid value (a
  // blank category with its own row in CROSSTABS) and the two would disagree on N. Numbers need nothing:
  // an empty numeric cell is system-missing.
  const strings = table.columns.filter((column) => column.type === 'string' || column.type === 'date').map((column) => column.name);
  if (strings.length > 0) out.push(`MISSING VALUES\n${nameList(strings, '  ')} ('').`);

  const nominal = table.columns.filter((column) => column.type === 'flag' || (column.categories?.length ?? 0) > 0).map((column) => column.name);
  const scale = table.columns.filter((column) => column.type === 'integer' || column.type === 'number').map((column) => column.name);
  if (nominal.length > 0) out.push(`VARIABLE LEVEL\n${nameList(nominal, '  ')} (NOMINAL).`);
  if (scale.length > 0) out.push(`VARIABLE LEVEL\n${nameList(scale, '  ')} (SCALE).`);
  for (const column of table.columns.filter((candidate) => candidate.type === 'number')) {
    const display = column.display ?? fixedDisplay(column);
    out.push(`FORMATS ${column.name} (${display.type}${display.width}.${display.decimals}).`);
  }
  out.push('EXECUTE.');
  out.push(`SAVE OUTFILE=${spssString(table.file.replace(/\.csv$/, '.sav'), MAX_STRING_BYTES)}.`);
  return out.join('\n');
}

export interface SyntaxContext {
  project: string;
  exportedAt: string;
  unit: string;
}

/** qcode.sps: reads every table, labels it, and saves each as a .sav next to its CSV. */
export function spssSyntax(tables: readonly ExportTable[], context: SyntaxContext): string {
  const header = [
    `* qcode export of ${context.project.replace(/[\r\n]+/g, ' ')}, ${context.exportedAt}.`,
    '* Reads each CSV (UTF-8) with its types, labels variables and values, and saves a .sav file.',
    '* Run it from this folder: cd to it, then pspp qcode.sps (or in the SPSS syntax window:',
    "* CD '/path/to/this/folder'. then run all). File names below are relative to that folder.",
    '* Line breaks inside text cells are written as spaces: PSPP cannot read them in a CSV field.',
    `* Co-occurrence tables count ${context.unit}s.`,
    '* An empty text cell is missing (MISSING VALUES ... (\'\')), as it is NA in R: both give the same N.',
    '*',
    '* The 0/1 code columns of segments mark a code found anywhere in the segment: a crosstab of two of them',
    '* counts the segments holding both. cooccur_*.csv counting segments takes two span codings of a segment',
    '* to co-occur only when the spans overlap (docs/analysis.md), so it can count fewer; the two agree when',
    '* codings cover whole segments. The spans are in codings.csv (start, end; whole = 1: the whole segment).',
    '* cases holds every case, also those with no document (documents = 0, every code 0), which qcode stats and',
    '* cooccur --unit case leave out: SELECT IF documents > 0. to count as they do.',
    '',
    '* GNU PSPP gives the .sav files the encoding of its locale: under a non-UTF-8 one (e.g. LANG=C) every',
    '* Cyrillic letter would become "?", in the data as in the labels. SPSS reads and writes UTF-8 in its',
    '* default Unicode mode; should it warn that UTF-8 is no locale, the warning is harmless.',
    "SET LOCALE='UTF-8'.",
    '',
  ];
  return `${header.join('\n')}${tables.map(readTable).join('\n\n')}\n`;
}
