import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importPaths } from '../../src/app/import.js';
import { closeProject, initProject, openProject, type Project } from '../../src/app/project.js';
import { tempDir } from '../helpers.js';

const open: Project[] = [];
afterEach(() => {
  for (const project of open.splice(0)) closeProject(project);
});

describe('a survey respondent who is already a case (interviewed too)', () => {
  it('links to the case, keeps its kind, and the report says so once', async () => {
    const dir = join(tempDir('qcode-survey-kind-'), 'study');
    await initProject({ dir });
    const project = openProject({ project: dir });
    open.push(project);
    const files = tempDir('qcode-survey-kind-files-');
    for (const id of ['R1', 'R2', 'R3']) writeFileSync(join(files, `${id}.txt`), `I: Hello.\n\nR: I am ${id}.\n`);
    for (const id of ['R1', 'R2', 'R3']) {
      const report = await importPaths(project, [join(files, `${id}.txt`)], { cwd: files, caseId: id });
      expect(report.totals.failed).toBe(0);
    }
    project.db.prepare("UPDATE cases SET kind = 'expert' WHERE id = 'R3'").run();
    const survey = join(files, 'survey.csv');
    writeFileSync(survey, 'id,q1\nR1,Yes.\nR2,\nR3,No.\nR4,Maybe.\n');

    const report = await importPaths(project, [survey], { cwd: files, kind: 'survey', idColumn: 'id', textColumns: ['q1'] });

    expect(report.totals.failed).toBe(0);
    expect(project.db.prepare('SELECT id, kind FROM cases ORDER BY id').all()).toEqual([
      { id: 'R1', kind: 'participant' }, { id: 'R2', kind: 'participant' }, { id: 'R3', kind: 'expert' }, { id: 'R4', kind: 'respondent' },
    ]);
    expect(project.db.prepare("SELECT slug, case_id AS caseId FROM documents WHERE kind = 'survey' ORDER BY slug").all()).toEqual([
      { slug: 'survey-r1', caseId: 'R1' }, { slug: 'survey-r3', caseId: 'R3' }, { slug: 'survey-r4', caseId: 'R4' },
    ]);
    const message = report.files[0]?.message ?? '';
    expect(message).toContain('3 respondents are existing cases; their kind stays');
    expect(message.split('existing case')).toHaveLength(2);

    // Importing the same survey again: the respondent it created is not "another kind".
    const again = await importPaths(project, [survey], { cwd: files, kind: 'survey', idColumn: 'id', textColumns: ['q1'] });
    expect(again.files[0]?.message).toContain('3 respondents are existing cases; their kind stays');
    expect(project.db.prepare("SELECT kind FROM cases WHERE id = 'R4'").get()).toEqual({ kind: 'respondent' });
  });
});
