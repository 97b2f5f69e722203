import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { segmentsInScope } from '../../src/store/team.js';

// Agreement walks segments in id order, each with its document; segmentsInScope reads them from the
// (document_id, ordinal) index and must put them back in id order when the two orders differ.

function store(rows: Array<[id: number, document: number, ordinal: number]>): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE segments (id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL, ordinal INTEGER NOT NULL, UNIQUE (document_id, ordinal))');
  const insert = db.prepare('INSERT INTO segments (id, document_id, ordinal) VALUES (?, ?, ?)');
  for (const row of rows) insert.run(...row);
  return db;
}

function scope(db: Database.Database, documents: number[] | null): Array<[number, number]> {
  const { segmentIds, documentIds } = segmentsInScope(db, documents);
  return [...segmentIds].map((id, i) => [id, documentIds[i]!]);
}

describe('segmentsInScope', () => {
  it('gives segments in id order with their documents when import order and id order agree', () => {
    const db = store([[1, 1, 1], [2, 1, 2], [3, 2, 1], [4, 2, 2]]);
    expect(scope(db, null)).toEqual([[1, 1], [2, 1], [3, 2], [4, 2]]);
    expect(scope(db, [2])).toEqual([[3, 2], [4, 2]]);
  });

  it('restores id order when a document\'s segments were numbered after a later document\'s, or out of ordinal order', () => {
    const db = store([[10, 1, 1], [2, 1, 2], [5, 2, 1], [1, 2, 2], [7, 3, 1]]);
    expect(scope(db, null)).toEqual([[1, 2], [2, 1], [5, 2], [7, 3], [10, 1]]);
    expect(scope(db, [1, 3])).toEqual([[2, 1], [7, 3], [10, 1]]);
  });

  it('gives nothing for an empty scope', () => {
    expect(scope(store([]), null)).toEqual([]);
  });
});
