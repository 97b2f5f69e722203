import { describe, expect, it } from 'vitest';
import { codeFrequencies, retrieve, search } from '../../src/app/analysis.js';
import { addMemo, listMemosOf } from '../../src/app/memo.js';
import { seedAnalysisProject, TINY_CODEBOOK } from '../analysis-seed.js';
import { withProject } from '../seed.js';

// Case ids, attribute values and speakers are stored in NFC however they were written; what a user
// types on the command line may come decomposed (NFD: ö as o + U+0308, й as и + U+0306) and must find them.

const nfd = (text: string): string => text.normalize('NFD');

// The codebook's own category value is written decomposed, as an editor on macOS may save it.
const CODEBOOK = TINY_CODEBOOK.replace('values: [DE, LT, UK]', `values: [DE, LT, UK, "${nfd('Köln')}"]`);

async function seeded(): Promise<string> {
  return seedAnalysisProject({
    codebook: CODEBOOK,
    cases: [
      { id: 'Йосиф1', values: { country: 'Köln' } },
      { id: 'P2', values: { country: 'DE' } },
    ],
    documents: [
      { slug: 'd1', case: 'Йосиф1', segments: [{ speaker: 'Йосиф', text: 'Мы ещё пикетировали в Köln, 서울에서.', codings: [{ code: 'forms.protest', coder: 'Йоанна' }] }] },
      { slug: 'd2', case: 'P2', segments: [{ speaker: 'R', text: 'A letter.', codings: [{ code: 'forms.protest', coder: 'anna' }] }] },
    ],
  });
}

describe('decomposed identifiers typed on the command line', () => {
  it('nfd() really decomposes the test strings', () => {
    for (const text of ['Köln', 'Йосиф1', 'ещё', 'Йоанна', '서울에서']) expect(nfd(text), text).not.toBe(text);
  });

  it('memo add and memo list --case find a case whose id was typed decomposed, and store the NFC id', async () => {
    const dir = await seeded();
    withProject(dir, (project) => {
      expect(addMemo(project, { case: nfd('Йосиф1'), text: 'Declined a follow-up' }).target).toBe('case Йосиф1');
      expect(listMemosOf(project, { case: nfd('Йосиф1') }).map((memo) => memo.target)).toEqual(['Йосиф1']);
      expect(project.db.prepare("SELECT target_id FROM memos WHERE target_kind = 'case'").pluck().all()).toEqual(['Йосиф1']);
    });
  });

  it('retrieve --where, --speaker and --coder find a value, speaker and coder typed decomposed', async () => {
    const dir = await seeded();
    const documents = (options: Parameters<typeof retrieve>[1]): string[] =>
      withProject(dir, (project) => retrieve(project, options)).passages.map((passage) => passage.document);
    expect(documents({ codes: ['forms.protest'], where: [`country=${nfd('Köln')}`] })).toEqual(['d1']);
    expect(documents({ codes: ['forms.protest'], speaker: nfd('Йосиф') })).toEqual(['d1']);
    expect(documents({ codes: ['forms.protest'], coder: nfd('Йоанна') })).toEqual(['d1']);
  });

  it('stats --by counts the cases of a decomposed codebook value under its NFC value', async () => {
    const dir = await seeded();
    const report = withProject(dir, (project) => codeFrequencies(project, { by: 'attribute:country', coders: nfd('Йоанна') }));
    expect(report.by?.values.find((value) => value.value === 'Köln')?.units).toBe(1);
  });

  it('search finds a word typed decomposed, also where the index does not drop the difference (Hangul jamo)', async () => {
    const dir = await seeded();
    for (const word of ['ещё', 'Köln', '서울에서']) {
      expect(withProject(dir, (project) => search(project, { query: nfd(word) })).results.map((result) => result.document), word).toEqual(['d1']);
    }
  });
});
