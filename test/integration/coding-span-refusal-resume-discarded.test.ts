import { describe, expect, it } from 'vitest';
import { CodingSession, coderNameProblem, tagSegment, untagSegment } from '../../src/app/coding.js';
import { sessionSummary } from '../../src/cli/coder/code-source.js';
import { errorText } from '../helpers.js';
import { openForTest as project, query, seedInterviews } from '../seed.js';

/** A span inside segment 2 of r02-riga-en, in document code points. */
function spanInSegment2(dir: string): { start: number; end: number } {
  const [segment] = query<{ start: number; end: number }>(dir, `
    SELECT s.start, s."end" FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'r02-riga-en' AND s.ordinal = 2`);
  if (segment === undefined) throw new Error('no segment 2');
  return { start: segment.start + 10, end: segment.start + 50 };
}

/** Runs the "qcode untag …" the refusal suggests, through the same app function the CLI calls. */
function runSuggestedUntags(dir: string, message: string): number {
  const commands = /untag it first with (.*?)(?: — .*)?$/.exec(message)?.[1]?.split(' && ') ?? [];
  expect(commands.length).toBeGreaterThan(0);
  let removed = 0;
  for (const command of commands) {
    const words = command.split(' ');
    expect(words.slice(0, 2)).toEqual(['qcode', 'untag']);
    const option = (name: string): string | undefined => {
      const at = words.indexOf(name);
      return at === -1 ? undefined : words[at + 1];
    };
    const start = option('--start');
    const end = option('--end');
    removed += untagSegment(project(dir), {
      segment: words[2] ?? '',
      codes: [words[3] ?? ''],
      coder: option('--coder') ?? '',
      start: start === undefined ? undefined : Number(start),
      end: end === undefined ? undefined : Number(end),
    }).removed;
  }
  return removed;
}

describe('the exclusive-dimension refusal names the span of the other code', () => {
  it('qcode tag: the suggested untag has --start/--end and removes the coding', () => {
    const dir = seedInterviews();
    const span = spanInSegment2(dir);
    tagSegment(project(dir), { segment: 'r02-riga-en:2', codes: ['migration_effect.inhibiting'], coder: 'zed', ...span });
    const message = errorText(() => tagSegment(project(dir), { segment: 'r02-riga-en:2', codes: ['migration_effect.no_change'], coder: 'zed' }));
    expect(message).toContain('r02-riga-en:2 already has migration_effect.inhibiting from zed');
    expect(message).toContain(`untag it first with qcode untag r02-riga-en:2 migration_effect.inhibiting --start ${span.start} --end ${span.end} --coder zed`);
    expect(runSuggestedUntags(dir, message)).toBe(1);
    tagSegment(project(dir), { segment: 'r02-riga-en:2', codes: ['migration_effect.no_change'], coder: 'zed' });
  });

  it('the coder screen: choosing another code in place of the whole-segment one still meets the span, and says how to untag it', () => {
    const dir = seedInterviews();
    const span = spanInSegment2(dir);
    tagSegment(project(dir), { segment: 'r02-riga-en:2', codes: ['migration_effect.inhibiting'], coder: 'zed', ...span });
    tagSegment(project(dir), { segment: 'r02-riga-en:2', codes: ['migration_effect.inhibiting'], coder: 'zed' });
    const session = CodingSession.open(project(dir), { coder: 'zed', document: 'r02-riga-en' });
    session.jump(2);
    const shown = session.view()?.given ?? [];
    expect(shown).toEqual(['migration_effect.inhibiting']);
    // The round marks swap the whole-segment code for the new one; the span's coding stays and is in the way.
    const message = errorText(() => session.confirm(['migration_effect.no_change'], shown));
    expect(message).toContain('already has migration_effect.inhibiting from zed');
    expect(message).toContain(`untag it first with qcode untag r02-riga-en:2 migration_effect.inhibiting --start ${span.start} --end ${span.end} --coder zed`);
    expect(runSuggestedUntags(dir, message)).toBe(1);
    session.confirm(['migration_effect.no_change'], shown);
  });

  it('one command per place when the other code is on the whole segment and on a span', () => {
    const dir = seedInterviews();
    const span = spanInSegment2(dir);
    tagSegment(project(dir), { segment: 'r02-riga-en:2', codes: ['migration_effect.inhibiting'], coder: 'zed', ...span });
    tagSegment(project(dir), { segment: 'r02-riga-en:2', codes: ['migration_effect.inhibiting'], coder: 'zed' });
    const message = errorText(() => tagSegment(project(dir), { segment: 'r02-riga-en:2', codes: ['migration_effect.no_change'], coder: 'zed' }));
    expect(message).toContain('already has migration_effect.inhibiting from zed');
    expect(message).toContain(`qcode untag r02-riga-en:2 migration_effect.inhibiting --coder zed && qcode untag r02-riga-en:2 migration_effect.inhibiting --start ${span.start} --end ${span.end} --coder zed`);
    expect(runSuggestedUntags(dir, message)).toBe(2);
  });
});

describe('the resume command printed on quitting', () => {
  it('leaves the document out when the session was opened without one, so that resuming goes on past it', () => {
    const dir = seedInterviews();
    const session = CodingSession.open(project(dir), { coder: 'pq' });
    session.confirm([]);
    expect(sessionSummary(session, 'quit')).toBe('Stopped: 1 segment answered, all saved. Resume with: qcode code --coder pq');
  });

  it('keeps the document when the session was opened on it', () => {
    const dir = seedInterviews();
    const session = CodingSession.open(project(dir), { coder: 'pq', document: 'r02-riga-en', speaker: 'R' });
    expect(sessionSummary(session, 'quit')).toBe('Stopped: 0 segments answered, all saved. Resume with: qcode code r02-riga-en --coder pq --speaker R');
  });
});

describe('quitting with a change on screen', () => {
  it('says what was not saved instead of "all saved"', () => {
    const dir = seedInterviews();
    const session = CodingSession.open(project(dir), { coder: 'pq', document: 'r02-riga-en' });
    session.confirm([]);
    session.confirm([]);
    expect(sessionSummary(session, 'quit', { added: ['forms.protest'], removed: ['forms.media'], memoDraft: false })).toBe(
      'Stopped: 2 segments answered and saved; the unsaved change (+forms.protest −forms.media) on r02-riga-en:3 was not saved. Resume with: qcode code r02-riga-en --coder pq');
    expect(sessionSummary(session, 'quit', { added: [], removed: [], memoDraft: true })).toContain('; the memo being typed on r02-riga-en:3 was not saved.');
    expect(sessionSummary(session, 'quit', { added: ['forms.protest'], removed: [], memoDraft: true })).toContain(
      '; the unsaved change (+forms.protest) and the memo being typed on r02-riga-en:3 were not saved.');
  });
});

describe('a coder name typed at the prompt', () => {
  it('is refused with a comma unless the coder exists, and when empty', () => {
    const dir = seedInterviews();
    expect(coderNameProblem(project(dir).db, 'a,b')).toContain('contains a comma, which --coders A,B would read as two coders');
    expect(coderNameProblem(project(dir).db, 'a,b')).not.toContain('--coder:');
    expect(coderNameProblem(project(dir).db, '  ')).toContain('Type a name');
    expect(coderNameProblem(project(dir).db, 'zoe')).toBeUndefined();
  });
});
