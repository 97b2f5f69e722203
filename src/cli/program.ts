import { Command, Option } from 'commander';
import { version } from './main.js';
import { registerInit } from './commands/init.js';
import { registerCodebook } from './commands/codebook.js';
import { registerDemo } from './commands/demo.js';
import { registerImport } from './commands/import.js';
import { registerCoding } from './commands/coding.js';
import { registerAnalysis } from './commands/analysis.js';
import { registerExport } from './commands/export.js';
import { registerTeam } from './commands/team.js';
import { registerRefi } from './commands/refi.js';

/** The commander program: global options, then one register call per command group. */
export function buildProgram(): Command {
  const program = new Command('qcode')
    .description('Qualitative coding at the terminal: import transcripts, code them from a YAML codebook, analyse and export.')
    .version(version(), '-V, --version')
    .option('--project <dir>', 'the project folder (default: $QCODE_PROJECT, else the nearest folder upwards holding qcode.db)')
    .option('--quiet', 'print only results and errors')
    .option('--debug', 'print stack traces of errors')
    .addOption(new Option('--no-color', 'no colours (NO_COLOR is honoured too)'))
    .showSuggestionAfterError()
    .exitOverride()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      `
Examples:
  $ qcode demo                                    build a demo project and print the hypothesis tables
  $ qcode init study && cd study                  a new project with the bundled research codebook
  $ qcode import ~/interviews --manifest ~/interviews/manifest.csv
  $ qcode code --coder anna                       code at the terminal, segment by segment
  $ qcode cooccur --hypothesis all                co-occurrence tables of H1–H4
  $ qcode export all --out exports/               CSV + SPSS syntax + R script

Exit codes: 0 ok, 1 error, 2 usage. Docs: README.md and docs/ in the qcode package.`,
    );
  // Subcommands inherit the error handling so that every usage error exits 2 through main().
  program.hook('preAction', () => undefined);
  for (const register of [registerInit, registerDemo, registerCodebook, registerImport, registerCoding, registerAnalysis, registerExport, registerTeam, registerRefi]) {
    register(program);
  }
  applyToAll(program, (command) => command.exitOverride().showSuggestionAfterError());
  return program;
}

function applyToAll(command: Command, apply: (command: Command) => void): void {
  for (const sub of command.commands) {
    apply(sub);
    applyToAll(sub, apply);
  }
}
