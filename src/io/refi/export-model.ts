import type { ProjectCodebook } from '../../core/codebook.js';

// What the REFI-QDA writers need, as plain data: the app layer gathers it from the store, so the
// writers never see a database and tests can call them with literals.

export interface ExportCodebook extends ProjectCodebook {
  title: string | null;
}

export interface ExportDocument {
  slug: string;
  title: string | null;
  kind: string;
  language: string | null;
  /** The source's file name only: a local folder path could say whose computer it came from. */
  fileName: string | null;
  format: string;
  encoding: string | null;
  text: string;
  importedAt: string;
  /** The document's segments in text order. */
  segments: ExportSegment[];
  /**
   * Indexes into `segments` that a coder has seen without coding, by coder; and coded ones seen in a full
   * pass where that coder also has pass marks (`passes`), since there a coding alone does not say so.
   */
  seenUncoded: Record<string, number[]>;
  /** One-dimension pass marks (qcode code --dimension D): indexes into `segments`, by coder and dimension id. */
  passes?: Record<string, Record<string, number[]>>;
}

export interface ExportSegment {
  start: number;
  end: number;
  speaker: string | null;
  tStart: number | null;
  tEnd: number | null;
}

/** A coding by its document positions: a whole-segment coding spans its segment. */
export interface ExportCoding {
  document: string;
  start: number;
  end: number;
  codeId: string;
  coder: string;
  createdAt: string;
}

export type MemoTarget =
  | { kind: 'project' }
  | { kind: 'document'; document: string }
  | { kind: 'segment'; document: string; start: number; end: number }
  | { kind: 'code'; codeId: string }
  | { kind: 'case'; caseId: string };

export interface ExportMemo {
  /** The memo's id in the store, to name it in messages. */
  id?: number;
  target: MemoTarget;
  coder: string | null;
  text: string;
  createdAt: string;
  updatedAt: string;
}

export interface ExportCase {
  id: string;
  kind: string;
  values: Array<{ attribute: string; value: string }>;
  documents: string[];
}

/** A withdrawal of consent's tombstone of a document: the hash of a removed text, never the text. */
export interface ExportRemovedDocument {
  sha256: string;
  slug: string;
  caseId: string | null;
  removedAt: string;
}

export interface ExportProject {
  name: string;
  createdAt: string | null;
  origin: string;
  codebook: ExportCodebook;
  coders: string[];
  cases: ExportCase[];
  documents: ExportDocument[];
  codings: ExportCoding[];
  memos: ExportMemo[];
  /** Documents and cases removed on a withdrawal of consent, so that a project rebuilt from the file refuses them too. */
  removed?: { documents: ExportRemovedDocument[]; cases: Array<{ id: string; removedAt: string }> };
}
