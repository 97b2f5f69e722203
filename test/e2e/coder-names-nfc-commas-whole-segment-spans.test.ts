import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agreementProject, range, recordWork } from '../agreement-seed.js';
import { qcodeOk, runQcode, tempDir } from '../helpers.js';
import { query } from '../seed.js';

// Coder names typed in decomposed Unicode (NFD) name the coder stored in NFC; a coder an older qcode stored
// with a comma in its name can be compared; and a span that covers its whole segment is the whole-segment coding.

function qcode(dir: string, ...args: string[]) {
  return runQcode(['--project', dir, ...args]);
}

function coderNames(dir: string): string[] {
  return query<{ name: string }>(dir, 'SELECT name FROM coders ORDER BY name').map((row) => row.name);
}

function csv(lines: string[]): string {
  const file = join(tempDir(), 'codings.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const ANDREI = 'Андрей';

describe('coder names in NFD', () => {
  it('tag --from: a coder column in NFD is the coder stored in NFC', () => {
    const dir = agreementProject({ talk: 2 });
    qcodeOk(dir, 'tag', 'talk:1', 'topics.protest', '--coder', ANDREI);
    const decomposed = ANDREI.normalize('NFD');
    expect(decomposed).not.toBe(ANDREI);
    qcodeOk(dir, 'tag', '--from', csv(['document,segment,code,coder', `talk,2,topics.rare,${decomposed}`]));
    expect(coderNames(dir)).toEqual([ANDREI]);
    expect(query(dir, 'SELECT count(*) AS n FROM codings k JOIN coders r ON r.id = k.coder_id WHERE r.name = ?', ANDREI)).toEqual([{ n: 2 }]);
  });

  it('tag --from: a name an older qcode stored in NFD takes rows typed in NFC', () => {
    const dir = agreementProject({ talk: 1 });
    recordWork(dir, [{ coder: ANDREI.normalize('NFD'), document: 'talk', seen: [1] }]);
    qcodeOk(dir, 'tag', '--from', csv(['document,segment,code,coder', `talk,1,topics.rare,${ANDREI}`]));
    expect(coderNames(dir)).toEqual([ANDREI.normalize('NFD')]);
  });

  it('agreement --coders: a name in NFD finds the coder', () => {
    const dir = agreementProject({ talk: 2 });
    recordWork(dir, [
      { coder: ANDREI, document: 'talk', seen: range(1, 2), codes: { 1: ['topics.protest'] } },
      { coder: 'boris', document: 'talk', seen: range(1, 2), codes: { 1: ['topics.protest'] } },
    ]);
    const output = qcodeOk(dir, 'agreement', '--coders', `${ANDREI.normalize('NFD')},boris`, '--json');
    expect(JSON.parse(output).find((row: { id: string }) => row.id === 'topics.protest')).toMatchObject({ [`coded_${ANDREI}`]: 1, coded_boris: 1 });
  });
});

describe('--coders and a stored name holding a comma', () => {
  function project(): string {
    const dir = agreementProject({ talk: 2 });
    recordWork(dir, [
      { coder: 'Smith, Anna', document: 'talk', seen: range(1, 2), codes: { 1: ['topics.protest'] } },
      { coder: 'boris', document: 'talk', seen: range(1, 2), codes: { 2: ['topics.protest'] } },
    ]);
    return dir;
  }

  it('reads the name whole when that is the only way the value names stored coders', () => {
    const dir = project();
    expect(qcodeOk(dir, 'agreement', '--coders', 'Smith, Anna,boris')).toContain('Smith, Anna vs boris');
    const listed = qcodeOk(dir, 'disagreements', '--coders', 'boris,Smith, Anna', '--csv');
    expect(listed.trim().split('\n')).toHaveLength(3);
  });

  it('takes the name in double quotes, and refuses a value that could name other coders too', () => {
    const dir = project();
    recordWork(dir, [{ coder: 'Smith', document: 'talk', seen: [1] }, { coder: 'Anna', document: 'talk', seen: [1] }]);
    const ambiguous = qcode(dir, 'agreement', '--coders', 'Smith, Anna,boris');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('could name Smith and Anna and boris, or "Smith, Anna" and boris');
    expect(ambiguous.stderr).toContain('double quotes');
    expect(qcodeOk(dir, 'agreement', '--coders', '"Smith, Anna",boris')).toContain('Smith, Anna vs boris');
    expect(qcodeOk(dir, 'agreement', '--coders', 'Smith,Anna')).toContain('Smith vs Anna');
  });

  it('lists such a name in double quotes when a coder is unknown', () => {
    const result = qcode(project(), 'agreement', '--coders', 'vera,boris');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Coders: "Smith, Anna", boris');
  });
});

describe('a span that covers its whole segment', () => {
  function segmentEnd(dir: string, ordinal: number): { start: number; end: number } {
    return query<{ start: number; end: number }>(dir, 'SELECT start, "end" FROM segments WHERE ordinal = ?', ordinal)[0]!;
  }
  const codings = (dir: string) => query(dir, 'SELECT s.ordinal, k.code_id, k.start, k."end" FROM codings k JOIN segments s ON s.id = k.segment_id ORDER BY s.ordinal, k.code_id');

  it('is stored as the whole-segment coding by tag, and untag with that span removes it', () => {
    const dir = agreementProject({ talk: 2 });
    const { start, end } = segmentEnd(dir, 1);
    qcodeOk(dir, 'tag', 'talk:1', 'topics.protest', '--coder', 'anna', '--start', String(start), '--end', String(end));
    qcodeOk(dir, 'tag', 'talk:1', 'topics.protest', '--coder', 'anna');
    expect(codings(dir)).toEqual([{ ordinal: 1, code_id: 'topics.protest', start: null, end: null }]);
    qcodeOk(dir, 'untag', 'talk:1', 'topics.protest', '--coder', 'anna', '--start', String(start), '--end', String(end));
    expect(codings(dir)).toEqual([]);
  });

  it('is stored as the whole-segment coding by tag --from, and counts once beside a whole-segment row', () => {
    const dir = agreementProject({ talk: 2 });
    const { start, end } = segmentEnd(dir, 2);
    const report = qcodeOk(dir, 'tag', '--from', csv([
      'document,segment,code,coder,start,end',
      `talk,2,topics.rare,anna,${start},${end}`,
      'talk,2,topics.rare,anna,,',
      `talk,2,topics.protest,anna,${start},${end - 1}`,
    ]), '--json');
    expect(JSON.parse(report)).toMatchObject({ rows: 3, duplicates: 1, added: 2 });
    expect(codings(dir)).toEqual([
      { ordinal: 2, code_id: 'topics.protest', start, end: end - 1 },
      { ordinal: 2, code_id: 'topics.rare', start: null, end: null },
    ]);
  });
});
