import { describe, expect, it } from 'vitest';
import { runQcode } from '../helpers.js';
import { seedProject } from '../seed.js';

// The search keeps 4 to 64 words of context; a number outside that range is a usage error, not quietly
// changed into one inside it.
describe('qcode search --words', () => {
  const project = (): string => seedProject([{ slug: 'talk', segments: [{ text: `${'before '.repeat(80)}embassy ${'after '.repeat(80)}` }] }]);

  it.each(['200', '65', '3', '1', '0', 'abc', '8.5'])('refuses --words %s (exit 2), naming the range', (words) => {
    const result = runQcode(['--project', project(), 'search', 'embassy', '--words', words]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([`Error: --words must be a whole number from 4 to 64, not "${words}"`]);
  });

  it.each(['4', '64'])('takes --words %s, the ends of the range', (words) => {
    const result = runQcode(['--project', project(), 'search', 'embassy', '--words', words, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { total: number; results: Array<{ snippet: string }> };
    expect(report.total).toBe(1);
    expect(report.results[0]?.snippet).toContain('embassy');
  });
});
