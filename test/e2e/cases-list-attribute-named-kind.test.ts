// cases list with an attribute named like one of its fixed columns (kind): the attribute gets a column
// of its own (kind_2, as the exports name it) instead of overwriting the case's kind.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, runQcode } from '../helpers.js';

function declareKindAttribute(dir: string): void {
  const file = join(dir, 'codebook.yaml');
  const before = readFileSync(file, 'utf8');
  const after = before.replace('\n  interview_date:\n', '\n  kind:\n    type: number\n    label: Kind\n  interview_date:\n');
  expect(after).not.toBe(before);
  writeFileSync(file, after);
  expect(runQcode(['codebook', 'apply'], { cwd: dir }).code).toBe(0);
}

describe('cases list: an attribute named kind', () => {
  it('is listed as kind_2 in the table, CSV and JSON, next to the case kind', () => {
    const dir = newProject();
    declareKindAttribute(dir);
    expect(runQcode(['cases', 'set', 'C1', 'kind=-1.5'], { cwd: dir }).code).toBe(0);
    expect(runQcode(['cases', 'set', 'C2', 'city=Riga'], { cwd: dir }).code).toBe(0);

    const csv = runQcode(['cases', 'list', '--csv'], { cwd: dir });
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('case,kind,documents,city,kind_2\nC1,participant,0,,-1.5\nC2,participant,0,Riga,\n');

    const json = runQcode(['cases', 'list', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toEqual([
      { case: 'C1', kind: 'participant', documents: 0, city: null, kind_2: -1.5 },
      { case: 'C2', kind: 'participant', documents: 0, city: 'Riga', kind_2: null },
    ]);

    const table = runQcode(['cases', 'list'], { cwd: dir }).stdout.split('\n');
    expect(table[0]?.split(/\s+/)).toEqual(['case', 'kind', 'docs', 'city', 'kind_2']);
    expect(table[2]?.split(/\s+/)).toEqual(['C1', 'participant', '0', '-1.5']);
    expect(table[3]?.split(/\s+/)).toEqual(['C2', 'participant', '0', 'Riga']);
  });
});
