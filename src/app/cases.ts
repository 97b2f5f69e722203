import { resolve } from 'node:path';
import { ProblemsError, UserError, usageError, type Problem } from '../core/errors.js';
import type { EncodingOption } from '../core/encoding.js';
import { didYouMeanSuffix } from '../core/suggest.js';
import { assertNotSpreadsheet, nfcCells, parseCsvTable, parseDelimiterOption, type CsvRow, type CsvTable } from '../io/import/csv.js';
import { decodeBytes } from '../io/import/decode.js';
import { readSourceBytes } from '../io/import/read.js';
import { caseExists, ensureCase, listCases as listStoredCases, loadAttributeRules, setCaseKind, setCaseValue, type AttributeRule } from '../store/cases.js';
import { nonXmlCharacter } from '../io/refi/xml.js';
import { inTransaction } from '../store/documents.js';
import { caseRemovedAt, liftCaseTombstone } from '../store/removal.js';
import { shellQuote } from '../core/shell.js';
import type { Project } from './project.js';

// Cases (participants, respondents) and their attribute values, checked against the attributes the
// codebook declares: a category value must be one of its values, a number a number within min/max,
// a date an ISO date (yyyy-mm-dd). An empty cell sets nothing; `cases set R07 city=` clears a value.

const CASE_ID = /^[\p{L}\p{N}][\p{L}\p{N}_.\-]{0,63}$/u;

/** Why a case id is unusable, or undefined when it is fine. */
export function caseIdProblem(id: string): string | undefined {
  if (id.trim() === '') return 'the case id is empty';
  if (!CASE_ID.test(id)) return `"${id}" is not a usable case id (letters, digits, _ . - only, starting with a letter or digit, at most 64 characters)`;
  return undefined;
}

/** Checks one attribute value; returns the value to store (numbers normalised, e.g. "2022.0" → "2022"). */
export function checkAttributeValue(rule: AttributeRule, raw: string): { value: string } | { error: string } {
  const value = raw.trim();
  if (rule.status === 'retired') return { error: `the attribute "${rule.name}" is retired in the codebook` };
  // Such a value could never be exported (qcode refi export writes XML): refused now rather than there.
  const bad = nonXmlCharacter(value);
  if (bad !== null) return { error: `${rule.name}: the value contains ${bad.code}, a character XML (qcode refi export) cannot hold; remove it` };
  switch (rule.type) {
    case 'category': {
      const allowed = rule.allowed ?? [];
      if (allowed.includes(value)) return { value };
      const sameLetters = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
      const suggestion = sameLetters !== undefined ? ` (did you mean "${sameLetters}"?)` : didYouMeanSuffix(value, allowed);
      return { error: `"${value}" is not a value of ${rule.name}${suggestion}; allowed: ${allowed.join(', ')}` };
    }
    case 'number': {
      if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(value)) return { error: `${rule.name} must be a number, not "${value}"` };
      const number = Number(value);
      // Beyond double range the digits read as Infinity or 0: refused rather than stored as that.
      if (!Number.isFinite(number)) return { error: `${rule.name} must be a number between -1.8e308 and 1.8e308, not "${value}"` };
      if (number === 0 && /[1-9]/.test(value.replace(/[eE].*$/, ''))) return { error: `${rule.name} must be 0 or a number at least 5e-324 away from 0, not "${value}"` };
      if (rule.min !== null && number < rule.min) return { error: `${rule.name} ${value} is below the minimum ${rule.min}` };
      if (rule.max !== null && number > rule.max) return { error: `${rule.name} ${value} is above the maximum ${rule.max}` };
      return { value: String(number) };
    }
    case 'date': {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
      const valid = match !== null && (() => {
        const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
        return date.toISOString().slice(0, 10) === value;
      })();
      return valid ? { value } : { error: `${rule.name} must be a date written yyyy-mm-dd, not "${value}"` };
    }
    case 'text':
      return { value };
  }
}

export interface CaseValues {
  caseId: string;
  /** attribute → value to store (already checked). */
  values: Map<string, string>;
  kind?: string | undefined;
}

/**
 * Reads the attribute columns of CSV rows (a cases file or a manifest): every unknown column, unknown
 * value or malformed case id is gathered as a problem at its row and column, then thrown at once.
 */
export function caseValuesFromRows(
  table: CsvTable,
  file: string,
  rules: readonly AttributeRule[],
  layout: { caseColumn: string; otherColumns: readonly string[]; caseRequired: boolean },
): Array<{ row: CsvRow; cases: CaseValues | null }> {
  const problems: Problem[] = [];
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  const columnIndex = new Map(table.columns.map((name, index) => [name, index + 1]));
  const at = (row: CsvRow, column: string, message: string): void => {
    problems.push({ file, line: row.line, col: columnIndex.get(column) ?? 1, message: `row ${row.row}, column ${column}: ${message}` });
  };
  if (!table.columns.includes(layout.caseColumn)) {
    throw new UserError(`${file}: row 1: no "${layout.caseColumn}" column${didYouMeanSuffix(layout.caseColumn, table.columns)}`, {
      hint: `The first row names the columns: ${[layout.caseColumn, ...layout.otherColumns].join(', ')} and any declared attribute (${rules.map((rule) => rule.name).join(', ') || 'none declared'})`,
    });
  }
  const attributeColumns: string[] = [];
  for (const column of table.columns) {
    if (column === layout.caseColumn || layout.otherColumns.includes(column)) continue;
    if (byName.has(column)) {
      attributeColumns.push(column);
      continue;
    }
    problems.push({
      file, line: 1, col: columnIndex.get(column) ?? 1,
      message: `row 1, column ${column}: not a declared attribute${didYouMeanSuffix(column, [...byName.keys(), layout.caseColumn, ...layout.otherColumns])}; declared: ${[...byName.keys()].join(', ') || 'none'} (declare it under attributes: in codebook.yaml and run qcode codebook apply)`,
    });
  }
  const seen = new Map<string, { row: CsvRow; values: Map<string, string> }>();
  const result = table.rows.map((row) => {
    const caseId = (row.values[layout.caseColumn] ?? '').trim();
    const values = new Map<string, string>();
    for (const column of attributeColumns) {
      const raw = (row.values[column] ?? '').trim();
      if (raw === '') continue;
      const checked = checkAttributeValue(byName.get(column) as AttributeRule, raw);
      if ('error' in checked) at(row, column, checked.error);
      else values.set(column, checked.value);
    }
    if (caseId === '') {
      if (layout.caseRequired) at(row, layout.caseColumn, 'the case id is empty');
      else if (values.size > 0) at(row, layout.caseColumn, 'attribute values are given but no case to hold them');
      return { row, cases: null };
    }
    const idProblem = caseIdProblem(caseId);
    if (idProblem !== undefined) at(row, layout.caseColumn, idProblem);
    const earlier = seen.get(caseId);
    if (earlier !== undefined) {
      for (const [attribute, value] of values) {
        const before = earlier.values.get(attribute);
        if (before !== undefined && before !== value) at(row, attribute, `case ${caseId} has ${attribute}=${before} in row ${earlier.row.row} but ${value} here`);
      }
    } else {
      seen.set(caseId, { row, values });
    }
    return { row, cases: { caseId, values } };
  });
  if (problems.length > 0) {
    throw new ProblemsError(`${file}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}; nothing was imported`, problems, 'Fix the CSV (or the attribute declarations in codebook.yaml) and run the command again');
  }
  return result;
}

/** Writes a case, creating it if needed, and its values (inside the caller's transaction). */
export function writeCaseValues(project: Project, entry: CaseValues): boolean {
  const created = ensureCase(project.db, entry.caseId, entry.kind);
  if (!created && entry.kind !== undefined) setCaseKind(project.db, entry.caseId, entry.kind);
  for (const [attribute, value] of entry.values) setCaseValue(project.db, entry.caseId, attribute, value);
  return created;
}

export interface CasesImportReport {
  file: string;
  dryRun: boolean;
  cases: number;
  created: number;
  values: number;
}

/** `qcode cases import FILE.csv`: columns `case` (or `id`), optional `kind`, and declared attributes; one transaction. */
export async function importCases(
  project: Project,
  file: string,
  options: { dryRun?: boolean | undefined; readmit?: boolean | undefined; cwd?: string; encoding?: EncodingOption | undefined; delimiter?: string | undefined } = {},
): Promise<CasesImportReport> {
  const delimiter = options.delimiter === undefined ? undefined : parseDelimiterOption(options.delimiter);
  const path = resolve(options.cwd ?? process.cwd(), file);
  assertNotSpreadsheet(path, file);
  const bytes = readSourceBytes(path, file);
  assertNotSpreadsheet(path, file, bytes);
  const { text } = await decodeBytes(bytes, file, options.encoding ?? 'auto');
  // Every cell is an identifier or a checked value: one Unicode form, so an NFD id names the same case.
  const read = await parseCsvTable(text, file, { delimiter, path });
  const table = nfcCells(read, read.columns);
  const caseColumn = table.columns.includes('case') || !table.columns.includes('id') ? 'case' : 'id';
  const rules = loadAttributeRules(project.db);
  const rows = caseValuesFromRows(table, file, rules, { caseColumn, otherColumns: ['kind'], caseRequired: true });
  const entries = rows.flatMap(({ row, cases }) => (cases === null ? [] : [{ ...cases, kind: row.values.kind?.trim() || undefined }]));
  const report: CasesImportReport = { file, dryRun: options.dryRun ?? false, cases: entries.length, created: 0, values: 0 };
  for (const entry of entries) report.values += entry.values.size;
  const readmit = options.readmit ?? false;
  const retry = `qcode cases import ${shellQuote(file)} --readmit`;
  if (options.dryRun) {
    refuseRemovedCases(project, entries.map((entry) => entry.caseId), readmit, retry, { dryRun: true });
    report.created = new Set(entries.filter((entry) => !caseExists(project.db, entry.caseId)).map((entry) => entry.caseId)).size;
    return report;
  }
  inTransaction(project.db, () => {
    refuseRemovedCases(project, entries.map((entry) => entry.caseId), readmit, retry);
    for (const entry of entries) if (writeCaseValues(project, entry)) report.created++;
  });
  return report;
}

/**
 * A case removed on a participant's withdrawal of consent is not brought back by a routine cases set or
 * cases import: refused (nothing is written), unless --readmit (consent given again), which lifts its
 * tombstone so that merges bring its work back too. Inside the caller's transaction.
 */
function refuseRemovedCases(project: Project, caseIds: readonly string[], readmit: boolean, retry: string, options: { dryRun?: boolean } = {}): void {
  const removed = [...new Set(caseIds)].flatMap((id) => {
    const at = caseRemovedAt(project.db, id);
    return at === undefined ? [] : [{ id, at }];
  });
  if (removed.length === 0) return;
  if (!readmit) {
    const [first] = removed as [{ id: string; at: string }, ...Array<{ id: string; at: string }>];
    const what = removed.length === 1
      ? `case ${first.id} was removed on ${first.at.slice(0, 10)} (withdrawal of consent)`
      : `cases ${removed.map((entry) => entry.id).join(', ')} were removed (withdrawal of consent)`;
    throw new UserError(`${what}; nothing was set`, { hint: `If the participant has agreed again, take ${removed.length === 1 ? 'it' : 'them'} back with: ${retry}` });
  }
  if (!options.dryRun) for (const entry of removed) liftCaseTombstone(project.db, entry.id);
}

export interface CaseListing {
  attributes: string[];
  rows: Array<{ case: string; kind: string; documents: number; values: Record<string, string> }>;
}

/** Every case with its attribute values (columns: the declared attributes that have any value). */
export function listCases(project: Project): CaseListing {
  const rules = loadAttributeRules(project.db);
  const cases = listStoredCases(project.db);
  const used = new Set(cases.flatMap((row) => [...row.values.keys()]));
  const attributes = [...rules.map((rule) => rule.name).filter((name) => used.has(name)), ...[...used].filter((name) => !rules.some((rule) => rule.name === name)).sort()];
  return {
    attributes,
    rows: cases.map((row) => ({ case: row.id, kind: row.kind, documents: row.documents, values: Object.fromEntries(row.values) })),
  };
}

/**
 * A stored value as data, for JSON: a number attribute's value as a number, as documents is one (it is
 * stored normalised, so the number prints back as stored); any other value as its text, and so is a
 * value that does not read back exactly (stored before the attribute was declared a number).
 */
export function caseValueAsData(project: Project): (attribute: string, value: string) => string | number {
  const numbers = new Set(loadAttributeRules(project.db).filter((rule) => rule.type === 'number').map((rule) => rule.name));
  return (attribute, value) => {
    if (!numbers.has(attribute)) return value;
    const number = Number(value);
    return Number.isFinite(number) && String(number) === value ? number : value;
  };
}

export interface CaseSetReport {
  /** Named as in cases list --json. */
  case: string;
  created: boolean;
  set: Array<{ attribute: string; value: string }>;
  cleared: string[];
}

/** `qcode cases set R07 host_country=DE emigration_year=2022 city=`: creates the case if needed; NAME= clears. */
export function setCase(project: Project, given: string, assignments: readonly string[], options: { readmit?: boolean | undefined } = {}): CaseSetReport {
  // Compared and stored in NFC, as the CSV imports do, however the shell or editor composed them.
  const caseId = given.normalize('NFC');
  const idProblem = caseIdProblem(caseId);
  if (idProblem !== undefined) throw usageError(idProblem);
  if (assignments.length === 0) throw usageError('nothing to set', 'Example: qcode cases set R07 host_country=DE emigration_year=2022');
  const rules = loadAttributeRules(project.db);
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  const report: CaseSetReport = { case: caseId, created: false, set: [], cleared: [] };
  const errors: string[] = [];
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) throw usageError(`"${assignment}" is not NAME=VALUE`, 'Example: qcode cases set R07 host_country=DE');
    const name = assignment.slice(0, equals).trim().normalize('NFC');
    const raw = assignment.slice(equals + 1).normalize('NFC');
    const rule = byName.get(name);
    if (rule === undefined) {
      errors.push(`"${name}" is not a declared attribute${didYouMeanSuffix(name, byName.keys())}; declared: ${[...byName.keys()].join(', ') || 'none'}`);
      continue;
    }
    if (raw.trim() === '') {
      report.cleared.push(name);
      continue;
    }
    const checked = checkAttributeValue(rule, raw);
    if ('error' in checked) errors.push(checked.error);
    else report.set.push({ attribute: name, value: checked.value });
  }
  if (errors.length === 1) throw new UserError(errors[0] as string, { hint: 'See the attributes in codebook.yaml (qcode codebook show)' });
  if (errors.length > 1) throw new UserError(`${errors.length} problems: ${errors.join('; ')}`, { hint: 'See the attributes in codebook.yaml (qcode codebook show)' });
  inTransaction(project.db, () => {
    refuseRemovedCases(project, [caseId], options.readmit ?? false, `qcode cases set ${shellQuote(caseId)} ${assignments.map(shellQuote).join(' ')} --readmit`);
    report.created = ensureCase(project.db, caseId);
    for (const { attribute, value } of report.set) setCaseValue(project.db, caseId, attribute, value);
    for (const attribute of report.cleared) setCaseValue(project.db, caseId, attribute, null);
  });
  return report;
}
