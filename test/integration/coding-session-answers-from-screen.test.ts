import { describe, expect, it } from 'vitest';
import { CodingSession, tagSegment, untagSegment } from '../../src/app/coding.js';
import { sessionSummary } from '../../src/cli/coder/code-source.js';
import { openForTest as project, query, seedInterviews } from '../seed.js';

function coded(dir: string, coder: string): string[] {
  return query<{ item: string }>(dir, `
    SELECT s.ordinal || ' ' || k.code_id AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = k.coder_id
    WHERE r.name = ? AND d.slug = 'r01-vilnius-ru' ORDER BY s.ordinal, k.code_id`, coder).map((row) => row.item);
}

describe('CodingSession.confirm applies what the coder changed on screen', () => {
  it('leaves alone the codes another process gave the segment after it was drawn, and reports them', () => {
    const dir = seedInterviews();
    const session = CodingSession.open(project(dir), { coder: 'zed', document: 'r01-vilnius-ru' });
    expect(session.view()?.given).toEqual([]);
    tagSegment(project(dir), { segment: 'r01-vilnius-ru:1', codes: ['forms.protest', 'forms.online'], coder: 'zed' });
    expect(session.confirm([])).toEqual({ added: [], removed: [], elsewhere: { added: ['forms.protest', 'forms.online'], removed: [] } });
    expect(coded(dir, 'zed')).toEqual(['1 forms.online', '1 forms.protest']);
  });

  it('takes the codes the screen showed as given: unticked ones go, ticked ones come, the rest stays as stored', () => {
    const dir = seedInterviews();
    tagSegment(project(dir), { segment: 'r01-vilnius-ru:2', codes: ['forms.protest', 'forms.media'], coder: 'zed' });
    const session = CodingSession.open(project(dir), { coder: 'zed', document: 'r01-vilnius-ru' });
    session.jump(2);
    const shown = session.view()?.given ?? [];
    expect(shown).toEqual(['forms.protest', 'forms.media']);
    untagSegment(project(dir), { segment: 'r01-vilnius-ru:2', codes: ['forms.media'], coder: 'zed' });
    tagSegment(project(dir), { segment: 'r01-vilnius-ru:2', codes: ['forms.legal_aid'], coder: 'zed' });
    // The coder unticked forms.protest and ticked forms.online; forms.media stays unticked on screen.
    const result = session.confirm(['forms.media', 'forms.online'], shown);
    expect(result).toEqual({ added: ['forms.online'], removed: ['forms.protest'], elsewhere: { added: ['forms.legal_aid'], removed: ['forms.media'] } });
    expect(coded(dir, 'zed')).toEqual(['2 forms.legal_aid', '2 forms.online']);
  });

  it('still refuses, inside the transaction, a second code of an exclusive dimension given elsewhere meanwhile', () => {
    const dir = seedInterviews();
    const session = CodingSession.open(project(dir), { coder: 'zed', document: 'r01-vilnius-ru', dimension: 'migration_effect' });
    expect(session.view()?.given).toEqual([]);
    tagSegment(project(dir), { segment: 'r01-vilnius-ru:1', codes: ['migration_effect.inhibiting'], coder: 'zed' });
    expect(() => session.confirm(['migration_effect.mobilising'])).toThrow(
      'r01-vilnius-ru:1 already has migration_effect.inhibiting from zed; dimension "migration_effect" allows one code per segment: untag it first with qcode untag r01-vilnius-ru:1 migration_effect.inhibiting --coder zed',
    );
    expect(coded(dir, 'zed')).toEqual(['1 migration_effect.inhibiting']);
  });
});

describe('the session summary', () => {
  it('counts a segment answered again after going back once', () => {
    const dir = seedInterviews();
    const session = CodingSession.open(project(dir), { coder: 'zed', document: 'r01-vilnius-ru' });
    session.confirm(['forms.protest']);
    session.confirm([]);
    session.skip();
    expect(session.back()).toBe(true);
    session.view();
    session.confirm(['forms.media']);
    expect(session.back()).toBe(true);
    session.skip();
    expect(session.answered).toBe(3);
    expect(sessionSummary(session, 'quit')).toMatch(/^Stopped: 3 segments answered, all saved\./);
  });
});
