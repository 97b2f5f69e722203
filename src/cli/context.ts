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

/** Opens the project named by the global options, runs fn, and always closes the store. */
export async function withProject<T>(command: Command, fn: (project: Project) => T | Promise<T>): Promise<T> {
  const { openProject, closeProject } = await import('../app/project.js');
  const project = openProject({ project: globals(command).project, onWarning: (line) => note(`Warning: ${line}`) });
  try {
    return await fn(project);
  } finally {
    closeProject(project);
  }
}
