import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { agreementProject, range, recordWork } from '../agreement-seed.js';
import { runQcode } from '../helpers.js';
import { Terminal } from '../pty-helpers.js';
import { query, seedProject } from '../seed.js';

// reconcile on the coder's screen, driven through a real pseudo-terminal; every step waits for text
// on the screen (with a timeout), never for a fixed time.

const ENTER = '\r';
const SPACE = ' ';
const RIGHT = '\u001b[C';
const QUIT = '\u0011';

/** reconcile's screen, 110 columns wide. */
const WIDE = { columns: 110, rows: 40 };

function consensus(dir: string): string[] {
  return query<{ item: string }>(dir, `
    SELECT s.ordinal || ' ' || k.code_id AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN coders r ON r.id = k.coder_id WHERE r.name = 'consensus' ORDER BY s.ordinal, k.code_id`).map((row) => row.item);
}

/** talk:1 agreed; talk:2, talk:3 and talk:4 disputed. */
function disputed(): string {
  const dir = agreementProject({ talk: 4 });
  recordWork(dir, [
    { coder: 'anna', document: 'talk', seen: range(1, 4), codes: { 1: ['topics.protest'], 2: ['topics.protest', 'topics.petition'], 3: ['rating.r1'], 4: ['topics.rare'] } },
    { coder: 'boris', document: 'talk', seen: range(1, 4), codes: { 1: ['topics.protest'], 2: ['topics.protest'], 3: ['rating.r2'] } },
  ]);
  return dir;
}

describe('qcode reconcile', () => {
  it('refuses to run without a terminal (exit 2), naming the scriptable alternative', () => {
    const dir = disputed();
    const result = runQcode(['--project', dir, 'reconcile', '--coders', 'anna,boris', '--as', 'consensus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/qcode reconcile needs a terminal.*qcode disagreements --coders A,B --csv/);
    expect(consensus(dir)).toEqual([]);
  });

  it('walks the disagreements with who gave what, saves each answer, and resumes after quitting', async () => {
    const dir = disputed();
    const first = new Terminal(['--project', dir, 'reconcile', '--coders', 'anna,boris', '--as', 'consensus'], {}, WIDE);
    await first.waitFor('reconcile anna vs boris · disagreement 1/3', 'talk:2 · as consensus', 'anna: topics.protest, topics.petition', 'boris: topics.protest');
    // The codes both gave start selected: enter keeps just them.
    first.type(ENTER);
    await first.waitFor('disagreement 2/3', 'Saved talk:2 for consensus: topics.protest', 'anna: rating.r1', 'boris: rating.r2');
    first.type(RIGHT);
    await first.waitFor('disagreement 3/3', 'Skipped talk:3');
    first.type(QUIT);
    expect((await first.exited).exitCode).toBe(0);
    expect(stripVTControlCharacters(first.output)).toContain('1 disagreement settled; 2 disagreements left (run the same command to continue).');
    expect(consensus(dir)).toEqual(['1 topics.protest', '2 topics.protest']);

    const second = new Terminal(['--project', dir, 'reconcile', '--coders', 'anna,boris', '--as', 'consensus'], {}, WIDE);
    await second.waitFor('disagreement 1/2', 'anna: rating.r1', 'boris: rating.r2');
    second.type('Two');
    await second.waitFor('Codes › Two');
    second.type(SPACE);
    await second.waitFor('1 selected');
    second.type(ENTER);
    await second.waitFor('disagreement 2/2', 'anna: topics.rare', 'boris: no code');
    second.type(ENTER);
    expect((await second.exited).exitCode).toBe(0);
    expect(stripVTControlCharacters(second.output)).toContain('2 disagreements settled; 0 disagreements left.');
    expect(consensus(dir)).toEqual(['1 topics.protest', '2 topics.protest', '3 rating.r2']);
    expect(query(dir, "SELECT count(*) AS n FROM seen v JOIN coders r ON r.id = v.coder_id WHERE r.name = 'consensus'")).toEqual([{ n: 4 }]);
  });
});

/** One disagreement in a Russian interview, coded with the bilingual codebook. */
function russian(): string {
  const dir = seedProject([{ slug: 'talk-ru', language: 'ru', segments: [{ text: 'Мы ходили на пикет.' }, { text: 'И подписали письмо.' }] }]);
  recordWork(dir, [
    { coder: 'anna', document: 'talk-ru', seen: range(1, 2), codes: { 1: ['forms.protest'] } },
    { coder: 'boris', document: 'talk-ru', seen: range(1, 2), codes: { 1: ['forms.petitions'] } },
  ]);
  return dir;
}

describe("qcode reconcile's screen", () => {
  it("shows labels in the document's language, as qcode code does, and only the keys that work in reconcile", async () => {
    const terminal = new Terminal(['--project', russian(), 'reconcile', '--coders', 'anna,boris', '--as', 'consensus'], {}, WIDE);
    const screen = await terminal.waitFor('disagreement 1/1', 'forms.protest  Протест, митинг, пикет', 'forms.petitions  Петиции и открытые письма', '^Q quit');
    expect(screen).not.toContain('forms.protest  Protest');
    expect(screen).toContain('→ skip');
    expect(screen).not.toContain('← back');
    expect(screen).not.toContain('^G');
    terminal.type(QUIT);
    expect((await terminal.exited).exitCode).toBe(0);
  });

  it('takes --lang en, as qcode code does', async () => {
    const terminal = new Terminal(['--project', russian(), 'reconcile', '--coders', 'anna,boris', '--as', 'consensus', '--lang', 'en'], {}, WIDE);
    const screen = await terminal.waitFor('disagreement 1/1', 'forms.protest  Protest, demonstration, picket', '^Q quit');
    expect(screen).not.toContain('forms.protest  Протест');
    terminal.type(QUIT);
    expect((await terminal.exited).exitCode).toBe(0);
  });
});
