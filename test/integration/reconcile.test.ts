import { describe, expect, it } from 'vitest';
import { CodingSession } from '../../src/app/coding.js';
import { consensusSpans, ReconcileSession } from '../../src/app/reconcile.js';
import { lastUndoableBatch, revertBatch } from '../../src/store/events.js';
import { agreementProject, range, recordWork, type Work } from '../agreement-seed.js';
import { openStore, query, seedProject, withProject } from '../seed.js';

function consensusCodes(dir: string, coder = 'consensus'): string[] {
  return query<{ item: string }>(dir, `
    SELECT d.slug || ':' || s.ordinal || ' ' || k.code_id || ifnull(' [' || k.start || '-' || k."end" || ']', '') AS item
    FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = k.coder_id
    WHERE r.name = ? ORDER BY d.slug, s.ordinal, k.code_id`, coder).map((row) => row.item);
}

function consensusSeen(dir: string): string[] {
  return query<{ item: string }>(dir, `
    SELECT d.slug || ':' || s.ordinal AS item FROM seen v JOIN segments s ON s.id = v.segment_id JOIN documents d ON d.id = s.document_id
    JOIN coders r ON r.id = v.coder_id WHERE r.name = 'consensus' ORDER BY d.slug, s.ordinal`).map((row) => row.item);
}

/** talk:1 agree (protest), talk:2 agree (nothing), talk:3 and talk:4 differ, talk:5 seen by anna only. */
function project(): string {
  const dir = agreementProject({ talk: 5 });
  recordWork(dir, [
    { coder: 'anna', document: 'talk', seen: range(1, 5), codes: { 1: ['topics.protest'], 3: ['topics.protest', 'rating.r1'], 4: ['topics.rare'] } },
    { coder: 'boris', document: 'talk', seen: range(1, 4), codes: { 1: ['topics.protest'], 3: ['topics.protest', 'rating.r2'] } },
  ]);
  return dir;
}

describe('reconcile', () => {
  it('gives agreed segments to the consensus coder and queues the disagreements with the codes both gave', () => {
    const dir = project();
    withProject(dir, (p) => {
      const session = ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' });
      expect(session.agreedCopied).toBe(2);
      expect(session.items.map((item) => ({ at: `${item.place.slug}:${item.place.ordinal}`, first: item.first, second: item.second, both: item.both }))).toEqual([
        { at: 'talk:3', first: ['rating.r1', 'topics.protest'], second: ['rating.r2', 'topics.protest'], both: ['topics.protest'] },
        { at: 'talk:4', first: ['topics.rare'], second: [], both: [] },
      ]);
    });
    expect(consensusCodes(dir)).toEqual(['talk:1 topics.protest']);
    expect(consensusSeen(dir)).toEqual(['talk:1', 'talk:2']);
  });

  it('writes each answer at once and resumes after the last settled disagreement', () => {
    const dir = project();
    withProject(dir, (p) => {
      const session = ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' });
      session.confirm(['topics.protest', 'rating.r2']);
      expect(session.settled).toBe(1);
    });
    expect(consensusCodes(dir)).toEqual(['talk:1 topics.protest', 'talk:3 rating.r2', 'talk:3 topics.protest']);
    withProject(dir, (p) => {
      const again = ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' });
      expect(again.agreedCopied).toBe(0);
      expect(again.items.map((item) => item.place.ordinal)).toEqual([4]);
      again.skip();
      expect(again.current()).toBeNull();
    });
    // A skipped disagreement is offered again.
    withProject(dir, (p) => {
      const third = ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' });
      expect(third.items.map((item) => item.place.ordinal)).toEqual([4]);
      third.confirm([]);
    });
    expect(consensusSeen(dir)).toEqual(['talk:1', 'talk:2', 'talk:3', 'talk:4']);
    withProject(dir, (p) => expect(ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' }).items).toEqual([]));
  });

  it('records answers as undoable actions of the consensus coder', () => {
    const dir = project();
    withProject(dir, (p) => ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' }).confirm(['rating.r1']));
    const db = openStore(dir);
    try {
      const consensus = (db.prepare("SELECT id FROM coders WHERE name = 'consensus'").get() as { id: number }).id;
      const batch = lastUndoableBatch(db, consensus)!;
      expect(revertBatch(db, batch, consensus, {}).codingsRemoved).toBe(1);
    } finally {
      db.close();
    }
    expect(consensusCodes(dir)).toEqual(['talk:1 topics.protest']);
  });

  it('refuses two codes of an exclusive dimension, and a consensus name that is one of the coders', () => {
    const dir = project();
    withProject(dir, (p) => {
      const session = ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' });
      expect(() => session.confirm(['rating.r1', 'rating.r2'])).toThrow(/allows one code per segment/);
      expect(() => session.confirm(['topics.protst'])).toThrow(/cannot be chosen here \(did you mean "topics.protest"\?\)/);
      expect(session.settled).toBe(0);
      expect(() => ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'boris' })).toThrow(/must differ/);
    });
  });

  it("refuses a consensus name under which someone coded on their own, but resumes its own earlier work", () => {
    const dir = project();
    recordWork(dir, [{ coder: 'vera', document: 'talk', seen: [1], codes: { 1: ['topics.rare'] } }]);
    withProject(dir, (p) => {
      expect(() => ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'vera' })).toThrow(/--as vera: "vera" has coded on their own/);
      ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' }).confirm(['topics.protest']);
      expect(ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' }).items).toHaveLength(1);
    });
    expect(consensusCodes(dir, 'vera')).toEqual(['talk:1 topics.rare']);
  });
});

describe('consensusSpans', () => {
  const row = (coder: number, code: string, start: number | null = null, end: number | null = null) => ({ segment_id: 1, coder_id: coder, code_id: code, start, end });
  it.each([
    ['neither coder gave it: whole segment', [], [{ start: null, end: null }]],
    ['one coder gave a span: that span', [row(1, 'c', 3, 9)], [{ start: 3, end: 9 }]],
    ['both gave the same spans: those spans', [row(1, 'c', 3, 9), row(2, 'c', 3, 9)], [{ start: 3, end: 9 }]],
    ['spans differ: whole segment', [row(1, 'c', 3, 9), row(2, 'c', 4, 9)], [{ start: null, end: null }]],
    ['both whole segment', [row(1, 'c'), row(2, 'c')], [{ start: null, end: null }]],
  ])('%s', (_name, rows, expected) => {
    expect(consensusSpans('c', rows, [1, 2])).toEqual(expected);
  });
});

describe('reconcile after one-dimension passes', () => {
  function consensusPassMarks(dir: string): string[] {
    return query<{ item: string }>(dir, `
      SELECT d.slug || ':' || s.ordinal || ' ' || v.dimension_id AS item FROM seen_dimensions v JOIN segments s ON s.id = v.segment_id
      JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = v.coder_id WHERE r.name = 'consensus'
      ORDER BY d.slug, s.ordinal, v.dimension_id`).map((row) => row.item);
  }

  /** boris goes through talk in a one-dimension pass, answering segment by segment. */
  function pass(dir: string, dimension: string, answers: string[][]): void {
    withProject(dir, (p) => {
      const session = CodingSession.open(p, { coder: 'boris', document: 'talk', dimension });
      for (const answer of answers) session.confirm(answer);
    });
  }

  it('marks the consensus seen for the dimensions compared only, and settles the others once both have coded them', () => {
    const dir = agreementProject({ talk: 3 });
    recordWork(dir, [{ coder: 'anna', document: 'talk', seen: range(1, 3), codes: { 2: ['rating.r2', 'topics.protest'], 3: ['topics.rare'] } }]);
    pass(dir, 'rating', [[], ['rating.r2'], []]);
    withProject(dir, (p) => {
      const session = ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' });
      expect(session.agreedCopied).toBe(3);
      expect(session.items).toEqual([]);
    });
    expect(consensusCodes(dir)).toEqual(['talk:2 rating.r2']);
    expect(consensusSeen(dir)).toEqual([]);
    expect(consensusPassMarks(dir)).toEqual(['talk:1 rating', 'talk:2 rating', 'talk:3 rating']);

    pass(dir, 'topics', [[], ['topics.protest'], ['topics.petition']]);
    withProject(dir, (p) => {
      const session = ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' });
      expect(session.agreedCopied).toBe(2);
      expect(session.items.map((item) => ({ at: item.place.ordinal, first: item.first, second: item.second, dimensions: item.dimensions }))).toEqual([
        { at: 3, first: ['topics.rare'], second: ['topics.petition'], dimensions: ['topics'] },
      ]);
      // rating was settled on talk:3 in the first session: this answer cannot touch it.
      expect(() => session.confirm(['rating.r1'])).toThrow(/dimension "rating" is not reconciled on this segment/);
      session.confirm(['topics.rare']);
    });
    expect(consensusCodes(dir)).toEqual(['talk:2 rating.r2', 'talk:2 topics.protest', 'talk:3 topics.rare']);
    expect(consensusPassMarks(dir)).toEqual(['talk:1 rating', 'talk:1 topics', 'talk:2 rating', 'talk:2 topics', 'talk:3 rating', 'talk:3 topics']);
    withProject(dir, (p) => {
      const session = ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' });
      expect([session.agreedCopied, session.items.length]).toEqual([0, 0]);
    });
  });

  describe('label language', () => {
    /** A Russian and an English interview with the bilingual codebook, one disagreement in each. */
    function bilingual(): string {
      const text = (n: number): Array<{ text: string }> => Array.from({ length: n }, (_, i) => ({ text: `line ${i + 1}` }));
      const dir = seedProject([{ slug: 'talk-ru', language: 'ru', segments: text(2) }, { slug: 'talk-en', language: 'en', segments: text(2) }, { slug: 'talk-de', language: 'de', segments: text(2) }]);
      recordWork(dir, ['talk-ru', 'talk-en', 'talk-de'].flatMap((document): Work[] => [
        { coder: 'anna', document, seen: range(1, 2), codes: { 1: ['forms.protest'] } },
        { coder: 'boris', document, seen: range(1, 2), codes: {} },
      ]));
      return dir;
    }
    const languages = (session: ReconcileSession): string[] => session.items.map((item) => `${item.place.slug} ${item.language ?? '(first)'}`);

    it("shows labels in each document's language when the codebook has it, as qcode code does", () => {
      withProject(bilingual(), (p) => {
        expect(languages(ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus' }))).toEqual(['talk-de (first)', 'talk-en en', 'talk-ru ru']);
      });
    });

    it('takes --lang for every document, and refuses a language the codebook lacks before writing anything', () => {
      const dir = bilingual();
      withProject(dir, (p) => {
        expect(languages(ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus', language: 'en' }))).toEqual(['talk-de en', 'talk-en en', 'talk-ru en']);
      });
      const fresh = bilingual();
      withProject(fresh, (p) => {
        expect(() => ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'consensus', language: 'de' })).toThrow(/--lang de: the codebook's languages are en, ru/);
      });
      expect(query(fresh, "SELECT count(*) AS n FROM coders WHERE name = 'consensus'")).toEqual([{ n: 0 }]);
    });
  });
});
