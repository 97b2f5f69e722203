import { isRedactedPayloadOf, isRedactionOf, memoPayloadWithoutQuotes, QuoteFinder, quotesInYaml, WITHDRAWN_QUOTE, withoutPassages } from '../core/quotes.js';
import { shellQuote } from '../core/shell.js';
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, constants, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseCodebook } from '../core/codebook.js';
import type { Codebook } from '../core/codebook-model.js';
import { describeStep, planCodebookApply, plural, type CodebookPlan } from '../core/codebook-plan.js';
import { UserError, usageError } from '../core/errors.js';
import { didYouMeanSuffix } from '../core/suggest.js';
import { applyCodebookPlan, latestCodebookYaml, loadStoredCodebook } from '../store/codebook.js';
import { appendEvent, nowIso } from '../store/common.js';
import { segmentDetail as segmentPlace } from '../store/team.js';
import { openDatabase, type Db } from '../store/db.js';
import { processRunning } from '../io/scratch.js';
import {
  attributeExists,
  coderEventStamps,
  coderExists,
  attributeRecords,
  caseAttributesInUse,
  caseRecords,
  caseValueOf,
  caseValueRecords,
  codedCodeIds,
  codebookHistory,
  codeExists,
  codeRecords,
  dimensionExists,
  dimensionRecords,
  distinctEventTimes,
  documentRecords,
  documentsWithHash,
  documentWork,
  ensureCoderId,
  eventKeysAt,
  insertCase,
  insertCaseValue,
  insertCoding,
  insertDocument,
  insertMemoRecord,
  insertMergedEvent,
  insertRetiredAttribute,
  insertRetiredCode,
  insertRetiredDimension,
  insertSeen,
  insertSeenDimension,
  insertSegment,
  isOtherProjectError,
  iterateCodings,
  iterateEvents,
  iterateSeen,
  iterateSeenDimensions,
  matchingMemoIds,
  memosLike,
  memoCodeIds,
  memoRecords,
  otherCoders,
  readingOther,
  recordedRenames,
  scratchCopy,
  segmentRecords,
  segmentSpans,
  setDocumentCase,
  slugTaken,
  upgradeOtherCopy,
  type OtherStoreProblem,
  type SegmentRecord,
  type DocumentRecord,
} from '../store/merge.js';
import { SCHEMA_VERSION } from '../store/migrations.js';
import { caseExists as caseExistsHere } from '../store/cases.js';
import { removalsKeepingQuotes, removedCaseIds, removedDocumentHashes, removedDocumentSlugs, textInOtherDocuments } from '../store/removal.js';
import { refuseNewCoderName } from './coding.js';
import { startExitWatcher } from './exit-watcher.js';
import { DB_FILE, type Project } from './project.js';

// `qcode merge OTHER`: brings another copy of the project (a colleague's laptop) into this one.
// The rules, also in docs/team.md:
// - Coders match by name (a coder an earlier merge over there renamed, holding only this project's work of
//   a coder here, comes back to that coder), cases by id, codes by id (after the codebook check), documents by the sha256 of
//   their text; segments of a matched document by ordinal, provided the two segmentations agree.
// - Nothing is dropped: a document whose slug is taken by a different text comes in under the first free
//   "slug-N" (N ≥ 2); a document whose text matches but whose segmentation differs comes in as a separate
//   document the same way; a code or attribute the other project used but this one lacks comes in retired.
// - A case value that differs keeps this project's value and is reported.
// - Codings are a union (unique on segment, code, coder, span); seen marks too. A coder of the same name who
//   coded a segment differently in the two copies keeps both sets of codes: the conflict is reported and is
//   for `qcode disagreements` / `qcode reconcile` to settle.
// - A code the other project has under an id it got by a rename (was:) in either project's codebook history
//   is this codebook's code: its codings, memos and events come in under this project's id, kept once.
// - Memos are deduplicated on target, coder, created_at and text; events on at, coder, action and payload.
//   An event's slug, segment and memo ids are rewritten to this project's rows, and an 'undo' comes in as
//   'merged.undo': it reverted the other copy's rows, not this project's.
// - Everything happens in one transaction: a failed or killed merge leaves this project as it was. With
//   --codebook-from other, codebook.yaml is written to a temporary file before the commit and renamed after it.

export type CodebookSource = 'this' | 'other';

export interface MergeOptions {
  /** The other project's folder (holding qcode.db) or its qcode.db file. */
  other: string;
  dryRun?: boolean | undefined;
  codebookFrom?: CodebookSource | undefined;
  /** The other project's coder names to bring in under another name (old → new), to keep two copies apart. */
  renameCoders?: ReadonlyMap<string, string> | undefined;
  /** Allow a rename's NEW to be a coder this project already has (the two are the same person). */
  intoExistingCoder?: boolean | undefined;
  cwd?: string | undefined;
  /** Test hook: called inside the transaction after every row is written, just before the commit. */
  insideTransaction?: (() => void) | undefined;
}

export interface MergeReport {
  other: string;
  applied: boolean;
  codebook: {
    differences: string[];
    from: CodebookSource | null;
    yamlReplaced: boolean;
    /** The file name the replaced codebook.yaml was kept under. */
    backup: string | null;
    /** codebook.yaml is not the codebook this project last applied (the next `codebook apply` would change the codebook). */
    fileDiffers: boolean;
  };
  added: {
    coders: number;
    cases: number;
    caseValues: number;
    /** Matched documents without a case here that the other project assigns to one. */
    documentCases: number;
    documents: number;
    segments: number;
    codings: number;
    seen: number;
    memos: number;
    events: number;
    retiredCodes: string[];
    retiredAttributes: string[];
  };
  matchedDocuments: number;
  /** Documents that came in as separate documents (under a new slug when theirs is taken here), and why. */
  renamedDocuments: Array<{ slug: string; as: string; reason: 'slug-taken' | 'segmentation-differs' | 'duplicate-text' }>;
  caseValueConflicts: Array<{ case: string; attribute: string; kept: string; other: string }>;
  /** Matched documents assigned to different cases in the two projects: this project's case is kept. */
  documentCaseConflicts: Array<{ document: string; kept: string; other: string }>;
  /** Segments that a coder of the same name coded differently in the two projects; both sets of codes are kept. */
  coderConflicts: Array<{ document: string; ordinal: number; coder: string }>;
  /** Memos whose target no longer exists in the other project: brought in as project memos. */
  orphanMemos: number;
  /**
   * Codes the other project holds under another id, renamed with was: in either project's codebook history:
   * their codings (and memos) came in under this project's id; `duplicates` of them were here already, kept once.
   */
  codeRenames: Array<{ other: string; here: string; codings: number; duplicates: number }>;
  /**
   * What the other copy still holds of documents and cases removed here (qcode docs|cases remove:
   * withdrawal of consent): left out, with everything on them. `reason` of a document: its text was
   * removed here, or its case was. `cases` also holds a case over there, new here, whose every document
   * was left out: it would bring a removed participant's values in as an empty case.
   */
  leftOutRemoved: {
    documents: Array<{ slug: string; case: string | null; reason: 'document-removed' | 'case-removed' }>;
    cases: string[];
    caseValues: number;
    segments: number;
    codings: number;
    seen: number;
    memos: number;
    events: number;
    /**
     * Memos, memo texts in the log and examples of codes brought in, of the other copy, that quote a text it
     * still holds but that was removed here: they came in without those quotes, as the removal did here.
     */
    quotes: number;
  };
  /**
   * Removals (withdrawal of consent) made over there whose documents or cases this copy still holds: merge
   * is a union and removes nothing here, so the report names them with the commands that remove them
   * here too. Their events come in as 'merged.remove', which the log shows as the other copy's.
   */
  removedThere: Array<{ at: string; cases: string[]; documents: string[]; commands: string[] }>;
}

/** Raised when the codebooks differ and no --codebook-from says which one wins. */
export class CodebookMismatchError extends UserError {
  readonly differences: string[];

  constructor(differences: string[]) {
    super(`the other project's codebook differs from this one (${differences.length} ${differences.length === 1 ? 'difference' : 'differences'}); nothing was merged`, {
      hint: 'Align the codebooks (qcode codebook apply), or choose one: --codebook-from this | --codebook-from other',
    });
    this.differences = differences;
  }
}

class DryRunRollback extends Error {}

function otherDatabasePath(other: string, cwd: string): string {
  const path = resolve(cwd, other);
  if (!existsSync(path)) throw new UserError(`${path} does not exist`, { hint: 'Give the folder of the other project (the one holding qcode.db)' });
  const dbPath = statSync(path).isDirectory() ? join(path, DB_FILE) : path;
  if (!existsSync(dbPath)) throw new UserError(`no qcode project in ${path} (no ${DB_FILE})`, { hint: 'Give the folder of the other project (the one holding qcode.db)' });
  return dbPath;
}

/** The other project's codebook as last applied there, and what applying it here would change. */
function compareCodebooks(db: Db, other: Db, otherPath: string): { yaml: string; sha256: string; plan: CodebookPlan; codebook: Codebook; ambiguous: string[] } {
  const snapshot = latestCodebookYaml(other);
  if (snapshot === undefined) throw new UserError(`${otherPath} has never applied a codebook`, { hint: 'Run qcode codebook apply in that project first' });
  const { codebook, ambiguous } = followRenames(db, other, parseCodebook(snapshot.yaml, `${otherPath} (codebook)`));
  return { yaml: snapshot.yaml, sha256: snapshot.sha256, plan: planCodebookApply(loadStoredCodebook(db), codebook), codebook, ambiguous };
}

/** Merges another project into this one, in one transaction (or plans it with dryRun). */
export function mergeProject(project: Project, options: MergeOptions): MergeReport {
  const cwd = options.cwd ?? process.cwd();
  const otherPath = otherDatabasePath(options.other, cwd);
  if (realpathSync(otherPath) === realpathSync(project.dbPath)) throw usageError('cannot merge a project into itself', 'Give the other copy\'s folder');
  if (!options.dryRun) removeLeftovers(project);
  const place = copyFolder(project);
  const watcher = watchForSignals(project, place.temporary ? place.folder : '');
  const copy = copyOtherDatabase(place, otherPath);
  try {
    let other: Db;
    try {
      const problem = upgradeOtherCopy(copy.path);
      if (problem !== undefined) throw otherStoreError(otherPath, problem);
      other = readingOther(openDatabase(copy.path, { readonly: true }));
    } catch (error) {
      throw damagedOther(otherPath, error) ?? renamedError(error, copy.path, otherPath);
    }
    // A dry run in a project this user may only read: its transaction, rolled back, still writes.
    const scratch = options.dryRun && project.readOnly !== undefined ? scratchCopy(project.db) : undefined;
    try {
      return mergeFrom(scratch === undefined ? project : { ...project, db: scratch }, other, otherPath, options);
    } catch (error) {
      throw damagedOther(otherPath, error) ?? error;
    } finally {
      other.close();
      scratch?.close();
    }
  } finally {
    rmSync(copy.folder, { recursive: true, force: true });
    watcher.stop();
  }
}

/**
 * What the merge writes next to the project while it runs (the private copy of the other store, the
 * codebook temporaries) holds participants' words, and would travel with a `cp -r` of the folder. The merge
 * is one synchronous transaction, so a signal handler of this process would run only once it had ended,
 * committed: ^C, SIGTERM and SIGHUP keep their default action instead, which ends the process at once (exit
 * status 130, 143, 129; the transaction rolls back), and a watcher process removes those files as soon as
 * this one is gone without having stopped it. The watcher has a process group of its own, so the ^C of the
 * terminal does not reach it. It covers kill -9 too; should it not run at all, the next merge removes them.
 */
function watchForSignals(project: Project, temporaryFolder: string): { stop: () => void } {
  const script = `
    const [module, codebookPath, pid, folder] = process.argv.slice(1);
    process.stdin.on('end', async () => (await import(module)).removeMergeLeftovers(codebookPath, Number(pid), folder));`;
  return startExitWatcher(script, [import.meta.url, project.codebookPath, String(process.pid), temporaryFolder], 'ignore', true);
}

/**
 * Any SQLite error while reading the other project (a dropped table, a corrupt page, found when a read
 * reaches it, possibly midway through the merge's transaction, which then rolls back) means that copy is
 * damaged; readingOther marks those errors, so that one of this project's is never blamed on it.
 */
function damagedOther(otherPath: string, error: unknown): UserError | undefined {
  // openDatabase wraps SQLite's error in a UserError of its own, which names no file.
  const sqlite = error instanceof UserError ? error.cause : error;
  const code = (sqlite as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const opening = error instanceof UserError && (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'));
  if (!opening && !isOtherProjectError(sqlite)) return undefined;
  return new UserError(`the other project ${otherPath} is damaged: ${(sqlite as Error).message}; nothing was merged`, {
    hint: 'Ask for a fresh copy of it (or its backup) and merge that',
    cause: error,
  });
}

/** The other project is not a store this qcode can merge: the way out is a copy of it that is, not a new project. */
function otherStoreError(otherPath: string, problem: OtherStoreProblem): UserError {
  const what = problem.kind === 'empty' ? 'is empty (0 bytes), not a qcode store'
    : problem.kind === 'not-sqlite' ? 'is not a qcode store (not a SQLite file)'
      : problem.kind === 'not-qcode' ? 'is a SQLite file but not a qcode store'
        : `was written by a newer qcode (schema ${problem.version}; this qcode knows up to ${SCHEMA_VERSION})`;
  return new UserError(`the other project ${otherPath} ${what}; nothing was merged`, {
    hint: problem.kind === 'newer' ? 'Upgrade qcode here (npm install -g qcode@latest) to merge it' : 'Ask for a fresh copy of it (or its backup) and merge that',
  });
}

/** openDatabase's own errors name the file it opened: the private copy, which the user never saw. */
function renamedError(error: unknown, copyPath: string, otherPath: string): unknown {
  if (!(error instanceof UserError)) return error;
  const message = error.message.replaceAll(copyPath, otherPath);
  return new UserError(message, { ...(error.hint === undefined ? {} : { hint: error.hint }), exitCode: error.exitCode, cause: error.cause });
}

/** The folder, next to this project's store, that holds the private copy of the other store while a merge reads it. */
const COPY_FOLDER = /^\.qcode-merge-(\d+)$/;

/**
 * The other project is only read, and SQLite cannot read a WAL store in place without creating its
 * qcode.db-wal and qcode.db-shm next to it (better-sqlite3 opens no URI, so immutable=1 is out of reach).
 * So the merge reads a copy: qcode.db and, when there is one, its -wal (committed work a qcode that was
 * killed, or is still open, left there; SQLite replays it into the copy). The -shm is not copied: it is
 * rebuilt from the -wal. The copy sits in this project's folder (it already holds the same kind of data,
 * and the merge writes there anyway) and is removed afterwards, also when the merge is stopped or killed
 * (watchForSignals), else by a later merge.
 * A colleague's qcode writing while the files are copied would make the two disagree: the copy is then
 * taken again.
 */
function copyOtherDatabase(place: { folder: string; temporary: boolean }, otherPath: string): { folder: string; path: string } {
  const folder = place.folder;
  const path = join(folder, DB_FILE);
  const state = (): string => [otherPath, `${otherPath}-wal`]
    .map((file) => {
      try {
        const stat = statSync(file);
        return `${stat.size}:${stat.mtimeMs}`;
      } catch {
        return '-';
      }
    }).join(' ');
  try {
    for (let attempt = 1; ; attempt++) {
      if (place.temporary) {
        // Emptied, never removed and made again: its name in the shared temporary folder stays ours.
        for (const entry of readdirSync(folder)) rmSync(join(folder, entry), { recursive: true, force: true });
      } else {
        rmSync(folder, { recursive: true, force: true });
        mkdirSync(folder, { mode: 0o700 });
      }
      const before = state();
      copyFileSync(otherPath, path);
      if (existsSync(`${otherPath}-wal`)) copyFileSync(`${otherPath}-wal`, `${path}-wal`);
      // The copy takes the other file's mode: one of a read-only folder must still be ours to migrate (upgradeOtherCopy).
      for (const file of [path, `${path}-wal`]) if (existsSync(file)) chmodSync(file, 0o600);
      if (state() === before) return { folder, path };
      if (attempt === 3) {
        throw new UserError(`the other project ${otherPath} kept changing while it was read (is qcode running on it?); nothing was merged`, {
          hint: 'Close qcode on that copy, then merge again',
        });
      }
    }
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read the other project ${otherPath} into ${folder}: ${(error as Error).message}; nothing was merged`, {
      hint: place.temporary
        ? `The merge reads a copy of it in ${tmpdir()}: make room there, then merge again`
        : 'The merge reads a copy of it in this project\'s folder: make room (or make the folder writable), then merge again',
      cause: error,
    });
  }
}

/**
 * Where the private copy of the other store goes: this project's folder, or, when that folder is not
 * writable for this user (only a --dry-run gets this far in a project the user may only read), a folder of
 * its own in the temporary folder, made by mkdtemp (a fresh name, mode 0700: no other user can read the
 * participants' words in it or slip a file of theirs into it). Removed like the other one (watchForSignals).
 */
function copyFolder(project: Project): { folder: string; temporary: boolean } {
  const here = dirname(project.dbPath);
  try {
    accessSync(here, constants.W_OK | constants.X_OK);
    return { folder: join(here, `.qcode-merge-${process.pid}`), temporary: false };
  } catch {
    // Not writable here: the temporary folder below.
  }
  try {
    return { folder: mkdtempSync(join(tmpdir(), `qcode-merge-${process.pid}-`)), temporary: true };
  } catch (error) {
    throw new UserError(`this project ${here} is read-only for you, and a dry run needs a private temporary folder, which cannot be made in ${tmpdir()}: ${(error as Error).message}; nothing was merged`, {
      hint: 'Set TMPDIR to a folder you can write to, then merge again',
      cause: error,
    });
  }
}

/**
 * A merge killed midway leaves its private copy of the other store, and with --codebook-from other its
 * codebook.yaml.merge-PID and codebook.yaml.before-merge-PID.tmp; each names its process, so those of a
 * process no longer running are removed. The .tmp holds the codebook.yaml that merge found: when the file
 * no longer says the same (it was put in place by hand after a failed install, as that error asks), it is
 * kept as a backup (codebook.yaml.before-merge[-N]) instead. Backups never have a PID in their name.
 */
function removeLeftovers(project: Project): void {
  removeLeftoversOf(project.codebookPath, (pid) => pid !== process.pid && !processRunning(pid));
}

/** The leftovers of the merge that ran as process `pid`, which has ended: called by watchForSignals' watcher. */
export function removeMergeLeftovers(codebookPath: string, pid: number, temporaryFolder = ''): void {
  if (temporaryFolder !== '') rmSync(temporaryFolder, { recursive: true, force: true });
  removeLeftoversOf(codebookPath, (other) => other === pid);
}

function removeLeftoversOf(codebookPath: string, ended: (pid: number) => boolean): void {
  const name = basename(codebookPath);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const newFile = new RegExp(`^${escaped}\\.merge-(\\d+)$`);
  const oldFile = new RegExp(`^${escaped}\\.before-merge-(\\d+)\\.tmp$`);
  const folder = dirname(codebookPath);
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = COPY_FOLDER.exec(entry) ?? newFile.exec(entry) ?? oldFile.exec(entry);
    if (match === null || !ended(Number(match[1]))) continue;
    const path = join(folder, entry);
    try {
      if (oldFile.test(entry) && existsSync(codebookPath) && readFileSync(path, 'utf8') !== readFileSync(codebookPath, 'utf8')) {
        renameSync(path, freeBackupPath(codebookPath));
      } else {
        rmSync(path, { recursive: true, force: true });
      }
    } catch {
      // Not ours to remove after all (a folder of that name, no permission): the merge itself does not need it gone.
    }
  }
}

function mergeFrom(project: Project, other: Db, otherPath: string, options: MergeOptions): MergeReport {
  const db = project.db;
  const report: MergeReport = {
    other: otherPath,
    applied: false,
    codebook: { differences: [], from: options.codebookFrom ?? null, yamlReplaced: false, backup: null, fileDiffers: false },
    added: { coders: 0, cases: 0, caseValues: 0, documentCases: 0, documents: 0, segments: 0, codings: 0, seen: 0, memos: 0, events: 0, retiredCodes: [], retiredAttributes: [] },
    matchedDocuments: 0,
    renamedDocuments: [],
    caseValueConflicts: [],
    documentCaseConflicts: [],
    coderConflicts: [],
    orphanMemos: 0,
    codeRenames: [],
    leftOutRemoved: { documents: [], cases: [], caseValues: 0, segments: 0, codings: 0, seen: 0, memos: 0, events: 0, quotes: 0 },
    removedThere: [],
  };

  // One read transaction on the other store: a consistent snapshot even if a colleague is coding in it.
  other.prepare('BEGIN').run();
  let prepared: PreparedCodebookFile | undefined;
  let installing = false;
  try {
    const otherNames = otherCoders(other).map((coder) => coder.name);
    const echoes = echoedRenames(db, other, otherNames, options.renameCoders);
    checkRenames(db, other, otherNames, options.renameCoders, options.intoExistingCoder ?? false, echoes);
    const comparison = compareCodebooks(db, other, otherPath);
    report.codebook.differences = comparison.plan.steps.map(describeStep);
    if (report.codebook.differences.length > 0 && options.codebookFrom === undefined) {
      throw new CodebookMismatchError(report.codebook.differences);
    }
    const applyOther = options.codebookFrom === 'other' && comparison.plan.steps.length > 0;
    if (applyOther && comparison.ambiguous.length > 0) {
      throw new UserError(`--codebook-from other: the was: renames in the two codebook histories do not say where some codings belong (${comparison.ambiguous.join('; ')}); nothing was merged`, {
        hint: 'Say it with was: in this project\'s codebook.yaml and run qcode codebook apply, or merge with --codebook-from this',
      });
    }
    if (applyOther) refuseQuotesOfRemoved(db, other, comparison.yaml);
    // What codebook.yaml must hold after the merge: the store's latest codebook. Checked on every
    // --codebook-from other merge, so that running it again repairs a file an earlier run left behind.
    const storedYaml = applyOther ? comparison.yaml : latestCodebookYaml(db)?.yaml;
    if (options.codebookFrom === 'other' && !options.dryRun && storedYaml !== undefined) prepared = prepareCodebookFile(project, storedYaml);
    try {
      db.transaction(() => {
        if (applyOther) {
          applyCodebookPlan(db, comparison.codebook, comparison.plan, { yaml: comparison.yaml, sha256: comparison.sha256, appliedAt: nowIso() });
        }
        const { shared, mergeEvents } = mergeRows(db, other, report, new Map([...echoes, ...options.renameCoders ?? []]), new Set(echoes.keys()));
        // The other copy's own merge events alone are no news: recording a merge of them would hand the other
        // copy a new merge event to bring back, and so on with every merge back and forth.
        if (hasAdditions(report, mergeEvents)) {
          const renames = options.renameCoders === undefined || options.renameCoders.size === 0 ? {} : { renames: Object.fromEntries(options.renameCoders) };
          // Which of this project's events the other copy holds too (id ranges): undo reads them to keep the
          // codings of a shared tag that copy did not take back (src/store/events.ts, mergedTagFinder).
          const sharedEvents = shared.length === 0 ? {} : { shared };
          appendEvent(db, { coderId: null, action: 'merge', payload: { from: otherPath, added: report.added, conflicts: report.coderConflicts.length, ...renames, ...sharedEvents } });
        }
        options.insideTransaction?.();
        if (options.dryRun) throw new DryRunRollback();
      }).immediate();
      report.applied = true;
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
    }
    if (report.applied && prepared !== undefined) {
      installing = true;
      installCodebookFile(prepared);
      report.codebook.yamlReplaced = true;
      report.codebook.backup = prepared.backup === undefined ? null : basename(prepared.backup.path);
    } else if (options.codebookFrom !== 'other' && storedYaml !== undefined) {
      const current = readableText(project.codebookPath);
      report.codebook.fileDiffers = current !== undefined && current !== storedYaml;
    }
    return report;
  } finally {
    // A failed install leaves its files for the user to put in place by hand (its error names them).
    if (prepared !== undefined && !installing) discardCodebookFile(prepared);
    other.prepare('ROLLBACK').run();
  }
}

/**
 * A rename must name a coder of the other project, must not pour two of its coders into one name, and
 * must not pour one into a coder of this project (a swap of two names of this project does both) unless
 * `intoExisting` says they are the same person, or an earlier merge here made the same rename.
 * A coder over there who holds nothing but this project's own work under that name (an earlier merge's
 * renamed coder, merged back into the other copy) is no second coder: it comes back to the same name.
 */
function checkRenames(
  db: Db,
  other: Db,
  otherNames: readonly string[],
  renames: ReadonlyMap<string, string> | undefined,
  intoExisting: boolean,
  echoes: ReadonlyMap<string, string>,
): void {
  if (renames === undefined || renames.size === 0) return;
  const known = new Set(otherNames);
  const targets = new Map<string, string>();
  const renamedTo = new Set(renames.values());
  for (const name of otherNames) {
    if (!renames.has(name) && renamedTo.has(name) && echoedBack(db, other, name)) continue;
    if (!renames.has(name) && echoes.has(name)) continue;
    targets.set(renames.get(name) ?? name, name);
  }
  for (const [from, to] of renames) {
    if (!known.has(from)) {
      throw usageError(`--rename-coder ${from}=${to}: the other project has no coder "${from}"${didYouMeanSuffix(from, known)}`, `Its coders: ${otherNames.join(', ') || 'none'}`);
    }
    // A name of the other project is brought in as it is, comma or not: it exists, and its work must stay reachable.
    if (to !== from) refuseNewCoderName(db, to, `--rename-coder ${from}=${to}`);
    const owner = targets.get(to);
    if (owner !== undefined && owner !== from) {
      throw usageError(`--rename-coder ${from}=${to}: "${to}" would hold the work of both "${from}" and "${owner}" of the other project`, 'Choose a name no other coder over there has or is renamed to');
    }
  }
  if (intoExisting) return;
  const madeBefore = new Set(recordedRenames(db).map(([from, to]) => `${from}\u0000${to}`));
  for (const [from, to] of renames) {
    if (from === to || !coderExists(db, to) || madeBefore.has(`${from}\u0000${to}`)) continue;
    throw usageError(
      `--rename-coder ${from}=${to}: "${to}" is already a coder of this project; "${from}"'s work from the other project would become "${to}"'s, for good`,
      `Choose a new name (e.g. --rename-coder ${from}=${from}-2), or add --into-existing-coder if they are the same person`,
    );
  }
}

/**
 * Whether a coder of the other project is all this project's own coder `nameHere` (by default the same
 * name): they have a log over there, and each event of it matches (when, what) an event of that coder here.
 */
function echoedBack(db: Db, other: Db, name: string, nameHere = name): boolean {
  if (!coderExists(db, nameHere)) return false;
  const there = coderEventStamps(other, name);
  if (there.length === 0) return false;
  const stamp = (event: { at: string; action: string }): string => `${event.at}\u0000${event.action === MERGED_UNDO ? 'undo' : event.action === MERGED_REMOVE ? 'remove' : event.action}`;
  const here = new Set(coderEventStamps(db, nameHere).map(stamp));
  return there.every((event) => here.has(stamp(event)));
}

/**
 * Coders of the other project that are this project's own coder under the name an earlier merge over
 * there gave them (--rename-coder anna=anna-2, recorded in that merge's event), name there → name here:
 * their work comes back to the coder it came from, instead of making this project hold it twice under
 * two names. Only when every event of theirs over there is one of that coder's here, and only one coder
 * here fits; a name this merge's --rename-coder names keeps the user's rename.
 */
function echoedRenames(db: Db, other: Db, otherNames: readonly string[], renames: ReadonlyMap<string, string> | undefined): Map<string, string> {
  const names = new Set(otherNames);
  const candidates = new Map<string, Set<string>>();
  for (const [from, to] of recordedRenames(other)) {
    if (from === to || !names.has(to) || renames?.has(to)) continue;
    candidates.set(to, (candidates.get(to) ?? new Set()).add(from));
  }
  const echoes = new Map<string, string>();
  for (const [name, froms] of candidates) {
    const fits = [...froms].filter((from) => echoedBack(db, other, name, from));
    if (fits.length === 1) echoes.set(name, fits[0]!);
  }
  return echoes;
}

function hasAdditions(report: MergeReport, mergeEvents: number): boolean {
  const added = report.added;
  return added.coders + added.cases + added.caseValues + added.documentCases + added.documents + added.segments + added.codings + added.seen + added.memos + added.events - mergeEvents > 0
    || added.retiredCodes.length > 0 || added.retiredAttributes.length > 0;
}

interface PreparedCodebookFile {
  path: string;
  /** The new codebook.yaml, written before the commit. */
  temporary: string;
  /** The copy of the file it replaces, and the name it is kept under. */
  backup?: { temporary: string; path: string } | undefined;
  /** The permissions of the file it replaces, which the new codebook.yaml takes over (the backup stays 0600). */
  mode?: number | undefined;
}

/**
 * A file's text, or undefined when it is missing or this user may not read it, for a check that can do
 * without it: qcode writes codebook.yaml 0600, so in a project shared for reading only its owner reads it.
 */
function readableText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * After --codebook-from other, codebook.yaml must say what the store holds, or the next `codebook apply`
 * would undo the merge's codebook. Both files are written before the commit, so that a full disk or an
 * unwritable folder stops the merge while nothing is merged yet; undefined when the file is right already.
 */
function prepareCodebookFile(project: Project, yaml: string): PreparedCodebookFile | undefined {
  const path = project.codebookPath;
  let current: string | undefined;
  try {
    current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
    throw new UserError(`cannot read ${path} (${reason}), which the merge must copy before replacing it; nothing was merged`, {
      hint: 'Ask its owner to make it readable to you, or merge with --codebook-from this',
      cause: error,
    });
  }
  if (current === yaml) return undefined;
  const prepared: PreparedCodebookFile = { path, temporary: `${path}.merge-${process.pid}` };
  try {
    writePrivately(prepared.temporary, yaml);
    if (current !== undefined) {
      prepared.backup = { temporary: `${path}.before-merge-${process.pid}.tmp`, path: freeBackupPath(path) };
      writePrivately(prepared.backup.temporary, readFileSync(path));
      prepared.mode = statSync(path).mode & 0o7777;
    }
  } catch (error) {
    discardCodebookFile(prepared);
    throw new UserError(`cannot write the merged codebook next to ${path}: ${(error as Error).message}; nothing was merged`, {
      hint: 'Make the project folder writable, then run the merge again',
      cause: error,
    });
  }
  return prepared;
}

/**
 * A codebook's examples quote participants: its copies are readable by their owner alone, whatever the
 * umask, and made new ('wx'), never written through a file or symlink found at the name. One of this
 * process id can only be a leftover of an earlier process that had the same id.
 */
function writePrivately(path: string, data: string | Buffer): void {
  rmSync(path, { force: true });
  writeFileSync(path, data, { mode: 0o600, flag: 'wx' });
}

/** codebook.yaml.before-merge, or when an earlier merge's backup (or a symlink, even a dangling one) holds that name, …before-merge-2, -3, … */
function freeBackupPath(path: string): string {
  const taken = (name: string): boolean => {
    try {
      lstatSync(name);
      return true;
    } catch {
      return false;
    }
  };
  if (!taken(`${path}.before-merge`)) return `${path}.before-merge`;
  for (let n = 2; ; n++) {
    const candidate = `${path}.before-merge-${n}`;
    if (!taken(candidate)) return candidate;
  }
}

/** After the commit: the merge stands, so a failure here says which file to put in place by hand. */
function installCodebookFile(prepared: PreparedCodebookFile): void {
  let backupDone = prepared.backup === undefined;
  try {
    if (prepared.backup !== undefined) {
      renameSync(prepared.backup.temporary, prepared.backup.path);
      backupDone = true;
    }
    if (prepared.mode !== undefined) chmodSync(prepared.temporary, prepared.mode);
    renameSync(prepared.temporary, prepared.path);
  } catch (error) {
    const old = prepared.backup === undefined ? '' : `; the old one is ${backupDone ? prepared.backup.path : prepared.backup.temporary}`;
    throw new UserError(
      `the merge is in the database, but ${prepared.path} was not replaced (${(error as Error).message}): put ${prepared.temporary} in its place by hand before the next qcode codebook apply${old}`,
      { cause: error },
    );
  }
}

function discardCodebookFile(prepared: PreparedCodebookFile): void {
  for (const path of [prepared.temporary, prepared.backup?.temporary]) {
    try {
      if (path !== undefined) rmSync(path, { force: true });
    } catch {
      // Not ours to remove (something else holds the name, e.g. a folder): the error that brought us here matters more.
    }
  }
}

/**
 * Merges every row, the other project's coders under the names `coderRenames` gives them here (--rename-coder,
 * echoedRenames); returns the ids of this project's events the other copy holds too, as [first, last]
 * ranges, and how many of the events it added are the other copy's 'merge' events.
 */
function mergeRows(
  db: Db,
  other: Db,
  report: MergeReport,
  coderRenames: ReadonlyMap<string, string>,
  echoed: ReadonlySet<string>,
): { shared: Array<[number, number]>; mergeEvents: number } {
  const codeHere = codeMapping(db, other);
  const removed = removedFromHere(db);
  const leftOut = report.leftOutRemoved;
  // Decided before anything is written, so that a document brought in cannot change it for another one.
  const otherDocuments = documentRecords(other).map((document) => ({ document, reason: removed.reason(document.sha256, document.slug, document.case_id) }));
  // A memo or code example over there may quote a removed participant: the other copy still has their words
  // to compare with, which this one no longer has.
  const withdrawn = withdrawnTexts(db, other, otherDocuments);
  addMissingCodebookItems(db, other, report, codeHere, withdrawn);
  const renamed = new Map<string, MergeReport['codeRenames'][number]>();
  const renamedCode = (id: string): string => {
    const here = codeHere(id);
    if (here !== id && !renamed.has(id)) renamed.set(id, { other: id, here, codings: 0, duplicates: 0 });
    return here;
  };

  // A coder comes in with the first row of theirs that does; one whose every row was left out (removed
  // here) does not come in at all. A coder with no rows over there comes in as before.
  const coderOf = new Map<number, number>();
  const coderName = new Map<number, string>();
  for (const coder of otherCoders(other)) coderName.set(coder.id, coderRenames.get(coder.name) ?? coder.name);
  const coderHere = (otherId: number): number => {
    let id = coderOf.get(otherId);
    if (id === undefined) {
      const name = coderName.get(otherId)!;
      if (!coderExists(db, name)) report.added.coders++;
      id = ensureCoderId(db, name);
      coderOf.set(otherId, id);
    }
    return id;
  };
  const leftOutCoders = new Set<number>();
  const echoedCoders = new Set(otherCoders(other).filter((coder) => echoed.has(coder.name)).map((coder) => coder.id));

  // A case over there whose every document is left out would come in as an empty shell holding a removed
  // participant's values: unless this copy has it already, it is left out with them.
  const keptCases = new Set(otherDocuments.filter((entry) => entry.reason === undefined).map((entry) => entry.document.case_id));
  const withheldCases = new Set(otherDocuments
    .map((entry) => entry.document.case_id)
    .filter((id): id is string => id !== null && !keptCases.has(id) && !removed.cases.has(id) && !caseExistsHere(db, id)));
  for (const row of caseRecords(other)) {
    if (removed.cases.has(row.id) || withheldCases.has(row.id)) {
      if (!caseExistsHere(db, row.id)) leftOut.cases.push(row.id);
      continue;
    }
    report.added.cases += insertCase(db, row);
  }
  for (const row of caseValueRecords(other)) {
    if (removed.cases.has(row.case_id) || withheldCases.has(row.case_id)) {
      leftOut.caseValues++;
      continue;
    }
    const kept = caseValueOf(db, row.case_id, row.attribute);
    if (kept === undefined) {
      insertCaseValue(db, row);
      report.added.caseValues++;
    } else if (kept !== row.value) {
      report.caseValueConflicts.push({ case: row.case_id, attribute: row.attribute, kept, other: row.value });
    }
  }

  const segmentOf = new Map<number, number>();
  const slugOf = new Map<string, string>();
  // The slug here of the document a segment from over there landed in: for rewriting the events' slugs.
  const slugOfSegment = new Map<number, string>();
  // A document here takes at most one document from over there, so two copies of one text stay two documents.
  const matchedHere = new Set<number>();
  // Work of coders on segments of matched documents, to count the conflicts: key "segment:coder" → codes.
  const thisWork = new Map<string, Set<string>>();
  const matchedSegments = new Set<number>();
  for (const { document, reason } of otherDocuments) {
    const segments = segmentRecords(other, document.id);
    if (reason !== undefined) {
      leftOut.documents.push({ slug: document.slug, case: document.case_id, reason });
      leftOut.segments += segments.length;
      removed.slugsThere.add(document.slug);
      for (const segment of segments) removed.segmentsThere.add(segment.id);
      continue;
    }
    const match = matchingDocument(db, document.sha256, document.slug, segments, matchedHere);
    if (match !== undefined && !match.used) {
      matchedHere.add(match.id);
      report.matchedDocuments++;
      slugOf.set(document.slug, match.slug);
      if (document.case_id !== null && document.case_id !== match.caseId) {
        if (match.caseId === null) {
          setDocumentCase(db, match.id, document.case_id);
          report.added.documentCases++;
        } else {
          report.documentCaseConflicts.push({ document: match.slug, kept: match.caseId, other: document.case_id });
        }
      }
      for (const segment of segments) {
        segmentOf.set(segment.id, match.segmentIds.get(segment.ordinal)!);
        slugOfSegment.set(segment.id, match.slug);
        matchedSegments.add(segment.id);
      }
      const work = documentWork(db, match.id);
      for (const row of work.seen) workSet(thisWork, row.segment_id, row.coder_id);
      for (const row of work.codings) workSet(thisWork, row.segment_id, row.coder_id).add(codingKey(row.code_id, row.start, row.end));
      continue;
    }
    const sameText = documentsWithHash(db, document.sha256).length > 0;
    const slug = freeSlug(db, document.slug);
    if (slug !== document.slug || sameText) {
      const reason = match !== undefined ? 'duplicate-text' : sameText ? 'segmentation-differs' : 'slug-taken';
      report.renamedDocuments.push({ slug: document.slug, as: slug, reason });
    }
    const documentId = insertDocument(db, document, slug);
    report.added.documents++;
    slugOf.set(document.slug, slug);
    for (const segment of segments) {
      segmentOf.set(segment.id, insertSegment(db, documentId, segment));
      slugOfSegment.set(segment.id, slug);
      report.added.segments++;
    }
  }

  const otherWork = new Map<string, Set<string>>();
  for (const row of iterateSeen(other)) {
    if (removed.segmentsThere.has(row.segment_id)) {
      leftOut.seen++;
      leftOutCoders.add(row.coder_id);
      continue;
    }
    const segment = segmentOf.get(row.segment_id)!;
    const coder = coderHere(row.coder_id);
    if (matchedSegments.has(row.segment_id)) workSet(otherWork, segment, coder);
    report.added.seen += insertSeen(db, { segment_id: segment, coder_id: coder, at: row.at });
  }
  for (const row of iterateCodings(other)) {
    if (removed.segmentsThere.has(row.segment_id)) {
      leftOut.codings++;
      leftOutCoders.add(row.coder_id);
      continue;
    }
    const segment = segmentOf.get(row.segment_id)!;
    const coder = coderHere(row.coder_id);
    const code = renamedCode(row.code_id);
    if (matchedSegments.has(row.segment_id)) workSet(otherWork, segment, coder).add(codingKey(code, row.start, row.end));
    const added = insertCoding(db, { ...row, code_id: code, segment_id: segment, coder_id: coder });
    report.added.codings += added;
    const rename = renamed.get(row.code_id);
    if (rename !== undefined) {
      rename.codings++;
      rename.duplicates += 1 - added;
    }
  }
  const nameOfCoder = new Map([...coderOf].map(([otherId, id]) => [id, coderName.get(otherId)!]));
  for (const [key, codes] of otherWork) {
    const mine = thisWork.get(key);
    if (mine === undefined || (mine.size === codes.size && [...codes].every((code) => mine.has(code)))) continue;
    const [segment, coder] = key.split(':').map(Number) as [number, number];
    const place = segmentPlace(db, segment)!;
    report.coderConflicts.push({ document: place.slug, ordinal: place.ordinal, coder: nameOfCoder.get(coder)! });
  }
  report.coderConflicts.sort((a, b) => a.document.localeCompare(b.document) || a.ordinal - b.ordinal || a.coder.localeCompare(b.coder));
  for (const row of iterateSeenDimensions(other)) {
    if (!dimensionExists(db, row.dimension_id)) continue;
    if (removed.segmentsThere.has(row.segment_id)) {
      leftOut.seen++;
      leftOutCoders.add(row.coder_id);
      continue;
    }
    insertSeenDimension(db, { ...row, segment_id: segmentOf.get(row.segment_id)!, coder_id: coderHere(row.coder_id) });
  }


  const memosHere = new Map<string, number[]>();
  const unredactedHere = new Set<number>();
  // Memo id over there → the memo here (and when it was made, which tells a reused id apart), for the events.
  const memoOf = new Map<number, { id: number; createdAt: string }>();
  for (const memo of memoRecords(other)) {
    if (removed.holdsMemo(memo.target_kind, memo.target_id)) {
      leftOut.memos++;
      removed.memosThere.add(memo.id);
      if (memo.coder_id !== null) leftOutCoders.add(memo.coder_id);
      continue;
    }
    const coder = memo.coder_id === null ? null : coderHere(memo.coder_id);
    let targetKind = memo.target_kind;
    let targetId = memo.target_id;
    const quoted = withdrawn.passagesIn(memo.text);
    if (quoted.length > 0) leftOut.quotes++;
    let text = quoted.length === 0 ? memo.text : withoutPassages(memo.text, quoted);
    if (memo.target_kind === 'segment' || memo.target_kind === 'document' || memo.target_kind === 'code') {
      const mapped = memo.target_kind === 'segment'
        ? segmentOf.get(Number(memo.target_id))?.toString()
        : memo.target_kind === 'document'
          ? slugOf.get(memo.target_id ?? '')
          // A code neither codebook has (addMissingCodebookItems brought in those the other one has).
          : memo.target_id !== null && codeExists(db, renamedCode(memo.target_id)) ? renamedCode(memo.target_id) : undefined;
      if (mapped === undefined) {
        // The target was deleted over there; the memo's words still matter, so it becomes a project memo.
        report.orphanMemos++;
        text = `[${memo.target_kind} ${memo.target_id ?? ''} of a merged project, no longer present] ${text}`;
        targetKind = 'project';
        targetId = null;
      } else {
        targetId = mapped;
      }
    }
    const row = { target_kind: targetKind, target_id: targetId, coder_id: coder, text, created_at: memo.created_at, updated_at: memo.updated_at };
    // Counted as multisets, so that two identical memos over there stay two here, and a second merge adds none.
    const key = JSON.stringify([targetKind, targetId, coder, memo.created_at, text]);
    const here = memosHere.get(key) ?? matchingMemoIds(db, row);
    memosHere.set(key, here);
    // A memo whose quotes a removal over there replaced is the one here that still holds them (this copy has
    // not made that removal yet; when it does, the two read alike again).
    const duplicate = here.shift() ?? (text.includes(WITHDRAWN_QUOTE)
      ? memosLike(db, row).find((candidate) => !unredactedHere.has(candidate.id) && isRedactionOf(text, candidate.text))?.id
      : undefined);
    if (duplicate !== undefined && text.includes(WITHDRAWN_QUOTE)) unredactedHere.add(duplicate);
    if (duplicate !== undefined) {
      memoOf.set(memo.id, { id: duplicate, createdAt: memo.created_at });
      continue;
    }
    memoOf.set(memo.id, { id: insertMemoRecord(db, row), createdAt: memo.created_at });
    report.added.memos++;
  }

  // The ids here of each event key, oldest first: a shared event takes the oldest one left.
  const eventsHere = new Map<string, Array<{ id: number; action: string }>>();
  // Memo events by time, coder and action, for one whose quotes a removal over there replaced.
  const memoEventsHere = new Map<string, Array<{ id: number; action: string; payload: string }>>();
  for (const row of eventKeysAt(db, distinctEventTimes(other))) {
    const key = eventKey(row.at, row.coder, row.action, row.payload);
    const ids = eventsHere.get(key) ?? [];
    ids.push({ id: row.id, action: row.action });
    eventsHere.set(key, ids);
    if (row.action !== 'memo.add' && row.action !== 'memo.edit') continue;
    const place = JSON.stringify([row.at, row.coder, row.action]);
    const sameTime = memoEventsHere.get(place) ?? [];
    sameTime.push({ id: row.id, action: row.action, payload: row.payload });
    memoEventsHere.set(place, sameTime);
  }
  // An echoed coder's log over there is a second copy of this coder's own log here, beside the first copy
  // that coder may still hold over there under the name it has here: matched without using up an event
  // here, or each merge back and forth would bring that second copy in once more.
  const allEventsHere = new Map([...eventsHere].map(([key, ids]) => [key, [...ids]]));
  const sharedIds = new Set<number>();
  const shared: number[] = [];
  let mergeEvents = 0;
  const maps: EventMaps = { segmentOf, slugOfSegment, slugOf, memoOf, renames: coderRenames, codeOf: codeHere };
  for (const record of iterateEvents(other)) {
    if (removed.holdsEvent(record.action, record.payload)) {
      leftOut.events++;
      if (record.coder_id !== null) leftOutCoders.add(record.coder_id);
      continue;
    }
    const unquoted = record.action === 'memo.add' || record.action === 'memo.edit' ? memoPayloadWithoutQuotes(record.payload, withdrawn) : undefined;
    if (unquoted !== undefined) leftOut.quotes++;
    const event = unquoted === undefined ? record : { ...record, payload: unquoted };
    const name = event.coder_id === null ? null : coderName.get(event.coder_id) ?? null;
    const imported = importedEvent(event, maps);
    // The event as it is over there is found here too when it is shared history (both copies hold it).
    const keys = [eventKey(event.at, name, imported.action, imported.payload), eventKey(event.at, name, event.action, event.payload)];
    const here = (event.coder_id !== null && echoedCoders.has(event.coder_id)
      ? keys.map((candidate) => allEventsHere.get(candidate)?.[0]).find((found) => found !== undefined)
      : keys.map((candidate) => eventsHere.get(candidate)).find((ids) => (ids?.length ?? 0) > 0)?.shift())
      ?? (imported.payload.includes(WITHDRAWN_QUOTE) ? unredactedEventHere(memoEventsHere.get(JSON.stringify([event.at, name, imported.action])), imported.payload, sharedIds) : undefined);
    if (here !== undefined) {
      if (!sharedIds.has(here.id)) shared.push(here.id);
      sharedIds.add(here.id);
      // A removal over there that an earlier merge brought in: as long as this copy holds what it removed, every
      // merge says so again. Not one of this copy's own removals (shared history, readmitted here since).
      if (event.action === 'remove' && here.action === MERGED_REMOVE) removedThere(db, event, report);
      continue;
    }
    insertMergedEvent(db, { at: event.at, coder_id: event.coder_id === null ? null : coderHere(event.coder_id), action: imported.action, payload: imported.payload });
    report.added.events++;
    if (event.action === 'merge') mergeEvents++;
    if (event.action === 'remove') removedThere(db, event, report);
  }
  for (const id of coderName.keys()) if (!leftOutCoders.has(id)) coderHere(id);
  report.codeRenames = [...renamed.values()].sort((a, b) => a.other.localeCompare(b.other));
  return { shared: idRanges(shared), mergeEvents };
}

/** The memo event here that one from over there is, but for the quotes a removal over there replaced in it. */
function unredactedEventHere(candidates: ReadonlyArray<{ id: number; action: string; payload: string }> | undefined, payload: string, taken: ReadonlySet<number>): { id: number; action: string } | undefined {
  return candidates?.find((candidate) => !taken.has(candidate.id) && isRedactedPayloadOf(payload, candidate.payload));
}

/**
 * The texts over there that were removed here, to find their quotes with: as the removal here found them
 * (not those of a removal made with --keep-quotes; a passage that texts here also hold is nobody's own).
 */
function withdrawnTexts(db: Db, other: Db, otherDocuments: ReadonlyArray<{ document: DocumentRecord; reason: string | undefined }>): QuoteFinder {
  const keeping = removalsKeepingQuotes(db);
  const texts = otherDocuments
    .filter(({ document, reason }) => reason !== undefined && !keeping.sha256s.has(document.sha256) && !(document.case_id !== null && keeping.cases.has(document.case_id)))
    .map(({ document }) => ({ name: document.slug, text: document.text, turns: segmentRecords(other, document.id).map((segment) => segment.text) }));
  return new QuoteFinder(texts, (passage) => textInOtherDocuments(db, passage, []));
}

/**
 * --codebook-from other would bring in the other codebook's examples, and one may quote a participant
 * removed here whose text the other copy still holds: once in, nothing here could tell it is their words.
 */
function refuseQuotesOfRemoved(db: Db, other: Db, yaml: string): void {
  const removed = removedFromHere(db);
  const withdrawn = withdrawnTexts(db, other, documentRecords(other).map((document) => ({ document, reason: removed.reason(document.sha256, document.slug, document.case_id) })));
  if (withdrawn.empty) return;
  const quoting = quotesInYaml(yaml, withdrawn);
  if (quoting.length === 0) return;
  const places = quoting.map((place) => place.what.replace(/^the example of /u, '')).join(', ');
  const sources = [...new Set(quoting.map((place) => place.source).filter((source) => source !== undefined))];
  throw new UserError(`--codebook-from other: the other project's codebook quotes ${sources.length === 0 ? 'a text' : sources.join(', ')}, removed here (withdrawal of consent), in ${plural(quoting.length, 'place')} (${places}); nothing was merged`, {
    hint: 'Ask its owner to replace those examples and run qcode codebook apply over there, or merge with --codebook-from this',
  });
}

/**
 * Documents and cases removed here (withdrawal of consent) that the other copy may still hold, and the
 * rows over there that hang on them. A removed text that a document here still holds (a second copy
 * that was kept) is not withheld: it is here anyway.
 */
function removedFromHere(db: Db) {
  const texts = removedDocumentHashes(db);
  const slugs = removedDocumentSlugs(db);
  const cases = removedCaseIds(db);
  const segmentsThere = new Set<number>();
  const slugsThere = new Set<string>();
  const memosThere = new Set<number>();
  const holdsMemo = (kind: string | undefined, target: string | null | undefined): boolean =>
    (kind === 'segment' && segmentsThere.has(Number(target))) || (kind === 'document' && slugsThere.has(target ?? '')) || (kind === 'case' && cases.has(target ?? ''));
  return {
    cases,
    segmentsThere,
    slugsThere,
    memosThere,
    reason: (sha256: string, slug: string, caseId: string | null): 'document-removed' | 'case-removed' | undefined => {
      // An earlier or later version over there (import --replace in one copy) has another text but the
      // removed document's slug, and its case if it had one; unless a document here holds that slug now.
      const bySlug = (slugs.get(slug) ?? []).some((removedCase) => removedCase === null || caseId === null || removedCase === caseId)
        && !slugTaken(db, slug);
      if (!texts.has(sha256) && !bySlug && (caseId === null || !cases.has(caseId))) return undefined;
      if (documentsWithHash(db, sha256).length > 0) return undefined;
      return texts.has(sha256) || bySlug ? 'document-removed' : 'case-removed';
    },
    holdsMemo,
    /** An event over there about a left-out segment, document or memo (its payload names them; a memo's holds its words). */
    holdsEvent: (action: string, payload: string): boolean => {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(payload) as Record<string, unknown>;
      } catch {
        return false;
      }
      if (data === null || typeof data !== 'object') return false;
      if (typeof data.segment === 'number' && segmentsThere.has(data.segment)) return true;
      if (typeof data.slug === 'string' && slugsThere.has(data.slug)) return true;
      if (typeof data.document === 'string' && texts.has(data.document) && documentsWithHash(db, data.document).length === 0) return true;
      if (!action.startsWith('memo.')) return false;
      return (typeof data.memo === 'number' && memosThere.has(data.memo)) || holdsMemo(data.target_kind as string | undefined, data.target_id as string | null | undefined);
    },
  };
}

/** Sorted ids as [first, last] runs of consecutive ids: a copy shares long stretches of history, so few runs. */
function idRanges(ids: number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const id of ids.sort((a, b) => a - b)) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && id === last[1] + 1) last[1] = id;
    else ranges.push([id, id]);
  }
  return ranges;
}

/**
 * The other project's code id → this codebook's id. A code renamed (was:) in either project's codebook
 * history is one code under two ids: this project renamed forms.art to forms.culture and the other still
 * has forms.art, or the other way round. Its id here is the one id of its rename history (a child moves
 * with its renamed parent) that this codebook holds; an id this codebook holds, or one whose history
 * leads to none or to several codes here (codes merged in one copy, apart in the other), stays as it is.
 */
function codeMapping(db: Db, other: Db): (id: string) => string {
  const pairs = renamePairs(db, other);
  // Before the merge adds any code: a code it brings in retired must not become another code's id here.
  const ids = new Set(codeRecords(db).map((code) => code.id));
  const known = new Map<string, string>();
  return (id) => {
    let here = known.get(id);
    if (here !== undefined) return here;
    here = id;
    if (!ids.has(id) && pairs.length > 0) {
      const found = [...renameHistory(id, pairs)].filter((name) => ids.has(name));
      if (found.length === 1) here = found[0]!;
    }
    known.set(id, here);
    return here;
  };
}

/** Every (old, new) pair of the was: lists in both projects' codebook histories. */
function renamePairs(db: Db, other: Db): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const yaml of [...codebookHistory(db), ...codebookHistory(other)]) {
    try {
      for (const code of parseCodebook(yaml, 'codebook').codes) for (const old of code.was) if (old !== code.id) pairs.push([old, code.id]);
    } catch {
      // A snapshot this version can no longer read tells nothing about renames.
    }
  }
  return pairs;
}

/** The ids a code had or has in either history (a child moves with its renamed parent), itself included. */
function renameHistory(id: string, pairs: ReadonlyArray<readonly [string, string]>): Set<string> {
  const names = new Set([id]);
  const queue = [id];
  while (queue.length > 0 && names.size < 1000) {
    const current = queue.pop()!;
    for (const [old, now] of pairs) {
      for (const [from, to] of [[old, now], [now, old]] as const) {
        if (current !== from && !current.startsWith(`${from}.`)) continue;
        const next = to + current.slice(from.length);
        if (names.has(next)) continue;
        names.add(next);
        queue.push(next);
      }
    }
  }
  return names;
}

/**
 * The other codebook as --codebook-from other applies it: a code of it that this project holds under
 * another id of its rename history (either project's was:) gets that id in its was:, so that the apply
 * renames the code here (its codings, memos) instead of retiring it and adding a second, empty one.
 * When the histories tie one code here to several codes over there, or several here to one over there,
 * no rename can say where the codings belong: `ambiguous` names them, and the merge refuses.
 */
function followRenames(db: Db, other: Db, codebook: Codebook): { codebook: Codebook; ambiguous: string[] } {
  const pairs = renamePairs(db, other);
  if (pairs.length === 0) return { codebook, ambiguous: [] };
  const nextIds = new Set(codebook.codes.map((code) => code.id));
  const named = new Set(codebook.codes.flatMap((code) => code.was));
  // Codes here that the other codebook lacks and names in no was: of its own.
  const held = new Set(codeRecords(db).map((code) => code.id));
  const leaving = new Set([...held].filter((id) => !nextIds.has(id) && !named.has(id)));
  const sources = new Map<string, string[]>();
  for (const code of codebook.codes) {
    if (held.has(code.id)) continue;
    const found = [...renameHistory(code.id, pairs)].filter((id) => leaving.has(id));
    if (found.length > 0) sources.set(code.id, found);
  }
  const claimedBy = new Map<string, string[]>();
  for (const [id, found] of sources) for (const old of found) claimedBy.set(old, [...(claimedBy.get(old) ?? []), id]);
  const ambiguous: string[] = [];
  for (const [id, found] of sources) {
    if (found.length > 1) ambiguous.push(`code ${id} over there is ${found.join(', ')} here`);
  }
  for (const [old, ids] of claimedBy) {
    if (ids.length > 1) ambiguous.push(`code ${old} here is ${ids.join(', ')} over there`);
  }
  if (ambiguous.length > 0) return { codebook, ambiguous };
  const codes = codebook.codes.map((code) => {
    const found = sources.get(code.id);
    return found === undefined ? code : { ...code, was: [...code.was, ...found] };
  });
  return { codebook: { ...codebook, codes }, ambiguous: [] };
}

function removedThere(db: Db, event: { at: string; payload: string }, report: MergeReport): void {
  const here = stillHere(db, event.payload);
  if (here.cases.length + here.documents.length > 0) report.removedThere.push({ at: event.at, ...here });
}

/** The cases and documents a removal over there named that this copy holds, with the commands that remove them here. */
function stillHere(db: Db, payload: string): { cases: string[]; documents: string[]; commands: string[] } {
  let data: { documents?: unknown; cases?: unknown };
  try {
    data = JSON.parse(payload) as { documents?: unknown; cases?: unknown };
  } catch {
    return { cases: [], documents: [], commands: [] };
  }
  const cases = (Array.isArray(data.cases) ? data.cases : []).filter((id): id is string => typeof id === 'string' && caseExistsHere(db, id));
  const named = Array.isArray(data.documents) ? data.documents as Array<{ slug?: unknown; case?: unknown; sha256?: unknown }> : [];
  // A document is here when its text is (under whatever slug), or its slug holds a document of the same case.
  const documents = [...new Set(named.flatMap((doc) => {
    const byText = typeof doc.sha256 === 'string' ? documentsWithHash(db, doc.sha256).map((row) => row.slug) : [];
    return byText.length > 0 ? byText : typeof doc.slug === 'string' && slugTaken(db, doc.slug) ? [doc.slug] : [];
  }))];
  const ofCases = new Set(cases);
  const loose = documents.filter((slug) => !ofCases.has(named.find((doc) => doc.slug === slug)?.case as string));
  const commands = [
    ...(cases.length > 0 ? [`qcode cases remove ${cases.map(shellQuote).join(' ')}`] : []),
    ...(loose.length > 0 ? [`qcode docs remove ${loose.map(shellQuote).join(' ')}`] : []),
  ];
  return { cases, documents, commands };
}

/**
 * A removal over there (withdrawal of consent) did not happen here: kept in the log under its own action,
 * so that the log does not claim it of this copy (nor does undo stop at it).
 */
const MERGED_REMOVE = 'merged.remove';

/**
 * An 'undo' over there reverted that copy's rows; here the codings it removed may well stand (merge is a
 * union). Stored under its own action, it stays in the log but is not read as undoing this project's batches.
 */
const MERGED_UNDO = 'merged.undo';

interface EventMaps {
  segmentOf: ReadonlyMap<number, number>;
  slugOfSegment: ReadonlyMap<number, string>;
  slugOf: ReadonlyMap<string, string>;
  memoOf: ReadonlyMap<number, { id: number; createdAt: string }>;
  renames: ReadonlyMap<string, string>;
  codeOf: (id: string) => string;
}

/**
 * An event of the other project as this project stores it: its payload's slug, segment and memo ids
 * rewritten to the rows they became here (null when the row is no longer there), its coder renamed as
 * --rename-coder says. A payload that needs nothing keeps its exact text, so that dedupe still finds it.
 */
function importedEvent(event: { at: string; action: string; payload: string }, maps: EventMaps): { action: string; payload: string } {
  const action = event.action === 'undo' ? MERGED_UNDO : event.action === 'remove' ? MERGED_REMOVE : event.action;
  let data: unknown;
  try {
    data = JSON.parse(event.payload);
  } catch {
    return { action, payload: event.payload };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { action, payload: event.payload };
  const payload = data as Record<string, unknown>;
  let changed = false;
  const set = (key: string, value: unknown): void => {
    if (payload[key] === value) return;
    payload[key] = value;
    changed = true;
  };
  if (typeof payload.coder === 'string') set('coder', maps.renames.get(payload.coder) ?? payload.coder);
  if (typeof payload.code === 'string') set('code', maps.codeOf(payload.code));
  // The other copy's merges name that copy's event ids: they mean nothing here.
  if (event.action === 'merge' && payload.shared !== undefined) set('shared', undefined);
  const segment = typeof payload.segment === 'number' ? payload.segment : undefined;
  if (segment !== undefined) set('segment', maps.segmentOf.get(segment) ?? null);
  if (typeof payload.slug === 'string') {
    const here = segment === undefined ? undefined : maps.slugOfSegment.get(segment);
    set('slug', here ?? maps.slugOf.get(payload.slug) ?? payload.slug);
  }
  if (typeof payload.memo === 'number') {
    const memo = maps.memoOf.get(payload.memo);
    // Memo ids are reused over there once the newest memo is deleted: the memo must be as old as the event says.
    const createdAt = event.action === 'memo.add' ? event.at : typeof payload.created_at === 'string' ? payload.created_at : undefined;
    set('memo', memo !== undefined && (createdAt === undefined || memo.createdAt === createdAt) ? memo.id : null);
  }
  if (typeof payload.target_id === 'string' && event.action.startsWith('memo.')) {
    if (payload.target_kind === 'segment') set('target_id', maps.segmentOf.get(Number(payload.target_id))?.toString() ?? null);
    else if (payload.target_kind === 'document') set('target_id', maps.slugOf.get(payload.target_id) ?? null);
    else if (payload.target_kind === 'code') set('target_id', maps.codeOf(payload.target_id));
  }
  return { action, payload: changed ? JSON.stringify(payload) : event.payload };
}

/**
 * A document here with the same text and the same segmentation (each ordinal with the same span), preferring
 * one this merge has not matched yet (`used` says when only matched ones are left), then one with the same
 * slug. Codings are carried over by ordinal only when the spans agree, so a coding can never land on
 * different words.
 */
function matchingDocument(
  db: Db,
  sha256: string,
  slug: string,
  segments: readonly SegmentRecord[],
  matchedHere: ReadonlySet<number>,
): { id: number; slug: string; caseId: string | null; segmentIds: Map<number, number>; used: boolean } | undefined {
  const candidates = documentsWithHash(db, sha256).sort((a, b) =>
    Number(matchedHere.has(a.id)) - Number(matchedHere.has(b.id)) || Number(b.slug === slug) - Number(a.slug === slug));
  for (const candidate of candidates) {
    const spans = segmentSpans(db, candidate.id);
    if (spans.length !== segments.length) continue;
    const same = spans.every((span, i) => {
      const segment = segments[i]!;
      return span.ordinal === segment.ordinal && span.start === segment.start && span.end === segment.end;
    });
    if (same) {
      const segmentIds = new Map(spans.map((span) => [span.ordinal, span.id]));
      return { id: candidate.id, slug: candidate.slug, caseId: candidate.case_id, segmentIds, used: matchedHere.has(candidate.id) };
    }
  }
  return undefined;
}

/** The slug itself when free, else the first free "slug-N", N = 2, 3, … */
function freeSlug(db: Db, slug: string): string {
  if (!slugTaken(db, slug)) return slug;
  for (let n = 2; ; n++) {
    const candidate = `${slug}-${n}`;
    if (!slugTaken(db, candidate)) return candidate;
  }
}

/** Codes (with their dimensions and parents) and attributes that the other project's codings, memos and case values need but this codebook lacks. */
function addMissingCodebookItems(db: Db, other: Db, report: MergeReport, codeHere: (id: string) => string, withdrawn: QuoteFinder): void {
  const codes = new Map(codeRecords(other).map((code) => [code.id, code]));
  const dimensions = new Map(dimensionRecords(other).map((dimension) => [dimension.id, dimension]));
  const addCode = (id: string): void => {
    if (codeExists(db, codeHere(id))) return;
    const code = codes.get(id);
    if (code === undefined) return;
    if (!dimensionExists(db, code.dimension_id)) insertRetiredDimension(db, dimensions.get(code.dimension_id)!);
    if (code.parent_id !== null) addCode(code.parent_id);
    const examples = JSON.parse(code.examples) as unknown[];
    const kept = examples.filter((example) => typeof example !== 'string' || withdrawn.sourceOf(example) === undefined);
    report.leftOutRemoved.quotes += examples.length - kept.length;
    insertRetiredCode(db, { ...code, examples: JSON.stringify(kept), parent_id: code.parent_id === null ? null : codeHere(code.parent_id) });
    report.added.retiredCodes.push(id);
  };
  for (const id of codedCodeIds(other)) addCode(id);
  for (const id of memoCodeIds(other)) addCode(id);
  const attributes = new Map(attributeRecords(other).map((attribute) => [attribute.name, attribute]));
  for (const name of caseAttributesInUse(other)) {
    if (attributeExists(db, name)) continue;
    insertRetiredAttribute(db, attributes.get(name)!);
    report.added.retiredAttributes.push(name);
  }
}

function workSet(work: Map<string, Set<string>>, segment: number, coder: number): Set<string> {
  const key = `${segment}:${coder}`;
  let set = work.get(key);
  if (set === undefined) {
    set = new Set();
    work.set(key, set);
  }
  return set;
}

function codingKey(code: string, start: number | null, end: number | null): string {
  return start === null ? code : `${code}@${start}-${end}`;
}

/**
 * An 'undo' and the same undo merged elsewhere ('merged.undo') are one event, so merging back adds neither;
 * so are a 'remove' and its 'merged.remove', and a 'merge' and its copy elsewhere, which importedEvent
 * stripped of `shared` (that copy's event ids).
 */
function eventKey(at: string, coder: string | null, action: string, payload: string): string {
  const same = action === MERGED_UNDO ? 'undo' : action === MERGED_REMOVE ? 'remove' : action;
  return createHash('sha1').update(JSON.stringify([at, coder, same, action === 'merge' ? withoutShared(payload) : payload])).digest('hex');
}

function withoutShared(payload: string): string {
  try {
    const data = JSON.parse(payload) as unknown;
    if (data === null || typeof data !== 'object' || Array.isArray(data) || !('shared' in data)) return payload;
    return JSON.stringify({ ...data, shared: undefined });
  } catch {
    return payload;
  }
}
