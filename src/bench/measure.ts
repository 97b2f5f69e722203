import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Runs a program as a user would (a separate process, its output going to a file) and measures its
// wall time from the parent and its peak resident set size from the operating system.

const GNU_TIME = '/usr/bin/time';

export type RssSource = 'gnu-time' | 'proc-vmhwm' | 'none';

/** GNU time's %M (maximum resident set size, from wait4's rusage) when it works, else /proc/<pid>/status polling. */
export function detectRssSource(): RssSource {
  if (existsSync(GNU_TIME)) {
    const probe = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' });
    if (probe.status === 0 && /^\d+\s*$/m.test(probe.stderr)) return 'gnu-time';
  }
  return existsSync('/proc/self/status') ? 'proc-vmhwm' : 'none';
}

export const RSS_SOURCE_TEXT: Record<RssSource, string> = {
  'gnu-time': 'GNU /usr/bin/time -f %M (maximum resident set size reported by wait4)',
  'proc-vmhwm': 'VmHWM from /proc/<pid>/status, polled every 5 ms (GNU time not available)',
  none: 'not measured (neither GNU time nor /proc available)',
};

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where the program's standard output goes. */
  stdoutPath: string;
  timeoutMs?: number;
}

export interface Sample {
  seconds: number;
  peakRssMb: number | null;
  exitCode: number;
  stderr: string;
}

export class Runner {
  private counter = 0;

  constructor(
    readonly rssSource: RssSource,
    private readonly scratch: string,
  ) {}

  /** Runs command once; never throws for a failing program (the caller reads exitCode). */
  async run(command: string, args: readonly string[], options: RunOptions): Promise<Sample> {
    const rssFile = join(this.scratch, `rss-${process.pid}-${this.counter++}.txt`);
    const stdout = openSync(options.stdoutPath, 'w');
    const [file, argv] = this.rssSource === 'gnu-time' ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, [...args]];
    const stderrChunks: Buffer[] = [];
    let stderrBytes = 0;
    let vmHwmKb: number | null = null;
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env, stdio: ['ignore', stdout, 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      // Keep the head of stderr only: enough for an error message, bounded for a chatty program.
      if (stderrBytes < 64 * 1024) stderrChunks.push(chunk);
      stderrBytes += chunk.length;
    });
    let poll: NodeJS.Timeout | undefined;
    if (this.rssSource === 'proc-vmhwm' && child.pid !== undefined) {
      const statusPath = `/proc/${child.pid}/status`;
      const read = (): void => {
        try {
          const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(statusPath, 'utf8'));
          if (match) vmHwmKb = Math.max(vmHwmKb ?? 0, Number(match[1]));
        } catch {
          // The process has exited between two polls; the last reading stands.
        }
      };
      read();
      poll = setInterval(read, 5);
    }
    const timeout = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('error', (error) => {
        stderrChunks.push(Buffer.from(String(error.message)));
        resolve({ code: 127, signal: null });
      });
      child.on('exit', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (poll) clearInterval(poll);
    if (timeout) clearTimeout(timeout);
    await new Promise<void>((resolve) => (child.stderr && !child.stderr.readableEnded ? child.stderr.once('close', () => resolve()) : resolve()));
    closeSync(stdout);

    let peakKb: number | null = vmHwmKb;
    if (this.rssSource === 'gnu-time' && existsSync(rssFile)) {
      // GNU time writes "Command exited with non-zero status N" before the figure when the program fails.
      const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
      const last = Number(lines[lines.length - 1]);
      peakKb = Number.isFinite(last) ? last : null;
      rmSync(rssFile, { force: true });
    }
    return {
      seconds,
      peakRssMb: peakKb === null ? null : peakKb / 1024,
      exitCode: code ?? (signal ? 128 : 1),
      stderr: Buffer.concat(stderrChunks).toString('utf8'),
    };
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * The order in which interleaved programs run in a round: as given in even rounds, reversed in odd ones,
 * so that no program always runs right after the same other (whose page cache or heat it would inherit).
 */
export function runOrder(count: number, round: number): number[] {
  const order = Array.from({ length: count }, (_, index) => index);
  return round % 2 === 1 ? order.reverse() : order;
}
