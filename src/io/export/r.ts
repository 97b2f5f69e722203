import type { ExportColumn, ExportTable } from './table.js';
import type { SyntaxContext } from './spss.js';

// An R script (base R only, no packages) that reads the exported CSVs with the right column types,
// turns category attributes and code ids into factors with the codebook's levels and labels, and
// attaches each column's full label as attr(x, "label").

/**
 * An R string literal in pure ASCII: other characters as \u escapes, so the script reads the same
 * whatever the locale or encoding R runs in.
 */
export function rString(text: string): string {
  let result = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') result += `\\${char}`;
    else if (char === '\n') result += '\\n';
    else if (char === '\r') result += '\\r';
    else if (char === '\t') result += '\\t';
    else if (code >= 0x20 && code < 0x7f) result += char;
    else if (code === 0) continue;
    else if (code <= 0xffff) result += `\\u${code.toString(16).padStart(4, '0')}`;
    else result += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${result}"`;
}

/** c(...) of strings, optionally named, broken after commas so that lines stay near 100 characters. */
function vector(values: readonly string[], names?: readonly string[]): string {
  if (values.length === 0) return 'character(0)';
  const items = values.map((value, index) => (names ? `${names[index]} = ${rString(value)}` : rString(value)));
  const lines: string[] = [];
  let line = 'c(';
  items.forEach((item, index) => {
    const piece = item + (index < items.length - 1 ? ', ' : ')');
    if (line.length + piece.length > 100 && line !== 'c(') {
      lines.push(line.trimEnd());
      line = '  ';
    }
    line += piece;
  });
  lines.push(line);
  return lines.join('\n');
}

const COLUMN_CLASS: Record<ExportColumn['type'], string> = {
  string: 'character',
  date: 'character',
  integer: 'integer',
  flag: 'integer',
  number: 'numeric',
};

function readTable(table: ExportTable, target: string): string {
  const out: string[] = [];
  out.push(`# ${table.file}: ${table.title}`);
  const classes = table.columns.map((column) => COLUMN_CLASS[column.type]);
  out.push(`${target} <- qcode_read(${rString(table.file)}, ${vector(classes, table.columns.map((column) => column.name))})`);
  for (const column of table.columns) {
    const ref = `${target}$${column.name}`;
    if (column.type === 'date') out.push(`${ref} <- as.Date(${ref}, format = "%Y-%m-%d")`);
    if (column.categories && column.categories.length > 0) {
      const levels = column.categories.map((category) => category.value);
      const labels = column.categories.map((category) => category.label);
      // Distinct labels become the factor's labels; otherwise the values stay, so no two levels merge.
      const useLabels = !column.keepValues && new Set(labels).size === labels.length;
      out.push(`${ref} <- factor(${ref}, levels = ${vector(levels)}${useLabels ? `, labels = ${vector(labels)}` : ''})`);
    }
  }
  out.push(`${target} <- qcode_label(${target}, ${vector(table.columns.map((column) => column.label), table.columns.map((column) => column.name))})`);
  return out.join('\n');
}

/** qcode.R: defines one data frame per CSV (a list `cooccur` for the co-occurrence tables). */
export function rScript(tables: readonly ExportTable[], cooccurTables: readonly ExportTable[], context: SyntaxContext): string {
  const lines = [
    `# qcode export of ${context.project.replace(/[\r\n]+/g, ' ')}, ${context.exportedAt}.`,
    '# Base R only. Run: Rscript qcode.R (from anywhere), or in R: source("qcode.R").',
    '# Defines data frames codings, segments, documents, cases, codebook and a list cooccur (one data frame',
    `# per hypothesis, counting ${context.unit}s). Full column labels are in attr(column, "label").`,
    '#',
    '# The 0/1 code columns of segments mark a code found anywhere in the segment: table() of two of them',
    '# counts the segments holding both. cooccur counting segments takes two span codings of a segment to',
    '# co-occur only when the spans overlap (docs/analysis.md), so it can count fewer; the two agree when',
    '# codings cover whole segments. The spans are in codings (start, end; whole = 1: the whole segment).',
    '# cases holds every case, also those with no document (documents = 0, every code 0), which qcode stats',
    '# and cooccur --unit case leave out: subset(cases, documents > 0) counts as they do.',
    '',
    '# The folder of this script: the file being source()d (innermost), else the Rscript file, else here.',
    'qcode_dir <- local({',
    '  sourced <- NULL',
    '  for (frame in rev(sys.frames())) if (!is.null(frame$ofile)) { sourced <- frame$ofile; break }',
    '  args <- commandArgs(trailingOnly = FALSE)',
    '  script <- sub("^--file=", "", args[grepl("^--file=", args)])',
    '  # Rscript passes each space in the path as ~+~, which R turns back into a space to open the file.',
    '  script <- gsub("~+~", " ", script, fixed = TRUE)',
    '  if (!is.null(sourced)) dirname(normalizePath(sourced))',
    '  else if (length(script) == 1) dirname(normalizePath(script))',
    '  else getwd()',
    '})',
    '',
    'qcode_read <- function(file, classes) {',
    '  # encoding = "UTF-8" marks the text as UTF-8 without converting it to the locale\'s encoding, which',
    '  # would drop every Cyrillic line under a non-UTF-8 locale (LANG=C, or Windows before R 4.2).',
    '  # Columns are given by position and named afterwards, so a BOM (--excel) before the header is harmless.',
    '  # Empty cells are NA.',
    '  data <- utils::read.csv(file.path(qcode_dir, file), encoding = "UTF-8", colClasses = unname(classes),',
    '                          na.strings = "", check.names = FALSE, stringsAsFactors = FALSE)',
    '  names(data) <- names(classes)',
    '  data',
    '}',
    '',
    'qcode_label <- function(data, labels) {',
    '  for (name in names(labels)) attr(data[[name]], "label") <- labels[[name]]',
    '  data',
    '}',
    '',
  ];
  const body = tables.map((table) => readTable(table, table.name));
  const cooccur = cooccurTables.map((table) => readTable(table, `cooccur[[${rString(table.key ?? table.name)}]]`));
  const parts = [lines.join('\n'), body.join('\n\n')];
  if (cooccurTables.length > 0) parts.push(`cooccur <- list()\n${cooccur.join('\n\n')}`);
  return `${parts.join('\n\n')}\n`;
}
