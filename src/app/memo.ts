import { UserError, usageError } from '../core/errors.js';
import { didYouMeanSuffix } from '../core/suggest.js';
import { normalizeText } from '../core/text.js';
import { nonXmlCharacter } from '../io/refi/xml.js';
import { ensureCoder, findCoder } from '../store/common.js';
import type { Db } from '../store/db.js';
import { caseExists, listCaseIds } from '../store/cases.js';
import { findMemo, insertMemo, listMemos, updateMemoText, type MemoRow, type MemoTarget } from '../store/memos.js';
import { CodeIndex, newBatchId, requireDocument, resolveSegment } from './coding.js';
import type { Project } from './project.js';

export type { MemoRow };

/**
 * The target flags of `memo add|list`; at most one may be given. None means the project for `memo add`,
 * every memo for `memo list`. The project's flag is --on-project: --project names the project folder.
 */
export interface MemoTargetOptions {
  segment?: string | undefined;
  document?: string | undefined;
  code?: string | undefined;
  case?: string | undefined;
  onProject?: boolean | undefined;
}

const TARGET_FLAGS = { segment: '--segment', document: '--document', code: '--code', case: '--case', onProject: '--on-project' } as const;

interface ResolvedTarget {
  target: MemoTarget;
  /** How the target reads in messages: "segment r01-vilnius-ru:12". */
  label: string;
  documentId: number | null;
}

function givenTargets(options: MemoTargetOptions): (keyof typeof TARGET_FLAGS)[] {
  return (Object.keys(TARGET_FLAGS) as (keyof typeof TARGET_FLAGS)[]).filter((key) => options[key] !== undefined && options[key] !== false);
}

function resolveTarget(db: Db, options: MemoTargetOptions): ResolvedTarget {
  const given = givenTargets(options);
  if (given.length > 1) throw usageError(`a memo has one target, but ${given.map((key) => TARGET_FLAGS[key]).join(' and ')} were given`);
  if (options.segment !== undefined) {
    const resolved = resolveSegment(db, options.segment);
    return { target: { kind: 'segment', id: String(resolved.segment.id) }, label: `segment ${resolved.label}`, documentId: null };
  }
  if (options.document !== undefined) {
    const document = requireDocument(db, options.document);
    return { target: { kind: 'document', id: document.slug }, label: `document ${document.slug}`, documentId: document.id };
  }
  if (options.code !== undefined) {
    const code = CodeIndex.load(db).require(options.code, 'remove');
    return { target: { kind: 'code', id: code.id }, label: `code ${code.id}`, documentId: null };
  }
  if (options.case !== undefined) {
    // Case ids are stored in NFC (import and `cases set` normalise them); a terminal may type them decomposed.
    const caseId = options.case.normalize('NFC');
    if (!caseExists(db, caseId)) {
      const cases = listCaseIds(db);
      throw new UserError(`no case "${caseId}"${didYouMeanSuffix(caseId, cases)}`, { hint: 'List them with: qcode cases list' });
    }
    return { target: { kind: 'case', id: caseId }, label: `case ${caseId}`, documentId: null };
  }
  return { target: { kind: 'project', id: null }, label: 'the project', documentId: null };
}

function cleanText(raw: string): string {
  const text = normalizeText(raw).text.trim();
  if (text === '') throw new UserError('the memo is empty: nothing saved');
  // Such a memo could never be exported (qcode refi export writes XML): refused now rather than there.
  const bad = nonXmlCharacter(text);
  if (bad !== null) {
    throw new UserError(`the memo contains ${bad.code} at character ${Array.from(text.slice(0, bad.index)).length + 1}, which XML (qcode refi export) cannot hold: nothing saved`, {
      hint: 'Remove that character and run the command again',
    });
  }
  return text;
}

export interface MemoReport {
  id: number;
  /** How the target reads in messages: "segment r01-vilnius-ru:12", "the project". */
  target: string;
  /** The memo as it now stands, as memo list and memo show give it. */
  memo: MemoRow;
}

/** Adds a memo on one target (the project when none is named) and logs it. */
export function addMemo(project: Project, options: MemoTargetOptions & { text: string; coder?: string | undefined }): MemoReport {
  const { db } = project;
  const resolved = resolveTarget(db, options);
  const text = cleanText(options.text);
  const coderId = options.coder === undefined ? null : ensureCoder(db, options.coder).id;
  const id = insertMemo(db, { target: resolved.target, coderId, text, batch: newBatchId(), via: 'memo add' });
  if (id === null) throw new UserError(`${resolved.label} was removed by another qcode meanwhile; nothing was saved`, { hint: 'See what is there with: qcode docs list' });
  return { id, target: resolved.label, memo: savedMemo(db, id, resolved.label) };
}

/** The memo just written, read back; a removal by another qcode may have taken it (and its target) since. */
function savedMemo(db: Db, id: number, label: string): MemoRow {
  const memo = findMemo(db, id);
  if (memo === undefined) throw new UserError(`memo ${id} was saved, but another qcode removed ${label} (and the memo with it) just after`, { hint: 'See what is there with: qcode memo list' });
  return memo;
}

/** A memo by id, or a one-line error. */
export function requireMemo(project: Project, id: number): MemoRow {
  const memo = findMemo(project.db, id);
  if (memo === undefined) throw new UserError(`no memo ${id}`, { hint: 'List them with: qcode memo list' });
  return memo;
}

/** Replaces a memo's text; reports whether it changed. */
export function editMemo(project: Project, options: { id: number; text: string; coder?: string | undefined }): MemoReport & { changed: boolean } {
  const { db } = project;
  const memo = requireMemo(project, options.id);
  const text = cleanText(options.text);
  const target = memo.target_kind === 'project' ? 'the project' : `${memo.target_kind} ${memo.target}`;
  if (text === memo.text) return { id: memo.id, target, memo, changed: false };
  const coderId = options.coder === undefined ? null : ensureCoder(db, options.coder).id;
  updateMemoText(db, { id: memo.id, coderId, text, batch: newBatchId(), via: 'memo edit' });
  return { id: memo.id, target, memo: savedMemo(db, memo.id, target), changed: true };
}

/** Memos on a target (a document's include its segments'), or all; optionally one coder's. */
export function listMemosOf(project: Project, options: MemoTargetOptions & { coder?: string | undefined }): MemoRow[] {
  const { db } = project;
  const filtered = givenTargets(options).length > 0;
  const resolved = filtered ? resolveTarget(db, options) : null;
  let coderId: number | null = null;
  if (options.coder !== undefined) {
    const coder = findCoder(db, options.coder);
    if (coder === undefined) return [];
    coderId = coder.id;
  }
  return listMemos(db, { target: resolved?.target ?? null, documentId: resolved?.documentId ?? null, coderId });
}
