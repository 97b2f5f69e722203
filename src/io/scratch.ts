import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Scratch files and folders that hold participants' words are named after the process that made them,
// PREFIX + pid + "-…". One left behind by a run that was killed (^C during a long export, kill -9, a
// crash) is then found and removed by the next run: nothing else would ever remove it, and it would sit,
// often hidden, with the data in it.

/** The start of a scratch name for this process: mkdtemp or the caller adds the rest. */
export function scratchPrefix(prefix: string): string {
  return `${prefix}${process.pid}-`;
}

/** Removes the entries of `dir` named PREFIX + pid + "-…" whose process is no longer running; returns their paths. */
export function removeStaleScratch(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)-/.exec(name.slice(prefix.length))?.[1];
    if (pid === undefined || Number(pid) === process.pid || processRunning(Number(pid))) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(join(dir, name));
    } catch {
      // Someone else's (another user's, in a shared temporary folder): not ours to remove.
    }
  }
  return removed;
}

/** Whether a process with that id is running (one of another user counts: it may still use its files). */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
