import pty from 'node-pty';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { BIN, runQcode, tempDir } from '../helpers.js';
import { Terminal } from '../pty-helpers.js';
import { query, seedInterviews } from '../seed.js';

// The interactive coder driven through a real pseudo-terminal, as a coder would use it.
// Every step waits for text on the screen (with a timeout), never for a fixed time.

const KEYS = {
  enter: '\r',
  space: ' ',
  left: '\u001b[D',
  right: '\u001b[C',
  memo: '\u000e', // ^N
  editor: '\u0005', // ^E
  goTo: '\u0007', // ^G
  quit: '\u0011', // ^Q
};

function coded(dir: string): string[] {
  return query<{ item: string }>(dir, `
    SELECT s.ordinal || ' ' || k.code_id AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN coders r ON r.id = k.coder_id WHERE r.name = 'anna' ORDER BY s.ordinal, k.code_id`).map((row) => row.item);
}

function seenOrdinals(dir: string): number[] {
  return query<{ ordinal: number }>(dir, 'SELECT s.ordinal FROM seen v JOIN segments s ON s.id = v.segment_id ORDER BY s.ordinal').map((row) => row.ordinal);
}

describe('qcode code in a terminal', () => {
  it('codes, goes back, skips, writes a memo, quits, and resumes on the right segment; a killed session keeps every confirmed answer', async () => {
    const dir = seedInterviews();
    const first = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru', '--coder', 'anna']);
    let screen = await first.waitFor('R01 · Vilnius · segment 1/20 · 0% coded', 'Интервьюер: Расскажите', '^N memo', '^Q quit');
    expect(screen).toContain('Not coded yet by anna');

    // Segment 1: type a filter, enter takes the highlighted code and confirms.
    first.type('protest');
    await first.waitFor('Codes › protest', '› [ ] forms.protest');
    first.type(KEYS.enter);
    screen = await first.waitFor('segment 2/20', 'Saved segment 1: +forms.protest');
    expect(screen).toContain('1 Интервьюер: Расскажите'); // the previous segment, for context

    // Segment 2: two codes with space, then enter.
    first.type('legal');
    await first.waitFor('Codes › legal');
    first.type(KEYS.space);
    await first.waitFor('1 selected');
    first.type('журналист');
    await first.waitFor('› [ ] forms.media');
    first.type(KEYS.space);
    await first.waitFor('2 selected (unsaved: +2 −0)');
    first.type(KEYS.enter);
    await first.waitFor('segment 3/20', 'Saved segment 2: +forms.media +forms.legal_aid');

    // Segment 3: confirmed with no code.
    first.type(KEYS.enter);
    await first.waitFor('segment 4/20', 'Saved segment 3: seen, no code');
    expect(coded(dir)).toEqual(['1 forms.protest', '2 forms.legal_aid', '2 forms.media']);
    expect(seenOrdinals(dir)).toEqual([1, 2, 3]);

    // Back to 3, skip it again, then a memo on 4.
    first.type(KEYS.left);
    await first.waitFor('segment 3/20', 'Seen by anna, no code');
    first.type(KEYS.right);
    await first.waitFor('segment 4/20', 'Skipped segment 3');
    first.type(KEYS.memo);
    await first.waitFor('Memo on this segment ›');
    first.type('Bank refused twice');
    await first.waitFor('Memo on this segment › Bank refused twice');
    first.type(KEYS.enter);
    await first.waitFor('Memo saved.', 'Memo: Bank refused twice');
    first.type(KEYS.quit);
    expect((await first.exited).exitCode).toBe(0);
    expect(stripVTControlCharacters(first.output)).toContain('Stopped: 3 segments answered, all saved. Resume with: qcode code r01-vilnius-ru --coder anna');
    expect(query(dir, 'SELECT text FROM memos')).toEqual([{ text: 'Bank refused twice' }]);

    // A new session lands on segment 4: the first one anna has not seen (a memo does not mark it seen).
    const second = new Terminal(['--project', dir, 'code', '--coder', 'anna']);
    await second.waitFor('segment 4/20 · 15% coded', 'Memo: Bank refused twice');
    second.type(KEYS.goTo);
    await second.waitFor('Go to segment (1–20) ›');
    second.type('10');
    second.type(KEYS.enter);
    await second.waitFor('segment 10/20');
    second.type('mobilis');
    await second.waitFor('› ( ) migration_effect.mobilising');
    second.type(KEYS.enter);
    await second.waitFor('segment 11/20', 'Saved segment 10: +migration_effect.mobilising');
    // An answer chosen but not confirmed is the only thing a killed process may lose.
    second.type('media');
    await second.waitFor('Codes › media');
    second.type(KEYS.space);
    await second.waitFor('1 selected');
    second.kill('SIGKILL');
    await second.exited;
    expect(coded(dir)).toEqual(['1 forms.protest', '2 forms.legal_aid', '2 forms.media', '10 migration_effect.mobilising']);
    expect(seenOrdinals(dir)).toEqual([1, 2, 3, 10]);
  });

  it('keeps one code of an exclusive dimension: choosing another deselects the first', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code', 'r02-riga-en', '--coder', 'anna', '--dimension', 'migration_effect']);
    await terminal.waitFor('segment 1/22', '4 codes');
    terminal.type('mobil');
    await terminal.waitFor('Codes › mobil');
    terminal.type(KEYS.space);
    await terminal.waitFor('(•) migration_effect.mobilising');
    // Back at the first segment goes nowhere, and keeps what was chosen.
    terminal.type(KEYS.left);
    await terminal.waitFor('This is the first segment.', '(•) migration_effect.mobilising');
    terminal.type('inhib');
    await terminal.waitFor('Codes › inhib');
    terminal.type(KEYS.space);
    await terminal.waitFor('(•) migration_effect.inhibiting', '1 selected');
    terminal.type(KEYS.enter);
    await terminal.waitFor('segment 2/22');
    expect(coded(dir)).toEqual(['1 migration_effect.inhibiting']);
  });

  it('writes a memo in $EDITOR from the coder, and from memo add on a terminal', async () => {
    const dir = seedInterviews();
    // An "editor" that appends a line to the file it is given, as a person would type it.
    const editor = join(tempDir(), 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nprintf "%s\\nWritten in the editor.\\n" "$(cat "$1")" > "$1"\n');
    chmodSync(editor, 0o755);
    const coder = new Terminal(['--project', dir, 'code', '--coder', 'anna'], { EDITOR: editor });
    await coder.waitFor('segment 1/20');
    coder.type(KEYS.memo);
    await coder.waitFor('Memo on this segment ›');
    coder.type('Draft');
    await coder.waitFor('Memo on this segment › Draft');
    coder.type(KEYS.editor);
    await coder.waitFor('Memo saved.', 'Memo: Draft Written in the editor.');
    coder.type(KEYS.quit);
    expect((await coder.exited).exitCode).toBe(0);

    const add = new Terminal(['--project', dir, 'memo', 'add', '--case', 'R01'], { EDITOR: editor });
    expect((await add.exited).exitCode).toBe(0);
    expect(query(dir, 'SELECT target_kind, text FROM memos ORDER BY id')).toEqual([
      { target_kind: 'segment', text: 'Draft\nWritten in the editor.' },
      { target_kind: 'case', text: 'Written in the editor.' },
    ]);
  });

  it('keeps the session and the memo when $EDITOR fails, and says why on the message line', async () => {
    const dir = seedInterviews();
    const coder = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru', '--coder', 'anna'], { EDITOR: 'false' });
    await coder.waitFor('segment 1/20');
    coder.type(KEYS.memo);
    coder.type('Draft kept');
    await coder.waitFor('Memo on this segment › Draft kept');
    coder.type(KEYS.editor);
    const screen = await coder.waitFor('the editor "false" failed (exit 1)', 'Set EDITOR');
    expect(screen).toContain('Memo on this segment › Draft kept');
    coder.type(KEYS.enter);
    await coder.waitFor('Memo saved.', 'Memo: Draft kept');
    coder.type(KEYS.quit);
    expect((await coder.exited).exitCode).toBe(0);
    expect(query(dir, 'SELECT text FROM memos')).toEqual([{ text: 'Draft kept' }]);
  });

  it('redraws to fit a resized terminal, shows a whole definition once filtered, and quits on ^C', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru', '--coder', 'anna']);
    await terminal.waitFor('segment 1/20', '^Q quit');
    terminal.type('mobilis');
    const filtered = await terminal.waitFor('› ( ) migration_effect.mobilising');
    // The whole exclude criterion of the bundled codebook's code, to its last words.
    expect(filtered.replace(/\s+/g, ' ')).toContain('the same level as before (use migration_effect.no_change).');
    terminal.resize(60, 20);
    const narrow = await terminal.waitUntil(() => {
      const lines = terminal.screen().split(/\r?\n/);
      return lines.length <= 20 && lines[0]?.startsWith('R01 · Vilnius · segment 1/20') === true && terminal.screen().includes('^Q quit')
        && lines.every((line) => stringWidth(line) <= 60);
    }, 'a frame at 60×20');
    expect(narrow).toContain('→ skip');
    expect(narrow).toContain('− A change of kind');
    terminal.type('\u0003');
    expect((await terminal.exited).exitCode).toBe(0);
    expect(stripVTControlCharacters(terminal.output)).toContain('Stopped: 0 segments answered, all saved.');
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 0 }]);
  });

  it('asks for the coder once when neither --coder nor QCODE_CODER is set', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code']);
    await terminal.waitUntil(() => stripVTControlCharacters(terminal.output).includes('Coder name'), 'the coder question');
    terminal.type('zoe\r');
    await terminal.waitFor('segment 1/20', 'r01-vilnius-ru · zoe');
    terminal.type(KEYS.quit);
    expect((await terminal.exited).exitCode).toBe(0);
    expect(query(dir, 'SELECT name FROM coders')).toEqual([{ name: 'zoe' }]);
  });

  it('gives the terminal back and keeps the answers when terminated (SIGTERM)', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code', '--coder', 'anna']);
    await terminal.waitFor('segment 1/20');
    terminal.type(KEYS.enter);
    await terminal.waitFor('segment 2/20');
    terminal.kill('SIGTERM');
    await terminal.exited;
    expect(terminal.output).toContain('\u001b[?1049l');
    expect(stripVTControlCharacters(terminal.output)).toContain('Stopped: 1 segment answered, all saved.');
    expect(seenOrdinals(dir)).toEqual([1]);
  });

  it('takes the coder from QCODE_CODER', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code'], { QCODE_CODER: 'yuri' });
    await terminal.waitFor('r01-vilnius-ru · yuri');
    terminal.type(KEYS.quit);
    expect((await terminal.exited).exitCode).toBe(0);
  });

  it('refuses without a terminal, with one line pointing to qcode tag --from (exit 2)', async () => {
    const dir = seedInterviews();
    const piped = runQcode(['--project', dir, 'code', '--coder', 'anna']);
    expect(piped.code).toBe(2);
    expect(piped.stdout).toBe('');
    expect(piped.stderr.trim().split('\n')).toHaveLength(1);
    expect(piped.stderr).toContain('qcode code needs a terminal');
    expect(piped.stderr).toContain('qcode tag --from FILE.csv');

    // stdin a terminal, stdout a pipe: refused as well.
    const shell = pty.spawn('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" --project "${dir}" code --coder anna | cat; echo "exit=$?"`], {
      cols: 100, rows: 40, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    });
    let output = '';
    shell.onData((data) => (output += data));
    await new Promise((resolve) => shell.onExit(resolve));
    expect(output).toContain('qcode code needs a terminal');
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 0 }]);
  });
});
