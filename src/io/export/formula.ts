// The --excel cell guard, shared by `qcode export` and every command that prints CSV. Kept apart from
// csv.ts so that the CLI can load it without csv-stringify and the file writer.

/** Excel reads a CSV as UTF-8 only when it starts with this byte order mark. */
export const BOM = '\uFEFF';

// OWASP: a cell beginning with = + - @ tab or CR is a formula to a spreadsheet. Leading apostrophes are
// included so that stripping one apostrophe always gives back the original value.
const FORMULA_START = /^'*[=+\-@\t\r]/;

/** A text cell with a leading ' when it would start a formula (only with --excel; text columns only). */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
