import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrations.js';
import { copyProject, newProject, qcodeOk, runQcode, tempDir } from '../helpers.js';
import { query } from '../seed.js';

// Merge through the binary: a colleague's copy written by an older qcode (an older schema), another project
// that is no qcode store this qcode can read, and a coder that an earlier merge over there renamed coming back.

function paragraphs(prefix: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${prefix} paragraph ${i + 1}, with words ${i + 1}.\n\n`).join('');
}

/** A project (example codebook) with g1 of case P1. */
function base(): string {
  const dir = newProject('example');
  const file = join(tempDir('qcode-texts-'), 'g1.txt');
  writeFileSync(file, paragraphs('About the garden and the neighbours,', 6));
  qcodeOk(dir, 'import', file, '--case', 'P1');
  return dir;
}

function codingsOf(dir: string): string[] {
  return query<{ item: string }>(dir, `
    SELECT d.slug || ':' || s.ordinal || ' ' || k.code_id || ' ' || r.name AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = k.coder_id ORDER BY item`).map((row) => row.item);
}

/** Every file of a folder with its bytes: what "only read" must leave as it was (no -wal or -shm added either). */
function folderBytes(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name)).toString('base64')]));
}

/** The project `from` as a qcode of schema 1 would have written it: its rows in a store made by the first migration. */
function asSchemaOne(from: string): string {
  const dir = join(tempDir('qcode-old-'), 'old');
  mkdirSync(dir);
  writeFileSync(join(dir, 'codebook.yaml'), readFileSync(join(from, 'codebook.yaml')));
  const db = new Database(join(dir, 'qcode.db'));
  db.exec(MIGRATIONS[0]!);
  db.prepare('ATTACH ? AS d').run(join(from, 'qcode.db'));
  const tables = ['meta', 'dimensions', 'codes', 'codebook_versions', 'attributes', 'hypotheses', 'cases', 'case_values', 'documents', 'segments',
    'coders', 'codings', 'seen', 'seen_dimensions', 'memos', 'events'];
  for (const table of tables) db.exec(`INSERT INTO main.${table} SELECT * FROM d.${table}`);
  db.exec('DETACH d');
  db.pragma('user_version = 1');
  db.close();
  return dir;
}

describe('merge of a copy written by an older qcode', () => {
  it('merges it as it is (its private copy is upgraded), leaving the other folder byte for byte as it was', () => {
    const dir = base();
    const mine = copyProject(dir, 'mine');
    const colleague = copyProject(dir, 'colleague');
    qcodeOk(colleague, 'tag', 'g1:2', 'motives.food', '--coder', 'boris');
    qcodeOk(colleague, 'memo', 'add', '--segment', 'g1:2', 'Boris on food', '--coder', 'boris');
    const old = asSchemaOne(colleague);
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
    // Read-only, as docs/team.md allows (root ignores it, anyone else would not).
    chmodSync(join(old, 'qcode.db'), 0o444);
    chmodSync(old, 0o555);
    const before = folderBytes(old);
    try {
      const report = JSON.parse(qcodeOk(mine, 'merge', old, '--json')) as { added: Record<string, unknown> };
      expect(report.added).toMatchObject({ coders: 1, codings: 1, memos: 1 });
      expect(codingsOf(mine)).toEqual(['g1:2 motives.food boris']);
      expect(folderBytes(old)).toEqual(before);
      // Nothing comes twice from the upgraded copy.
      expect(JSON.parse(qcodeOk(mine, 'merge', old, '--json')).added).toMatchObject({ coders: 0, codings: 0, memos: 0, events: 0 });
      expect(folderBytes(old)).toEqual(before);
      expect(readdirSync(mine).filter((name) => name.startsWith('.qcode-merge'))).toEqual([]);
    } finally {
      chmodSync(old, 0o755);
    }
  });

  it('names the other project as damaged when its upgrade fails, changing nothing here', () => {
    const dir = base();
    const mine = copyProject(dir, 'mine');
    const old = asSchemaOne(dir);
    const db = new Database(join(old, 'qcode.db'));
    db.exec('DROP TABLE seen');
    db.close();
    const before = folderBytes(mine);
    const result = runQcode(['--project', mine, 'merge', old]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Error: the other project ${join(old, 'qcode.db')} is damaged: no such table: seen; nothing was merged — Ask for a fresh copy of it (or its backup) and merge that\n`);
    expect(folderBytes(mine)).toEqual(before);
  });
});

describe('merge of another project that is no qcode store this qcode reads', () => {
  const cases: Array<[string, (db: string) => void, string, string]> = [
    ['not a SQLite file', (db) => writeFileSync(db, 'hi\n'), 'is not a qcode store (not a SQLite file)', 'Ask for a fresh copy of it (or its backup) and merge that'],
    ['empty', (db) => writeFileSync(db, ''), 'is empty (0 bytes), not a qcode store', 'Ask for a fresh copy of it (or its backup) and merge that'],
    ['written by a newer qcode', (db) => {
      const store = new Database(db);
      store.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      store.close();
    }, `was written by a newer qcode (schema ${SCHEMA_VERSION + 1}; this qcode knows up to ${SCHEMA_VERSION})`, 'Upgrade qcode here (npm install -g qcode@latest) to merge it'],
  ];
  for (const [what, spoil, message, hint] of cases) {
    it(`says so of the other project, not of this one (${what}), changing nothing in either`, () => {
      const here = base();
      const there = copyProject(here, 'there');
      const store = join(there, 'qcode.db');
      spoil(store);
      const before = { here: folderBytes(here), there: folderBytes(there) };
      const result = runQcode(['--project', here, 'merge', there]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`Error: the other project ${store} ${message}; nothing was merged — ${hint}\n`);
      expect({ here: folderBytes(here), there: folderBytes(there) }).toEqual(before);
    });
  }
});

describe('merge back of a coder the other copy brought in under another name', () => {
  /** A and B both with an anna; A merged B's anna in as anna-2. */
  function renamedInA(): { a: string; b: string } {
    const dir = base();
    const a = copyProject(dir, 'A');
    const b = copyProject(dir, 'B');
    qcodeOk(a, 'tag', 'g1:1', 'motives.food', '--coder', 'anna');
    qcodeOk(b, 'tag', 'g1:1', 'motives.civic', '--coder', 'anna');
    qcodeOk(b, 'memo', 'add', '--segment', 'g1:1', 'civic, says anna', '--coder', 'anna');
    qcodeOk(a, 'merge', b, '--rename-coder', 'anna=anna-2');
    return { a, b };
  }

  it('brings anna-2 (B\'s own anna work) back as anna, not as a second coder holding it twice', () => {
    const { a, b } = renamedInA();
    const report = JSON.parse(qcodeOk(b, 'merge', a, '--json')) as { added: Record<string, unknown> };
    expect(report.added).toMatchObject({ coders: 0, memos: 0 });
    expect(query(b, 'SELECT name FROM coders ORDER BY name')).toEqual([{ name: 'anna' }]);
    expect(codingsOf(b)).toEqual(['g1:1 motives.civic anna', 'g1:1 motives.food anna']);
    expect(query(b, 'SELECT count(*) AS n FROM memos')).toEqual([{ n: 1 }]);
    // B's own tag is logged once, not again as a merged one.
    expect(query(b, "SELECT count(*) AS n FROM events WHERE action = 'tag' AND payload LIKE '%motives.civic%'")).toEqual([{ n: 1 }]);
  });

  it('keeps the laptops apart with a rename of A\'s anna, and merging back again adds nothing either way', () => {
    const { a, b } = renamedInA();
    qcodeOk(b, 'merge', a, '--rename-coder', 'anna=anna-a');
    expect(query(b, 'SELECT name FROM coders ORDER BY name')).toEqual([{ name: 'anna' }, { name: 'anna-a' }]);
    expect(codingsOf(b)).toEqual(['g1:1 motives.civic anna', 'g1:1 motives.food anna-a']);
    // A's anna, which B holds as anna-a, comes back to A's anna in turn.
    const back = JSON.parse(qcodeOk(a, 'merge', b, '--rename-coder', 'anna=anna-2', '--json')) as { added: Record<string, unknown> };
    expect(back.added).toMatchObject({ coders: 0, codings: 0, memos: 0 });
    expect(query(a, 'SELECT name FROM coders ORDER BY name')).toEqual([{ name: 'anna' }, { name: 'anna-2' }]);
    expect(codingsOf(a)).toEqual(['g1:1 motives.civic anna-2', 'g1:1 motives.food anna']);
  });

  it('still brings anna-2 in as a coder of its own once anna-2 did work of their own over there', () => {
    const { a, b } = renamedInA();
    qcodeOk(a, 'tag', 'g1:3', 'motives.food', '--coder', 'anna-2');
    qcodeOk(b, 'merge', a, '--rename-coder', 'anna=anna-a');
    expect(query(b, 'SELECT name FROM coders ORDER BY name')).toEqual([{ name: 'anna' }, { name: 'anna-2' }, { name: 'anna-a' }]);
    expect(codingsOf(b)).toContain('g1:3 motives.food anna-2');
  });
});
