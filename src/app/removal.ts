import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { plural } from '../core/codebook-plan.js';
import { ProblemsError, UserError, type Problem } from '../core/errors.js';
import { examplesInYaml, memoPayloadWithoutQuotes, QuoteFinder, quotesInYaml, withoutExamples, withoutPassages, withoutQuotingComments } from '../core/quotes.js';
import { shellQuote } from '../core/shell.js';
import { processRunning } from '../io/scratch.js';
import { CODEBOOK_READ_LIMIT, readUtf8File } from '../io/text-file.js';
import { didYouMeanSuffix } from '../core/suggest.js';
import { caseExists, listCaseIds } from '../store/cases.js';
import { codebookVersions, codeExamples, rewriteCodebookVersion, setCodeExamples } from '../store/codebook.js';
import { appendEvent, nowIso } from '../store/common.js';
import { inTransaction } from '../store/documents.js';
import {
  caseHoldings, caseRemovedAt, compactStore, deleteCase, deleteDocument, deleteEventsOf, documentHoldings, documentIdsOfCase, documentTexts, dropDeletedIndexEntries, memoEvents, memosKept, setEventPayload, setMemoText, textInOtherDocuments,
  erasurePending, markErasurePending, recordRemovedCase, recordRemovedDocument, removedDocumentBySlug, storeProblem, withSecureDelete, type DocumentHoldings, type Erased,
} from '../store/removal.js';
import { DamagedStoreError, damagedStoreError } from '../store/db.js';
import { resolveDocument } from './docs.js';
import { startExitWatcher } from './exit-watcher.js';
import type { Project } from './project.js';

export { WITHDRAWN_QUOTE } from '../core/quotes.js';

// `qcode docs remove` and `qcode cases remove`: a participant withdraws consent, and their words must
// leave the project for good. Everything named is resolved first, the rows go in one transaction, a
// tombstone (the sha256 of each text, never the text) keeps import and merge from bringing them back,
// and the store is rewritten so that the bytes are gone too (src/store/removal.ts).

export interface DocumentRemoval {
  slug: string;
  case: string | null;
  sha256: string;
  segments: number;
  codings: number;
  memos: number;
  /** Seen and one-dimension pass marks. */
  seen: number;
}

export interface CaseRemoval {
  case: string;
  values: number;
  memos: number;
  documents: string[];
}

/** A name given that an earlier removal took: nothing to do for it (a script may run a removal twice). */
export interface AlreadyRemoved {
  name: string;
  removedAt: string;
}

/** A case whose last documents this removal takes, named by no one: its values and memos stay. */
export interface CaseLeftBehind {
  case: string;
  values: number;
  memos: number;
}

/** What a removal takes: the documents (those named, and those of the cases named) and the cases. */
export interface RemovalPlan {
  /** `qcode docs remove` or `qcode cases remove`, for the command that finishes an interrupted erasure. */
  command: 'docs' | 'cases';
  documents: DocumentRemoval[];
  cases: CaseRemoval[];
  alreadyRemoved: AlreadyRemoved[];
  casesLeftBehind: CaseLeftBehind[];
  /** --keep-quotes: the codebook's examples and the memos that read like the removed text are not the participant's words. */
  keepQuotes: boolean;
  /** Codebook files next to the project (codebook.yaml.before-merge-N, a .bak, codebook.yaml~) that quote the removed text. */
  codebookCopies: string[];
  /** Memos that stay (on other documents, codes, the project) but quote the removed text: those passages will be replaced. */
  quotingMemos: QuotingMemo[];
  /** Internal: the documents' ids. */
  documentIds: number[];
}

/** A memo that stays but quotes the removed text. */
export interface QuotingMemo {
  memo: number;
  /** "code forms.protest", "segment r08:3", "the project". */
  on: string;
  passages: number;
}

/** What the removal did to the memos that quoted the removed text. */
export interface MemoQuotesTaken {
  /** The memos whose passages now read WITHDRAWN_QUOTE. */
  memos: number[];
  /** Memo events in the log (a memo's words when added, before and after an edit) rewritten the same way. */
  events: number;
}

/** The examples quoting the removed text that the removal took from the codebook history and from retired codes. */
export interface ExamplesTaken {
  /** Distinct examples (a code's text), however many applied versions held each. */
  examples: number;
  /** Applied codebook versions rewritten without them. */
  versions: number;
  codes: string[];
}

export interface RemovalReport {
  removedAt: string;
  documents: DocumentRemoval[];
  cases: CaseRemoval[];
  totals: { documents: number; segments: number; codings: number; memos: number; caseValues: number; cases: number };
  /** Events about the removed rows deleted from the audit log (their payloads named them or held memo text). */
  logEvents: number;
  codebookHistory: ExamplesTaken;
  memoQuotes: MemoQuotesTaken;
  tombstones: { documents: string[]; cases: string[] };
  /** Files next to the project that still hold the removed text (copies of the store; FOLDER/FILE one level down). */
  backups: string[];
  /** qcode's scratch that an ended process left in the project folder (a merge's copy of a store), removed as it held the text. */
  leftoversRemoved: string[];
  /** Names given that earlier removals took (nothing to do for them). */
  alreadyRemoved: AlreadyRemoved[];
  /** When an earlier removal whose erasure had not finished (a reader, a full disk) was made; this command finished it. */
  erasureFinished: string | null;
  vacuumMs: number;
}

function toRemoval(row: DocumentHoldings): DocumentRemoval {
  return { slug: row.slug, case: row.case_id, sha256: row.sha256, segments: row.segments, codings: row.codings, memos: row.memos, seen: row.seen };
}

/** What `qcode docs remove` and `qcode cases remove` are told besides the names. */
export interface RemovalOptions {
  keepQuotes?: boolean;
}

function planFor(project: Project, command: RemovalPlan['command'], documentIds: readonly number[], caseIds: readonly string[], alreadyRemoved: AlreadyRemoved[], options: RemovalOptions): RemovalPlan {
  const { db } = project;
  const ids = [...new Set([...documentIds, ...caseIds.flatMap((id) => documentIdsOfCase(db, id))])];
  const keepQuotes = options.keepQuotes ?? false;
  const quotes = new QuoteFinder(keepQuotes ? [] : documentTexts(db, ids), (passage) => textInOtherDocuments(db, passage, ids));
  refuseQuotingCodebook(project, quotes);
  const documents = ids.map((id) => toRemoval(documentHoldings(db, id) as DocumentHoldings));
  const cases = caseIds.map((id) => ({ case: id, ...caseHoldings(db, id), documents: documents.filter((doc) => doc.case === id).map((doc) => doc.slug) }));
  const going = new Set(ids);
  const casesLeftBehind = [...new Set(documents.map((doc) => doc.case).filter((id): id is string => id !== null && !caseIds.includes(id)))]
    .filter((id) => documentIdsOfCase(db, id).every((documentId) => going.has(documentId)))
    .map((id) => ({ case: id, ...caseHoldings(db, id) }))
    .filter((entry) => entry.values + entry.memos > 0);
  const quotingMemos = memosKept(db, ids, caseIds)
    .map((memo) => ({ memo: memo.id, on: memo.target === null ? 'the project' : `${memo.target_kind} ${memo.target}`, passages: quotes.passagesIn(memo.text).length }))
    .filter((memo) => memo.passages > 0);
  return { command, documents, cases, alreadyRemoved, casesLeftBehind, keepQuotes, codebookCopies: quotingCodebookCopies(project, quotes), quotingMemos, documentIds: ids };
}

/**
 * Codebook examples are often a participant's own words. Those of the codebook in use must be rewritten by
 * the team (qcode cannot tell what should replace them), so a removal whose text codebook.yaml or the
 * applied codebook still quotes is refused, each example named by file:line:col. Earlier versions and
 * retired codes are history: the removal takes the quotes from them itself (takeQuotedExamples).
 */
function refuseQuotingCodebook(project: Project, quotes: QuoteFinder): void {
  if (quotes.empty) return;
  const file = basename(project.codebookPath);
  const places = quotesInYaml(readCodebookIfAny(project.codebookPath), quotes);
  const problems: Problem[] = places.map((place) => ({
    file, line: place.line, col: place.col,
    message: `${place.what} quotes ${place.source === undefined ? 'the text this removal takes' : `${place.source}, which this removal takes`}`,
  }));
  const again = `then run the removal again (or add --keep-quotes if ${problems.length === 1 ? 'it is' : 'they are'} not this participant's words)`;
  if (problems.length > 0) {
    const examples = places.every((place) => place.what.startsWith('the example'));
    const those = problems.length === 1 ? (examples ? 'that example' : 'that text') : examples ? 'those examples' : 'those texts';
    throw new ProblemsError(`${file} quotes the text this removal takes in ${plural(problems.length, examples ? 'example' : 'place')}: nothing was removed`, problems,
      `Replace or delete ${those} in ${file}, run: qcode codebook apply, ${again}`);
  }
  const applied = codeExamples(project.db)
    .filter((code) => code.status === 'active')
    .flatMap((code) => code.examples.map((text) => ({ code: code.id, document: quotes.sourceOf(text) })))
    .filter((entry) => entry.document !== undefined);
  if (applied.length > 0) {
    const codes = [...new Set(applied.map((entry) => entry.code))].join(', ');
    throw new UserError(`the applied codebook still has ${plural(applied.length, 'example')} quoting ${[...new Set(applied.map((entry) => entry.document))].join(', ')}, which this removal takes (code ${codes}), though ${file} no longer has ${applied.length === 1 ? 'it' : 'them'}: nothing was removed`,
      { hint: `Apply ${file} with: qcode codebook apply, ${again}` });
  }
}

/** The codebook's YAML; none when there is no codebook file or it cannot be read (the applied codebook is still checked). */
function readCodebookIfAny(path: string): string {
  try {
    return readUtf8File(path, 'codebook', CODEBOOK_READ_LIMIT);
  } catch {
    return '';
  }
}

/** YAML files in the project folder besides codebook.yaml (its backups, an editor's codebook.yaml~, copies) that quote the removed text. */
function quotingCodebookCopies(project: Project, quotes: QuoteFinder): string[] {
  if (quotes.empty) return [];
  const dir = dirname(project.dbPath);
  const own = basename(project.codebookPath);
  return listFolder(dir)
    .filter((entry) => entry !== own && /\.ya?ml(?:[^a-z0-9]|$)/i.test(entry))
    .filter((entry) => {
      const path = join(dir, entry);
      try {
        if (!lstatSync(path).isFile()) return false;
      } catch {
        return false;
      }
      return quotesInYaml(readCodebookIfAny(path), quotes).length > 0;
    });
}

/**
 * Inside the removal's transaction, before the texts go: the examples quoting them leave every applied
 * codebook version kept in the history (its YAML rewritten, sha256 with it) and the codes a later codebook
 * retired. The codebook in use quotes none of them (refuseQuotingCodebook).
 */
function takeQuotedExamples(project: Project, quotes: QuoteFinder): ExamplesTaken {
  const { db } = project;
  const taken = new Set<string>();
  const codes = new Set<string>();
  let versions = 0;
  if (quotes.empty) return { examples: 0, versions, codes: [] };
  const quoted = (text: string): boolean => quotes.sourceOf(text) !== undefined;
  for (const code of codeExamples(db)) {
    const kept = code.examples.filter((text) => !quoted(text));
    if (kept.length === code.examples.length) continue;
    setCodeExamples(db, code.id, kept);
    codes.add(code.id);
    for (const text of code.examples) if (quoted(text)) taken.add(`${code.id}\0${text}`);
  }
  for (const version of codebookVersions(db)) {
    const examples = withoutExamples(version.yaml, quoted);
    const { yaml, removed: comments } = withoutQuotingComments(examples.yaml, quotes);
    if (examples.removed + comments === 0) continue;
    for (const example of examplesInYaml(version.yaml)) {
      if (!quoted(example.text)) continue;
      taken.add(`${example.code ?? ''}\0${example.text}`);
      if (example.code !== null) codes.add(example.code);
    }
    rewriteCodebookVersion(db, version.id, yaml, createHash('sha256').update(yaml).digest('hex'));
    versions++;
  }
  return { examples: taken.size, versions, codes: [...codes].sort() };
}

/**
 * Inside the removal's transaction, once the removed memos and their events are gone: the passages of the
 * memos that stay which quote the removed text, and of their earlier words in the log, are replaced by
 * WITHDRAWN_QUOTE. Unlike the codebook (the team's file), the memos are the store's: the team's own words
 * around the quote are kept, and `qcode memo edit` can rephrase them.
 */
function takeQuotesFromMemos(project: Project, quotes: QuoteFinder, at: string): MemoQuotesTaken {
  const { db } = project;
  if (quotes.empty) return { memos: [], events: 0 };
  const memos: number[] = [];
  for (const memo of memosKept(db, [], [])) {
    const passages = quotes.passagesIn(memo.text);
    if (passages.length === 0) continue;
    setMemoText(db, memo.id, withoutPassages(memo.text, passages), at);
    memos.push(memo.id);
  }
  let events = 0;
  for (const event of memoEvents(db)) {
    const payload = memoPayloadWithoutQuotes(event.payload, quotes);
    if (payload === undefined) continue;
    setEventPayload(db, event.id, payload);
    events++;
  }
  return { memos, events };
}

function removedOn(at: string): string {
  return at.slice(0, 10);
}

/** `qcode docs remove DOC...`: every document resolved (slug or id) before anything is removed. */
export function planDocumentRemoval(project: Project, refs: readonly string[], options: RemovalOptions = {}): RemovalPlan {
  const ids: number[] = [];
  const alreadyRemoved: AlreadyRemoved[] = [];
  for (const ref of refs) {
    try {
      ids.push(resolveDocument(project, ref).id);
    } catch (error) {
      const tombstone = error instanceof UserError ? removedDocumentBySlug(project.db, ref) : undefined;
      if (tombstone === undefined) {
        if (error instanceof UserError) throw new UserError(`${error.message}; nothing was removed`, error.hint === undefined ? {} : { hint: error.hint });
        throw error;
      }
      alreadyRemoved.push({ name: ref, removedAt: tombstone.removed_at });
    }
  }
  return planFor(project, 'docs', ids, [], alreadyRemoved, options);
}

/** `qcode cases remove CASE...`: each case with its values, memos and documents. */
export function planCaseRemoval(project: Project, refs: readonly string[], options: RemovalOptions = {}): RemovalPlan {
  const ids = [...new Set(refs.map((ref) => ref.normalize('NFC')))];
  const alreadyRemoved: AlreadyRemoved[] = [];
  const present: string[] = [];
  for (const id of ids) {
    if (caseExists(project.db, id)) {
      present.push(id);
      continue;
    }
    const removedAt = caseRemovedAt(project.db, id);
    if (removedAt !== undefined) {
      alreadyRemoved.push({ name: `case ${id}`, removedAt });
      continue;
    }
    const known = listCaseIds(project.db);
    throw new UserError(`no case "${id}"${didYouMeanSuffix(id, known)}; nothing was removed`, { hint: known.length === 0 ? 'This project has no cases' : 'List them with: qcode cases list' });
  }
  return planFor(project, 'cases', [], present, alreadyRemoved, options);
}

/** What `--dry-run` prints: the plan without its internals. */
export function removalPreview(plan: RemovalPlan): Omit<RemovalPlan, 'documentIds' | 'command'> & { dryRun: true } {
  const { documentIds: _ids, command: _command, ...preview } = plan;
  return { dryRun: true, ...preview };
}

/** "case R07 was removed on 2026-12-01 (withdrawal of consent); nothing to do", one per name. */
export function alreadyRemovedLine(entry: AlreadyRemoved): string {
  return `${entry.name} was removed on ${removedOn(entry.removedAt)} (withdrawal of consent); nothing to do`;
}

/** The note for a case whose only documents go while the case stays (docs remove of a participant's only interview). */
export function caseLeftBehindLine(entry: CaseLeftBehind): string {
  return `case ${entry.case} keeps its ${plural(entry.values, 'attribute value')} and ${plural(entry.memos, 'memo')} (no document of it is left): to remove the participant entirely, run: qcode cases remove ${shellQuote(entry.case)}`;
}

/** How long a removal waits for readers that keep it from erasing the bytes, before it says the erasure is not complete. */
function erasureWaitMs(): number {
  // Tests only: a reader the test holds open would otherwise make each such test wait the full time.
  const test = process.env.QCODE_TEST_ERASE_WAIT_MS;
  return test !== undefined && /^\d+$/.test(test) ? Number(test) : 30_000;
}

/**
 * Removes what the plan names in one transaction (a failure leaves the project as it was), with the
 * events about it and its tombstones, then compacts the store. `onCompact` is told before the VACUUM,
 * which takes seconds on a large store; `onWait` when a reader keeps the erasure waiting. A plan with
 * nothing left to remove still finishes an earlier removal's erasure that a reader or a full disk stopped.
 * When the erasure cannot be finished the removal stands (it was committed) and the error says so.
 */
export function carryOutRemoval(project: Project, plan: RemovalPlan, options: { onCompact?: () => void; onWait?: (seconds: number) => void } = {}): RemovalReport {
  const { db } = project;
  assertStoreIntact(project);
  const at = nowIso();
  const erased: Erased = { segmentIds: [], memoIds: [] };
  const pendingBefore = erasurePending(db) ?? null;
  const nothing = plan.documentIds.length === 0 && plan.cases.length === 0;
  const noExamples: ExamplesTaken = { examples: 0, versions: 0, codes: [] };
  const noMemos: MemoQuotesTaken = { memos: [], events: 0 };
  const removed = nothing ? { documents: [], cases: [], logEvents: 0, codebookHistory: noExamples, memoQuotes: noMemos } : withSecureDelete(db, () => inTransaction(db, () => {
    // Read again inside the transaction: a colleague may have coded meanwhile; the report counts what went.
    const documents = plan.documentIds.map((id) => {
      const row = documentHoldings(db, id);
      if (row === undefined) throw new UserError('a document to remove was removed by another qcode meanwhile; nothing was removed', { hint: 'Run the command again' });
      return row;
    });
    const cases = plan.cases.map((entry) => ({ ...entry, ...caseHoldings(db, entry.case) }));
    const going = documents.map((doc) => doc.id);
    const quotes = new QuoteFinder(plan.keepQuotes ? [] : documentTexts(db, going), (passage) => textInOtherDocuments(db, passage, going));
    // Again under the write lock: a codebook apply since the list was shown may have brought a quote in.
    refuseQuotingCodebook(project, quotes);
    const codebookHistory = takeQuotedExamples(project, quotes);
    for (const document of documents) {
      // The tombstone first: it reads the document's earlier versions, which go with the document.
      recordRemovedDocument(db, document, at);
      deleteDocument(db, document, erased);
    }
    for (const entry of cases) {
      deleteCase(db, entry.case, erased);
      recordRemovedCase(db, entry.case, at);
    }
    const logEvents = deleteEventsOf(db, { erased, slugs: documents.map((doc) => doc.slug), sha256s: documents.map((doc) => doc.sha256), caseIds: cases.map((entry) => entry.case) });
    const memoQuotes = takeQuotesFromMemos(project, quotes, at);
    dropDeletedIndexEntries(db);
    markErasurePending(db, at);
    const result = { documents: documents.map(toRemoval), cases, logEvents, codebookHistory, memoQuotes };
    appendEvent(db, {
      coderId: null, action: 'remove', at,
      payload: {
        documents: result.documents.map(({ slug, case: caseId, sha256, segments, codings, memos }) => ({ slug, case: caseId, sha256, segments, codings, memos })),
        cases: cases.map((entry) => entry.case),
        logEvents,
        examples: codebookHistory.examples,
        memosRedacted: memoQuotes.memos,
        // A merge of an older copy compares its memos with the removed texts unless the team said they are not quoted.
        ...(plan.keepQuotes ? { keepQuotes: true } : {}),
      },
    });
    return result;
  }));
  const started = Date.now();
  if (!nothing || pendingBefore !== null) {
    options.onCompact?.();
    finishErasure(project, plan, removed, options.onWait);
  }
  const vacuumMs = Date.now() - started;
  const { copies, leftovers } = storeCopies(project);
  const sum = (key: 'segments' | 'codings' | 'memos'): number => removed.documents.reduce((total, doc) => total + doc[key], 0);
  return {
    removedAt: at,
    documents: removed.documents,
    cases: removed.cases,
    totals: {
      documents: removed.documents.length, segments: sum('segments'), codings: sum('codings'),
      memos: sum('memos') + removed.cases.reduce((total, entry) => total + entry.memos, 0),
      caseValues: removed.cases.reduce((total, entry) => total + entry.values, 0), cases: removed.cases.length,
    },
    logEvents: removed.logEvents,
    codebookHistory: removed.codebookHistory,
    memoQuotes: removed.memoQuotes,
    tombstones: { documents: removed.documents.map((doc) => doc.slug), cases: removed.cases.map((entry) => entry.case) },
    backups: [...copies, ...plan.codebookCopies].sort(),
    leftoversRemoved: leftovers,
    alreadyRemoved: plan.alreadyRemoved,
    erasureFinished: pendingBefore,
    vacuumMs,
  };
}

/**
 * A removal is committed before the erasure, which rewrites the whole store: on a damaged store that
 * fails, and the fix for a damaged store, a backup, brings the withdrawn participant back. So a damaged
 * store is refused before anything is removed.
 */
function assertStoreIntact(project: Project): void {
  let problem: string | undefined;
  try {
    problem = storeProblem(project.db);
  } catch (error) {
    if (damagedStoreError(error, project.dbPath) === undefined) throw error;
    problem = (error as Error).message;
  }
  if (problem === undefined) return;
  throw new DamagedStoreError(project.dbPath, new Error(`${problem}; nothing was removed`), 'then run the removal again');
}

/**
 * Compacts the store after the commit, or says plainly that the removed text is still in the files: the
 * rows are gone and the tombstones kept (that cannot be rolled back), but the bytes are not yet erased.
 */
function finishErasure(project: Project, plan: RemovalPlan, removed: { documents: DocumentRemoval[]; cases: CaseRemoval[] }, onWait?: (seconds: number) => void): void {
  const names = [...removed.cases.map((entry) => `case ${entry.case}`), ...removed.documents.map((doc) => doc.slug)];
  const what = names.length === 0
    ? 'an earlier removal was made'
    : `${names.join(', ')} ${names.length === 1 ? 'was' : 'were'} removed (withdrawal of consent; the tombstones are kept)`;
  const again = plan.command === 'cases' && plan.cases.length > 0
    ? `qcode cases remove ${plan.cases.map((entry) => shellQuote(entry.case)).join(' ')}`
    : plan.documents.length > 0
      ? `qcode docs remove ${plan.documents.map((doc) => shellQuote(doc.slug)).join(' ')}`
      : `qcode ${plan.command} remove ${plan.alreadyRemoved.map((entry) => shellQuote(entry.name.replace(/^case /, ''))).join(' ')}`;
  eraseOldText(project, { what, text: 'the removed text', again, redo: `run the removal again: ${again}` }, onWait);
}

/** How the messages of an erasure name what was committed before it, and the way to finish it. */
export interface ErasureWords {
  /** What was committed, as each message starts: "r07 was removed (…)". */
  what: string;
  /** The words still in the files until the erasure is done: "the removed text". */
  text: string;
  /** What finishes an unfinished erasure, after "finish it with:": "qcode docs remove r07". */
  again: string;
  /** What to do once a damaged store's backup is restored: "run the removal again: qcode docs remove r07". */
  redo: string;
}

/**
 * After a commit that took text out of the store (a removal, an import --replace), with erasure.pending
 * set in that commit: drops the index's deleted entries, then checkpoints and rewrites the store so that
 * qcode.db and qcode.db-wal no longer hold the text, waiting for readers that keep it there (`onWait` is
 * told). When it cannot finish, the commit stands and the UserError (or DamagedStoreError) says that the
 * erasure is NOT complete and how to finish it; a stopped process says it through its watcher.
 */
export function eraseOldText(project: Project, words: ErasureWords, onWait?: (seconds: number) => void): void {
  const { what, text, again } = words;
  const file = basename(project.dbPath);
  let done: boolean;
  const watcher = watchForInterruption(`${what}, but the erasure was interrupted and is NOT complete: ${file} and ${file}-wal may still hold ${text} — finish it with: ${again}`);
  try {
    pauseForTests();
    // Already done in a removal's transaction; here for an import's, and for an erasure a stopped command left.
    withSecureDelete(project.db, () => dropDeletedIndexEntries(project.db));
    const waitMs = erasureWaitMs();
    done = compactStore(project.db, { waitMs, onWait: () => onWait?.(Math.round(waitMs / 1000)), onErased: watcher.stop });
  } catch (error) {
    const damaged = damagedStoreError(error, project.dbPath);
    if (damaged !== undefined) {
      // Found by the rewrite, past the check before the commit: the backup to restore still holds the text.
      throw new DamagedStoreError(project.dbPath, new Error(`${(error as Error).message} — ${what}, but the erasure is NOT complete: ${file} may still hold ${text}`),
        `the backup still holds ${text}, so once it is restored ${words.redo}`);
    }
    const code = (error as { code?: string }).code;
    const reason = code === 'SQLITE_FULL' || code === 'ENOSPC' ? 'the disk is full' : (error as Error).message;
    throw new UserError(`${what}, but compacting the store failed (${reason}): the erasure is NOT complete, ${file} may still hold ${text}`, {
      hint: `${code === 'SQLITE_FULL' || code === 'ENOSPC' ? 'Free some space on that disk' : 'Fix that'}, then finish the erasure with: ${again}`,
      cause: error,
    });
  } finally {
    watcher.stop();
  }
  if (done) return;
  const holders = storeHolders(project.dbPath);
  const who = holders.length === 0 ? 'another program (a qcode code session, sqlite3, a database browser)' : holders.join(', ');
  throw new UserError(`${what}, but the erasure is NOT complete: ${who} is reading the project, so ${file} and ${file}-wal still hold ${text}`, {
    hint: `Close ${holders.length === 0 ? 'it' : holders.length === 1 ? 'that program' : 'those programs'}, then finish the erasure with: ${again}`,
  });
}

/**
 * The compaction is synchronous (a VACUUM takes seconds to minutes on a large store), so a signal handler
 * of this process would run only after it: ^C, SIGTERM and a kill end the process at once, the removal
 * committed and the bytes not yet erased. A watcher process, which ends when told the erasure is done,
 * prints `line` to the same stderr should this process end before that; its own process group keeps the
 * terminal's ^C from reaching it. Should it not start, every later command still warns (openProject).
 */
function watchForInterruption(line: string): { stop: () => void } {
  return startExitWatcher("process.stdin.on('end', () => process.stderr.write(process.argv[1] + '\\n'));", [`Error: ${line}`], 'inherit');
}

/** Tests only (QCODE_TEST_PAUSE_ERASURE_MS): a pause at the start of the erasure, for a test to stop the command there. */
function pauseForTests(): void {
  const ms = Number(process.env.QCODE_TEST_PAUSE_ERASURE_MS ?? '');
  if (!Number.isFinite(ms) || ms <= 0) return;
  process.stderr.write('remove: paused before the erasure (QCODE_TEST_PAUSE_ERASURE_MS)\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The other processes that have the store open ("sqlite3 (pid 4242)"), where the system tells (Linux /proc); else none. */
function storeHolders(dbPath: string): string[] {
  const files = new Set([resolve(dbPath), `${resolve(dbPath)}-wal`, `${resolve(dbPath)}-shm`]);
  const holders: string[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid);
  } catch {
    return [];
  }
  for (const pid of pids) {
    try {
      const fds = readdirSync(`/proc/${pid}/fd`);
      if (!fds.some((fd) => files.has(safeReadlink(`/proc/${pid}/fd/${fd}`)))) continue;
      holders.push(`${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()} (pid ${pid})`);
    } catch {
      // Another user's process, or one that ended meanwhile.
    }
  }
  return holders;
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/**
 * Copies of the store that qcode or its user left next to it (qcode.db.before-merge-N, qcode.db.bak, a
 * "copy.db", a backup/qcode.db): a removal cannot reach into them, and deleting a user's file is not
 * qcode's to decide. Known by their SQLite header, whatever the name, in the project folder and one level
 * down in its folders. qcode's own scratch there (a merge's private copy .qcode-merge-PID, an export's or a
 * REFI file's staging), left by a process that is no longer running (killed, a crash), holds participants'
 * words for no one: it is removed, as the next merge or export would remove it, and named in `leftovers`.
 */
function storeCopies(project: Project): { copies: string[]; leftovers: string[] } {
  const name = basename(project.dbPath);
  const own = new Set([name, `${name}-wal`, `${name}-shm`, `${name}-journal`]);
  const dir = dirname(project.dbPath);
  const copies: string[] = [];
  const leftovers: string[] = [];
  for (const entry of listFolder(dir)) {
    if (own.has(entry)) continue;
    const path = join(dir, entry);
    const pid = QCODE_SCRATCH.exec(entry)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !processRunning(Number(pid))) {
      try {
        rmSync(path, { recursive: true, force: true });
        leftovers.push(entry);
        continue;
      } catch {
        // Not ours to remove after all (another user's, no permission): named below if it holds a copy.
      }
    }
    if (isSqliteFile(path)) copies.push(entry);
    else for (const inner of listFolder(path)) if (isSqliteFile(join(path, inner))) copies.push(`${entry}/${inner}`);
  }
  return { copies: copies.sort(), leftovers: leftovers.sort() };
}

/** What qcode names its scratch after (PID: the process that made it): .qcode-merge-PID, .OUT.qcode-export-PID-…, .FILE.qcode-PID-….tmp. */
const QCODE_SCRATCH = /^\.(?:.+\.)?qcode-(?:(?:merge|export|refi)-)?(\d+)(?:-.*)?$/;

/** A folder's entries; none when it is a file or cannot be read. */
function listFolder(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function isSqliteFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } catch {
    // A folder, or a file we may not read: not a copy we can tell about.
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
