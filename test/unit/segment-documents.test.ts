import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { segmentDocuments } from '../../src/store/analysis.js';

// segmentDocuments replaces a join with segments in every count; a wrong document here would move
// codings between cases in every table by attribute, so each way it can read the ids is checked.

function store(rows: Array<[id: number, document: number]>): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE segments (id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL, ordinal INTEGER NOT NULL, UNIQUE (document_id, ordinal))');
  const insert = db.prepare('INSERT INTO segments (id, document_id, ordinal) VALUES (?, ?, ?)');
  rows.forEach(([id, document], ordinal) => insert.run(id, document, ordinal + 1));
  return db;
}

function expectEveryId(rows: Array<[number, number]>): void {
  const documentOf = segmentDocuments(store(rows));
  for (const [id, document] of rows) expect(documentOf(id), `segment ${id}`).toBe(document);
}

describe('segmentDocuments', () => {
  it('finds the document of each segment when every document is one run of ids', () => {
    expectEveryId([[1, 7], [2, 7], [3, 7], [4, 2], [5, 2], [6, 9]]);
  });

  it('finds them when a document\'s ids are scattered between other documents\' runs', () => {
    // Document 3's ids 2, 7 and 9 bracket document 5's run 4–6 and document 1's id 8: filling 2–9 with
    // document 3 would take those from them.
    expectEveryId([[2, 3], [4, 5], [5, 5], [6, 5], [9, 3], [10, 8], [11, 8], [7, 3], [8, 1]]);
  });

  it('finds them when ids are far apart, and in documents numbered beyond 32 bits', () => {
    expectEveryId([[1, 1], [2, 1], [50_000_000, 2], [50_000_001, 2]]);
    expectEveryId([[1, 2 ** 40], [2, 2 ** 40], [3, 4]]);
  });

  it('answers undefined for an id that is no segment, and for an empty table', () => {
    const documentOf = segmentDocuments(store([[1, 1], [2, 1], [5, 2], [6, 2]]));
    expect([0, 3, 4, 7, -1].map(documentOf)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(segmentDocuments(store([]))(1)).toBeUndefined();
  });
});
