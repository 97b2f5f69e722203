import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CodingSession, requireCoderName, tagSegment, type CodingSessionOptions } from '../../src/app/coding.js';
import { sessionSummary } from '../../src/cli/coder/code-source.js';
import { openForTest as project, openStore, query, seedInterviews, seedProject } from '../seed.js';

function coded(dir: string, coder: string): string[] {
  return query<{ item: string }>(dir, `
    SELECT d.slug || ':' || s.ordinal || ' ' || k.code_id AS item
    FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = k.coder_id
    WHERE r.name = ? ORDER BY d.slug, s.ordinal, k.code_id`, coder).map((row) => row.item);
}

describe('CodingSession', () => {
  it('starts at the first document, shows the header facts, and commits each answer before moving on', () => {
    const dir = seedInterviews();
    const session = CodingSession.open(project(dir), { coder: 'anna' });
    const first = session.view();
    expect(first?.document).toMatchObject({ slug: 'r01-vilnius-ru', caseId: 'R01', place: 'Vilnius', segments: 20, seen: 0 });
    expect(first?.segment).toMatchObject({ ordinal: 1, speaker: 'Интервьюер', seen: false });
    expect(first?.previous).toBeNull();

    expect(session.confirm(['forms.protest', 'forms.legal_aid'])).toEqual({ added: ['forms.protest', 'forms.legal_aid'], removed: [] });
    expect(coded(dir, 'anna')).toEqual(['r01-vilnius-ru:1 forms.legal_aid', 'r01-vilnius-ru:1 forms.protest']);
    const second = session.view();
    expect(second?.segment.ordinal).toBe(2);
    expect(second?.previous?.ordinal).toBe(1);
    expect(second?.document.seen).toBe(1);

    session.skip();
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 2 }]);
    expect(session.back()).toBe(true);
    expect(session.view()?.segment.ordinal).toBe(2);
    session.jump(1);
    expect(session.view()?.given).toEqual(['forms.protest', 'forms.legal_aid']);
    expect(session.confirm(['forms.protest'])).toEqual({ added: [], removed: ['forms.legal_aid'] });
    expect(coded(dir, 'anna')).toEqual(['r01-vilnius-ru:1 forms.protest']);
    expect(() => session.jump(99)).toThrow('no segment 99 in r01-vilnius-ru (1–20)');
  });

  it('resumes at the first segment the coder has not seen, and the next document when one is finished', () => {
    const dir = seedInterviews();
    const first = CodingSession.open(project(dir), { coder: 'anna' });
    first.confirm([]);
    first.confirm(['forms.media']);
    first.skip();
    expect(CodingSession.open(project(dir), { coder: 'anna' }).view()?.segment.ordinal).toBe(4);
    expect(CodingSession.open(project(dir), { coder: 'anna', document: 'r02-riga-en' }).view()?.segment.ordinal).toBe(1);
    expect(CodingSession.open(project(dir), { coder: 'boris' }).view()?.segment.ordinal).toBe(1);

    const session = CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru' });
    for (let i = 4; i <= 20; i++) session.skip();
    expect(session.view()).toBeNull();
    const next = CodingSession.open(project(dir), { coder: 'anna' });
    expect(next.view()?.document.slug).toBe('r02-riga-en');
    // A finished document named explicitly opens at its start, for review.
    expect(CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru' }).view()?.segment.ordinal).toBe(1);
  });

  it('moves on to the next unfinished document without DOC', () => {
    const dir = seedProject([
      { slug: 'a', segments: [{ text: 'one' }, { text: 'two' }] },
      { slug: 'b', segments: [{ text: 'three' }] },
    ]);
    const session = CodingSession.open(project(dir), { coder: 'anna' });
    session.skip();
    session.skip();
    expect(session.view()?.document.slug).toBe('b');
    session.confirm(['forms.media']);
    expect(session.view()).toBeNull();
  });

  it('finishes a document only when every segment is seen: after a jump to the end it goes back to the first one left', () => {
    const dir = seedProject([
      { slug: 'a', segments: [{ text: 'one' }, { text: 'two' }, { text: 'three' }, { text: 'four' }] },
      { slug: 'b', segments: [{ text: 'five' }] },
    ]);
    const named = CodingSession.open(project(dir), { coder: 'anna', document: 'a' });
    named.confirm([]);
    named.jump(4);
    named.confirm(['forms.media']);
    expect(named.view()?.segment.ordinal).toBe(2);
    named.skip();
    named.skip();
    // From there it walks on in order, as after going back, through segment 4 coded before.
    expect(named.view()?.segment).toMatchObject({ ordinal: 4, seen: true });
    named.skip();
    expect(named.view()).toBeNull();

    // Without DOC the document on screen is finished before the session moves on.
    const any = CodingSession.open(project(dir), { coder: 'boris' });
    any.jump(3);
    any.skip();
    expect(any.view()?.segment.ordinal).toBe(4);
    any.skip();
    expect(any.view()).toMatchObject({ document: { slug: 'a' }, segment: { ordinal: 1 } });
    any.skip();
    any.skip();
    expect(any.view()?.segment).toMatchObject({ ordinal: 3, seen: true });
    any.skip();
    any.skip();
    expect(any.view()).toMatchObject({ document: { slug: 'b' }, segment: { ordinal: 1 } });
  });

  it('--only-uncoded goes through each document once, rather than coming back to the segments skipped', () => {
    const dir = seedProject([
      { slug: 'a', segments: [{ text: 'one' }, { text: 'two' }] },
      { slug: 'b', segments: [{ text: 'three' }] },
    ]);
    const session = CodingSession.open(project(dir), { coder: 'anna', onlyUncoded: true });
    session.skip();
    session.skip();
    expect(session.view()).toMatchObject({ document: { slug: 'b' }, segment: { ordinal: 1 } });
    session.skip();
    expect(session.view()).toBeNull();

    const named = CodingSession.open(project(dir), { coder: 'anna', document: 'a', onlyUncoded: true });
    named.jump(2);
    named.skip();
    expect(named.view()).toBeNull();
  });

  it('keeps to one speaker with --speaker, and --only-uncoded skips what the coder already coded', () => {
    const dir = seedInterviews();
    const respondent = CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru', speaker: 'Респондент' });
    expect(respondent.view()?.segment.ordinal).toBe(2);
    respondent.confirm(['forms.protest']);
    expect(respondent.view()?.segment.ordinal).toBe(4);
    expect(respondent.back()).toBe(true);
    expect(respondent.view()?.segment.ordinal).toBe(2);
    expect(() => CodingSession.open(project(dir), { coder: 'anna', speaker: 'Респондентка' })).toThrow('did you mean "Респондент"');

    const uncoded = CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru', onlyUncoded: true });
    expect(uncoded.view()?.segment.ordinal).toBe(1);
    uncoded.skip();
    expect(uncoded.view()?.segment.ordinal).toBe(3);
  });

  it('codes one dimension per pass and resumes each pass separately', () => {
    const dir = seedInterviews();
    const forms = CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru', dimension: 'forms' });
    expect(forms.scope.every((code) => code.dimensionId === 'forms')).toBe(true);
    forms.confirm(['forms.protest']);
    forms.confirm([]);
    const networks = CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru', dimension: 'networks' });
    expect(networks.view()?.segment.ordinal).toBe(1);
    networks.confirm(['networks.value_based']);
    // A networks answer leaves the forms codes alone.
    expect(coded(dir, 'anna')).toEqual(['r01-vilnius-ru:1 forms.protest', 'r01-vilnius-ru:1 networks.value_based']);
    expect(CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru', dimension: 'forms' }).view()?.segment.ordinal).toBe(3);
    expect(CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru', dimension: 'networks' }).view()?.segment.ordinal).toBe(2);
    expect(() => CodingSession.open(project(dir), { coder: 'anna', dimension: 'form' })).toThrow('did you mean "forms"');
  });

  it('brings up in a full pass what only one-dimension passes went through, and not the other way round', () => {
    const dir = seedInterviews();
    const forms = CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru', dimension: 'forms' });
    forms.confirm(['forms.protest']);
    forms.confirm([]);
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 0 }]);
    const full = CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru' });
    expect(full.view()?.segment.ordinal).toBe(1);
    expect(full.view()?.given).toEqual(['forms.protest']);
    full.confirm(['forms.protest', 'networks.value_based']);
    full.confirm([]);
    full.confirm([]);
    // Segments 1–3 are seen in full now: a networks pass starts after them, a forms pass too.
    expect(CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru', dimension: 'networks' }).view()?.segment.ordinal).toBe(4);
    expect(CodingSession.open(project(dir), { coder: 'anna', document: 'r01-vilnius-ru', dimension: 'forms' }).view()?.segment.ordinal).toBe(4);
  });

  it('refuses two codes of an exclusive dimension and codes outside the scope, writing nothing', () => {
    const dir = seedInterviews();
    const session = CodingSession.open(project(dir), { coder: 'anna' });
    expect(() => session.confirm(['migration_effect.mobilising', 'migration_effect.inhibiting'])).toThrow('allows one code per segment');
    expect(() => session.confirm(['forms.nonexistent'])).toThrow('cannot be chosen');
    expect(query(dir, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
    expect(session.view()?.segment.ordinal).toBe(1);
  });

  it('adds memos on the current segment and shows them', () => {
    const dir = seedInterviews();
    const session = CodingSession.open(project(dir), { coder: 'anna' });
    session.addMemo('  Compare with R07  ');
    expect(session.view()?.memos).toEqual(['Compare with R07']);
    expect(query(dir, 'SELECT target_kind, target_id, text FROM memos')).toEqual([
      { target_kind: 'segment', target_id: String(query<{ id: number }>(dir, 'SELECT min(id) AS id FROM segments')[0]?.id), text: 'Compare with R07' },
    ]);
  });

  it('runs a fixed number of statements per segment, prepared once, wherever it is in a 150-segment transcript', () => {
    const long = Array.from({ length: 150 }, (_, index) => ({ speaker: index % 2 ? 'R' : 'I', text: `turn ${index + 1}` }));
    const dir = seedProject([{ slug: 'long', segments: long }]);
    const opened = project(dir);
    // Count preparations and executions from the first statement on (the statement cache is per connection).
    const prepare = opened.db.prepare.bind(opened.db);
    let prepared = 0;
    let executed = 0;
    opened.db.prepare = ((sql: string) => {
      prepared++;
      const statement = prepare(sql);
      for (const method of ['run', 'get', 'all', 'iterate'] as const) {
        const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
        (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          executed++;
          return original(...args);
        };
      }
      return statement;
    }) as typeof opened.db.prepare;
    const session = CodingSession.open(opened, { coder: 'anna' });
    const step = (): number => {
      const before = executed;
      session.view();
      session.confirm(['forms.protest']);
      return executed - before;
    };
    step();
    const preparedAfterFirst = prepared;
    const perSegment = Array.from({ length: 140 }, step);
    expect(new Set(perSegment)).toEqual(new Set([perSegment[0]]));
    expect(perSegment[0]).toBeGreaterThan(3);
    expect(perSegment[0]).toBeLessThan(15);
    expect(prepared).toBe(preparedAfterFirst);
    expect(session.view()?.segment.ordinal).toBe(142);
  });
});

describe('CodingSession: what it must not write', () => {
  function coders(dir: string): string[] {
    return query<{ name: string }>(dir, 'SELECT name FROM coders ORDER BY name').map((row) => row.name);
  }

  /** Another process changing the codebook while the session is open (as qcode codebook apply does). */
  function changeCodebook(dir: string, sql: string): void {
    const db = openStore(dir);
    try {
      db.prepare(sql).run();
    } finally {
      db.close();
    }
  }

  it('refuses an answer after the codebook changed (rename or retirement), writing nothing of it', () => {
    for (const sql of [
      "UPDATE codes SET id = 'forms.street_protest' WHERE id = 'forms.protest'",
      "UPDATE codes SET status = 'retired' WHERE id = 'forms.protest'",
    ]) {
      const dir = seedInterviews();
      const session = CodingSession.open(project(dir), { coder: 'zoe', document: 'r01-vilnius-ru' });
      session.confirm(['forms.media']);
      changeCodebook(dir, sql);
      expect(() => session.confirm(['forms.protest'])).toThrow('the codebook changed: this answer was not saved (earlier ones were); quit (^Q) and start qcode code again');
      expect(() => session.skip()).toThrow(/codebook changed/);
      session.addMemo('a memo names no code: still saved');
      expect(session.view()?.segment.ordinal).toBe(2);
      expect(coded(dir, 'zoe')).toEqual(['r01-vilnius-ru:1 forms.media']);
      expect(query(dir, "SELECT count(*) AS n FROM seen v JOIN coders r ON r.id = v.coder_id WHERE r.name = 'zoe'")).toEqual([{ n: 1 }]);
      // A session opened after the change works with the new codebook.
      expect(() => CodingSession.open(project(dir), { coder: 'zoe', document: 'r01-vilnius-ru' }).confirm([])).not.toThrow();
    }
  });

  it("refuses a second code of an exclusive dimension when the coder has one on a span of the segment, as qcode tag does", () => {
    const dir = seedInterviews();
    const [segment] = query<{ start: number; end: number }>(dir, `
      SELECT s.start, s."end" FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'r01-vilnius-ru' AND s.ordinal = 2`);
    tagSegment(project(dir), { segment: 'r01-vilnius-ru:2', codes: ['migration_effect.mobilising'], coder: 'zoe', start: segment!.start, end: segment!.start + 10 });
    expect(() => tagSegment(project(dir), { segment: 'r01-vilnius-ru:2', codes: ['migration_effect.inhibiting'], coder: 'zoe' })).toThrow(/already has migration_effect.mobilising/);
    const session = CodingSession.open(project(dir), { coder: 'zoe', document: 'r01-vilnius-ru' });
    session.jump(2);
    expect(() => session.confirm(['migration_effect.inhibiting'])).toThrow(
      'r01-vilnius-ru:2 already has migration_effect.mobilising from zoe; dimension "migration_effect" allows one code per segment',
    );
    expect(coded(dir, 'zoe')).toEqual(['r01-vilnius-ru:2 migration_effect.mobilising']);
    // The same code as the span's, on the whole segment, is no second code.
    expect(session.confirm(['migration_effect.mobilising'])).toEqual({ added: ['migration_effect.mobilising'], removed: [] });
  });

  it('creates no coder when the session opens or fails to open; its first answer does, if begin() did not', () => {
    const dir = seedInterviews();
    expect(() => CodingSession.open(project(dir), { coder: 'typo_name', document: 'nosuchdoc' })).toThrow(/no document "nosuchdoc"/);
    expect(() => CodingSession.open(project(dir), { coder: 'typo_name', speaker: 'nobody' })).toThrow(/no speaker "nobody"/);
    expect(() => CodingSession.open(project(dir), { coder: 'typo_name', dimension: 'nosuch' })).toThrow(/no dimension "nosuch"/);
    const session = CodingSession.open(project(dir), { coder: 'zoe', document: 'r01-vilnius-ru' });
    expect(session.view()?.segment).toMatchObject({ ordinal: 1, seen: false });
    expect(session.coder).toEqual({ id: null, name: 'zoe' });
    expect(coders(dir)).toEqual([]);
    session.skip();
    expect(coders(dir)).toEqual(['zoe']);
    expect(session.view()?.document.seen).toBe(1);
    session.back();
    expect(session.view()?.segment).toMatchObject({ ordinal: 1, seen: true });
  });
});

/** The words of the "Resume with:" command as a POSIX shell splits them. */
function resumeWords(summary: string): string[] {
  const command = summary.split('Resume with: ')[1] ?? '';
  const shell = spawnSync('/bin/sh', ['-c', `printf '%s\\n' ${command}`], { encoding: 'utf8' });
  expect(shell.status).toBe(0);
  return shell.stdout.split('\n').slice(0, -1);
}

/** The session options those words ask for, read as `qcode code` reads them. */
function optionsOf(words: readonly string[]): CodingSessionOptions {
  expect(words.slice(0, 2)).toEqual(['qcode', 'code']);
  const options: CodingSessionOptions = { coder: '' };
  for (let index = 2; index < words.length; index++) {
    const word = words[index] as string;
    if (word === '--only-uncoded') options.onlyUncoded = true;
    else if (word === '--coder') options.coder = words[++index] as string;
    else if (word === '--dimension') options.dimension = words[++index];
    else if (word === '--speaker') options.speaker = words[++index];
    else if (word.startsWith('--')) throw new Error(`unexpected option ${word}`);
    else options.document = word;
  }
  return options;
}

describe('the resume hint of a stopped coding session', () => {
  it('repeats --dimension, --speaker and --only-uncoded, quoted for the shell, and resumes on the same segment', () => {
    const dir = seedInterviews();
    const options = { coder: "Anna O'Neil", document: 'r01-vilnius-ru', dimension: 'forms', speaker: 'Респондент', onlyUncoded: true };
    const session = CodingSession.open(project(dir), options);
    session.confirm(['forms.protest']);
    const stoppedAt = session.view()?.segment.ordinal;
    expect(stoppedAt).toBe(4); // the respondent's next turn, not segment 1

    const summary = sessionSummary(session, 'quit');
    expect(summary).toBe("Stopped: 1 segment answered, all saved. Resume with: qcode code r01-vilnius-ru --coder 'Anna O'\\''Neil' --dimension forms --speaker Респондент --only-uncoded");
    const words = resumeWords(summary);
    expect(optionsOf(words)).toEqual(options);
    expect(CodingSession.open(project(dir), optionsOf(words)).view()?.segment.ordinal).toBe(stoppedAt);
  });

  it('names only the coder for a session opened without a document', () => {
    const dir = seedInterviews();
    const session = CodingSession.open(project(dir), { coder: 'anna' });
    session.skip();
    expect(sessionSummary(session, 'quit')).toBe('Stopped: 1 segment answered, all saved. Resume with: qcode code --coder anna');
  });
});

describe('requireCoderName', () => {
  it('gives a name typed in decomposed Unicode in composed form, so it names the same coder', () => {
    const decomposed = 'Йосиф'.normalize('NFD');
    expect(decomposed).not.toBe('Йосиф');
    expect(requireCoderName(decomposed)).toBe('Йосиф');
    expect(requireCoderName(undefined, { QCODE_CODER: ` ${decomposed} ` })).toBe('Йосиф');
  });
});
