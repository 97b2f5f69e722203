import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { tempDir } from '../helpers.js';

/** A store at an older schema version, built by running the first migrations by hand. */
function storeAt(version: number, fill: (db: Db) => void): string {
  const path = join(tempDir('qcode-migrations-'), 'qcode.db');
  const raw = new Database(path);
  for (const migration of MIGRATIONS.slice(0, version)) raw.exec(migration);
  raw.pragma(`user_version = ${version}`);
  raw.prepare("INSERT INTO documents (slug, kind, format, sha256, text, imported_at) VALUES ('r01', 'interview', 'txt', 'x', 'Ещё раз. Да.', 'now')").run();
  raw.prepare("INSERT INTO segments (document_id, ordinal, start, \"end\", text) VALUES (1, 1, 0, 8, 'Ещё раз.'), (1, 2, 9, 12, 'Да.')").run();
  fill(raw);
  raw.close();
  return path;
}

describe('schema migrations', () => {
  it('rebuilds the index of a store written before the folding (schema 1)', () => {
    const path = storeAt(1, (raw) => expect(raw.prepare("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'еще'").pluck().get()).toBe(0));
    const upgraded = openDatabase(path);
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(upgraded.prepare("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'еще'").pluck().get()).toBe(1);
    } finally {
      upgraded.close();
    }
  });

  it('drops the seen marks that one-dimension passes wrote before schema 3, keeping full-pass ones', () => {
    const path = storeAt(2, (raw) => {
      raw.exec(`
        INSERT INTO dimensions (id, label, ord) VALUES ('forms', 'Forms', 1);
        INSERT INTO coders (name) VALUES ('anna');
        INSERT INTO seen (segment_id, coder_id, at) VALUES (1, 1, '2026-01-01T10:00:00.000Z'), (2, 1, '2026-01-01T09:00:00.000Z');
        INSERT INTO seen_dimensions (segment_id, coder_id, dimension_id, at) VALUES (1, 1, 'forms', '2026-01-01T10:00:00.000Z'), (2, 1, 'forms', '2026-01-02T10:00:00.000Z');`);
    });
    const upgraded = openDatabase(path);
    try {
      expect(upgraded.prepare('SELECT segment_id FROM seen').pluck().all()).toEqual([2]);
      expect(upgraded.prepare('SELECT segment_id FROM seen_dimensions ORDER BY segment_id').pluck().all()).toEqual([1, 2]);
    } finally {
      upgraded.close();
    }
  });

  it('lets a count by code and coder, spans included, read codings_code alone from schema 4 on', () => {
    const path = storeAt(3, (raw) => {
      raw.exec(`
        INSERT INTO dimensions (id, label, ord) VALUES ('forms', 'Forms', 1);
        INSERT INTO codes (id, dimension_id, label, ord) VALUES ('forms.protest', 'forms', 'Protest', 1);
        INSERT INTO coders (name) VALUES ('anna');
        INSERT INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (1, 'forms.protest', 1, 0, 3, 'now'), (2, 'forms.protest', 1, NULL, NULL, 'now');`);
    });
    const upgraded = openDatabase(path);
    try {
      const plan = upgraded.prepare(`EXPLAIN QUERY PLAN SELECT group_concat(iif(start IS NULL, segment_id, -segment_id)), max("end") FROM codings
        WHERE code_id = 'forms.protest' AND +coder_id IN (1)`).all() as Array<{ detail: string }>;
      expect(plan.map((row) => row.detail).join('; ')).toContain('USING COVERING INDEX codings_code');
      expect(upgraded.prepare("SELECT group_concat(iif(start IS NULL, segment_id, -segment_id)) FROM codings WHERE code_id = 'forms.protest'").pluck().get()).toBe('-1,2');
    } finally {
      upgraded.close();
    }
  });
});
