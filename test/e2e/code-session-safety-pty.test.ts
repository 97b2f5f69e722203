import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runQcode } from '../helpers.js';
import { Terminal as PtyTerminal } from '../pty-helpers.js';
import { query, seedInterviews } from '../seed.js';

// qcode code in a real pseudo-terminal: what another process writes meanwhile, messages that need more
// than one line, terminals too small to read a segment on, locales and option values.

/** Messages here may wrap over lines: a wait reads the screen's line breaks as spaces. */
class Terminal extends PtyTerminal {
  override async waitFor(...texts: string[]): Promise<string> {
    return this.waitUntil(() => texts.every((text) => this.flat().includes(text)), `screen showing ${JSON.stringify(texts)}`);
  }
}

function coded(dir: string, coder = 'anna'): string[] {
  return query<{ item: string }>(dir, `
    SELECT d.slug || ':' || s.ordinal || ' ' || k.code_id AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = k.coder_id WHERE r.name = ? ORDER BY d.slug, s.ordinal, k.code_id`, coder)
    .map((row) => row.item);
}

describe('qcode code and other processes writing meanwhile', () => {
  it('enter on an unchanged screen keeps the codes another process gave the segment since it was drawn, and says so', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru', '--coder', 'anna']);
    await terminal.waitFor('segment 1/20', 'Not coded yet by anna');
    const tagged = runQcode(['--project', dir, 'tag', 'r01-vilnius-ru:1', 'forms.protest', 'forms.media', '--coder', 'anna']);
    expect(tagged.code).toBe(0);
    terminal.type('\r');
    await terminal.waitFor('segment 2/20', "Saved segment 1: no change of yours; anna's codes here changed elsewhere since the screen was drawn, and that change was kept: +forms.protest +forms.media");
    expect(coded(dir)).toEqual(['r01-vilnius-ru:1 forms.media', 'r01-vilnius-ru:1 forms.protest']);
  });

  it("applies only the coder's own ticks and unticks: a code removed elsewhere stays removed, one added elsewhere stays", async () => {
    const dir = seedInterviews();
    expect(runQcode(['--project', dir, 'tag', 'r01-vilnius-ru:1', 'forms.protest', 'forms.media', '--coder', 'anna']).code).toBe(0);
    const terminal = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru', '--coder', 'anna']);
    // The tag marked segment 1 seen, so the session opens at 2: back to 1.
    await terminal.waitFor('segment 2/20');
    terminal.type('\u001b[D');
    await terminal.waitFor('segment 1/20', '[x] forms.protest');
    // Elsewhere: forms.media taken back, forms.legal_aid added.
    expect(runQcode(['--project', dir, 'untag', 'r01-vilnius-ru:1', 'forms.media', '--coder', 'anna']).code).toBe(0);
    expect(runQcode(['--project', dir, 'tag', 'r01-vilnius-ru:1', 'forms.legal_aid', '--coder', 'anna']).code).toBe(0);
    // Here: forms.protest unticked, forms.online ticked.
    terminal.type('forms.protest');
    await terminal.waitFor('Codes › forms.protest');
    terminal.type(' ');
    await terminal.waitFor('(unsaved: +0 −1)');
    terminal.type('forms.online');
    await terminal.waitFor('Codes › forms.online');
    terminal.type(' ');
    await terminal.waitFor('(unsaved: +1 −1)');
    terminal.type('\r');
    await terminal.waitFor('segment 2/20', 'Saved segment 1: +forms.online −forms.protest', 'that change was kept: +forms.legal_aid −forms.media');
    expect(coded(dir)).toEqual(['r01-vilnius-ru:1 forms.legal_aid', 'r01-vilnius-ru:1 forms.online']);
  });
});

describe('qcode code messages', () => {
  it('shows the whole exclusive-dimension refusal, with the untag command that fixes it, over as many lines as it needs', async () => {
    const dir = seedInterviews();
    const [segment] = query<{ start: number }>(dir, `
      SELECT s.start FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'r02-riga-en' AND s.ordinal = 1`);
    const span = ['--start', String(segment!.start), '--end', String(segment!.start + 5)];
    expect(runQcode(['--project', dir, 'tag', 'r02-riga-en:1', 'migration_effect.mobilising', '--coder', 'anna', ...span]).code).toBe(0);
    const terminal = new Terminal(['--project', dir, 'code', 'r02-riga-en', '--coder', 'anna', '--dimension', 'migration_effect'], {}, { columns: 80, rows: 30 });
    // The tag marked segment 1 seen, so the session opens at 2: back to 1.
    await terminal.waitFor('segment 2/22');
    terminal.type('\u001b[D');
    await terminal.waitFor('segment 1/22');
    terminal.type('inhib');
    await terminal.waitFor('Codes › inhib');
    terminal.type('\r');
    const screen = await terminal.waitFor(
      `r02-riga-en:1 already has migration_effect.mobilising from anna; dimension "migration_effect" allows one code per segment: untag it first with qcode untag r02-riga-en:1 migration_effect.mobilising --start ${segment!.start} --end ${segment!.start + 5} --coder anna`,
    );
    expect(screen).toContain('segment 1/22');
    expect(coded(dir)).toEqual(['r02-riga-en:1 migration_effect.mobilising']);
  });
});

describe('qcode code on a small terminal', () => {
  it('says the terminal is too small and takes no answer until it is large enough again', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru', '--coder', 'anna'], {}, { columns: 60, rows: 10 });
    await terminal.waitFor('terminal too small: need at least 50×18 (now 60×10)');
    terminal.type('protest\r');
    terminal.type('\u001b[C'); // → skip
    terminal.resize(25, 6);
    await terminal.waitFor('(now 25×6)');
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 0 }]);
    terminal.resize(100, 40);
    await terminal.waitFor('segment 1/20', 'Codes › ', '^Q quit');
    expect(terminal.screen()).not.toContain('protest▏');
    terminal.type('\r');
    await terminal.waitFor('segment 2/20', 'Saved segment 1: seen, no code');
    terminal.resize(40, 12);
    await terminal.waitFor('(now 40×12)');
    terminal.type('\u0011'); // ^Q still quits
    expect((await terminal.exited).exitCode).toBe(0);
    expect(stripVTControlCharacters(terminal.output)).toContain('Stopped: 1 segment answered, all saved.');
    expect(coded(dir)).toEqual([]);
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 1 }]);
  });
});

describe('qcode code start-up checks', () => {
  it('refuses a locale naming another charset than UTF-8, before asking or writing anything', async () => {
    const dir = seedInterviews();
    for (const env of [{ LANG: 'ru_RU.KOI8-R' } as Record<string, string>, { LANG: 'ru_RU.UTF-8', LC_ALL: 'ru_RU.CP1251' }, { LC_CTYPE: 'ru_RU.ISO-8859-5' }]) {
      const terminal = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru', '--coder', 'anna'], env);
      expect((await terminal.exited).exitCode).toBe(1);
      const output = stripVTControlCharacters(terminal.output);
      expect(output).toContain('qcode code needs a UTF-8 terminal');
      expect(output).toMatch(/e\.g\. (LANG|LC_ALL|LC_CTYPE)=ru_RU\.UTF-8 qcode code/);
    }
    expect(query(dir, 'SELECT name FROM coders')).toEqual([]);
  });

  it('starts under the C and POSIX locales, which name no charset', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code', 'r01-vilnius-ru', '--coder', 'anna'], { LANG: 'C', LC_ALL: 'POSIX' });
    await terminal.waitFor('segment 1/20');
    terminal.type('\u0011');
    expect((await terminal.exited).exitCode).toBe(0);
  });

  it('takes --lang in any case (RU is ru)', async () => {
    const dir = seedInterviews();
    const terminal = new Terminal(['--project', dir, 'code', 'r02-riga-en', '--coder', 'anna', '--lang', 'RU']);
    await terminal.waitFor('segment 1/22', 'forms.protest Протест, митинг, пикет');
    terminal.type('\u0011');
    expect((await terminal.exited).exitCode).toBe(0);
  });
});
