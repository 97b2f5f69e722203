import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import iconv from 'iconv-lite';
import { codePointLength } from '../core/text.js';
import { MIGRATIONS } from '../store/migrations.js';
import type { CorpusDocument } from './corpus.js';
import { TRANSCRIPTS_FOLDER } from './corpus.js';

// The import floor: the least work any importer must do to put the corpus into qcode's schema.
// Reading, decoding and segmenting (a plain line split) happen off the clock; the clock covers only
// the inserts of cases, documents and segments (the FTS triggers fire as in qcode) in transactions of
// 200 documents, and closing the store. Documents are prepared one transaction's worth at a time, so
// memory stays bounded at any corpus size. Usage: node dist/bench/floor-import.js CORPUS_DIR DB_FILE

export interface FloorSegment {
  ordinal: number;
  speaker: string | null;
  start: number;
  end: number;
  text: string;
}

export interface FloorDocument {
  source: CorpusDocument;
  slug: string;
  sourcePath: string;
  sha256: string;
  text: string;
  segments: FloorSegment[];
}

const LABEL = /^([^\s:]{1,40}):\s/u;
const IMPORTED_AT = '2024-06-01T00:00:00.000Z';
export const DOCUMENTS_PER_TRANSACTION = 200;

export function corpusIndex(corpusDir: string): CorpusDocument[] {
  return (JSON.parse(readFileSync(join(corpusDir, 'index.json'), 'utf8')) as { documents: CorpusDocument[] }).documents;
}

/** Reads, decodes and splits transcripts: the work done off the clock. */
export function prepareDocuments(corpusDir: string, sources: readonly CorpusDocument[]): FloorDocument[] {
  return sources.map((source) => {
    const sourcePath = join(corpusDir, TRANSCRIPTS_FOLDER, source.file);
    const bytes = readFileSync(sourcePath);
    const decoded = source.encoding === 'cp1251' ? iconv.decode(bytes, 'win1251') : bytes.toString('utf8');
    const text = decoded.normalize('NFC').replace(/\r\n?/g, '\n');
    const segments: FloorSegment[] = [];
    let offset = 0;
    for (const line of text.split('\n')) {
      const length = codePointLength(line);
      if (line.trim() !== '') {
        const label = LABEL.exec(line);
        const skip = label ? codePointLength(label[0]) : 0;
        segments.push({
          ordinal: segments.length + 1,
          speaker: label ? (label[1] as string) : null,
          start: offset + skip,
          end: offset + length,
          text: label ? line.slice(label[0].length) : line,
        });
      }
      offset += length + 1;
    }
    return { source, slug: source.stem, sourcePath, sha256: createHash('sha256').update(bytes).digest('hex'), text, segments };
  });
}

/** A new store with qcode's schema (all migrations, FTS triggers included) and the codebook's attributes. */
export function createFloorStore(path: string): Database.Database {
  const db = new Database(path);
  configure(db);
  db.transaction(() => {
    MIGRATIONS.forEach((migration, version) => {
      db.exec(migration);
      db.pragma(`user_version = ${version + 1}`);
    });
    const attribute = db.prepare("INSERT INTO attributes (name, type, label, ord) VALUES (?, ?, ?, ?)");
    attribute.run('host_country', 'category', 'Host country', 0);
    attribute.run('emigration_year', 'number', 'Year of emigration', 1);
    attribute.run('gender', 'category', 'Gender', 2);
  })();
  return db;
}

/** The pragmas qcode's own store uses (src/store/db.ts), so that the floor writes under the same rules. */
export function configure(db: Database.Database): void {
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
}

/** Returns a function that inserts cases, case values, documents and segments in one transaction per call. */
export function corpusInserter(db: Database.Database): (documents: readonly FloorDocument[]) => number {
  const insertCase = db.prepare('INSERT INTO cases (id) VALUES (?)');
  const insertValue = db.prepare('INSERT INTO case_values (case_id, attribute, value) VALUES (?, ?, ?)');
  const insertDocument = db.prepare(`
    INSERT INTO documents (slug, case_id, title, kind, language, source_path, format, encoding, sha256, text, imported_at)
    VALUES (?, ?, ?, 'interview', ?, ?, 'txt', ?, ?, ?, ?)`);
  const insertSegment = db.prepare('INSERT INTO segments (document_id, ordinal, speaker, start, "end", text) VALUES (?, ?, ?, ?, ?, ?)');
  return db.transaction((slice: readonly FloorDocument[]) => {
    let segments = 0;
    for (const document of slice) {
      const source = document.source;
      insertCase.run(source.caseId);
      insertValue.run(source.caseId, 'host_country', source.hostCountry);
      insertValue.run(source.caseId, 'emigration_year', String(source.emigrationYear));
      insertValue.run(source.caseId, 'gender', source.gender);
      const documentId = insertDocument.run(
        document.slug, source.caseId, document.slug, source.language, document.sourcePath, source.encoding, document.sha256, document.text, IMPORTED_AT,
      ).lastInsertRowid;
      for (const segment of document.segments) {
        insertSegment.run(documentId, segment.ordinal, segment.speaker, segment.start, segment.end, segment.text);
      }
      segments += document.segments.length;
    }
    return segments;
  });
}

function main(corpusDir: string, dbPath: string): void {
  const sources = corpusIndex(corpusDir);
  const db = createFloorStore(dbPath);
  const insert = corpusInserter(db);
  let clock = 0n;
  let segments = 0;
  for (let first = 0; first < sources.length; first += DOCUMENTS_PER_TRANSACTION) {
    const documents = prepareDocuments(corpusDir, sources.slice(first, first + DOCUMENTS_PER_TRANSACTION));
    const started = process.hrtime.bigint();
    segments += insert(documents);
    clock += process.hrtime.bigint() - started;
  }
  const started = process.hrtime.bigint();
  db.close();
  clock += process.hrtime.bigint() - started;
  process.stdout.write(`${JSON.stringify({ insertSeconds: Number(clock) / 1e9, documents: sources.length, segments })}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [corpusDir, dbPath] = process.argv.slice(2);
  if (corpusDir === undefined || dbPath === undefined) {
    process.stderr.write('usage: node dist/bench/floor-import.js CORPUS_DIR DB_FILE\n');
    process.exitCode = 2;
  } else {
    main(corpusDir, dbPath);
  }
}
