import { describe, expect, it } from 'vitest';
import { runQcode, runQcodeAsync } from '../helpers.js';
import { openStore, query, seedInterviews, seedProject } from '../seed.js';

function qcode(dir: string, args: string[]) {
  return runQcode(['--project', dir, ...args]);
}

function autocoded(dir: string, coder = 'auto'): string[] {
  return query<{ item: string }>(dir, `
    SELECT d.slug || ':' || s.ordinal AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = k.coder_id WHERE r.name = ? ORDER BY d.slug, s.ordinal`, coder).map((row) => row.item);
}

const small = () => seedProject([{
  slug: 'mixed',
  segments: [
    { speaker: 'I', text: 'Вы ходили на МИТИНГИ в Вильнюсе?' },
    { speaker: 'R', text: 'Да, на митинг у посольства и на пикеты.' },
    { speaker: 'R', text: 'We wrote an open letter to the Seimas.' },
    { speaker: 'R', text: 'An open and honest letter, not a petition.' },
    { speaker: 'R', text: 'Полиция нас не трогала, протест был мирным.' },
  ],
}]);

describe('qcode autocode', () => {
  it.each([
    ['митинг', ['mixed:2']],
    ['митинг*', ['mixed:1', 'mixed:2']],
    ['МИТИНГИ', ['mixed:1']],
    ['"open letter"', ['mixed:3']],
    ['open letter', ['mixed:3', 'mixed:4']],
    ['пикеты OR протест', ['mixed:2', 'mixed:5']],
    ['letter NOT petition', ['mixed:3']],
  ])('%s matches %j', (query, expected) => {
    const dir = small();
    const result = qcode(dir, ['autocode', '--query', query, '--code', 'forms.protest', '--dry-run', '--json']);
    expect(result.stderr).toBe('');
    expect((JSON.parse(result.stdout) as { hits: Array<{ segment: string }> }).hits.map((hit) => hit.segment)).toEqual(expected);
    expect(autocoded(dir)).toEqual([]);
  });

  it('lists hits in context with the count on a dry run', () => {
    const dir = small();
    const result = qcode(dir, ['autocode', '--query', 'митинг*', '--code', 'forms.protest', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('mixed:2  R');
    expect(result.stdout).toContain('Да, на [митинг] у посольства');
    expect(result.stdout).toContain('2 segments match митинг*; 0 already have forms.protest from auto. Dry run: nothing was written.');
  });

  it('tags every hit as one batch for coder auto, and undo reverts the whole run', () => {
    const dir = seedInterviews();
    const result = qcode(dir, ['autocode', '--query', 'организац*', '--code', 'forms.protest']);
    expect(result.code).toBe(0);
    const hits = autocoded(dir);
    expect(hits.length).toBeGreaterThan(1);
    expect(result.stdout).toContain(`Tagged ${hits.length} segments with forms.protest (coder auto)`);
    expect(query(dir, "SELECT count(DISTINCT batch) AS n FROM events WHERE action = 'tag'")).toEqual([{ n: 1 }]);
    const again = qcode(dir, ['autocode', '--query', 'организац*', '--code', 'forms.protest']);
    expect(again.stdout).toContain(`Tagged 0 segments with forms.protest (coder auto); ${hits.length} already had it.`);
    const undo = qcode(dir, ['undo', '--coder', 'auto']);
    expect(undo.stdout).toContain(`Undid autocode организац*: ${hits.length} codings added`);
    expect(autocoded(dir)).toEqual([]);
  });

  it('explains a malformed query with the FTS syntax instead of an SQLite error', () => {
    const dir = small();
    for (const bad of ['"open letter', 'митинг AND', 'e-mail']) {
      const result = qcode(dir, ['autocode', '--query', bad, '--code', 'forms.protest']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('cannot read the query');
      expect(result.stderr).toContain('"an exact phrase", a prefix*');
      expect(result.stderr).not.toContain('SqliteError');
      expect(result.stderr).not.toContain('    at ');
    }
  });

  it('refuses a retired or unknown code, and an exclusive conflict, writing nothing', () => {
    const dir = small();
    expect(qcode(dir, ['autocode', '--query', 'митинг', '--code', 'forms.protst']).stderr).toContain('did you mean "forms.protest"');
    const db = openStore(dir);
    db.prepare("UPDATE codes SET status = 'retired' WHERE id = 'forms.art'").run();
    db.close();
    const retired = qcode(dir, ['autocode', '--query', 'митинг', '--code', 'forms.art']);
    expect(retired.code).toBe(1);
    expect(retired.stderr).toContain('code "forms.art" is retired and cannot be applied');
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);
    expect(qcode(dir, ['tag', 'mixed:2', 'migration_effect.inhibiting', '--coder', 'auto']).code).toBe(0);
    const conflict = qcode(dir, ['autocode', '--query', 'митинг*', '--code', 'migration_effect.mobilising']);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('mixed:2 (migration_effect.inhibiting)');
    expect(autocoded(dir)).toEqual(['mixed:2']);
    // A dry run says what the real run would: the same refusal, not a list of hits that will fail.
    const dry = qcode(dir, ['autocode', '--query', 'митинг*', '--code', 'migration_effect.mobilising', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe('');
    expect(dry.stderr).toContain('mixed:2 (migration_effect.inhibiting)');
  });

  it('keeps to one speaker or document when asked', () => {
    const dir = small();
    const result = qcode(dir, ['autocode', '--query', 'митинг*', '--code', 'forms.protest', '--speaker', 'R', '--document', 'mixed']);
    expect(result.code).toBe(0);
    expect(autocoded(dir)).toEqual(['mixed:2']);
    expect(qcode(dir, ['autocode', '--query', 'x', '--code', 'forms.protest', '--speaker', 'Q']).stderr).toContain('no speaker "Q"');
  });
});

describe('qcode autocode run concurrently', () => {
  it('keeps one code per segment in an exclusive dimension when processes race', async () => {
    const dir = small();
    const coders = ['c1', 'c2', 'c3', 'c4'];
    const runs = coders.flatMap((coder) => ['migration_effect.mobilising', 'migration_effect.inhibiting', 'migration_effect.mobilising', 'migration_effect.inhibiting']
      .map((code) => runQcodeAsync(['--project', dir, 'autocode', '--query', 'митинг*', '--code', code, '--coder', coder])));
    const results = await Promise.all(runs);
    // Every process either wrote or was refused by the rule, in one line: none failed another way.
    for (const result of results) {
      if (result.code !== 0) {
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('another code of exclusive dimension "migration_effect"');
      }
    }
    // Each coder's first run to write tagged both hits; every later run with the other code was refused.
    const perCoder = query<{ coder: string; segments: number; codes: number }>(dir, `
      SELECT r.name AS coder, count(DISTINCT k.segment_id) AS segments, count(DISTINCT k.code_id) AS codes FROM codings k JOIN coders r ON r.id = k.coder_id
      WHERE k.code_id LIKE 'migration_effect.%' GROUP BY r.name ORDER BY r.name`);
    expect(perCoder).toEqual(coders.map((coder) => ({ coder, segments: 2, codes: 1 })));
  }, 60_000);
});
