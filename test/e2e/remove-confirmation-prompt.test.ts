// The question before a removal (askToType): an empty answer asks again and says how to stop, Ctrl-C
// says nothing was removed, and the answer shows without a ✔ that would read as approval.
import pty from 'node-pty';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const SCRIPT = `
import(${JSON.stringify(join(ROOT, 'dist', 'cli', 'prompts.js'))})
  .then((prompts) => prompts.askToType('yes', 'Type yes to remove them for good:', '--yes', 'removed'))
  .then((answer) => console.log('ANSWER ' + answer), (error) => console.log('ERROR ' + error.message));
`;

/** Runs the question in a terminal, typing each key once the screen shows what precedes it. */
async function ask(steps: Array<[waitFor: string, keys: string]>): Promise<string> {
  let output = '';
  const child = pty.spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cols: 120, rows: 20, env: { PATH: process.env.PATH ?? '', TERM: 'xterm-256color', LANG: 'C.UTF-8', NO_COLOR: '1' },
  });
  child.onData((data) => { output += data; });
  const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
  const plain = (): string => stripVTControlCharacters(output);
  for (const [text, keys] of steps) {
    const started = Date.now();
    while (!plain().includes(text)) {
      if (Date.now() - started > 15_000) {
        child.kill();
        throw new Error(`timed out waiting for ${text}; output:\n${plain()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.write(keys);
  }
  await exited;
  return plain();
}

describe('the removal question', () => {
  it('asks again on an empty answer, saying how to stop', async () => {
    const output = await ask([['Type yes to remove', '\r'], ['press Ctrl-C to stop', 'yes\r']]);
    expect(output).toContain('Type yes to go ahead, or press Ctrl-C to stop (nothing is removed until then)');
    expect(output).toContain('ANSWER true');
    expect(output).not.toContain('Type a name');
  });

  it('says nothing was removed on Ctrl-C, and shows no ✔ before an answer that does not confirm', async () => {
    expect(await ask([['Type yes to remove', '\u0003']])).toContain('ERROR stopped: nothing was removed');
    const no = await ask([['Type yes to remove', 'y\r']]);
    expect(no).toContain('ANSWER false');
    expect(no).not.toContain('✔');
  });
});
