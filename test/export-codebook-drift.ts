// Shared by the PSPP and R tests: a project whose data drifted from its codebook, as real projects do.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyProjectCodebook } from '../src/app/codebook.js';
import { exportAll } from '../src/app/export.js';
import { closeProject, openProject } from '../src/app/project.js';
import { handCountedProject, seedAnalysisProject, TINY_CODEBOOK } from './analysis-seed.js';
import { tempDir } from './helpers.js';

/**
 * The hand-counted project with whole numbers beyond R's 32-bit integers in `year` (P1 3000000000,
 * P2 1e+21, P3 -12), and LT removed from the codebook's countries after P2 was given it (codebook
 * apply keeps the stored value). Returns the export folder.
 */
export async function driftedExport(): Promise<string> {
  const years = ['3000000000', '1e+21', '-12'];
  const countries = ['DE', 'LT', 'DE'];
  const spec = handCountedProject();
  const dir = await seedAnalysisProject({ ...spec, cases: spec.cases!.map((item, i) => ({ id: item.id, values: { country: countries[i]!, year: years[i]! } })) });
  const project = openProject({ project: dir });
  try {
    writeFileSync(project.codebookPath, TINY_CODEBOOK.replace('values: [DE, LT, UK]', 'values: [DE, UK]').replace('LT: Lithuania, ', ''));
    if (!applyProjectCodebook(project, undefined, false).applied) throw new Error('the codebook without LT was not applied');
    const out = join(tempDir('qcode-export-'), 'exports');
    exportAll(project, { out });
    return out;
  } finally {
    closeProject(project);
  }
}
