import { describe, expect, it } from 'vitest';
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
