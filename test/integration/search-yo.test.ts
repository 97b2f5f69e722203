import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { search } from '../../src/app/analysis.js';
import { autocode } from '../../src/app/coding.js';
import { importPaths } from '../../src/app/import.js';
import { closeProject, initProject, openProject, type Project } from '../../src/app/project.js';
import { tempDir } from '../helpers.js';

const open: Project[] = [];
afterEach(() => {
  for (const project of open.splice(0)) closeProject(project);
});

async function projectWith(text: string): Promise<Project> {
  const dir = join(tempDir('qcode-yo-'), 'study');
  await initProject({ dir });
  const project = openProject({ project: dir });
  open.push(project);
  const file = join(tempDir(), 'r01.txt');
  writeFileSync(file, text);
  await importPaths(project, [file], { caseId: 'R01' });
  return project;
}

describe('ё and е are one letter to search and autocode', () => {
  const transcript = 'И: Вы ещё участвуете?\nР: Да, еще как. Ёлки-палки!\nИ: А мой друг?\n';

  it('finds both spellings from either, and shows each snippet in its own spelling', async () => {
    const project = await projectWith(transcript);
    for (const query of ['еще', 'ещё', 'ЕЩЁ']) {
      const report = search(project, { query });
      expect(report.total).toBe(2);
      expect(report.results.map((result) => result.snippet.slice(...(result.matches[0] as [number, number]))).sort()).toEqual(['еще', 'ещё']);
    }
    expect(search(project, { query: 'елки' }).results.map((result) => result.snippet)).toEqual(['Да, еще как. Ёлки-палки!']);
    // й is a letter of its own, not и with a diacritic.
    expect(search(project, { query: 'мои' }).total).toBe(0);
  });

  it('autocodes both spellings', async () => {
    const project = await projectWith(transcript);
    const report = autocode(project, { query: 'ещё', code: 'forms.protest', coder: 'auto', dryRun: true });
    expect(report.hits.map((hit) => hit.context)).toEqual(['Вы \u0002ещё\u0003 участвуете?', 'Да, \u0002еще\u0003 как. Ёлки-палки!']);
  });
});
