import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { seedAnalysisProject } from '../analysis-seed.js';
import { newProject, runQcode } from '../helpers.js';

// Every listing command takes --json and --csv; both at once must be refused before anything runs,
// not answered in whichever format the command happens to check first.
describe('--json with --csv', () => {
  const listings = [['docs', 'list'], ['cases', 'list'], ['log'], ['memo', 'list'], ['agreement', '--coders', 'anna,mikhail']];

  it.each(listings.map((command) => [command.join(' '), command] as const))('%s is a usage error', (_name, command) => {
    const project = newProject();
    const result = runQcode(['--project', project, ...command, '--json', '--csv']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(['Error: choose one of --csv, --json']);
  });

  it('either flag alone still works', () => {
    const project = newProject();
    const json = runQcode(['--project', project, 'docs', 'list', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    const csv = runQcode(['--project', project, 'cases', 'list', '--csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toMatch(/^case,/);
  });
});

// --excel is `qcode export --excel` for the listings: the BOM first, formula cells guarded by the same function.
describe('--excel on the listings', () => {
  const listings = [['docs', 'list'], ['cases', 'list'], ['log'], ['memo', 'list'], ['agreement', '--coders', 'anna,mikhail'], ['disagreements', '--coders', 'anna,mikhail']];

  it.each(listings.map((command) => [command.join(' '), command] as const))('%s refuses --excel without --csv', (_name, command) => {
    const project = newProject();
    for (const format of [[], ['--json']]) {
      const result = runQcode(['--project', project, ...command, ...format, '--excel']);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual(['Error: --excel only applies to CSV output: use it with --csv']);
    }
  });

  it('guards text cells that a spreadsheet would run, and only with --excel', async () => {
    const project = await seedAnalysisProject({
      cases: [{ id: 'P1', values: { country: 'DE', year: '-1' } }],
      documents: [{ slug: 'd1', case: 'P1', segments: [{ speaker: '@R', text: '+7 said the rally worked.' }, { text: 'Plain.' }] }],
    });
    const cases = runQcode(['--project', project, 'cases', 'list', '--csv', '--excel']);
    expect(cases.code, cases.stderr).toBe(0);
    expect(cases.stdout.startsWith('\uFEFFcase,')).toBe(true);
    expect(parse(cases.stdout, { columns: true, bom: true })).toMatchObject([{ case: 'P1', documents: '1', year: "'-1" }]);
    const plain = runQcode(['--project', project, 'docs', 'show', 'd1', '--csv']);
    expect(plain.stdout.startsWith('id,')).toBe(true);
    expect((parse(plain.stdout, { columns: true }) as Array<Record<string, string>>).map((row) => [row.speaker, row.text])).toEqual([['@R', '+7 said the rally worked.'], ['', 'Plain.']]);
    const segments = runQcode(['--project', project, 'docs', 'show', 'd1', '--csv', '--excel']);
    expect(segments.code, segments.stderr).toBe(0);
    expect(segments.stdout.startsWith('\uFEFFid,')).toBe(true);
    expect((parse(segments.stdout, { columns: true, bom: true }) as Array<Record<string, string>>).map((row) => [row.speaker, row.text])).toEqual([["'@R", "'+7 said the rally worked."], ['', 'Plain.']]);
  });
});
