import type { Command } from 'commander';
import { resolve } from 'node:path';
import { usageError } from '../../core/errors.js';
import { shellQuote } from '../coder/code-source.js';
import { globals } from '../context.js';
import { note, out, writeJson } from '../output.js';

/**
 * The folder a command that creates one (demo, refi import of a .qdpx) builds in: its DIR, else the global
 * --project, else undefined (its own default). DIR and --project naming two folders is refused, as init
 * refuses it, rather than one of them silently ignored.
 */
export function folderToCreate(verb: string, dir: string | undefined, project: string | undefined): string | undefined {
  if (project === '') throw usageError('--project needs a folder', `Name the folder: qcode ${verb} DIR`);
  if (dir !== undefined && project !== undefined && resolve(dir) !== resolve(project)) {
    throw usageError(`${verb} was given two folders: ${dir} and --project ${project}`, 'Give one of them');
  }
  return dir ?? project;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('build a demo project from the bundled fixtures and print the hypothesis tables H1–H4')
    .argument('[dir]', 'where to build it (default: --project, else qcode-demo; an earlier demo there is replaced only if nothing was changed or added in it)')
    .option('--lang <code>', 'label language of the tables, e.g. ru')
    .option('--json', 'print what was built as JSON (no tables)')
    .addHelpText('after', `
Examples:
  $ qcode demo
  $ qcode demo /tmp/demo --lang ru`)
    .action(async (given: string | undefined, options: { lang?: string; json?: boolean }, command: Command) => {
      const dir = folderToCreate('demo', given, globals(command).project);
      const quiet = (globals(command).quiet ?? false) || options.json;
      const { buildDemo, DEMO_DIR } = await import('../../app/demo.js');
      const report = await buildDemo({ dir, language: options.lang, onStep: quiet ? undefined : (step) => note(`· ${step}`) });
      if (options.json) return writeJson(report);
      out(`\nDemo project ${report.dir}: ${report.documents} documents, ${report.segments} segments, ${report.codings} codings by ${report.coders.join(' and ')}.\n`);
      const { openProject, closeProject } = await import('../../app/project.js');
      const { printHypothesisTables } = await import('../render/cooccur.js');
      const project = openProject({ project: report.dir });
      try {
        await printHypothesisTables(project, options.lang === undefined ? {} : { language: options.lang });
      } finally {
        closeProject(project);
      }
      out(`
Try next (inside ${dir ?? DEMO_DIR}, or with --project ${shellQuote(dir ?? DEMO_DIR)}):
  qcode codebook show                                   the codebook with counts of codings
  qcode cooccur --hypothesis H2 --measure count         one hypothesis, counts instead of c
  qcode retrieve --code remittances.reverse --md        the coded passages, as Markdown
  qcode search 'пикет*'                                 keyword in context, Russian and English
  qcode agreement --coders anna,mikhail                 inter-coder agreement
  qcode export all --out exports                        CSV + SPSS syntax + R script
  qcode code --coder you                                code at the terminal yourself`);
    });
}
