import { readFileSync } from 'node:fs';

/** qcode's version, read from package.json so that it can never drift. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The entry point: the only place that prints errors and sets the exit code. `qcode --version` answers
 * before commander or any command module loads, because scripts call qcode in loops.
 */
export async function main(argv: string[]): Promise<void> {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${version()}\n`);
    return;
  }
  // A closed pipe (qcode ... | head) is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const debug = args.includes('--debug');
  // --no-color and NO_COLOR must beat FORCE_COLOR, which chalk lets win over both. Set before chalk
  // loads, so that every colour in the run (palette's and chalk's alike) goes.
  const end = args.indexOf('--');
  if ((end === -1 ? args : args.slice(0, end)).includes('--no-color') || (process.env.NO_COLOR ?? '') !== '') {
    process.env.NO_COLOR = '1';
    delete process.env.FORCE_COLOR;
  }
  try {
    const { buildProgram } = await import('./program.js');
    await (await buildProgram(args)).parseAsync(argv);
  } catch (error) {
    const { reportError } = await import('./errors.js');
    process.exitCode = reportError(error, debug);
  }
}
