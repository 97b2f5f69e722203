import { Command, Option } from './commander.js';
import { version } from './main.js';
import { didYouMean } from '../core/suggest.js';

type Register = (program: Command) => void;

/**
 * Each command group with the top-level commands it registers. A run loads only the group of the command
 * it names: command modules pull in chalk, string-width and the like, and scripts call qcode in loops.
 * Help, and a word that names no command, load every group. test/unit/program.test.ts holds this table
 * to what the groups really register.
 */
export const COMMAND_GROUPS: ReadonlyArray<{ commands: readonly string[]; load: () => Promise<Register> }> = [
  { commands: ['init'], load: async () => (await import('./commands/init.js')).registerInit },
  { commands: ['demo'], load: async () => (await import('./commands/demo.js')).registerDemo },
  { commands: ['codebook'], load: async () => (await import('./commands/codebook.js')).registerCodebook },
  { commands: ['import', 'cases', 'docs'], load: async () => (await import('./commands/import.js')).registerImport },
  { commands: ['code', 'tag', 'untag', 'autocode', 'memo', 'log', 'undo'], load: async () => (await import('./commands/coding.js')).registerCoding },
  { commands: ['retrieve', 'search', 'stats', 'cooccur'], load: async () => (await import('./commands/analysis.js')).registerAnalysis },
  { commands: ['export'], load: async () => (await import('./commands/export.js')).registerExport },
  { commands: ['agreement', 'disagreements', 'reconcile', 'merge'], load: async () => (await import('./commands/team.js')).registerTeam },
  { commands: ['refi'], load: async () => (await import('./commands/refi.js')).registerRefi },
];

/** The command word of an argv (after node and the script), skipping global options and --project's value. */
export function commandWord(args: readonly string[]): string | undefined {
  const index = commandIndex(args);
  return index === -1 ? undefined : args[index];
}

function commandIndex(args: readonly string[], from = 0): number {
  for (let i = from; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--project') i++;
    else if (!arg.startsWith('-')) return i;
  }
  return -1;
}

/**
 * Commander would print the root help, exit 0, for `qcode nosuch --help` (so a script's typo passes) and for
 * `qcode help nosuch` without a word on what was wrong; it reads only one level of `qcode help codebook
 * check`. This says an unknown word as an unknown command does, with commander's wording, and shows the
 * help of the command the words name.
 */
function checkCommandWords(program: Command, args: readonly string[]): void {
  const word = commandWord(args);
  if (word === undefined) return;
  const asksHelp = word === 'help';
  let command = program;
  let index = asksHelp ? commandIndex(args, commandIndex(args) + 1) : commandIndex(args);
  for (let depth = 0; index !== -1; depth++) {
    const topic = args[index] as string;
    if (asksHelp && depth === 0 && topic === 'help') program.help();
    const names = command.commands.flatMap((sub) => [sub.name(), ...sub.aliases()]);
    const sub = command.commands.find((candidate) => candidate.name() === topic || candidate.aliases().includes(topic));
    if (sub === undefined) {
      // Below the top level a bare argument may be an operand (qcode docs show SLUG): only help walks the whole path.
      if (depth > 0 && (!asksHelp || command.commands.length === 0)) break;
      const guess = didYouMean(topic, names);
      command.error(`error: unknown command '${topic}'${guess === undefined ? '' : `\n(Did you mean ${guess}?)`}`, { code: 'commander.unknownCommand' });
    }
    command = sub as Command;
    if (!asksHelp) break;
    index = commandIndex(args, index + 1);
  }
  if (asksHelp && command !== program) command.help();
}

/** The commander program: global options, then the command groups (only the named one when argv names one). */
export async function buildProgram(args: readonly string[] = []): Promise<Command> {
  const program = new Command('qcode')
    .description('Qualitative coding at the terminal: import transcripts, code them from a YAML codebook, analyse and export.')
    .version(version(), '-V, --version')
    .option('--project <dir>', 'the project folder, or its qcode.db (default: $QCODE_PROJECT, which init does not follow; else the nearest folder upwards holding qcode.db)')
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
  const word = commandWord(args);
  const named = COMMAND_GROUPS.find((group) => word !== undefined && group.commands.includes(word));
  for (const group of named ? [named] : COMMAND_GROUPS) (await group.load())(program);
  // Subcommands inherit the error handling so that every usage error exits 2 through main().
  applyToAll(program, (command) => command.exitOverride().showSuggestionAfterError());
  checkCommandWords(program, args);
  return program;
}

function applyToAll(command: Command, apply: (command: Command) => void): void {
  for (const sub of command.commands) {
    apply(sub);
    applyToAll(sub, apply);
  }
}
