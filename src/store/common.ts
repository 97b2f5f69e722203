import type { Db } from './db.js';

// Lookups that several use cases share. Statements are prepared once per connection and cached,
// so hot loops (the coder drawing segments, tag --from) never re-prepare.

const cache = new WeakMap<Db, Map<string, import('better-sqlite3').Statement>>();

/** A prepared statement, cached per connection by its SQL text. */
export function statement(db: Db, sql: string): import('better-sqlite3').Statement {
  let statements = cache.get(db);
  if (!statements) {
    statements = new Map();
    cache.set(db, statements);
  }
  let prepared = statements.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    statements.set(sql, prepared);
  }
  return prepared;
}

export function nowIso(): string {
  return new Date().toISOString();
}

export interface CoderRow {
  id: number;
  name: string;
}

export function findCoder(db: Db, name: string): CoderRow | undefined {
  return statement(db, 'SELECT id, name FROM coders WHERE name = ?').get(name) as CoderRow | undefined;
}

/** The coder's row, created on first use. */
export function ensureCoder(db: Db, name: string): CoderRow {
  statement(db, 'INSERT INTO coders (name) VALUES (?) ON CONFLICT (name) DO NOTHING').run(name);
  return findCoder(db, name) as CoderRow;
}

export function listCoders(db: Db): CoderRow[] {
  return statement(db, 'SELECT id, name FROM coders ORDER BY name').all() as CoderRow[];
}

export interface DocumentRef {
  id: number;
  slug: string;
  case_id: string | null;
  title: string | null;
  kind: string;
  language: string | null;
  sha256: string;
}

export function findDocument(db: Db, slug: string): DocumentRef | undefined {
  return statement(db, 'SELECT id, slug, case_id, title, kind, language, sha256 FROM documents WHERE slug = ?').get(slug) as DocumentRef | undefined;
}

export function listDocumentSlugs(db: Db): string[] {
  return (statement(db, 'SELECT slug FROM documents ORDER BY slug').all() as Array<{ slug: string }>).map((row) => row.slug);
}

export interface SegmentRef {
  id: number;
  document_id: number;
  ordinal: number;
  speaker: string | null;
  start: number;
  end: number;
  text: string;
  t_start: number | null;
  t_end: number | null;
}

export function segmentByOrdinal(db: Db, documentId: number, ordinal: number): SegmentRef | undefined {
  return statement(db, 'SELECT * FROM segments WHERE document_id = ? AND ordinal = ?').get(documentId, ordinal) as SegmentRef | undefined;
}

export function segmentById(db: Db, id: number): SegmentRef | undefined {
  return statement(db, 'SELECT * FROM segments WHERE id = ?').get(id) as SegmentRef | undefined;
}

/** Appends to the audit log. `batch` groups the events of one command so that undo reverts them together. */
export function appendEvent(db: Db, event: { coderId: number | null; action: string; batch?: string | null; payload: unknown; at?: string }): void {
  statement(db, 'INSERT INTO events (at, coder_id, action, batch, payload) VALUES (?, ?, ?, ?, ?)').run(
    event.at ?? nowIso(),
    event.coderId,
    event.action,
    event.batch ?? null,
    JSON.stringify(event.payload),
  );
}

export function getMeta(db: Db, key: string): string | undefined {
  return (statement(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  statement(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
