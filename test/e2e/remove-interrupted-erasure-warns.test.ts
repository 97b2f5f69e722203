// A removal stopped (^C, kill) while it erases the bytes: the removal is committed, the erasure is not.
// The command says so as it ends, every later command warns with the command that finishes it, and that
// command finishes it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, qcodeOk as ok, runQcode, spawnUntilPaused, tempDir } from '../helpers.js';

const PHRASE = 'Мой брат служил в зеленоградской прокуратуре до весны';

function project(): string {
  const dir = newProject();
  const files = tempDir('qcode-remove-files-');
  writeFileSync(join(files, 'r07.txt'), `Интервьюер: Расскажите о семье.\nРеспондент: ${PHRASE}.\n`);
  writeFileSync(join(files, 'r01.txt'), 'Интервьюер: Что вы делали?\nРеспондент: Пикетировали посольство.\n');
  ok(dir, 'import', join(files, 'r07.txt'), '--case', 'R07');
  ok(dir, 'import', join(files, 'r01.txt'), '--case', 'R01');
  return dir;
}

function inStore(dir: string): boolean {
  const wal = join(dir, 'qcode.db-wal');
  const bytes = Buffer.concat([readFileSync(join(dir, 'qcode.db')), existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)]);
  return bytes.includes(Buffer.from(PHRASE, 'utf8'));
}

async function interrupted(dir: string, args: string[], signal: NodeJS.Signals): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const run = await spawnUntilPaused(['--project', dir, ...args, '--yes'], {
    env: { QCODE_TEST_PAUSE_ERASURE_MS: '60000' },
    marker: 'paused before the erasure',
  });
  let stderr = '';
  run.child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  // The line comes from a watcher that outlives the command: wait until the stream closes, not only the exit.
  const closed = new Promise<void>((resolve) => run.child.stderr?.on('close', () => resolve()));
  run.child.kill(signal);
  const { signal: ended } = await run.exited;
  await closed;
  return { signal: ended, stderr };
}

describe('a removal stopped during the erasure', () => {
  it('^C: says the erasure is NOT complete with the command that finishes it; later commands warn until it is run', async () => {
    const dir = project();
    const { signal, stderr } = await interrupted(dir, ['docs', 'remove', 'r07'], 'SIGINT');
    expect(signal).toBe('SIGINT');
    const lines = stderr.split('\n').filter((line) => line.startsWith('Error:'));
    expect(lines).toEqual(['Error: r07 was removed (withdrawal of consent; the tombstones are kept), but the erasure was interrupted and is NOT complete: qcode.db and qcode.db-wal may still hold the removed text — finish it with: qcode docs remove r07']);

    const stats = runQcode(['--project', dir, 'stats']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stderr).toMatch(/^Warning: the erasure of the text removed on \d{4}-\d\d-\d\d is NOT complete: qcode\.db and qcode\.db-wal may still hold it; finish it with: qcode docs remove r07$/m);

    const finish = runQcode(['--project', dir, 'docs', 'remove', 'r07', '--yes']);
    expect(finish.code, finish.stderr).toBe(0);
    expect(finish.stderr).not.toContain('Warning: the erasure');
    expect(finish.stdout).toContain('Finished erasing the text removed on');
    expect(inStore(dir)).toBe(false);
    expect(runQcode(['--project', dir, 'stats']).stderr).not.toContain('erasure');
  }, 60_000);

  it('SIGTERM during a case removal: the same line, with cases remove', async () => {
    const dir = project();
    const { signal, stderr } = await interrupted(dir, ['cases', 'remove', 'R07'], 'SIGTERM');
    expect(signal).toBe('SIGTERM');
    expect(stderr).toContain('but the erasure was interrupted and is NOT complete');
    expect(stderr).toContain('finish it with: qcode cases remove R07');
    expect(runQcode(['--project', dir, 'docs', 'list']).stderr).toContain('finish it with: qcode cases remove R07');
  }, 60_000);

  it('a removal that finishes says nothing of the kind', () => {
    const dir = project();
    const result = runQcode(['--project', dir, 'docs', 'remove', 'r07', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('NOT complete');
    expect(runQcode(['--project', dir, 'stats']).stderr).not.toContain('erasure');
    expect(inStore(dir)).toBe(false);
  });
});
