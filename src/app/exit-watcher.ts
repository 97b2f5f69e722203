import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A long synchronous step (a merge's transaction, a removal's VACUUM) gives Node no chance to run a signal
 * handler, so ^C, SIGTERM or kill -9 end this process at once. This starts a small Node process that runs
 * `script` when this one ends without having stopped it first: its stdin is the one thing it waits on, and
 * the end of it is this process's end. It has a process group of its own, so the terminal's ^C does not
 * reach it. Should it not start, the callers' next run cleans up or warns instead.
 */
export function startExitWatcher(script: string, args: readonly string[], stderr: 'ignore' | 'inherit', module = false): { stop: () => void } {
  const body = `
    process.stdin.on('error', () => undefined);
    ${script}
    process.stdin.resume();`;
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...(module ? ['--input-type=module'] : []), '-e', body, '--', ...args], { detached: true, stdio: ['pipe', 'ignore', stderr] });
  } catch {
    return { stop: () => undefined };
  }
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.unref();
  (child.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      child.kill('SIGKILL');
    },
  };
}
