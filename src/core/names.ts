// Column names that SPSS, GNU PSPP and R all accept as they are, so that an analyst never renames a
// variable by hand and R's read.csv never mangles a header.

/** Only the first 64 bytes of an SPSS/PSPP name are significant. */
export const MAX_NAME_BYTES = 64;

const SPSS_RESERVED = ['ALL', 'AND', 'BY', 'EQ', 'GE', 'GT', 'LE', 'LT', 'NE', 'NOT', 'OR', 'TO', 'WITH'];
const R_RESERVED = [
  'if', 'else', 'repeat', 'while', 'function', 'for', 'next', 'break', 'in', 'TRUE', 'FALSE', 'NULL',
  'Inf', 'NaN', 'NA', 'NA_integer_', 'NA_real_', 'NA_character_', 'NA_complex_',
];
// Compared case-insensitively: SPSS names are not case-sensitive, and avoiding "true" as well as "TRUE"
// costs nothing.
const RESERVED = new Set([...SPSS_RESERVED, ...R_RESERVED].map((word) => word.toLowerCase()));

// PSPP's syntax segmenter takes the first word of every line, indented or not, for a possible command
// whose text it reads in its own way: DOC … DOCUMENT, COMM … COMMENT and DEFINE always, FILE when LABEL
// follows and DO when REPEAT follows (checked with PSPP 1.6). A GET DATA /VARIABLES list or a list of
// names that puts such a name first on a line ends the command there, and every later column is lost.
// FILE and DO get "_v" whatever follows them, so that a column's name never depends on its neighbour's.
const LINE_COMMAND = /^(doc(u(m(e(n(t)?)?)?)?)?|comm(e(n(t)?)?)?|define|file|do)$/i;

/** Whether a name is safe as an SPSS/PSPP variable and an R column: see docs/exports.md. */
export function isPortableName(name: string): boolean {
  return (
    /^[A-Za-z][A-Za-z0-9_]*$/.test(name) &&
    name.length <= MAX_NAME_BYTES &&
    !name.endsWith('_') &&
    !RESERVED.has(name.toLowerCase()) &&
    !LINE_COMMAND.test(name)
  );
}

/**
 * A portable stem for a raw name (a code id, an attribute name): every run of other characters becomes
 * one "_", a name that does not start with a letter gets a "v" in front, and reserved words get "_v".
 */
export function portableStem(raw: string): string {
  let stem = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (stem === '') stem = 'v';
  if (!/^[A-Za-z]/.test(stem)) stem = `v${stem}`;
  stem = trimEnd(stem.slice(0, MAX_NAME_BYTES));
  if (RESERVED.has(stem.toLowerCase()) || LINE_COMMAND.test(stem)) stem = `${stem}_v`;
  return stem;
}

function trimEnd(name: string): string {
  return name.replace(/_+$/, '');
}

/**
 * Hands out unique portable names within one file. Uniqueness is case-insensitive, as in SPSS; a clash
 * gets "_2", "_3", … with the stem shortened so the name stays within 64 bytes.
 */
export class NameAllocator {
  private readonly taken = new Set<string>();

  /** Reserves names that are fixed by the file's layout (e.g. doc_id) so derived names avoid them. */
  constructor(fixed: Iterable<string> = []) {
    for (const name of fixed) {
      if (!isPortableName(name)) throw new Error(`fixed column name "${name}" is not portable`);
      if (this.taken.has(name.toLowerCase())) throw new Error(`fixed column name "${name}" appears twice`);
      this.taken.add(name.toLowerCase());
    }
  }

  allocate(raw: string): string {
    const stem = portableStem(raw);
    let name = stem;
    for (let n = 2; this.taken.has(name.toLowerCase()); n++) {
      const suffix = `_${n}`;
      name = trimEnd(stem.slice(0, MAX_NAME_BYTES - suffix.length)) + suffix;
    }
    this.taken.add(name.toLowerCase());
    return name;
  }
}
