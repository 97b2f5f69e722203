import { createHash } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import { plural } from '../core/codebook-plan.js';
import { ENCODING_LABELS, type EncodingOption } from '../core/encoding.js';
import { formatProblem, ProblemsError, UserError, usageError, type Problem } from '../core/errors.js';
import { assembleUnits, detectLanguage, parseSpeakerMap, planCarryOver, segmentText, type Segment, type SegmentMode, type TextUnit } from '../core/segment.js';
import { didYouMean } from '../core/suggest.js';
import { CodePointIndex, codePointLength, groupDigits, normalizeText } from '../core/text.js';
import { assertNotSpreadsheet, nfcCells, parseCsvTable, parseDelimiterOption, type CsvDelimiter, type CsvRow, type CsvTable } from '../io/import/csv.js';
import { decodeBytes } from '../io/import/decode.js';
import { extractDocument } from '../io/import/extract.js';
import { expandPaths, formatOfPath, stem, type PathProblem, type SourceFile, type SourceFormat } from '../io/import/paths.js';
import { readSourceBytes } from '../io/import/read.js';
import { listCases, loadAttributeRules, type AttributeRule, type CaseRow } from '../store/cases.js';
import { listDocumentSlugs, nowIso } from '../store/common.js';
import {
  documentBySlug, documentText, inTransaction, insertDocument, insertSegments, listDocuments, replaceDocument, restorePageCache, segmentsForReplace, setDocumentCase, setDocumentMeta, setPageCache, slugsWithText,
  type NewDocument, type SegmentForReplace, type StoredDocument,
} from '../store/documents.js';
import { caseIdProblem, caseValuesFromRows, writeCaseValues, type CaseValues } from './cases.js';
import { caseRemovedAt, erasurePending, liftTombstones, markReplacedTextPending, removedCaseIds, tombstonesOfText, withSecureDelete } from '../store/removal.js';
import { damagedStoreError } from '../store/db.js';
import type { Project } from './project.js';
import { eraseOldText } from './removal.js';

export type DocumentKind = 'interview' | 'survey' | 'web' | 'chat';
export const DOCUMENT_KINDS: readonly DocumentKind[] = ['interview', 'survey', 'web', 'chat'];

export interface ImportOptions {
  cwd?: string | undefined;
  /** --case: link every imported document (not named in a manifest) to this case, creating it if needed. */
  caseId?: string | undefined;
  /** --manifest: CSV with file, case, declared attributes and optional kind, language, title, slug. */
  manifest?: string | undefined;
  segment?: SegmentMode | undefined;
  encoding?: EncodingOption | undefined;
  /** --manifest-encoding: the manifest's own (it is often UTF-8 beside transcripts in an old code page). */
  manifestEncoding?: EncodingOption | undefined;
  /** --delimiter of a survey CSV or the manifest: `,`, `;`, `tab` (else tab for .tsv, else guessed). */
  delimiter?: string | undefined;
  format?: SourceFormat | undefined;
  kind?: DocumentKind | undefined;
  language?: string | undefined;
  /** --speakers "И=Interviewer,Р=Respondent" */
  speakers?: string | undefined;
  /** --slug, for a single file. */
  slug?: string | undefined;
  replace?: boolean | undefined;
  /** --readmit: import a text that was removed (withdrawal of consent) all the same, lifting its tombstone. */
  readmit?: boolean | undefined;
  dryRun?: boolean | undefined;
  strict?: boolean | undefined;
  /** Survey CSV columns. */
  idColumn?: string | undefined;
  textColumns?: readonly string[] | undefined;
  attributeColumns?: readonly string[] | undefined;
  /** --id-prefix: prepended to every respondent id to make the case id (W2-), for a survey of other people with the same ids. */
  idPrefix?: string | undefined;
  /** --same-respondents: respondents who are cases of another survey (or with other values) are the same people, e.g. a panel wave. */
  sameRespondents?: boolean | undefined;
  /** Called once the files are known, before the first is read. */
  onPlan?: ((plan: { files: number; bytes: number }) => void) | undefined;
  /** Called after every file, with the running totals. */
  onFile?: ((result: FileResult, done: { files: number; bytes: number }) => void) | undefined;
  /** Called before the store is rewritten to erase the text replaced documents had (seconds to minutes on a large store). */
  onErase?: (() => void) | undefined;
  /** Called when a program reading the project keeps that erasure waiting, with how long it waits at most. */
  onEraseWait?: ((seconds: number) => void) | undefined;
}

export type FileStatus = 'imported' | 'replaced' | 'unchanged' | 'failed';

export interface FileResult {
  file: string;
  status: FileStatus;
  slug: string | null;
  format: SourceFormat | null;
  encoding: string | null;
  language: string | null;
  case: string | null;
  /** Documents written: 1, or one per respondent of a survey. */
  documents: number;
  segments: number;
  bytes: number;
  /** Codings kept on unchanged segments when a document was replaced. */
  carried: number;
  /** Why it failed, or a remark (same text as another document, control characters removed). */
  message: string | null;
  /** What of the file's content was left out or changed on the way in (also in message). */
  warnings: string[];
  /** The text was unchanged, but this run changed its case, kind, language or title (said in message). */
  updated: boolean;
}

export interface ImportReport {
  dryRun: boolean;
  /** --strict stopped the batch at the first failure. */
  stopped: boolean;
  files: FileResult[];
  skipped: PathProblem[];
  totals: { files: number; imported: number; replaced: number; unchanged: number; failed: number; skipped: number; documents: number; segments: number; bytes: number };
  /**
   * The erasure of the words replaced documents had (or an earlier erasure left unfinished) from the
   * store's files; null when there was none to do (nothing replaced, a dry run).
   */
  erasure: ImportErasure | null;
}

export interface ImportErasure {
  /** Whether qcode.db and qcode.db-wal no longer hold the old text. */
  complete: boolean;
  /** When the unfinished erasure this run finished was left (an earlier import or removal), else null. */
  earlier: string | null;
  /** Why it is not complete, and how to finish it; null when complete. */
  message: string | null;
  hint: string | null;
}

// ---------------------------------------------------------------- slugs

const TRANSLITERATION: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch',
  ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};

/**
 * A document's slug from a file name: lower-cased, Cyrillic transliterated, accents dropped, every
 * run of other characters turned into one '-' ("Интервью 07.txt" → "intervyu-07").
 */
export function slugify(name: string): string {
  // NFC first: a decomposed й (и + breve) would otherwise lose its breve and become "i", not "y".
  const slug = name
    .normalize('NFC')
    .toLowerCase()
    .replace(/[а-яё]/g, (letter) => TRANSLITERATION[letter] ?? '-')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
  return slug === '' ? 'document' : slug.slice(0, 100);
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;

export function checkSlug(slug: string): string {
  if (!SLUG.test(slug)) throw usageError(`"${slug}" is not a usable slug`, 'A slug has lower-case letters a-z, digits and dashes, e.g. r07-madrid');
  return slug;
}

// ---------------------------------------------------------------- manifest

interface ManifestEntry {
  row: number;
  path: string;
  display: string;
  /** The manifest and row, as a message names them: "man.csv row 4". */
  where: string;
  cases: CaseValues | null;
  kind?: DocumentKind | undefined;
  language?: string | undefined;
  title?: string | undefined;
  slug?: string | undefined;
}

const MANIFEST_COLUMNS = ['file', 'kind', 'language', 'title', 'slug'];

async function readManifest(manifest: string, cwd: string, rules: readonly AttributeRule[], csv: { encoding: EncodingOption; delimiter: CsvDelimiter | undefined }): Promise<{ path: string; entries: ManifestEntry[] }> {
  const path = resolve(cwd, manifest);
  assertNotSpreadsheet(path, manifest);
  const bytes = readSourceBytes(path, manifest);
  assertNotSpreadsheet(path, manifest, bytes);
  // Not --encoding, which is the transcripts': read as theirs, a UTF-8 manifest would become mojibake.
  const { text } = await decodeBytes(bytes, manifest, csv.encoding, '--manifest-encoding');
  const read = await parseCsvTable(text, manifest, { delimiter: csv.delimiter, path });
  const table: CsvTable = nfcCells(read, read.columns.filter((column) => column !== 'file' && column !== 'title'));
  if (!table.columns.includes('file')) {
    throw new UserError(`${manifest}: row 1: no "file" column`, { hint: 'A manifest has the columns file, case and any declared attribute (and optionally kind, language, title, slug)' });
  }
  const problems: Problem[] = [];
  const col = (name: string): number => table.columns.indexOf(name) + 1;
  let rows: ReturnType<typeof caseValuesFromRows> = [];
  try {
    rows = caseValuesFromRows(table, manifest, rules, { caseColumn: 'case', otherColumns: MANIFEST_COLUMNS, caseRequired: false });
  } catch (error) {
    if (!(error instanceof ProblemsError)) throw error;
    problems.push(...error.problems);
  }
  const base = dirname(path);
  const files = new Map<string, number>();
  const slugs = new Map<string, number>();
  const entries: ManifestEntry[] = [];
  for (const row of table.rows) {
    const at = (column: string, message: string): void => {
      problems.push({ file: manifest, line: row.line, col: col(column), message: `row ${row.row}, column ${column}: ${message}` });
    };
    const file = (row.values.file ?? '').trim();
    if (file === '') {
      at('file', 'no file named');
      continue;
    }
    const filePath = resolve(base, file);
    const earlier = files.get(filePath);
    if (earlier !== undefined) at('file', `${file} is listed already in row ${earlier}`);
    files.set(filePath, row.row);
    const kind = (row.values.kind ?? '').trim();
    if (kind !== '' && !DOCUMENT_KINDS.includes(kind as DocumentKind)) at('kind', `"${kind}" is not a document kind (${DOCUMENT_KINDS.join(', ')})`);
    if (kind === 'survey') at('kind', 'a survey is imported with --kind survey --id-column …, not through a manifest');
    const language = (row.values.language ?? '').trim();
    if (language !== '' && !/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(language)) at('language', `"${language}" is not a language code such as ru or en`);
    const slug = (row.values.slug ?? '').trim();
    const slugRow = slugs.get(slug);
    if (slug !== '' && !SLUG.test(slug)) at('slug', `"${slug}" is not a usable slug (a-z, 0-9 and dashes)`);
    else if (slugRow !== undefined) at('slug', `"${slug}" is given already in row ${slugRow}`);
    else if (slug !== '') slugs.set(slug, row.row);
    entries.push({
      row: row.row,
      path: filePath,
      display: `${manifest} row ${row.row}: ${file}`,
      where: `${manifest} row ${row.row}`,
      cases: rows.find((entry) => entry.row === row)?.cases ?? null,
      kind: kind === '' ? undefined : (kind as DocumentKind),
      language: language || undefined,
      title: (row.values.title ?? '').trim() || undefined,
      slug: slug || undefined,
    });
  }
  // A slug that another row's file gets from its own name would stop the batch halfway (the second of
  // the two is refused after the first is stored), so it is a problem of the manifest, found up front.
  for (const entry of entries) {
    if (entry.slug !== undefined) continue;
    const name = slugify(stem(entry.path));
    const named = slugs.get(name);
    if (named === undefined) continue;
    const line = table.rows.find((row) => row.row === named)?.line ?? 1;
    problems.push({ file: manifest, line, col: col('slug'), message: `row ${named}, column slug: "${name}" is also the name of row ${entry.row}'s ${basename(entry.path)}, which has no slug` });
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new ProblemsError(`${manifest}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}; nothing was imported`, problems, 'Fix the manifest (or the attribute declarations in codebook.yaml) and run the import again');
  }
  return { path, entries };
}

// ---------------------------------------------------------------- saving one document

interface Context {
  project: Project;
  options: ImportOptions;
  dryRun: boolean;
  speakers: Map<string, string> | undefined;
  rules: readonly AttributeRule[];
  /** The names the batch has taken so far. */
  claims: BatchClaims;
  delimiter: CsvDelimiter | undefined;
  /**
   * A dry run only: the survey respondents earlier files of the batch would have made or changed, with
   * their values and survey documents, so that a later wave of the same ids is refused as the real run
   * refuses it.
   */
  dryCases: Map<string, { values: Map<string, string>; surveys: string[] }>;
}

/** A document name taken by a file of this batch. */
interface Claim {
  sha256: string;
  /** The file (or survey row) that took it, as the report names it. */
  file: string;
}

/**
 * The names the batch has taken, kept alike in a real and a dry run: a later file of the batch may not
 * take one again (a.txt and A.txt both give "a"), even with --replace, which is for documents of
 * earlier runs. A dry run writes nothing, so it also needs them to report the twins the real run would.
 */
class BatchClaims {
  private readonly bySlug = new Map<string, Claim>();
  private readonly byText = new Map<string, Set<string>>();
  /** Undo log while a file that goes in whole or not at all (a survey) is being checked. */
  private undo: Array<[string, Claim | undefined]> | null = null;

  get(slug: string): Claim | undefined {
    return this.bySlug.get(slug);
  }

  set(slug: string, claim: Claim): void {
    this.undo?.push([slug, this.bySlug.get(slug)]);
    this.put(slug, claim);
  }

  /** Slugs holding this text: the store's, as the batch would have left them. */
  twins(storeTwins: readonly string[], sha256: string): string[] {
    const twins = new Set(storeTwins.filter((slug) => !this.bySlug.has(slug)));
    for (const slug of this.byText.get(sha256) ?? []) twins.add(slug);
    return [...twins].sort();
  }

  /** Runs `fn`, forgetting its claims if it throws (the file is rolled back). */
  whole<T>(fn: () => T): T {
    const undo: Array<[string, Claim | undefined]> = [];
    this.undo = undo;
    try {
      return fn();
    } catch (error) {
      for (const [slug, claim] of undo.reverse()) this.put(slug, claim);
      throw error;
    } finally {
      this.undo = null;
    }
  }

  private put(slug: string, claim: Claim | undefined): void {
    const previous = this.bySlug.get(slug);
    if (previous !== undefined) this.byText.get(previous.sha256)?.delete(slug);
    if (claim === undefined) {
      this.bySlug.delete(slug);
      return;
    }
    this.bySlug.set(slug, claim);
    const slugs = this.byText.get(claim.sha256);
    if (slugs === undefined) this.byText.set(claim.sha256, new Set([slug]));
    else slugs.add(slug);
  }
}

interface DocumentInput {
  display: string;
  slug: string;
  /**
   * The manifest row that lists the file ("man.csv row 4") and whether its slug cell gave the name:
   * there, not with --slug (which is for a single file), is where the user names it otherwise.
   */
  listed?: { where: string; slugGiven: boolean } | undefined;
  doc: NewDocument;
  segments: Segment[];
  cases: CaseValues | null;
  /**
   * Which of kind, language and title this run names (an option or a manifest cell). On --replace the
   * others keep their stored values: a default must not undo what an earlier import was told.
   */
  given: { kind: boolean; language: boolean; title: boolean };
  /** The stored text (and its segments) cut again with this run's segmentation options. */
  resegment: (storedText: string, stored: readonly SegmentForReplace[]) => ReadonlyArray<Pick<Segment, 'speaker' | 'text'>>;
}

interface SaveOutcome {
  status: Exclude<FileStatus, 'failed'>;
  carried: number;
  note: string | null;
  /** The document's language as stored after this run. */
  language: string | null;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Writes one document with its segments, case link and case values in one transaction, or says why
 * not: the same text under the same slug is a no-op; other text under an existing slug needs
 * --replace, and is refused if a coded (or memo'd) segment would lose its words.
 */
function saveDocument(ctx: Context, input: DocumentInput): SaveOutcome {
  // The check and the write share one transaction, so a second qcode importing the same slug at the
  // same time waits (busy_timeout) and then sees the first one's document.
  const outcome = ctx.dryRun ? decideAndWrite(ctx, input) : inTransaction(ctx.project.db, () => decideAndWrite(ctx, input));
  ctx.claims.set(input.slug, { sha256: input.doc.sha256, file: input.display });
  return outcome;
}

/**
 * A text removed on a participant's withdrawal of consent is not taken back by a routine re-import of a
 * folder; --readmit takes it (consent given again) and lifts its tombstone, so that merges bring it too.
 */
function refuseRemovedText(ctx: Context, input: DocumentInput): void {
  const [removed] = tombstonesOfText(ctx.project.db, input.doc.sha256);
  // A new text for a removed case (--case, a manifest row) would bring the participant back as well.
  const caseId = input.cases?.caseId ?? null;
  const caseRemoved = caseId === null ? undefined : caseRemovedAt(ctx.project.db, caseId);
  if (removed === undefined && caseRemoved === undefined) return;
  if (!ctx.options.readmit) {
    const what = removed === undefined
      ? `it is of case ${caseId ?? ''}, removed on ${(caseRemoved ?? '').slice(0, 10)}`
      : `its text is that of "${removed.slug}"${removed.case_id === null ? '' : ` of case ${removed.case_id}`}, removed on ${removed.removed_at.slice(0, 10)}`;
    throw new UserError(`${input.display}: not imported: ${what} (withdrawal of consent)`, {
      hint: 'If the participant has agreed again, import it with --readmit',
    });
  }
  if (!ctx.dryRun) liftTombstones(ctx.project.db, input.doc.sha256, caseId);
}

function decideAndWrite(ctx: Context, input: DocumentInput): SaveOutcome {
  const { db } = ctx.project;
  const write = !ctx.dryRun;
  const claim = ctx.claims.get(input.slug);
  const { listed } = input;
  const slugCell = listed?.slugGiven ? ` (${listed.where}, column slug)` : '';
  if (claim !== undefined) {
    // Neither file's document may silently replace or re-link the other's: the user never chose that.
    const survey = input.doc.format === 'csv';
    throw new UserError(`${input.display}: the document name "${input.slug}"${slugCell} is already taken in this batch by ${claim.file}${survey ? '; nothing was imported' : ''}`, {
      hint: survey
        ? 'Rename one of the two files (a survey\'s document names start with its file name)'
        : listed?.slugGiven ? 'Choose another slug there, or rename the other file'
        : listed !== undefined ? `Rename one of the two files, or give this one a name in the slug column of ${listed.where}`
        : 'Rename one of the two files, or give this one another name in a manifest\'s slug column (or import it on its own with --slug NAME)',
    });
  }
  refuseRemovedText(ctx, input);
  const existing = documentBySlug(db, input.slug);
  const caseId = input.cases?.caseId ?? null;
  if (existing !== undefined && existing.sha256 === input.doc.sha256) {
    const relink = caseId !== null && existing.case_id !== caseId;
    if (write && input.cases !== null) {
      writeCaseValues(ctx.project, input.cases);
      if (relink) setDocumentCase(db, existing.id, caseId);
    }
    // A kind, language or title this run gives is metadata: applied to the same text as to a new one.
    const { doc, changed } = givenMetadata(existing, input);
    if (write && changed.length > 0) setDocumentMeta(db, existing.id, { ...doc, caseId: relink ? caseId : existing.case_id });
    const notes = [relink ? (existing.case_id === null ? `linked to case ${caseId}` : `case ${existing.case_id} → ${caseId}`) : null, ...changed].filter((note): note is string => note !== null);
    return { status: 'unchanged', carried: 0, note: notes.length > 0 ? notes.join(', ') : null, language: doc.language };
  }
  if (existing === undefined) {
    const twins = ctx.claims.twins(slugsWithText(db, input.doc.sha256), input.doc.sha256);
    if (write) {
      if (input.cases !== null) writeCaseValues(ctx.project, input.cases);
      insertSegments(db, insertDocument(db, input.doc), input.segments);
    }
    return { status: 'imported', carried: 0, note: twins.length > 0 ? `same text as ${twins.map((slug) => `"${slug}"`).join(', ')}` : null, language: input.doc.language };
  }
  if (!ctx.options.replace) {
    throw new UserError(`${input.display}: "${input.slug}"${slugCell} is already imported (${existing.imported_at.slice(0, 10)}, from ${existing.source_path ?? 'another file'}) with different text`, {
      hint: listed?.slugGiven ? 'Choose another slug there, or pass --replace if it is the same document (codings on unchanged segments are kept)'
        : listed !== undefined ? `Pass --replace to replace it (codings on unchanged segments are kept), or give it another name in the slug column of ${listed.where} to import it beside the old one`
        : 'Pass --replace to replace it (codings on unchanged segments are kept), or --slug NAME to import it beside the old one',
    });
  }
  const old = segmentsForReplace(db, existing.id);
  const plan = planCarryOver(old.map((segment) => ({ id: segment.id, speaker: segment.speaker, text: segment.text, attached: segment.codings > 0 || segment.memos > 0 })), input.segments);
  if (plan.lost.length > 0) {
    const lost = old.filter((segment) => plan.lost.includes(segment.id));
    const codings = lost.reduce((sum, segment) => sum + segment.codings, 0);
    const memos = lost.reduce((sum, segment) => sum + segment.memos, 0);
    const ordinals = lost.map((segment) => segment.ordinal);
    const what = [codings > 0 ? plural(codings, 'coding') : '', memos > 0 ? plural(memos, 'memo') : ''].filter(Boolean).join(' and ');
    const where = `${plural(ordinals.length, 'segment')} (#${ordinals.slice(0, 10).join(', #')}${ordinals.length > 10 ? ', …' : ''})`;
    if (segmentedOtherwise(db, existing.id, old, input)) {
      throw new UserError(`${input.display}: cannot replace "${input.slug}": this run's segmentation options cut the stored document differently from the import that made it, so ${what} on ${where} would be lost`, {
        hint: 'Repeat the first import\'s --segment and --speakers options (and --language, if it was given) together with --replace',
      });
    }
    // Memos cannot be moved or deleted, so the way out differs from that for codings.
    const beside = listed === undefined ? 'with --slug NAME' : `under another slug (${listed.where}, column slug)`;
    const hint = memos > 0
      ? `Keep those turns word for word in the new file, or import it beside the old one ${beside} (a memo cannot be moved to another segment${codings > 0 ? '; codings can be removed with qcode untag' : ''}; see: qcode docs show ${input.slug} --segments)`
      : `Keep those turns word for word in the new file, or remove their codings first (see: qcode docs show ${input.slug} --segments)`;
    throw new UserError(`${input.display}: cannot replace "${input.slug}": ${what} on ${where} whose text or speaker changed would be lost`, { hint });
  }
  const carried = old.filter((segment) => plan.keep.has(segment.id)).reduce((sum, segment) => sum + segment.codings, 0);
  const { doc, changed } = givenMetadata(existing, input);
  if (write) {
    if (input.cases !== null) writeCaseValues(ctx.project, input.cases);
    replaceDocument(db, existing.id, doc, input.segments, plan.keep, new Map(old.map((segment) => [segment.id, segment.start])));
    // In the same commit: should the import end before it erases the old words, every command says so.
    markReplacedTextPending(db, nowIso());
  }
  const notes = [carried > 0 ? `${plural(carried, 'coding')} carried over` : null, ...changed].filter((note): note is string => note !== null);
  return { status: 'replaced', carried, note: notes.length > 0 ? notes.join(', ') : null, language: doc.language };
}

/**
 * The document as this run would store it: kind, language and title as stored unless this run gives
 * them (a default must not undo what an earlier import was told), and the changes, as the report says them.
 */
function givenMetadata(existing: StoredDocument, input: DocumentInput): { doc: NewDocument; changed: string[] } {
  const doc: NewDocument = {
    ...input.doc,
    caseId: input.doc.caseId ?? existing.case_id,
    kind: input.given.kind ? input.doc.kind : existing.kind,
    language: input.given.language ? input.doc.language : existing.language,
    title: input.given.title ? input.doc.title : existing.title ?? input.doc.title,
  };
  const changed = (['kind', 'language', 'title'] as const)
    .filter((field) => input.given[field] && existing[field] !== doc[field])
    .map((field) => `${field} ${existing[field] ?? '(none)'} → ${doc[field] ?? '(none)'}`);
  return { doc, changed };
}

/**
 * Sets a stored document's kind, language and title (and case) and nothing else: its text, segments,
 * their ids and media times stay as they are (the store has no narrower write than replacing the
 * document with its own segments, every one of them kept).
 */
/**
 * Whether this run's segmentation options (not the text) are why stored segments find no match: the
 * stored text, cut again as this run cuts, does not give back the stored segments.
 */
function segmentedOtherwise(db: Project['db'], documentId: number, old: readonly SegmentForReplace[], input: DocumentInput): boolean {
  const text = documentText(db, documentId);
  if (text === undefined) return false;
  let again: ReadonlyArray<Pick<Segment, 'speaker' | 'text'>>;
  try {
    again = input.resegment(text, old);
  } catch (error) {
    // e.g. --segment turns on a text the first import cut into paragraphs: no labels to find.
    if (error instanceof UserError) return true;
    throw error;
  }
  return again.length !== old.length || again.some((segment, index) => segment.speaker !== old[index]?.speaker || segment.text !== old[index]?.text);
}

/**
 * The units (cues, answers) a document of pre-cut units was assembled from, recovered from its stored
 * text and segments: a new unit starts where the speaker changes or a blank line lies between two
 * segments (assembleUnits joins units with one; sentences of one unit are not).
 */
function storedUnits(text: string, old: readonly SegmentForReplace[]): TextUnit[] {
  const index = new CodePointIndex(text);
  const units: TextUnit[] = [];
  let from = 0;
  let to = 0;
  let speaker: string | null = null;
  old.forEach((segment, position) => {
    const end = segment.start + codePointLength(segment.text);
    const joins = position > 0 && segment.speaker === speaker && !index.slice(to, segment.start).includes('\n\n');
    if (!joins) {
      if (position > 0) units.push({ speaker, text: index.slice(from, to) });
      from = segment.start;
      speaker = segment.speaker;
    }
    to = end;
  });
  if (old.length > 0) units.push({ speaker, text: index.slice(from, to) });
  return units;
}

// ---------------------------------------------------------------- one file

function emptyResult(file: string, bytes: number): FileResult {
  return { file, status: 'failed', slug: null, format: null, encoding: null, language: null, case: null, documents: 0, segments: 0, bytes, carried: 0, message: null, warnings: [], updated: false };
}

/** One line for a failed file, starting with the file as the user named it. */
function failureLine(display: string, error: unknown): string {
  let message = error instanceof UserError ? error.message + (error.hint ? ` — ${error.hint}` : '') : `unexpected error, please report it: ${(error as Error).message}`;
  if (error instanceof ProblemsError) message += error.problems.map((problem) => `\n  ${formatProblem(problem)}`).join('');
  return message.startsWith(display) ? message : `${display}: ${message}`;
}

async function importFile(ctx: Context, file: SourceFile, entry: ManifestEntry | undefined): Promise<FileResult> {
  const options = ctx.options;
  const result = emptyResult(file.display, file.size);
  const format = options.format ?? formatOfPath(file.path);
  if (format === undefined) throw new UserError(`${file.display}: unsupported file type (pass --format)`);
  result.format = format;
  const bytes = readSourceBytes(file.path, file.display);
  if (format === 'csv') return importSurvey(ctx, file, bytes, result);

  const extracted = await extractDocument(bytes, file.display, format, { encoding: options.encoding ?? 'auto', speakers: ctx.speakers });
  result.encoding = extracted.encoding === null ? null : ENCODING_LABELS[extracted.encoding];
  const languageOption = entry?.language ?? options.language;
  let text: string;
  let segments: Segment[];
  let removed = 0;
  let detected: string | null = null;
  let resegment: DocumentInput['resegment'];
  if (extracted.kind === 'units') {
    const assembled = assembleUnits(extracted.units, { mode: options.segment, language: languageOption });
    text = assembled.text;
    segments = assembled.segments;
    detected = assembled.language;
    resegment = (stored, old) => assembleUnits(storedUnits(stored, old), { mode: options.segment, language: languageOption }).segments;
  } else {
    const normalized = normalizeText(extracted.text);
    text = normalized.text;
    removed = normalized.removedControls;
    detected = detectLanguage(text);
    segments = segmentText(text, { mode: options.segment, speakers: ctx.speakers, language: languageOption ?? detected }).segments;
    resegment = (stored) => segmentText(stored, { mode: options.segment, speakers: ctx.speakers, language: languageOption ?? detectLanguage(stored) }).segments;
  }
  if (segments.length === 0) {
    const holds = format === 'docx' ? 'the document body holds no text (headers, footers, comments and images are not imported)'
      : format === 'html' ? 'the page holds no readable text outside scripts, styles and navigation'
      : format === 'telegram' ? 'the chat export holds no message with text'
      : 'the file holds only white space';
    throw new UserError(`${file.display}: no text to import: ${holds}`);
  }
  const language = languageOption ?? detected;
  const slug = entry?.slug ?? options.slug ?? slugify(stem(file.path));
  const cases = entry?.cases ?? (options.caseId !== undefined ? { caseId: options.caseId, values: new Map<string, string>() } : null);
  const kind = entry?.kind ?? options.kind ?? (format === 'html' ? 'web' : format === 'telegram' ? 'chat' : 'interview');
  const doc: NewDocument = {
    slug, caseId: cases?.caseId ?? null, title: entry?.title ?? extracted.title, kind, language,
    sourcePath: file.path, format, encoding: extracted.encoding, sha256: sha256(text), text, importedAt: nowIso(),
  };
  const given = { kind: (entry?.kind ?? options.kind) !== undefined, language: languageOption !== undefined, title: entry?.title !== undefined };
  const listed = entry === undefined ? undefined : { where: entry.where, slugGiven: entry.slug !== undefined };
  const outcome = saveDocument(ctx, { display: file.display, slug, listed, doc, segments, cases, given, resegment });
  const warnings = [
    removed > 0 ? `${removed} control character${removed === 1 ? '' : 's'} removed` : null,
    ...extracted.warnings.map((warning) => `${format}: ${warning}`),
  ].filter((note): note is string => note !== null);
  const notes = [outcome.note, ...warnings].filter((note): note is string => note !== null);
  return {
    ...result, status: outcome.status, slug, language: outcome.language, case: cases?.caseId ?? null, documents: 1, segments: segments.length,
    carried: outcome.carried, message: notes.length > 0 ? notes.join('; ') : null, warnings, updated: outcome.status === 'unchanged' && outcome.note !== null,
  };
}

/** A column given by its number: "#3" is the third (1-based). */
const COLUMN_NUMBER = /^#(\d+)$/;

/** Whether a column can be named as it is in a comma-separated --text-columns (else by its number). */
function passable(name: string): boolean {
  return !name.includes(',') && !name.includes('"') && !COLUMN_NUMBER.test(name) && name.trim() === name;
}

/** How to name a column on the command line: its name, or "#3" with the name when it cannot be typed as one. */
function columnRef(columns: readonly string[], name: string): string {
  return passable(name) ? `"${name}"` : `#${columns.indexOf(name) + 1} ("${name}")`;
}

/** A survey CSV: one case and one document per respondent, all in one transaction (the file goes in whole or not at all). */
async function importSurvey(ctx: Context, file: SourceFile, bytes: Buffer, result: FileResult): Promise<FileResult> {
  const options = ctx.options;
  const requestedId = options.idColumn;
  const requestedText = options.textColumns ?? [];
  if (requestedId === undefined || requestedText.length === 0) {
    throw usageError(`${file.display}: a survey needs --id-column and --text-columns`, 'Example: --kind survey --id-column respondent_id --text-columns q1,q2 --attribute-columns host_country');
  }
  assertNotSpreadsheet(file.path, file.display, bytes);
  const { text: csvText, encoding } = await decodeBytes(bytes, file.display, options.encoding ?? 'auto');
  result.encoding = ENCODING_LABELS[encoding];
  const table = await parseCsvTable(csvText, file.display, { delimiter: ctx.delimiter, path: file.path });
  // "#3" is the third column, whatever its name (one with a comma cannot be named in a comma-separated
  // list). "--id-column case" finds a header "Case" when no other column differs only in case; attribute
  // columns must be spelt as the codebook declares them.
  const column = (name: string, anyCase: boolean): string => {
    const number = COLUMN_NUMBER.exec(name);
    if (number !== null) return table.columns[Number(number[1]) - 1] ?? name;
    if (table.columns.includes(name) || !anyCase) return name;
    const matches = table.columns.filter((candidate) => candidate.toLowerCase() === name.toLowerCase());
    return matches.length === 1 ? (matches[0] as string) : name;
  };
  const idColumn = column(requestedId, true);
  const textColumns = requestedText.map((name) => column(name, true));
  const attributeColumns = (options.attributeColumns ?? []).map((name) => column(name, false));
  const resolved = [idColumn, ...textColumns, ...attributeColumns];
  const missing = [requestedId, ...requestedText, ...(options.attributeColumns ?? [])].filter((_, index) => !table.columns.includes(resolved[index] as string));
  if (missing.length > 0) {
    const named = (name: string): string => {
      if (COLUMN_NUMBER.test(name)) return `${name} (the header has ${plural(table.columns.length, 'column')})`;
      const guess = didYouMean(name, table.columns);
      return `"${name}"${guess === undefined ? '' : ` (did you mean ${columnRef(table.columns, guess)}?)`}`;
    };
    throw new UserError(`${file.display}: row 1: no column ${missing.map(named).join(', ')}`, {
      hint: `The columns are: ${table.columns.map((name) => (passable(name) ? name : columnRef(table.columns, name))).join(', ')}`,
    });
  }
  // Named twice (q1,Q1 or q1,#2): the same answers would be stored twice.
  for (const [option, given, resolved] of [['--text-columns', requestedText, textColumns], ['--attribute-columns', options.attributeColumns ?? [], attributeColumns]] as const) {
    resolved.forEach((name, index) => {
      const first = resolved.indexOf(name);
      if (first !== index) throw usageError(`${file.display}: ${option} names the column "${name}" twice (as ${given[first]} and ${given[index]})`, 'Name each column once');
    });
  }
  // Only the id and attribute cells are read as case values, but every column stays in place so that a
  // problem is reported at its column of the file, not of the reduced table.
  const caseColumns = [idColumn, ...attributeColumns];
  const prefix = options.idPrefix ?? '';
  const caseCell = (column: string, value: string): string => (column === idColumn && prefix !== '' && value.trim() !== '' ? `${prefix}${value.trim()}` : value);
  const projected: CsvTable = nfcCells({
    columns: table.columns,
    rows: table.rows.map((row) => ({ ...row, values: Object.fromEntries(caseColumns.map((column) => [column, caseCell(column, row.values[column] ?? '')])) })),
  }, caseColumns);
  // --slug names the survey's documents (SLUG-ID) as it names a single file's document.
  const base = options.slug ?? slugify(stem(file.path));
  // Checked before anything else, so that a repeated respondent is not reported as conflicting values
  // of one case, and before anything is written: two respondents whose ids give one slug (A1 and a1,
  // R.1 and R_1) would share a document, the second replacing or silently re-linking the first. Rows
  // without answers count too, so that the names stay the same when their answers come later.
  const firstRow = new Map<string, number>();
  const slugRow = new Map<string, { row: number; id: string }>();
  for (const row of projected.rows) {
    const id = (row.values[idColumn] ?? '').trim();
    if (id === '' || caseIdProblem(id) !== undefined) continue;
    const where = `${file.display}:${row.line}: row ${row.row}`;
    const earlier = firstRow.get(id);
    if (earlier !== undefined) throw new UserError(`${where}: respondent ${id} appears again (first in row ${earlier}); nothing was imported`, { hint: 'Every respondent needs a row of their own with a unique id' });
    firstRow.set(id, row.row);
    const slug = surveySlug(base, id);
    const other = slugRow.get(slug);
    if (other !== undefined) {
      throw new UserError(`${where}: respondent ${id} would get the same document name "${slug}" as respondent ${other.id} in row ${other.row}; nothing was imported`, {
        hint: 'Make the ids differ by more than letter case, punctuation or accents (document names keep only a-z, 0-9 and -), e.g. A1 and A1b',
      });
    }
    slugRow.set(slug, { row: row.row, id });
  }
  const otherColumns = table.columns.filter((column) => !caseColumns.includes(column));
  const respondents = caseValuesFromRows(projected, file.display, ctx.rules, { caseColumn: idColumn, otherColumns, caseRequired: true });
  const mode: SegmentMode = options.segment === 'sentences' ? 'sentences' : 'turns';
  let imported = 0;
  let replaced = 0;
  let unchanged = 0;
  let unchangedSegments = 0;
  let segmentCount = 0;
  let documents = 0;
  let silent = 0;
  let otherKind = 0;
  const written = new Set<string>();
  // Respondents removed on withdrawal of consent stay out of a re-import of the file, values and all.
  const withdrawn: string[] = [];
  let changedValues: string[] = [];
  const write = (): void => {
    withdrawn.length = 0;
    const removedCases = options.readmit ? new Set<string>() : removedCaseIds(ctx.project.db);
    // A person can be interviewed and also answer the survey: an existing case keeps its kind (read
    // inside the transaction), only a new one is made a respondent.
    const stored = listCases(ctx.project.db);
    const kinds = new Map(stored.map((entry) => [entry.id, entry.kind]));
    changedValues = sameRespondents(ctx, file, base, respondents.map(({ cases }) => cases), stored);
    otherKind = 0;
    respondents.forEach(({ cases }, index) => {
      const row = table.rows[index] as CsvRow;
      if (cases === null) return;
      const assembled = assembleUnits(textColumns.map((column) => ({ speaker: column, text: row.values[column] ?? '' })), { mode, language: options.language });
      const existingKind = kinds.get(cases.caseId);
      if (existingKind !== undefined && existingKind !== 'respondent') otherKind++;
      const caseEntry = existingKind === undefined ? { ...cases, kind: 'respondent' } : cases;
      const text = sha256(assembled.text);
      if (removedCases.has(cases.caseId) || (!options.readmit && assembled.segments.length > 0 && tombstonesOfText(ctx.project.db, text).length > 0)) {
        withdrawn.push(cases.caseId);
        return;
      }
      if (assembled.segments.length === 0) {
        silent++;
        if (!ctx.dryRun) writeCaseValues(ctx.project, caseEntry);
        return;
      }
      const slug = surveySlug(base, cases.caseId);
      const doc: NewDocument = {
        slug, caseId: cases.caseId, title: `${stem(file.path)}: ${cases.caseId}`, kind: options.kind ?? 'survey',
        language: options.language ?? assembled.language, sourcePath: file.path, format: 'csv', encoding,
        sha256: text, text: assembled.text, importedAt: nowIso(),
      };
      const outcome = saveDocument(ctx, {
        display: `${file.display}: row ${row.row}`, slug, doc, segments: assembled.segments, cases: caseEntry,
        given: { kind: true, language: options.language !== undefined, title: true },
        resegment: (stored, old) => assembleUnits(storedUnits(stored, old), { mode, language: options.language }).segments,
      });
      written.add(slug);
      documents++;
      segmentCount += assembled.segments.length;
      if (outcome.status === 'unchanged') {
        unchanged++;
        unchangedSegments += assembled.segments.length;
      }
      if (outcome.status === 'imported') imported++;
      if (outcome.status === 'replaced') replaced++;
    });
    if (ctx.dryRun) {
      for (const { cases } of respondents) {
        if (cases === null || withdrawn.includes(cases.caseId)) continue;
        const earlier = ctx.dryCases.get(cases.caseId);
        const surveys = written.has(surveySlug(base, cases.caseId)) ? [surveySlug(base, cases.caseId)] : [];
        ctx.dryCases.set(cases.caseId, {
          values: new Map([...(earlier?.values ?? []), ...cases.values]),
          surveys: [...new Set([...(earlier?.surveys ?? []), ...surveys])],
        });
      }
    }
  };
  ctx.claims.whole(() => (ctx.dryRun ? write() : inTransaction(ctx.project.db, write)));
  const status: FileStatus = replaced > 0 ? 'replaced' : imported > 0 ? 'imported' : 'unchanged';
  const kept = otherKind === 1 ? '1 respondent is an existing case; its kind stays' : `${otherKind} respondents are existing cases; their kind stays`;
  // A re-import that adds one respondent (a new row, or one taken back with --readmit) counts what it wrote, not the whole file.
  const partly = status !== 'unchanged' && unchanged > 0;
  const parts = [plural(respondents.length, 'respondent'), partly ? `${unchanged} already imported` : null, silent > 0 ? `${silent} without any answer (case only)` : null, replaced > 0 ? `${replaced} replaced` : null, otherKind > 0 ? kept : null].filter(Boolean);
  const named = (list: readonly string[]): string => `${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`;
  const warnings = [
    ...(withdrawn.length > 0 ? [`${plural(withdrawn.length, 'respondent')} removed earlier (withdrawal of consent) left out: ${named(withdrawn)} (--readmit imports them again)`] : []),
    ...(changedValues.length > 0 ? [`values changed on ${plural(changedValues.length, 'existing case')} (--same-respondents): ${named(changedValues)}`] : []),
    ...leftBehind(ctx, file, base, written, new Set(firstRow.keys())),
  ];
  return {
    ...result, status, slug: `${base}-*`, language: options.language ?? null,
    documents: partly ? documents - unchanged : documents, segments: partly ? segmentCount - unchangedSegments : segmentCount,
    message: [parts.join(', '), ...warnings].join('; '), warnings,
  };
}

function surveySlug(base: string, caseId: string): string {
  return `${base}-${slugify(caseId)}`;
}

/**
 * Respondents whose ids are cases already holding another survey's answers, or other values of the
 * attributes this file sets, may be other people who happen to have the same id (every survey tool
 * numbers from 1): merged into one case, their answers would be one person's, and removing that case
 * (withdrawal of consent) would take the other's too. The file is refused, whole, unless
 * --same-respondents says they are the same people; then the values that change are returned
 * ("case 1: gender female → male"), for the report. A re-import of the same file (the case holds this
 * row's document) and a case that holds interviews only, with the same values, link as before.
 */
function sameRespondents(ctx: Context, file: SourceFile, base: string, respondents: ReadonlyArray<CaseValues | null>, stored: readonly CaseRow[]): string[] {
  const byId = new Map(stored.map((entry) => [entry.id, entry]));
  for (const [id, dry] of ctx.dryCases) {
    const entry = byId.get(id);
    byId.set(id, { id, kind: entry?.kind ?? 'respondent', documents: (entry?.documents ?? 0) + dry.surveys.length, values: new Map([...(entry?.values ?? []), ...dry.values]) });
  }
  const existing = respondents.filter((cases): cases is CaseValues => cases !== null && byId.has(cases.caseId));
  if (existing.length === 0) return [];
  const surveys = new Map<string, string[]>();
  if (existing.some((cases) => (byId.get(cases.caseId)?.documents ?? 0) > 0)) {
    for (const doc of listDocuments(ctx.project.db)) {
      if (doc.format !== 'csv' || doc.case_id === null) continue;
      surveys.set(doc.case_id, [...(surveys.get(doc.case_id) ?? []), doc.slug]);
    }
    for (const [id, dry] of ctx.dryCases) surveys.set(id, [...new Set([...(surveys.get(id) ?? []), ...dry.surveys])]);
  }
  const clashes: Array<{ id: string; why: string }> = [];
  const changes: string[] = [];
  for (const cases of existing) {
    const old = byId.get(cases.caseId)?.values ?? new Map<string, string>();
    const changed = [...cases.values].filter(([attribute, value]) => old.has(attribute) && old.get(attribute) !== value).map(([attribute, value]) => `${attribute} ${old.get(attribute) ?? ''} → ${value}`);
    if (changed.length > 0) changes.push(`case ${cases.caseId}: ${changed.join(', ')}`);
    const slugs = surveys.get(cases.caseId) ?? [];
    const own = surveySlug(base, cases.caseId);
    const others = slugs.filter((slug) => slug !== own);
    // Importing this file again changes values as before, unless another survey of the case set them.
    const clash = slugs.includes(own) ? others.length > 0 && changed.length > 0 : others.length > 0 || changed.length > 0;
    if (clash) clashes.push({ id: cases.caseId, why: [...others.map((slug) => `answers in ${slug}`), ...changed].join(', ') });
  }
  if (clashes.length === 0 || ctx.options.sameRespondents) return ctx.options.sameRespondents ? changes : [];
  const first = clashes[0]?.id ?? '';
  const few = `${clashes.slice(0, 3).map(({ id, why }) => `case ${id}: ${why}`).join('; ')}${clashes.length > 3 ? `; and ${clashes.length - 3} more` : ''}`;
  const what = clashes.length === 1 ? '1 respondent id is already a case' : `${groupDigits(clashes.length)} respondent ids are already cases`;
  throw new UserError(`${file.display}: ${what} holding another survey's answers or other values (${few}); nothing was imported`, {
    hint: `If they are other people, pass --id-prefix to make this file's case ids differ (--id-prefix W2- makes respondent ${first} the case W2-${first}); if they are the same people (a panel wave), pass --same-respondents`,
  });
}

/**
 * Documents an earlier import of this survey file made that this run does not write: respondents
 * removed from the file, or whose answers are now all empty. They are kept (an import never deletes),
 * but the user must hear of them, or the corpus silently holds answers the file no longer has.
 */
function leftBehind(ctx: Context, file: SourceFile, base: string, written: ReadonlySet<string>, ids: ReadonlySet<string>): string[] {
  const { db } = ctx.project;
  const gone: string[] = [];
  const silent: string[] = [];
  for (const slug of listDocumentSlugs(db)) {
    if (!slug.startsWith(`${base}-`) || written.has(slug)) continue;
    const doc = documentBySlug(db, slug);
    if (doc === undefined || doc.format !== 'csv' || doc.source_path !== file.path) continue;
    const id = doc.case_id ?? slug;
    (ids.has(id) ? silent : gone).push(id);
  }
  const named = (list: readonly string[]): string => `${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`;
  const kept = (count: number): string => (count === 1 ? 'their document was kept' : 'their documents were kept');
  const howTo = 'qcode docs remove removes one that must go';
  return [
    gone.length > 0 ? `${plural(gone.length, 'respondent')} of the earlier import of ${file.display} ${gone.length === 1 ? 'is' : 'are'} not in the file (${named(gone)}): ${kept(gone.length)} (${howTo})` : null,
    silent.length > 0 ? `${plural(silent.length, 'respondent')} of the earlier import of ${file.display} now ${silent.length === 1 ? 'has' : 'have'} no answer (${named(silent)}): ${kept(silent.length)} (${howTo})` : null,
  ].filter((warning): warning is string => warning !== null);
}

// ---------------------------------------------------------------- the batch

function checkOptions(options: ImportOptions): void {
  if (options.caseId !== undefined) {
    const problem = caseIdProblem(options.caseId);
    if (problem !== undefined) throw usageError(`--case: ${problem}`);
  }
  if (options.slug !== undefined) checkSlug(options.slug);
  if (options.kind === 'survey' && options.format !== undefined && options.format !== 'csv') throw usageError('--kind survey reads a CSV file; drop --format or use --format csv');
  if (options.language !== undefined && !/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(options.language)) throw usageError(`--language: "${options.language}" is not a language code such as ru or en`);
  const surveyFlags = options.idColumn !== undefined || options.textColumns !== undefined || options.attributeColumns !== undefined || options.idPrefix !== undefined || options.sameRespondents !== undefined;
  if (surveyFlags && options.kind !== 'survey' && options.format !== 'csv') throw usageError('--id-column, --text-columns, --attribute-columns, --id-prefix and --same-respondents are for surveys', 'Add --kind survey');
  if (options.idPrefix !== undefined && caseIdProblem(`${options.idPrefix}1`) !== undefined) {
    throw usageError(`--id-prefix: "${options.idPrefix}" cannot start a case id`, 'A case id has letters, digits, _ . and - only and starts with a letter or digit, e.g. --id-prefix W2-');
  }
  if (options.idPrefix !== undefined && options.sameRespondents) throw usageError('--id-prefix makes the respondents other cases, --same-respondents the same ones: give one of them');
  for (const [option, names] of [['--text-columns', options.textColumns], ['--attribute-columns', options.attributeColumns]] as const) {
    const repeated = names?.find((name, index) => names.indexOf(name) !== index);
    if (repeated !== undefined) throw usageError(`${option} names the column "${repeated}" twice`, 'Name each column once');
  }
  if (options.manifestEncoding !== undefined && options.manifest === undefined) throw usageError('--manifest-encoding is for the file given with --manifest');
  if (options.delimiter !== undefined && options.manifest === undefined && options.kind !== 'survey' && options.format !== 'csv') {
    throw usageError('--delimiter is for a survey CSV (--kind survey) or a --manifest');
  }
  if (options.kind === 'survey' && (options.idColumn === undefined || options.textColumns === undefined || options.textColumns.length === 0)) {
    throw usageError('--kind survey needs --id-column and --text-columns', 'Example: --kind survey --id-column respondent_id --text-columns q1,q2 --attribute-columns host_country');
  }
  if (options.kind === 'survey' && options.manifest !== undefined) throw usageError('--manifest is for interviews and web pages, not surveys (a survey carries its own attribute columns)');
}

/**
 * `qcode import PATH... [--manifest FILE]`: every file in its own transaction; a failed file is
 * reported and skipped (or stops the batch with --strict); the report lists every file.
 */
export async function importPaths(project: Project, paths: readonly string[], given: ImportOptions = {}): Promise<ImportReport> {
  // Identifiers compare in NFC, as the CSV headers and cells they are matched against do.
  const nfc = (value: string | undefined): string | undefined => value?.normalize('NFC');
  const options: ImportOptions = {
    ...given, caseId: nfc(given.caseId), speakers: nfc(given.speakers), idColumn: nfc(given.idColumn),
    textColumns: given.textColumns?.map((column) => column.normalize('NFC')), attributeColumns: given.attributeColumns?.map((column) => column.normalize('NFC')),
  };
  checkOptions(options);
  const cwd = options.cwd ?? process.cwd();
  const speakers = options.speakers === undefined ? undefined : parseSpeakerMap(options.speakers);
  const rules = loadAttributeRules(project.db);
  const delimiter = options.delimiter === undefined ? undefined : parseDelimiterOption(options.delimiter);
  const ctx: Context = { project, options, dryRun: options.dryRun ?? false, speakers, rules, claims: new BatchClaims(), delimiter, dryCases: new Map() };
  if (paths.length === 0 && options.manifest === undefined) throw usageError('nothing to import', 'Name files, folders or globs, or a --manifest');

  const manifest = options.manifest === undefined ? undefined : await readManifest(options.manifest, cwd, rules, { encoding: options.manifestEncoding ?? 'auto', delimiter: ctx.delimiter });
  const survey = options.kind === 'survey' || options.format === 'csv';
  const expansion = await expandPaths(paths, { cwd, format: options.format, csv: survey, exclude: new Set(manifest ? [manifest.path] : []) });
  const byPath = new Map((manifest?.entries ?? []).map((entry) => [entry.path, entry]));
  const files = expansion.files.map((file) => ({ file, entry: byPath.get(file.path) }));
  const failures = expansion.failures.map((failure) => ({ file: failure.display, message: failureLine(failure.display, new UserError(failure.message)) }));
  const listed = new Set(expansion.files.map((file) => file.path));
  // Files that only the manifest names come after the paths given on the command line.
  for (const entry of manifest?.entries ?? []) {
    if (listed.has(entry.path)) continue;
    const named = await expandPaths([entry.path], { cwd, format: options.format, csv: false, exclude: new Set() });
    // The message names the manifest row; `file` is the file's path, as for every other file.
    for (const failure of named.failures) failures.push({ file: entry.path, message: failureLine(entry.display, new UserError(failure.message)) });
    for (const file of named.files) files.push({ file, entry });
  }
  if (options.slug !== undefined && files.length + failures.length > 1) throw usageError('--slug names one document; it cannot be used with several files');

  const report: ImportReport = {
    dryRun: ctx.dryRun, stopped: false, files: [], skipped: expansion.skipped,
    totals: { files: 0, imported: 0, replaced: 0, unchanged: 0, failed: 0, skipped: expansion.skipped.length, documents: 0, segments: 0, bytes: 0 },
    erasure: null,
  };
  const done = { files: 0, bytes: 0 };
  const record = (result: FileResult): void => {
    report.files.push(result);
    report.totals.files++;
    report.totals[result.status]++;
    report.totals.documents += result.status === 'failed' ? 0 : result.documents;
    report.totals.segments += result.status === 'failed' ? 0 : result.segments;
    report.totals.bytes += result.bytes;
    done.files++;
    done.bytes += result.bytes;
    options.onFile?.(result, done);
  };
  options.onPlan?.({ files: files.length + failures.length, bytes: files.reduce((sum, item) => sum + item.file.size, 0) });
  for (const failure of failures) record({ ...emptyResult(failure.file, 0), message: failure.message });
  if (options.strict && report.totals.failed > 0) {
    report.stopped = files.length > 0;
    return report;
  }
  const pendingBefore = ctx.dryRun ? undefined : erasurePending(project.db);
  const previousCache = setPageCache(project.db, IMPORT_CACHE_KIB);
  try {
    // A replaced document's old words are overwritten where SQLite frees them; the erasure below does the rest.
    const replacing = options.replace === true && !ctx.dryRun;
    await (replacing ? withSecureDelete(project.db, () => importAll(ctx, files, report, record)) : importAll(ctx, files, report, record));
  } finally {
    restorePageCache(project.db, previousCache);
  }
  if (!ctx.dryRun && (report.totals.replaced > 0 || pendingBefore !== undefined)) report.erasure = eraseReplacedText(ctx, report, pendingBefore ?? null);
  return report;
}

/**
 * Replacing a text is how a name is taken out of a transcript, so the old words must not stay readable
 * in the store's free pages, its WAL or the full-text index: once per batch, after every file is
 * committed, the store is compacted as a removal compacts it (eraseOldText). An erasure an earlier import
 * or removal left unfinished is finished too, so that running the same import again finishes this one's.
 * When a reader keeps it from finishing, the import stands and the report says so (erasure.pending stays set).
 */
function eraseReplacedText(ctx: Context, report: ImportReport, earlier: string | null): ImportErasure {
  const slugs = report.files.filter((file) => file.status === 'replaced').map((file) => file.slug ?? file.file);
  const what = slugs.length === 0 ? 'text was taken out of the project earlier'
    : slugs.length === 1 ? `the text of ${slugs[0] ?? ''} was replaced`
      : `the texts of ${slugs.length <= 5 ? slugs.join(', ') : `${groupDigits(slugs.length)} documents (${slugs.slice(0, 5).join(', ')}, …)`} were replaced`;
  ctx.options.onErase?.();
  try {
    eraseOldText(ctx.project, {
      what, text: 'the old text', again: 'the same qcode import once more (its files are in; it only erases)', redo: 'import the new files again with --replace',
    }, ctx.options.onEraseWait);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { complete: false, earlier, message: error.message, hint: error.hint ?? null };
  }
  return { complete: true, earlier, message: null, hint: null };
}

/**
 * The store failed (disk full, read-only, I/O error) while importing `file`: that file is rolled back
 * and recorded as failed, the files before it are in the store, the ones after it were not tried.
 */
export class ImportStoppedError extends Error {
  /** The store's error code (SQLITE_FULL, …), for whoever reports it. */
  readonly code: string | undefined;

  constructor(readonly report: ImportReport, readonly file: string, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ImportStoppedError';
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code;
  }
}

/** The page cache while importing (KiB): see setPageCache. */
const IMPORT_CACHE_KIB = 8 * 1024;

async function importAll(ctx: Context, files: ReadonlyArray<{ file: SourceFile; entry: ManifestEntry | undefined }>, report: ImportReport, record: (result: FileResult) => void): Promise<void> {
  const { options } = ctx;
  let lastYield = Date.now();
  for (const [index, { file, entry }] of files.entries()) {
    // Most of a file's work is synchronous; yielding now and then lets a progress bar redraw.
    if (Date.now() - lastYield > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
    let result: FileResult;
    try {
      result = await importFile(ctx, file, entry);
    } catch (error) {
      // The command is wrong, not the file (a column named twice): every file would fail alike.
      if (error instanceof UserError && error.exitCode === 2) throw error;
      // A damaged store is no fault of the file's, and no later file would fare better: one line, naming the store.
      const damaged = damagedStoreError(error, ctx.project.dbPath);
      if (damaged !== undefined) throw damaged;
      // A store that cannot be written fails every file alike: stop and say so once.
      const code = String((error as NodeJS.ErrnoException).code ?? '');
      result = { ...emptyResult(file.display, file.size), format: options.format ?? formatOfPath(file.path) ?? null, message: failureLine(file.display, error) };
      if (code.startsWith('SQLITE_') && !code.startsWith('SQLITE_CONSTRAINT')) {
        // The files before this one are committed (one transaction each): the report says which.
        record({ ...result, message: `${file.display}: not imported: ${(error as Error).message}` });
        report.stopped = index < files.length - 1;
        throw new ImportStoppedError(report, file.display, error);
      }
    }
    record(result);
    if (options.strict && result.status === 'failed') {
      report.stopped = index < files.length - 1;
      break;
    }
  }
}
