import Database from 'better-sqlite3';
import { basename } from 'node:path';
import { benchCodes } from './codebook.js';
import { CODERS, planCodings, type Corpus, type DocumentPlacement } from './corpus.js';
import { configure, corpusIndex, corpusInserter, DOCUMENTS_PER_TRANSACTION, prepareDocuments } from './floor-import.js';

// Setup steps the benchmark does behind qcode's back, only where qcode cannot do them (yet): finding
// which slug and ordinals the import gave each transcript, and loading documents or codings directly
// when `qcode import` or `qcode tag --from` is not available, so that the other figures can still be
// measured on a full store.

function open(dbPath: string): Database.Database {
  const db = new Database(dbPath, { fileMustExist: true });
  configure(db);
  return db;
}

export interface PlacementReport {
  placements: Map<number, DocumentPlacement>;
  warnings: string[];
  segments: number;
}

/** Reads back where each corpus transcript landed: its slug, and the ordinal of each of its turns. */
export function readPlacements(dbPath: string, corpus: Corpus): PlacementReport {
  const db = open(dbPath);
  try {
    const documents = db.prepare('SELECT id, slug, source_path AS sourcePath FROM documents').all() as Array<{ id: number; slug: string; sourcePath: string | null }>;
    const spans = new Map(
      (db.prepare('SELECT document_id AS id, min(ordinal) AS first, max(ordinal) AS last, count(*) AS n FROM segments GROUP BY document_id').all() as Array<{
        id: number; first: number; last: number; n: number;
      }>).map((row) => [row.id, row]),
    );
    const byFile = new Map<string, (typeof documents)[number]>();
    for (const document of documents) {
      if (document.sourcePath) byFile.set(basename(document.sourcePath), document);
      byFile.set(`slug:${document.slug}`, document);
    }
    const placements = new Map<number, DocumentPlacement>();
    const warnings: string[] = [];
    let segments = 0;
    for (const source of corpus.documents) {
      const stored = byFile.get(source.file) ?? byFile.get(`slug:${source.stem}`);
      if (!stored) {
        warnings.push(`${source.file} is not in the store`);
        continue;
      }
      const span = spans.get(stored.id);
      if (!span) {
        warnings.push(`${source.file} has no segments`);
        continue;
      }
      segments += span.n;
      if (span.n !== source.turns || span.last - span.first + 1 !== span.n) {
        warnings.push(`${source.file}: ${span.n} segments (ordinals ${span.first}..${span.last}) for ${source.turns} speaker turns`);
      }
      const { first, last } = span;
      placements.set(source.index, { slug: stored.slug, ordinalOfTurn: (turn) => (first + turn <= last ? first + turn : null) });
    }
    return { placements, warnings, segments };
  } finally {
    db.close();
  }
}

/** Puts the corpus into the project's store the way the import floor does (used only when qcode import is missing). */
export function importDirect(dbPath: string, corpusDir: string): void {
  const sources = corpusIndex(corpusDir);
  const db = open(dbPath);
  try {
    const insert = corpusInserter(db);
    for (let first = 0; first < sources.length; first += DOCUMENTS_PER_TRANSACTION) {
      insert(prepareDocuments(corpusDir, sources.slice(first, first + DOCUMENTS_PER_TRANSACTION)));
    }
  } finally {
    db.close();
  }
}

/** Inserts the planned codings of coders A, B and C directly (used only when qcode tag --from is missing or fails). */
export function loadCodingsDirect(dbPath: string, corpus: Corpus, placements: ReadonlyMap<number, DocumentPlacement>): number {
  const db = open(dbPath);
  const codes = benchCodes();
  try {
    const coderIds = new Map<string, number>();
    const insertCoder = db.prepare('INSERT INTO coders (name) VALUES (?) ON CONFLICT (name) DO NOTHING');
    const findCoder = db.prepare('SELECT id FROM coders WHERE name = ?');
    const segmentOf = db.prepare('SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = ? AND s.ordinal = ?').pluck();
    const insertCoding = db.prepare(`
      INSERT INTO codings (segment_id, code_id, coder_id, created_at) VALUES (?, ?, ?, '2024-06-01T00:00:00.000Z')
      ON CONFLICT DO NOTHING`);
    let rows = 0;
    db.transaction(() => {
      for (const coder of CODERS) {
        insertCoder.run(coder);
        coderIds.set(coder, findCoder.pluck().get(coder) as number);
      }
      for (const document of corpus.documents) {
        const placement = placements.get(document.index);
        if (!placement) continue;
        const segmentIds = new Map<number, number>();
        for (const coding of planCodings(corpus.seed, document, codes)) {
          const ordinal = placement.ordinalOfTurn(coding.turn);
          if (ordinal === null) continue;
          let segmentId = segmentIds.get(ordinal);
          if (segmentId === undefined) {
            segmentId = segmentOf.get(placement.slug, ordinal) as number;
            segmentIds.set(ordinal, segmentId);
          }
          rows += insertCoding.run(segmentId, coding.code, coderIds.get(coding.coder)).changes;
        }
      }
    })();
    return rows;
  } finally {
    db.close();
  }
}

/**
 * Records every segment as seen by coders A, B and C, as if each had worked through the whole corpus,
 * so that agreement has its units whether or not tag --from records "seen". Returns the rows added.
 */
export function markAllSeen(dbPath: string): number {
  const db = open(dbPath);
  try {
    return db
      .prepare(`
        INSERT OR IGNORE INTO seen (segment_id, coder_id, at)
        SELECT s.id, c.id, '2024-06-01T00:00:00.000Z' FROM segments s CROSS JOIN coders c WHERE c.name IN (${CODERS.map(() => '?').join(', ')})`)
      .run(...CODERS).changes;
  } finally {
    db.close();
  }
}

export interface StoreCounts {
  documents: number;
  segments: number;
  codings: number;
  coders: number;
  seen: number;
}

export function storeCounts(dbPath: string): StoreCounts {
  const db = open(dbPath);
  try {
    const count = (table: string): number => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return { documents: count('documents'), segments: count('segments'), codings: count('codings'), coders: count('coders'), seen: count('seen') };
  } finally {
    db.close();
  }
}

/** Folds the write-ahead log into the main file, so that a copy of qcode.db alone is the whole store. */
export function checkpoint(dbPath: string): void {
  const db = open(dbPath);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

export function sqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get() as string;
  } finally {
    db.close();
  }
}
