import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { codeCountsDrift, qcodeOk, runQcode, tempDir } from '../helpers.js';

// The per-code counts of migration 6 are kept by triggers. These tests take the SQL shapes qcode's write
// paths use (and some no path uses yet) and compare the kept counts with a recount after each.

const CODES = ['forms.protest', 'forms.media', 'audiences.diaspora'];

/** A store at the current schema with three codes, two coders and six segments, no codings. */
function emptyStore(): { db: Db; path: string } {
  const path = join(tempDir('qcode-counts-'), 'qcode.db');
  const raw = new Database(path);
  for (const migration of MIGRATIONS) raw.exec(migration);
  raw.pragma(`user_version = ${MIGRATIONS.length}`);
  raw.close();
  const db = openDatabase(path);
  db.exec(`
    INSERT INTO dimensions (id, label, ord) VALUES ('forms', 'Forms', 1), ('audiences', 'Audiences', 2);
    INSERT INTO codes (id, dimension_id, label, ord) VALUES ('forms.protest', 'forms', 'Protest', 1), ('forms.media', 'forms', 'Media', 2),
      ('audiences.diaspora', 'audiences', 'Diaspora', 3);
    INSERT INTO coders (name) VALUES ('anna'), ('boris');
    INSERT INTO documents (slug, kind, format, sha256, text, imported_at) VALUES ('r01', 'interview', 'txt', 'x', 'a b c d e f', 'now');
    INSERT INTO segments (document_id, ordinal, start, "end", text) VALUES (1, 1, 0, 1, 'a'), (1, 2, 2, 3, 'b'), (1, 3, 4, 5, 'c'),
      (1, 4, 6, 7, 'd'), (1, 5, 8, 9, 'e'), (1, 6, 10, 11, 'f');`);
  return { db, path };
}

function kept(db: Db): Record<string, [number, number]> {
  const rows = db.prepare('SELECT code_id, segments, codings FROM code_counts ORDER BY code_id').raw().all() as Array<[string, number, number]>;
  return Object.fromEntries(rows.map(([code, segments, codings]) => [code, [segments, codings]]));
}

function code(db: Db, segment: number, codeId: string, coder: number, span: [number, number] | null = null): void {
  db.prepare('INSERT OR IGNORE INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(segment, codeId, coder, span?.[0] ?? null, span?.[1] ?? null, 'now');
}

describe('per-code counts kept by triggers', () => {
  it('counts a segment once however many coders and spans carry the code, and forgets a code with no codings left', () => {
    const { db, path } = emptyStore();
    try {
      code(db, 1, 'forms.protest', 1);
      code(db, 1, 'forms.protest', 2);
      code(db, 1, 'forms.protest', 1, [0, 1]);
      code(db, 1, 'forms.protest', 1); // the same coding again: ignored, so no trigger
      code(db, 2, 'forms.protest', 1);
      expect(kept(db)).toEqual({ 'forms.protest': [2, 4] });
      db.prepare("DELETE FROM codings WHERE segment_id = 1 AND coder_id = 1 AND start IS NULL").run();
      expect(kept(db)).toEqual({ 'forms.protest': [2, 3] });
      db.prepare('DELETE FROM codings WHERE segment_id = 1').run();
      expect(kept(db)).toEqual({ 'forms.protest': [1, 1] });
      db.prepare('DELETE FROM codings').run();
      expect(kept(db)).toEqual({});
      expect(codeCountsDrift(path)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('moves the counts with a code merge (UPDATE OR IGNORE, then the leftovers deleted) and with a rename that cascades', () => {
    const { db, path } = emptyStore();
    try {
      code(db, 1, 'forms.media', 1);
      code(db, 1, 'forms.protest', 1); // anna's media coding on segment 1 cannot move: the leftover is deleted
      code(db, 2, 'forms.media', 2);
      code(db, 3, 'forms.media', 1);
      code(db, 3, 'forms.protest', 2); // boris has protest on 3, anna's media moves there: one segment, two codings
      db.prepare("UPDATE OR IGNORE codings SET code_id = 'forms.protest' WHERE code_id = 'forms.media'").run();
      db.prepare("DELETE FROM codings WHERE code_id = 'forms.media'").run();
      expect(kept(db)).toEqual({ 'forms.protest': [3, 4] });
      db.prepare("UPDATE codes SET id = 'forms.street' WHERE id = 'forms.protest'").run();
      expect(kept(db)).toEqual({ 'forms.street': [3, 4] });
      expect(codeCountsDrift(path)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('changes nothing when an update leaves the pair as it was, or moves only the span', () => {
    const { db } = emptyStore();
    try {
      code(db, 1, 'forms.protest', 1, [0, 1]);
      code(db, 2, 'forms.protest', 1);
      db.prepare('UPDATE codings SET code_id = code_id, segment_id = segment_id').run();
      db.prepare('UPDATE codings SET start = start + 0, "end" = "end" + 0 WHERE start IS NOT NULL').run();
      expect(kept(db)).toEqual({ 'forms.protest': [2, 2] });
    } finally {
      db.close();
    }
  });

  it('agrees with a recount after a long random run of inserts, deletes and moves', () => {
    const { db, path } = emptyStore();
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(items: readonly T[]): T => items[next(items.length)] as T;
    try {
      for (let step = 0; step < 600; step++) {
        const action = next(4);
        if (action < 2) code(db, 1 + next(6), pick(CODES), 1 + next(2), next(3) === 0 ? [0, 1] : null);
        else if (action === 2) db.prepare('DELETE FROM codings WHERE id = (SELECT id FROM codings ORDER BY random() LIMIT 1)').run();
        else db.prepare('UPDATE OR IGNORE codings SET code_id = ?, segment_id = ? WHERE id = (SELECT id FROM codings ORDER BY random() LIMIT 1)').run(pick(CODES), 1 + next(6));
        if (step % 50 === 49) expect(codeCountsDrift(path), `after step ${step}`).toEqual([]);
      }
      expect(Object.keys(kept(db)).length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('is filled from the codings already there when a store of schema 5 is opened', () => {
    const path = join(tempDir('qcode-counts-'), 'qcode.db');
    const raw = new Database(path);
    for (const migration of MIGRATIONS.slice(0, 5)) raw.exec(migration);
    raw.pragma('user_version = 5');
    raw.exec(`
      INSERT INTO dimensions (id, label, ord) VALUES ('forms', 'Forms', 1);
      INSERT INTO codes (id, dimension_id, label, ord) VALUES ('forms.protest', 'forms', 'Protest', 1);
      INSERT INTO coders (name) VALUES ('anna'), ('boris');
      INSERT INTO documents (slug, kind, format, sha256, text, imported_at) VALUES ('r01', 'interview', 'txt', 'x', 'a b', 'now');
      INSERT INTO segments (document_id, ordinal, start, "end", text) VALUES (1, 1, 0, 1, 'a'), (1, 2, 2, 3, 'b');
      INSERT INTO codings (segment_id, code_id, coder_id, created_at) VALUES (1, 'forms.protest', 1, 'now'), (1, 'forms.protest', 2, 'now'), (2, 'forms.protest', 1, 'now');`);
    raw.close();
    const db = openDatabase(path);
    try {
      expect(kept(db)).toEqual({ 'forms.protest': [2, 3] });
    } finally {
      db.close();
    }
  });

  it('shows a drift to the suite-wide check, which would otherwise pass every store unseen', () => {
    const { db, path } = emptyStore();
    try {
      code(db, 1, 'forms.protest', 1);
      db.prepare("UPDATE code_counts SET segments = 5 WHERE code_id = 'forms.protest'").run();
      expect(codeCountsDrift(path)).toEqual(['kept forms.protest 5 1', 'recount forms.protest 1 1']);
      db.prepare("UPDATE code_counts SET segments = 1 WHERE code_id = 'forms.protest'").run();
    } finally {
      db.close();
    }
  });

  it('gives qcode stats for all coders the numbers a count over every coder named gives, after an untag and an undo', () => {
    const dir = join(tempDir('qcode-counts-'), 'demo');
    expect(runQcode(['demo', dir]).code).toBe(0);
    const rows = (...coders: string[]): Array<{ code: string; n: number; codings: number }> =>
      (JSON.parse(qcodeOk(dir, 'stats', '--json', ...coders)) as { rows: Array<{ code: string; n: number; codings: number }> }).rows
        .map(({ code: id, n, codings }) => ({ code: id, n, codings }));
    const protest = (list: ReturnType<typeof rows>) => list.find((row) => row.code === 'forms.protest');
    const before = rows();
    expect(protest(before)?.codings).toBeGreaterThan(0);
    expect(before).toEqual(rows('--coders', 'anna,mikhail'));
    const passages = JSON.parse(qcodeOk(dir, 'retrieve', '--code', 'forms.protest', '--json')) as Array<{ document: string; segment: number; codings: Array<{ coder: string }> }>;
    const first = passages.find((item) => item.codings.some((coding) => coding.coder === 'anna'));
    if (first === undefined) throw new Error('the demo has no passage anna coded forms.protest');
    qcodeOk(dir, 'untag', `${first.document}:${first.segment}`, 'forms.protest', '--coder', 'anna');
    const after = rows();
    expect(protest(after)?.codings).toBe((protest(before)?.codings ?? 0) - 1);
    expect(after).toEqual(rows('--coders', 'anna,mikhail'));
    qcodeOk(dir, 'undo', '--coder', 'anna');
    expect(rows()).toEqual(before);
  });
});
