import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPaths, type ImportOptions } from '../../src/app/import.js';
import { tempDir } from '../helpers.js';
import { newStudy } from '../seed.js';

// A survey's case values are read from its id and attribute columns only; a problem in one of them must
// still be placed at that column of the file, where the user looks for it.

const survey: ImportOptions = { kind: 'survey', idColumn: 'id', textColumns: ['answer'], attributeColumns: ['emigration_year'] };

describe('survey import places a bad case value at its column of the file', () => {
  it('a bad number after a text column is reported at column 3, not 2', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 'survey.csv');
    writeFileSync(file, 'id,answer,emigration_year\nR1,Да,abc\n');
    const report = await importPaths(project, [file], { cwd: tempDir(), ...survey });
    expect(report.files[0]?.status).toBe('failed');
    expect(report.files[0]?.message).toContain(`${file}:2:3: row 2, column emigration_year: emigration_year must be a number, not "abc"`);
    expect(project.db.prepare('SELECT count(*) FROM cases').pluck().get()).toBe(0);
  });

  it('an id column that is not first, an unused column and an undeclared attribute column are placed where they are', async () => {
    const project = await newStudy();
    const file = join(tempDir(), 'survey.csv');
    writeFileSync(file, 'stamp,answer,id,shoe_size\n2024-01-01,Да,R 1,42\n');
    const report = await importPaths(project, [file], { cwd: tempDir(), ...survey, attributeColumns: ['shoe_size'] });
    const message = report.files[0]?.message ?? '';
    expect(message).toContain(`${file}:1:4: row 1, column shoe_size: not a declared attribute`);
    expect(message).toContain(`${file}:2:3: row 2, column id: "R 1" is not a usable case id`);
    expect(message).not.toContain('column stamp');
    expect(message).not.toContain('column answer');
  });
});
