import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { agreementProject, range, recordWork } from '../agreement-seed.js';
import { Terminal } from '../pty-helpers.js';
import { openStore, query } from '../seed.js';

// reconcile through a real pseudo-terminal: two sessions under one --as, one-dimension passes (as the
// consensus name, and as what an answer may hold), and when the consensus coder comes into being.

const ENTER = '\r';
const SPACE = ' ';
const QUIT = '\u0011';
const WIDE = { columns: 110, rows: 40 };

function reconcile(dir: string, ...extra: string[]): Terminal {
  return new Terminal(['--project', dir, 'reconcile', '--coders', 'anna,boris', '--as', 'consensus', ...extra], {}, WIDE);
}

/** Filters the code picker by `filter`, selects its one match and saves the answer. */
async function pickOne(session: Terminal, filter: string): Promise<void> {
  session.type(filter);
  await session.waitFor(`Codes › ${filter}`);
  session.type(SPACE);
  await session.waitFor('1 selected');
  session.type(ENTER);
}

function consensusCodes(dir: string, name = 'consensus'): string[] {
  return query<{ item: string }>(dir, `
    SELECT s.ordinal || ' ' || k.code_id AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN coders r ON r.id = k.coder_id WHERE r.name = ? ORDER BY s.ordinal, k.code_id`, name).map((row) => row.item);
}

function coderNames(dir: string): string[] {
  return query<{ name: string }>(dir, 'SELECT name FROM coders ORDER BY name').map((row) => row.name);
}

/** Writes straight into the store what a one-dimension pass (qcode code --dimension D) leaves: pass marks and codings, no seen mark. */
function dimensionPass(dir: string, coder: string, dimension: string, marks: Record<number, readonly string[]>): void {
  const db = openStore(dir);
  try {
    db.prepare('INSERT OR IGNORE INTO coders (name) VALUES (?)').run(coder);
    const coderId = (db.prepare('SELECT id FROM coders WHERE name = ?').get(coder) as { id: number }).id;
    for (const [ordinal, codes] of Object.entries(marks)) {
      const segmentId = (db.prepare("SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'talk' AND s.ordinal = ?").get(Number(ordinal)) as { id: number }).id;
      db.prepare("INSERT INTO seen_dimensions (segment_id, coder_id, dimension_id, at) VALUES (?, ?, ?, '2026-01-01T00:00:00.000Z')").run(segmentId, coderId, dimension);
      for (const code of codes) db.prepare("INSERT INTO codings (segment_id, code_id, coder_id, created_at) VALUES (?, ?, ?, '2026-01-01T00:00:00.000Z')").run(segmentId, code, coderId);
    }
  } finally {
    db.close();
  }
}

/** talk:1: anna rating.r1, boris rating.r2 (an exclusive dimension); talk:2: anna topics.rare, boris nothing. */
function disputed(): string {
  const dir = agreementProject({ talk: 2 });
  recordWork(dir, [
    { coder: 'anna', document: 'talk', seen: range(1, 2), codes: { 1: ['rating.r1'], 2: ['topics.rare'] } },
    { coder: 'boris', document: 'talk', seen: range(1, 2), codes: { 1: ['rating.r2'] } },
  ]);
  return dir;
}

describe('two reconcile sessions under one --as', () => {
  it('settle a segment once: the later answer is not written, and its session goes on', async () => {
    const dir = disputed();
    const first = reconcile(dir);
    const second = reconcile(dir);
    await first.waitFor('disagreement 1/2', 'talk:1 · as consensus');
    await second.waitFor('disagreement 1/2', 'talk:1 · as consensus');
    await pickOne(first, 'One');
    await first.waitFor('disagreement 2/2', 'Saved talk:1 for consensus: rating.r1');

    await pickOne(second, 'Two');
    await second.waitFor('disagreement 2/2');
    expect(second.flat()).toContain('talk:1 was settled meanwhile by another session as consensus; that answer is kept, nothing saved here');

    first.type(QUIT);
    second.type(QUIT);
    expect((await first.exited).exitCode).toBe(0);
    expect((await second.exited).exitCode).toBe(0);
    expect(stripVTControlCharacters(second.output)).toContain('0 disagreements settled; 1 disagreement settled by another session meanwhile; 1 disagreement left (run the same command to continue).');
    // One code of the exclusive dimension, the first answer's.
    expect(consensusCodes(dir)).toEqual(['1 rating.r1']);
  });
});

describe('reconcile and one-dimension passes', () => {
  it('refuses --as a coder whose only work is a one-dimension pass', async () => {
    const dir = disputed();
    // carol went through both segments for rating and gave no code: taken as consensus, her marks would settle talk:1.
    dimensionPass(dir, 'carol', 'rating', { 1: [], 2: [] });
    const terminal = new Terminal(['--project', dir, 'reconcile', '--coders', 'anna,boris', '--as', 'carol'], {}, WIDE);
    const refusal = '--as carol: "carol" has coded on their own; the consensus needs a name of its own';
    await terminal.waitUntil(() => stripVTControlCharacters(terminal.output).includes(refusal), 'the refusal');
    expect((await terminal.exited).exitCode).toBe(1);
    expect(consensusCodes(dir, 'carol')).toEqual([]);
  });

  it("offers only the codes of the dimensions both went through on a segment, and every dimension's on the next", async () => {
    const dir = agreementProject({ talk: 2 });
    recordWork(dir, [
      { coder: 'anna', document: 'talk', seen: range(1, 2), codes: { 1: ['topics.rare'], 2: ['rating.r1'] } },
      { coder: 'boris', document: 'talk', seen: [2], codes: { 2: ['rating.r2'] } },
    ]);
    // boris went through talk:1 for topics only.
    dimensionPass(dir, 'boris', 'topics', { 1: ['topics.petition'] });
    const terminal = reconcile(dir);
    const screen = await terminal.waitFor('disagreement 1/2', 'talk:1 · as consensus', 'topics.petition', 'only topics');
    expect(screen).not.toContain('rating.r1');
    expect(screen).not.toContain('rating · Rating');
    await pickOne(terminal, 'Rare');
    const next = await terminal.waitFor('disagreement 2/2', 'talk:2 · as consensus', 'rating.r1', 'topics.protest', 'Saved talk:1 for consensus: topics.rare');
    expect(next).not.toContain('only topics');
    terminal.type(QUIT);
    expect((await terminal.exited).exitCode).toBe(0);
    expect(consensusCodes(dir)).toEqual(['1 topics.rare']);
  });
});

describe('the consensus coder', () => {
  it('is not created by a session that settles nothing', async () => {
    const dir = disputed();
    const terminal = reconcile(dir);
    await terminal.waitFor('disagreement 1/2');
    terminal.type(QUIT);
    expect((await terminal.exited).exitCode).toBe(0);
    expect(stripVTControlCharacters(terminal.output)).toContain('0 disagreements settled; 2 disagreements left');
    expect(coderNames(dir)).toEqual(['anna', 'boris']);
  });

  it('is not created when the two coders share no segment, and reconcile says why there is nothing to do', async () => {
    const dir = agreementProject({ talk: 2 });
    recordWork(dir, [
      { coder: 'anna', document: 'talk', seen: [1], codes: { 1: ['topics.rare'] } },
      { coder: 'boris', document: 'talk', seen: [2], codes: { 2: ['topics.protest'] } },
    ]);
    const terminal = reconcile(dir);
    expect((await terminal.exited).exitCode).toBe(0);
    const output = stripVTControlCharacters(terminal.output);
    expect(output).toContain('anna and boris have no segment both went through: nothing to reconcile.');
    expect(output).not.toContain('disagreements settled');
    expect(coderNames(dir)).toEqual(['anna', 'boris']);
  });
});

describe('reconcile and decomposed (NFD) names', () => {
  it('reads --coders and --as in NFC, as tag --coder does', async () => {
    const nfc = { andrei: 'Андрей', consensus: 'Мой итог' };
    const dir = agreementProject({ talk: 1 });
    recordWork(dir, [
      { coder: nfc.andrei, document: 'talk', seen: [1], codes: { 1: ['rating.r1'] } },
      { coder: 'boris', document: 'talk', seen: [1], codes: { 1: ['rating.r2'] } },
    ]);
    const andrei = nfc.andrei.normalize('NFD');
    const consensus = nfc.consensus.normalize('NFD');
    expect([andrei === nfc.andrei, consensus === nfc.consensus]).toEqual([false, false]);
    const terminal = new Terminal(['--project', dir, 'reconcile', '--coders', `${andrei},boris`, '--as', consensus], {}, WIDE);
    await terminal.waitFor('disagreement 1/1');
    terminal.type(ENTER);
    expect((await terminal.exited).exitCode).toBe(0);
    expect(coderNames(dir)).toEqual(['boris', nfc.andrei, nfc.consensus]);
  });
});
