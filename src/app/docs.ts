import { ENCODING_LABELS, type Encoding } from '../core/encoding.js';
import { UserError } from '../core/errors.js';
import { didYouMeanSuffix } from '../core/suggest.js';
import { listDocumentSlugs } from '../store/common.js';
import { documentById, documentBySlug, documentSegments, iterateSegmentTexts, listDocuments as listStoredDocuments, type StoredDocument, type StoredSegment } from '../store/documents.js';
import type { Project } from './project.js';

export interface DocumentSummary {
  slug: string;
  case: string | null;
  kind: string;
  language: string | null;
  format: string;
  title: string | null;
  segments: number;
  words: number;
  /** Segments with at least one coding (any coder). */
  coded: number;
  /** coded / segments × 100, one decimal. */
  coded_pct: number;
}

/** Words as a reader counts them: runs of characters between white space. */
export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const white = unit === 0x20 || unit === 0x0a || unit === 0x09 || unit === 0xa0 || unit === 0x0d;
    if (!white && !inWord) words++;
    inWord = !white;
  }
  return words;
}

/** `qcode docs list`: every document with its case, segments, words (of its segments) and coded share. */
export function listDocuments(project: Project): DocumentSummary[] {
  const words = new Map<number, number>();
  for (const row of iterateSegmentTexts(project.db)) words.set(row.document_id, (words.get(row.document_id) ?? 0) + countWords(row.text));
  return listStoredDocuments(project.db).map((row) => ({
    slug: row.slug,
    case: row.case_id,
    kind: row.kind,
    language: row.language,
    format: row.format,
    title: row.title,
    segments: row.segments,
    words: words.get(row.id) ?? 0,
    coded: row.coded,
    coded_pct: row.segments === 0 ? 0 : Math.round((row.coded / row.segments) * 1000) / 10,
  }));
}

/** A document by slug (or numeric id), with a did-you-mean when it does not exist. */
export function resolveDocument(project: Project, ref: string): StoredDocument {
  const bySlug = documentBySlug(project.db, ref);
  if (bySlug !== undefined) return bySlug;
  if (/^\d+$/.test(ref)) {
    const byId = documentById(project.db, Number(ref));
    if (byId !== undefined) return byId;
  }
  const slugs = listDocumentSlugs(project.db);
  throw new UserError(`no document "${ref}"${didYouMeanSuffix(ref, slugs)}`, { hint: slugs.length === 0 ? 'Import some with: qcode import FILES' : 'List them with: qcode docs list' });
}

export interface DocumentView {
  document: StoredDocument & { segments: number; words: number };
  segments: StoredSegment[];
}

/**
 * The encoding as import reports it ("UTF-8", "windows-1251"): the store keeps qcode's own key ("utf8"),
 * and anything else (a REFI-QDA project's own word) as it came.
 */
function encodingLabel(stored: string | null): string | null {
  return stored !== null && Object.hasOwn(ENCODING_LABELS, stored) ? ENCODING_LABELS[stored as Encoding] : stored;
}

/** `qcode docs show DOC`: the document's metadata and its segments in order. */
export function showDocument(project: Project, ref: string): DocumentView {
  const document = resolveDocument(project, ref);
  const segments = documentSegments(project.db, document.id);
  const words = segments.reduce((sum, segment) => sum + countWords(segment.text), 0);
  return { document: { ...document, encoding: encodingLabel(document.encoding), segments: segments.length, words }, segments };
}
