// Shared by the PSPP and R tests: two exported projects and qcode's own numbers to compare with.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeFrequencies, cooccur } from '../src/app/analysis.js';
import { exportAll } from '../src/app/export.js';
import { closeProject, openProject } from '../src/app/project.js';
import { handCountedProject, seedAnalysisProject, type SeedDocument } from './analysis-seed.js';
import { CODEBOOKS, tempDir } from './helpers.js';

/** Whether a program runs; when it does not, the tests that need it are skipped with a visible warning. */
export function available(program: string, args: string[], name: string): boolean {
  const ok = spawnSync(program, args, { encoding: 'utf8' }).status === 0;
  if (!ok) console.warn(`\n⚠ ${name} is not installed: its export tests are skipped (apt-get install ${name === 'GNU PSPP' ? 'pspp' : 'r-base-core'})\n`);
  return ok;
}

export interface Expected {
  segments: number;
  codings: number;
  /** Segments per code column. */
  perCode: Record<string, number>;
  /** Segments per value of the crosstab attribute carrying the crosstab code (H2's first column). */
  crosstab: { attribute: string; column: string; cells: Record<string, number>; units: Record<string, number>; labels: Record<string, string> };
}

export interface ExportedProject {
  out: string;
  expected: Expected;
}

/**
 * A project with the bundled codebook (62 codes, Russian labels, seven host countries) and coded
 * segments drawn from a fixed-seed generator, some with line breaks, quotes and formula-like starts.
 */
export async function bundledProject(): Promise<string> {
  let state = 20250101;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const codes = [...readFileSync(join(CODEBOOKS, 'political-remittances.yaml'), 'utf8').matchAll(/^ {2}- id: (\w+)$|^ {6}- id: (\w+)$/gm)];
  const ids: string[] = [];
  let dimension = '';
  for (const match of codes) {
    if (match[1]) dimension = match[1];
    else if (match[2]) ids.push(`${dimension}.${match[2]}`);
  }
  const exclusive = ids.filter((id) => id.startsWith('migration_effect.'));
  const others = ids.filter((id) => !id.startsWith('migration_effect.'));
  const countries = ['LT', 'LV', 'PL', 'DE', 'UK', 'FI', 'ES'];
  const texts = ['Мы вышли на пикет у посольства.', 'We wrote an open letter, "together".', '=1+2 is not a formula here', 'Line one\nline two', "It's a long story — долгая история.", '-'];
  const documents: SeedDocument[] = Array.from({ length: 6 }, (_, d) => ({
    slug: `doc-${d + 1}`,
    case: `R${d + 1}`,
    segments: Array.from({ length: 25 }, (_, s) => {
      const codings = [];
      for (const coder of ['anna', 'boris']) {
        if (next() < 0.3) codings.push({ code: exclusive[Math.floor(next() * exclusive.length)]!, coder });
        for (let k = 0; k < 3; k++) if (next() < 0.4) codings.push({ code: others[Math.floor(next() * others.length)]!, coder });
      }
      const unique = [...new Map(codings.map((coding) => [`${coding.code}/${coding.coder}`, coding])).values()];
      return { speaker: s % 2 === 0 ? 'Интервьюер' : 'Респондент', text: `${texts[(d + s) % texts.length]} ${s}`, codings: unique };
    }),
  }));
  return seedAnalysisProject({
    codebook: readFileSync(join(CODEBOOKS, 'political-remittances.yaml'), 'utf8'),
    cases: documents.map((document, d) => ({ id: document.case!, values: { host_country: countries[d % countries.length]!, emigration_year: String(2014 + d) } })),
    documents,
  });
}

/** Exports a project and computes what the clients must find, from qcode's own analysis. */
export function exportWithExpectations(dir: string, options: { language?: string; excel?: boolean } = {}): ExportedProject {
  const project = openProject({ project: dir });
  try {
    const out = join(tempDir('qcode-export-'), 'exports');
    const report = exportAll(project, { out, language: options.language, excel: options.excel });
    const stats = codeFrequencies(project, {});
    const h2 = cooccur(project, { hypothesis: 'H2' }).tables[0]!.table;
    const column = h2.columns[0]!;
    const cells: Record<string, number> = {};
    const units: Record<string, number> = {};
    const labels: Record<string, string> = {};
    h2.rows.forEach((row, r) => {
      if (row.kind !== 'value' || row.value === null) return;
      const value = row.id.slice(row.id.indexOf('=') + 1);
      cells[value] = h2.cells[r]![0]!.nab;
      units[value] = row.n;
      labels[value] = row.label;
    });
    return {
      out,
      expected: {
        segments: stats.unitCount,
        codings: report.files.find((file) => file.file === 'codings.csv')!.rows!,
        perCode: Object.fromEntries(stats.rows.map((row) => [row.code.replaceAll('.', '_'), row.n])),
        crosstab: { attribute: h2.rows[0]!.group.replace('attribute:', ''), column: column.id.replaceAll('.', '_'), cells, units, labels },
      },
    };
  } finally {
    closeProject(project);
  }
}

export async function handCountedExport(): Promise<ExportedProject> {
  return exportWithExpectations(await seedAnalysisProject(handCountedProject()));
}
