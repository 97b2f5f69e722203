import type { Command } from 'commander';
import { shellQuote } from '../coder/code-source.js';
import { globals } from '../context.js';
import { note, out, writeJson } from '../output.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a project folder: qcode.db (mode 0600) and codebook.yaml from a bundled codebook')
    .argument('[dir]', 'the project folder (created if missing; default: --project, else the current folder)')
    .option('--codebook <name|file>', 'a bundled codebook (political-remittances, example) or a YAML file', 'political-remittances')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  $ qcode init study
  $ qcode init pilot --codebook example
  $ qcode init . --codebook ~/team/codebook.yaml

QCODE_PROJECT is not followed here: with no DIR and no --project, init uses the current folder,
and refuses (exit 2) when QCODE_PROJECT names another one, rather than guess which was meant.`)
    .action(async (given: string | undefined, options: { codebook: string; json?: boolean }, command: Command) => {
      const { initProject, initTarget } = await import('../../app/project.js');
      const dir = initTarget({ dir: given, project: globals(command).project });
      const report = await initProject({ dir, codebook: options.codebook });
      if (options.json) return writeJson(report);
      if (globals(command).quiet) return;
      out(`Created project ${report.dir}`);
      out(`  qcode.db        the store (mode 0600: it holds participants' words; keep it out of shared folders)`);
      out(`  codebook.yaml   codebook "${report.codebook}", ${report.codes} codes: edit it, then run qcode codebook apply`);
      note(`Next: qcode import FILES... --project ${shellQuote(dir)}   (or cd into the folder first)`);
    });
}
