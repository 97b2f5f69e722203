import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runQcode } from '../helpers.js';
import { Terminal } from '../pty-helpers.js';
import { query, seedInterviews } from '../seed.js';

// qcode code without --coder or QCODE_CODER asks for the name: stopping there, and a name it refuses.
// Then quitting the coder with a change on screen that was never confirmed.

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const QUIT = '\u0011';

function all(terminal: Terminal): string {
  return stripVTControlCharacters(terminal.output);
}

async function atCoderQuestion(dir: string): Promise<Terminal> {
  const terminal = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru']);
  await terminal.waitUntil(() => all(terminal).includes('Coder name'), 'the coder question');
  return terminal;
}

describe('the coder-name question', () => {
  it.each([['Ctrl-C', CTRL_C], ['Ctrl-D', CTRL_D]])('%s stops with one line, exit 0 as ^Q on the first segment, nothing saved', async (_name, key) => {
    const dir = seedInterviews();
    const terminal = await atCoderQuestion(dir);
    terminal.type(key);
    expect((await terminal.exited).exitCode).toBe(0);
    expect(all(terminal)).toContain('Stopped: no coder name given; nothing was saved.');
    expect(all(terminal)).not.toContain('Error');
    expect(query(dir, 'SELECT name FROM coders')).toEqual([]);
  });

  it('refuses a name with a comma at the question itself, without naming --coder, and asks again', async () => {
    const dir = seedInterviews();
    const terminal = await atCoderQuestion(dir);
    terminal.type('a,b\r');
    await terminal.waitUntil(() => all(terminal).includes('contains a comma, which --coders A,B would read as two coders'), 'the refusal under the question');
    expect(all(terminal)).not.toContain('--coder:');
    terminal.type(`${CTRL_U}zoe\r`);
    await terminal.waitFor('segment 1/20', 'r01-vilnius-ru · zoe');
    terminal.type(QUIT);
    expect((await terminal.exited).exitCode).toBe(0);
    expect(query(dir, 'SELECT name FROM coders')).toEqual([{ name: 'zoe' }]);
  });
});

describe('quitting with something on screen not yet confirmed', () => {
  it('says the ticked code was not saved, rather than "all saved"', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru', '--coder', 'zed']);
    await terminal.waitFor('segment 1/20');
    terminal.type('\r');
    await terminal.waitFor('segment 2/20');
    terminal.type('protest');
    await terminal.waitFor('› [ ] forms.protest');
    terminal.type(' ');
    await terminal.waitFor('(unsaved: +1 −0)');
    terminal.type(QUIT);
    expect((await terminal.exited).exitCode).toBe(0);
    expect(all(terminal)).toContain('Stopped: 1 segment answered and saved; the unsaved change (+forms.protest) on r01-vilnius-ru:2 was not saved. Resume with: qcode code r01-vilnius-ru --coder zed');
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);
  });

  it('says a memo being typed was not saved', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru', '--coder', 'zed']);
    await terminal.waitFor('segment 1/20');
    terminal.type('\u000e');
    await terminal.waitFor('Memo on this segment ›');
    terminal.type('half a thought');
    await terminal.waitFor('Memo on this segment › half a thought');
    terminal.type(CTRL_C);
    expect((await terminal.exited).exitCode).toBe(0);
    expect(all(terminal)).toContain('Stopped: 0 segments answered and saved; the memo being typed on r01-vilnius-ru:1 was not saved.');
  });
});

describe('help texts', () => {
  it('autocode --help names the --json keys as printed (snake_case)', () => {
    const help = runQcode(['autocode', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('dry_run');
    expect(help).toContain('already_there');
    expect(help).not.toMatch(/dryRun|alreadyThere/);
  });

  it('tag --help gives CSV problems as FILE:LINE:COL, the line of the file', () => {
    const help = runQcode(['tag', '--help']).stdout;
    expect(help).toContain('FILE:LINE:COL');
    expect(help).not.toContain('FILE:ROW');
  });
});
