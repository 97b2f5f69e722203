// `cases list --json` and `cases set --json` give a number attribute's value as a JSON number (as
// `documents` is one), null when empty; dates, categories and text stay strings, and the CSV is unchanged.
import { describe, expect, it } from 'vitest';
import { newProject, runQcode } from '../helpers.js';

describe('cases: number attributes in JSON', () => {
  it('are numbers in cases list --json and cases set --json, text in the CSV', () => {
    const project = newProject();
    const set = runQcode(['cases', 'set', 'R1', 'emigration_year=2022.0', 'host_country=DE', 'interview_date=2024-01-02', '--json'], { cwd: project });
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ set: [
      { attribute: 'emigration_year', value: 2022 }, { attribute: 'host_country', value: 'DE' }, { attribute: 'interview_date', value: '2024-01-02' },
    ] });
    expect(runQcode(['cases', 'set', 'R2', 'city=1999'], { cwd: project }).code).toBe(0);

    const listed = runQcode(['cases', 'list', '--json'], { cwd: project });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      { case: 'R1', kind: 'participant', documents: 0, host_country: 'DE', emigration_year: 2022, city: null, interview_date: '2024-01-02' },
      // city is a text attribute: digits stay a string.
      { case: 'R2', kind: 'participant', documents: 0, host_country: null, emigration_year: null, city: '1999', interview_date: null },
    ]);
    expect(runQcode(['cases', 'list', '--csv'], { cwd: project }).stdout).toBe(
      'case,kind,documents,host_country,emigration_year,city,interview_date\nR1,participant,0,DE,2022,,2024-01-02\nR2,participant,0,,,1999,\n',
    );
  });
});
