import { describe, expect, it } from 'vitest';
import { seedAnalysisProject, TINY_CODEBOOK } from '../analysis-seed.js';
import { runQcode } from '../helpers.js';

// The summary of `export all` is a two-column table: a file name long enough to fill the first column
// (a long hypothesis id) must still leave a gap before its row count.

const LONG_ID = 'H_with_a_very_long_hypothesis_identifier_exceeding_sixty_four_characters';

describe('export all: the summary table', () => {
  it('keeps at least two spaces between a long file name and its row count, and aligns the counts', async () => {
    const dir = await seedAnalysisProject({
      codebook: `${TINY_CODEBOOK}  ${LONG_ID}:\n    title: Forms × forms\n    rows: [forms]\n    columns: [forms]\n`,
      documents: [{ slug: 'd1', segments: [{ text: 'one', codings: [{ code: 'forms.protest', coder: 'anna' }] }] }],
    });
    const result = runQcode(['export', 'all', '--out', 'ex'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => line.endsWith(' rows'));
    const long = lines.find((line) => line.includes('hypothesis_identifier'));
    expect(long).toMatch(/^ {2}cooccur_H_with_a_very_long_\w+\.csv {2,}9 rows$/);
    expect(new Set(lines.map((line) => line.search(/\d+ rows$/))).size).toBe(1);
  });
});
