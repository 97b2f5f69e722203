import type { Command } from 'commander';
import type { Project } from '../app/project.js';
import { note } from './output.js';

export interface GlobalOptions {
  project?: string;
  quiet?: boolean;
  debug?: boolean;
}

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/** "docs remove", "stats": the command's words after qcode. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/**
 * The coder and reconcile handle a busy store themselves (they say so and keep the answer): they wait
 * briefly. Every other command waits for the write ahead of it, so that scripts (and two colleagues'
 * commands) queue instead of failing: long enough for the longest single write at the sizes qcode is
 * measured at (a removal's compaction or a merge of an xl store takes minutes, tag --from of 100,000
 * rows 26 s at l), short enough that a qcode stuck on a hung one still ends with an error.
 */
const INTERACTIVE = new Set(['code', 'reconcile']);
const INTERACTIVE_BUSY_MS = 5_000;
const QUEUED_BUSY_MS = 10 * 60_000;

/**
 * The commands that write (unless --dry-run): in a project the user may only read they stop at once,
 * before a terminal session, an editor, a confirmation or a long check. A command not listed that writes
 * stops at its first write, with the same line (store/db.ts readOnlyStoreError).
 */
const WRITERS = new Set([
  'code', 'reconcile', 'import', 'merge', 'tag', 'untag', 'autocode', 'undo', 'memo add', 'memo edit',
  'codebook apply', 'cases import', 'cases set', 'cases remove', 'docs remove',
]);

/** The removal commands finish an unfinished erasure themselves: they need no warning about it. */
const FINISH_ERASURE = new Set(['docs remove', 'cases remove']);

/** Opens the project named by the global options, runs fn, and always closes the store. */
export async function withProject<T>(command: Command, fn: (project: Project) => T | Promise<T>): Promise<T> {
  const { openProject, closeProject } = await import('../app/project.js');
  const name = commandPath(command);
  const project = openProject({
    project: globals(command).project,
    onWarning: (line) => note(`Warning: ${line}`),
    busyTimeoutMs: INTERACTIVE.has(name.split(' ')[0] ?? '') ? INTERACTIVE_BUSY_MS : QUEUED_BUSY_MS,
    finishesErasure: FINISH_ERASURE.has(name),
    writes: WRITERS.has(name) && !(command.opts() as { dryRun?: boolean }).dryRun,
  });
  try {
    return await fn(project);
  } finally {
    closeProject(project);
  }
}
