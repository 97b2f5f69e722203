import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, runQcodeAsync, tempDir } from '../helpers.js';
import { openStore, query, seedInterviews } from '../seed.js';

function qcode(dir: string, args: string[], env: Record<string, string> = {}, input?: string) {
  return runQcode(['--project', dir, ...args], { env, ...(input === undefined ? {} : { input }) });
}

function codings(dir: string): Array<{ segment: string; code: string; coder: string; start: number | null; end: number | null }> {
  return query(dir, `
    SELECT d.slug || ':' || s.ordinal AS segment, k.code_id AS code, r.name AS coder, k.start, k."end" AS "end"
    FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = k.coder_id
    ORDER BY segment, code, coder`);
}

function csvFile(text: string): string {
  const file = join(tempDir(), 'codings.csv');
  writeFileSync(file, text);
  return file;
}

describe('qcode tag / untag', () => {
  it('tags a segment, marks it seen, and logs one event per code', () => {
    const dir = seedInterviews();
    const result = qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protest', 'forms.legal_aid', '--coder', 'anna']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('Tagged r01-vilnius-ru:2 with forms.protest, forms.legal_aid (anna).\n');
    expect(result.code).toBe(0);
    expect(codings(dir)).toEqual([
      { segment: 'r01-vilnius-ru:2', code: 'forms.legal_aid', coder: 'anna', start: null, end: null },
      { segment: 'r01-vilnius-ru:2', code: 'forms.protest', coder: 'anna', start: null, end: null },
    ]);
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 1 }]);
    const events = query<{ action: string; batch: string; payload: string }>(dir, 'SELECT action, batch, payload FROM events ORDER BY id');
    // The first tag says it also made the segment seen; no separate 'seen' event.
    expect(events.map((event) => event.action)).toEqual(['tag', 'tag']);
    expect(new Set(events.map((event) => event.batch)).size).toBe(1);
    const payload = JSON.parse(events[0]?.payload ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({ code: 'forms.protest', coder: 'anna', slug: 'r01-vilnius-ru', ordinal: 2, start: null, end: null, via: 'tag', seen: true });
    expect(JSON.parse(events[1]?.payload ?? '{}')).not.toHaveProperty('seen');
    expect(payload.document).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes the coder from QCODE_CODER and refuses without one (exit 2 naming --coder)', () => {
    const dir = seedInterviews();
    expect(qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protest'], { QCODE_CODER: 'boris' }).code).toBe(0);
    expect(codings(dir)[0]?.coder).toBe('boris');
    const refused = qcode(dir, ['tag', 'r01-vilnius-ru:3', 'forms.protest']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--coder');
  });

  it('refuses unknown codes with a did-you-mean, and retired codes with a clear line', () => {
    const dir = seedInterviews();
    const typo = qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protst', '--coder', 'anna']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('unknown code "forms.protst" (did you mean "forms.protest"?)');
    const short = qcode(dir, ['tag', 'r01-vilnius-ru:2', 'protest', '--coder', 'anna']);
    expect(short.stderr).toContain('(did you mean "forms.protest"?)');
    const db = openStore(dir);
    db.prepare("UPDATE codes SET status = 'retired' WHERE id = 'forms.art'").run();
    db.close();
    const retired = qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.art', '--coder', 'anna']);
    expect(retired.code).toBe(1);
    expect(retired.stderr).toContain('code "forms.art" is retired and cannot be applied (see qcode codebook show --retired)');
    expect(codings(dir)).toEqual([]);
  });

  it('refuses a second code of an exclusive dimension for the same coder, but not for another coder', () => {
    const dir = seedInterviews();
    expect(qcode(dir, ['tag', 'r01-vilnius-ru:6', 'migration_effect.mobilising', '--coder', 'anna']).code).toBe(0);
    const second = qcode(dir, ['tag', 'r01-vilnius-ru:6', 'migration_effect.inhibiting', '--coder', 'anna']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('r01-vilnius-ru:6 already has migration_effect.mobilising from anna; dimension "migration_effect" allows one code per segment');
    expect(second.stderr).toContain('qcode untag r01-vilnius-ru:6 migration_effect.mobilising --coder anna');
    const both = qcode(dir, ['tag', 'r01-vilnius-ru:8', 'migration_effect.mobilising', 'migration_effect.inhibiting', '--coder', 'anna']);
    expect(both.code).toBe(1);
    expect(qcode(dir, ['tag', 'r01-vilnius-ru:6', 'migration_effect.inhibiting', '--coder', 'boris']).code).toBe(0);
    expect(codings(dir).map((row) => `${row.code}/${row.coder}`)).toEqual(['migration_effect.inhibiting/boris', 'migration_effect.mobilising/anna']);
  });

  it('tags a span given in document code points and refuses one outside the segment', () => {
    const dir = seedInterviews();
    const [segment] = query<{ start: number; end: number }>(dir, "SELECT start, \"end\" FROM segments WHERE ordinal = 2 AND document_id = (SELECT id FROM documents WHERE slug = 'r01-vilnius-ru')");
    const start = (segment?.start ?? 0) + 12;
    expect(qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna', '--start', String(start), '--end', String(start + 20)]).code).toBe(0);
    expect(codings(dir)).toEqual([{ segment: 'r01-vilnius-ru:2', code: 'forms.protest', coder: 'anna', start, end: start + 20 }]);
    const outside = qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna', '--start', '0', '--end', '5']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('span 0–5 is not inside r01-vilnius-ru:2');
  });

  it('says an empty or reversed span is one, not that it lies outside the segment', () => {
    const dir = seedInterviews();
    const [segment] = query<{ start: number; end: number }>(dir, "SELECT start, \"end\" FROM segments WHERE ordinal = 2 AND document_id = (SELECT id FROM documents WHERE slug = 'r01-vilnius-ru')");
    const at = (segment?.start ?? 0) + 4;
    const bounds = `(r01-vilnius-ru:2 is ${segment?.start}–${segment?.end})`;
    for (const [verb, start, end, what] of [['tag', at, at, 'empty'], ['tag', at + 3, at, 'reversed'], ['untag', at, at, 'empty']] as const) {
      const result = qcode(dir, [verb, 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna', '--start', String(start), '--end', String(end)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`Error: span ${start}–${end} is ${what}: --start must be less than --end ${bounds}\n`);
    }
    expect(codings(dir)).toEqual([]);
  });

  it('untags, and says so when the code was not there', () => {
    const dir = seedInterviews();
    qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protest', 'forms.media', '--coder', 'anna']);
    const result = qcode(dir, ['untag', 'r01-vilnius-ru:2', 'forms.protest', 'forms.art', '--coder', 'anna']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Removed 1 code from r01-vilnius-ru:2 (anna); 1 was not there.\n');
    expect(codings(dir).map((row) => row.code)).toEqual(['forms.media']);
  });

  it('names a missing segment and a mistyped document', () => {
    const dir = seedInterviews();
    const missing = qcode(dir, ['tag', 'r01-vilnius-ru:99', 'forms.protest', '--coder', 'anna']);
    expect(missing.stderr).toContain('r01-vilnius-ru has no segment 99 (its segments are 1–20)');
    const typo = qcode(dir, ['tag', 'r01-vilnus-ru:2', 'forms.protest', '--coder', 'anna']);
    expect(typo.stderr).toContain('no document "r01-vilnus-ru" (did you mean "r01-vilnius-ru"?)');
    const malformed = qcode(dir, ['tag', 'r01-vilnius-ru', 'forms.protest', '--coder', 'anna']);
    expect(malformed.code).toBe(2);
  });
});

describe('qcode tag --from FILE.csv', () => {
  it('writes a valid file in one transaction as one batch, counting rows already there and repeated rows', () => {
    const dir = seedInterviews();
    qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna']);
    const [segment] = query<{ id: number }>(dir, "SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'r02-riga-en' AND s.ordinal = 4");
    const file = csvFile([
      'document,segment,code,coder',
      'r01-vilnius-ru,2,forms.protest,anna',
      'r01-vilnius-ru,2,forms.legal_aid,anna',
      'r01-vilnius-ru,4,networks.value_based,',
      'r01-vilnius-ru,4,networks.value_based,',
      '"r02-riga-en",3,"forms.media",boris',
      '',
    ].join('\r\n'));
    const result = qcode(dir, ['tag', '--from', file, '--coder', 'carol']);
    expect(result.stderr).toContain('Undo with: qcode undo');
    expect(result.stdout).toBe(`${file}: 5 rows added 3 codings (anna, boris, carol); 1 was already there; 1 row repeated earlier rows.\n`);
    expect(result.code).toBe(0);
    expect(codings(dir).map((row) => `${row.segment} ${row.code} ${row.coder}`)).toEqual([
      'r01-vilnius-ru:2 forms.legal_aid anna',
      'r01-vilnius-ru:2 forms.protest anna',
      'r01-vilnius-ru:4 networks.value_based carol',
      'r02-riga-en:3 forms.media boris',
    ]);
    const batches = query<{ batch: string; n: number }>(dir, "SELECT batch, count(*) AS n FROM events WHERE action = 'tag' GROUP BY batch ORDER BY min(id)");
    expect(batches.map((batch) => batch.n)).toEqual([1, 3]);

    const byId = csvFile(`segment_id,code,coder,start,end\n${segment?.id},forms.art,dan,,\n`);
    expect(qcode(dir, ['tag', '--from', byId]).code).toBe(0);
    expect(codings(dir).map((row) => `${row.segment} ${row.code} ${row.coder}`)).toContain('r02-riga-en:4 forms.art dan');
  });

  it('reports every bad row with FILE:ROW:COLUMN and a did-you-mean, then writes nothing', () => {
    const dir = seedInterviews();
    const db = openStore(dir);
    db.prepare("UPDATE codes SET status = 'retired' WHERE id = 'forms.art'").run();
    db.close();
    const file = csvFile([
      'document,segment,code,coder',
      'r01-vilnius-ru,2,forms.protest,anna',
      'r01-vilnus-ru,2,forms.protest,anna',
      'r01-vilnius-ru,99,forms.protest,anna',
      'r01-vilnius-ru,3,forms.protst,anna',
      'r01-vilnius-ru,3,forms.art,anna',
      'r01-vilnius-ru,x,forms.protest,anna',
      'r01-vilnius-ru,5,forms.protest,',
      'r01-vilnius-ru,6,migration_effect.mobilising,anna',
      'r01-vilnius-ru,6,migration_effect.inhibiting,anna',
      'r01-vilnius-ru,7,forms.protest',
    ].join('\n'));
    const result = qcode(dir, ['tag', '--from', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter((line) => line.startsWith(file))).toEqual([
      `${file}:3:1: unknown document "r01-vilnus-ru" (did you mean "r01-vilnius-ru"?)`,
      `${file}:4:2: r01-vilnius-ru has no segment 99 (its segments are 1–20)`,
      `${file}:5:3: unknown code "forms.protst" (did you mean "forms.protest"?)`,
      `${file}:6:3: code "forms.art" is retired and cannot be applied (see qcode codebook show --retired)`,
      `${file}:7:2: segment "x" is not a segment number (1, 2, …)`,
      `${file}:8:4: no coder: fill the coder column, or pass --coder NAME for such rows`,
      `${file}:10:3: r01-vilnius-ru:6 got migration_effect.mobilising from anna on line 9; dimension "migration_effect" allows one code per segment`,
      `${file}:11:1: this row has 3 fields but the header has 4`,
    ]);
    expect(result.stderr).toContain(`${file}: 8 problems; nothing was written`);
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);
    expect(query(dir, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
    expect(query(dir, 'SELECT count(*) AS n FROM coders')).toEqual([{ n: 0 }]);
  });

  it('takes spans from the start and end columns, each checked against its segment', () => {
    const dir = seedInterviews();
    const [segment] = query<{ start: number; end: number }>(dir, "SELECT start, \"end\" FROM segments WHERE ordinal = 2 AND document_id = (SELECT id FROM documents WHERE slug = 'r01-vilnius-ru')");
    const start = (segment?.start ?? 0) + 5;
    const bad = csvFile([
      'document,segment,code,coder,start,end',
      `r01-vilnius-ru,2,forms.protest,anna,${start},${start + 10}`,
      'r01-vilnius-ru,2,forms.media,anna,0,5',
      `r01-vilnius-ru,2,forms.art,anna,${start},`,
      `r01-vilnius-ru,2,forms.art,anna,${start + 10},${start}`,
    ].join('\n'));
    const refused = qcode(dir, ['tag', '--from', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split('\n').filter((line) => line.startsWith(bad))).toEqual([
      `${bad}:3:5: span 0–5 is not inside r01-vilnius-ru:2 (${segment?.start}–${segment?.end})`,
      `${bad}:4:6: start and end must both be whole numbers (code-point offsets into the document), or both empty`,
      `${bad}:5:5: span ${start + 10}–${start} is reversed: start must be less than end`,
    ]);
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);

    const good = csvFile(`document,segment,code,coder,start,end\nr01-vilnius-ru,2,forms.protest,anna,${start},${start + 10}\nr01-vilnius-ru,2,forms.protest,anna,,\n`);
    expect(qcode(dir, ['tag', '--from', good]).code).toBe(0);
    expect(codings(dir).sort((a, b) => (a.start ?? -1) - (b.start ?? -1))).toEqual([
      { segment: 'r01-vilnius-ru:2', code: 'forms.protest', coder: 'anna', start: null, end: null },
      { segment: 'r01-vilnius-ru:2', code: 'forms.protest', coder: 'anna', start, end: start + 10 },
    ]);
  });

  it('reads files saved by spreadsheets: semicolons, a byte-order mark, quoted fields', () => {
    const dir = seedInterviews();
    const result = qcode(dir, ['tag', '--from', csvFile('\uFEFFdocument;segment;code;coder\r\n"r01-vilnius-ru";2;forms.protest;"anna"\r\n')]);
    expect(result.stderr).not.toContain('Error');
    expect(codings(dir).map((row) => `${row.segment} ${row.code} ${row.coder}`)).toEqual(['r01-vilnius-ru:2 forms.protest anna']);
  });

  it('reports the right lines in a file read in several pieces, across quoted fields and blank lines', () => {
    const dir = seedInterviews();
    // Over 2 MB, so the file is parsed in pieces of 1 MiB: quotes, escaped quotes, a field over two lines
    // and blank lines before the problems must not shift their line numbers.
    const lines = ['document,segment,code,coder'];
    /** The physical line of the last record pushed. */
    const lineOf = (): number => lines.join('\n').split('\n').length;
    let mobilisingLine = 0;
    let middleTypoLine = 0;
    let twoLineCoderLine = 0;
    const twoLineCoderRow = 'r01-vilnius-ru,3,forms.media,"a ""quoted""\ncoder"';
    for (let row = 0; row < 60_000; row++) {
      if (row === 100) lines.push('', '');
      if (row === 30_000) {
        lines.push(twoLineCoderRow);
        twoLineCoderLine = lineOf() - 1;
      }
      if (row === 30_001) {
        lines.push('r01-vilnius-ru,2,forms.protset,anna');
        middleTypoLine = lineOf();
      }
      lines.push(row % 3 === 0 ? `"r01-vilnius-ru",${2 + (row % 10)},"forms.protest","anna"` : `r01-vilnius-ru,${2 + (row % 10)},forms.protest,anna`);
      if (row === 20_000) {
        lines.push('r01-vilnius-ru,16,migration_effect.mobilising,anna');
        mobilisingLine = lineOf();
      }
    }
    lines.push('r01-vilnius-ru,16,migration_effect.inhibiting,anna');
    const conflictLine = lineOf();
    lines.push('r01-vilnius-ru,2,forms.protst,anna');
    const typoLine = lineOf();
    const file = csvFile(`${lines.join('\n')}\n`);
    const result = qcode(dir, ['tag', '--from', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter((line) => line.startsWith(file))).toEqual([
      `${file}:${twoLineCoderLine}:4: coder name "a \"quoted\"\\u000acoder" holds the character U+000A, which a terminal or a REFI-QDA file cannot show as text: use letters, digits, spaces and punctuation`,
      `${file}:${middleTypoLine}:3: unknown code "forms.protset" (did you mean "forms.protest"?)`,
      `${file}:${conflictLine}:3: r01-vilnius-ru:16 got migration_effect.mobilising from anna on line ${mobilisingLine}; dimension "migration_effect" allows one code per segment`,
      `${file}:${typoLine}:3: unknown code "forms.protst" (did you mean "forms.protest"?)`,
    ]);
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);

    // Without the bad rows the same file is written, and a coder name with escaped quotes keeps them.
    const goodLines = lines.slice(0, -2).filter((line) => !line.includes('protset'));
    goodLines[goodLines.indexOf(twoLineCoderRow)] = 'r01-vilnius-ru,3,forms.media,"a ""quoted"" coder"';
    const good = csvFile(`${goodLines.join('\n')}\n`);
    const written = qcode(dir, ['tag', '--from', good]);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain('60,002 rows added 12 codings (a "quoted" coder, anna)');
    expect(query(dir, "SELECT count(*) AS n FROM codings k JOIN coders r ON r.id = k.coder_id WHERE r.name = 'a \"quoted\" coder'")).toEqual([{ n: 1 }]);
  });

  it('refuses an exclusive code that conflicts with one already stored', () => {
    const dir = seedInterviews();
    qcode(dir, ['tag', 'r01-vilnius-ru:6', 'migration_effect.mobilising', '--coder', 'anna']);
    const file = csvFile('document,segment,code,coder\nr01-vilnius-ru,6,migration_effect.inhibiting,anna\nr01-vilnius-ru,6,migration_effect.inhibiting,boris\n');
    const result = qcode(dir, ['tag', '--from', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:2:3: r01-vilnius-ru:6 already has migration_effect.mobilising from anna; dimension "migration_effect" allows one code per segment`);
    expect(result.stderr).not.toContain(':3:3:');
  });

  it('checks the header: unknown columns with a did-you-mean, missing columns', () => {
    const dir = seedInterviews();
    const result = qcode(dir, ['tag', '--from', csvFile('document,segement,code\nr01-vilnius-ru,2,forms.protest\n')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(':1:2: unknown column "segement" (did you mean "segment"?)');
    expect(result.stderr).toContain('no segment columns');
    expect(result.stderr).toContain('no "coder" column');
  });

  it('--dry-run validates and counts without writing', () => {
    const dir = seedInterviews();
    qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna']);
    const file = csvFile('document,segment,code,coder\nr01-vilnius-ru,2,forms.protest,anna\nr01-vilnius-ru,3,forms.protest,anna\n');
    const result = qcode(dir, ['tag', '--from', file, '--dry-run']);
    expect(result.stdout).toBe(`${file} is valid: 2 rows would add 1 coding (anna); 1 was already there.\nDry run: nothing was written.\n`);
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 1 }]);
  });

  it('marks a segment seen without a code where the code is empty, undoably, and refuses such a row with a span or in untag', () => {
    const dir = seedInterviews();
    const file = csvFile('document,segment,code,coder\nr01-vilnius-ru,2,,anna\nr01-vilnius-ru,3,forms.art,anna\n');
    const result = qcode(dir, ['tag', '--from', file]);
    expect(result.stdout).toBe(`${file}: 2 rows added 1 coding (anna); 0 were already there; 1 segment marked seen without a code.\n`);
    const seen = () => query<{ segment: string }>(dir, `
      SELECT d.slug || ':' || s.ordinal AS segment FROM seen v JOIN segments s ON s.id = v.segment_id JOIN documents d ON d.id = s.document_id
      ORDER BY s.ordinal`).map((row) => row.segment);
    expect(seen()).toEqual(['r01-vilnius-ru:2', 'r01-vilnius-ru:3']);
    expect(codings(dir).map((row) => `${row.segment} ${row.code}`)).toEqual(['r01-vilnius-ru:3 forms.art']);
    expect(qcode(dir, ['undo', '--coder', 'anna']).code).toBe(0);
    expect(seen()).toEqual([]);

    const spanned = csvFile('document,segment,code,coder,start,end\nr01-vilnius-ru,2,,anna,87,90\n');
    const refused = qcode(dir, ['tag', '--from', spanned]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('a row without a code marks the whole segment seen');
    const untag = qcode(dir, ['untag', '--from', csvFile('document,segment,code,coder\nr01-vilnius-ru,2,,anna\n')]);
    expect(untag.code).toBe(1);
    expect(untag.stderr).toContain('the code is empty');
  });

  it('untag --from removes the listed codings as one batch', () => {
    const dir = seedInterviews();
    qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protest', 'forms.media', '--coder', 'anna']);
    const result = qcode(dir, ['untag', '--from', csvFile('document,segment,code,coder\nr01-vilnius-ru,2,forms.protest,anna\nr01-vilnius-ru,2,forms.art,anna\n')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('removed 1 coding (anna); 1 was not there');
    expect(codings(dir).map((row) => row.code)).toEqual(['forms.media']);
  });

  it('refuses a file that is not CSV text with one line', () => {
    const dir = seedInterviews();
    const file = join(tempDir(), 'broken.csv');
    writeFileSync(file, 'document,segment,code,coder\n"r01-vilnius-ru,2,forms.protest,anna\n');
    const result = qcode(dir, ['tag', '--from', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Error: ${file}:2: row 2: a quoted field is never closed (unbalanced quotes; the row starts on line 2 and runs to the end of the file) — Every field that starts with " must end with "; a quote inside a quoted field is written twice ("")\n`);
  });
});

describe('qcode tag run concurrently', () => {
  it('keeps one code per segment in an exclusive dimension when processes race', async () => {
    const dir = seedInterviews();
    const coders = ['c1', 'c2', 'c3', 'c4'];
    const runs = coders.flatMap((coder) => ['migration_effect.mobilising', 'migration_effect.inhibiting', 'migration_effect.mobilising', 'migration_effect.inhibiting']
      .map((code) => runQcodeAsync(['--project', dir, 'tag', 'r01-vilnius-ru:2', code, '--coder', coder])));
    const results = await Promise.all(runs);
    // Every process either wrote or was refused by the rule, in one line: none failed another way.
    for (const result of results) {
      if (result.code !== 0) {
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/allows one code per segment|one code/);
      }
    }
    const perCoder = query<{ coder: string; codes: number }>(dir, `
      SELECT r.name AS coder, count(DISTINCT k.code_id) AS codes FROM codings k JOIN coders r ON r.id = k.coder_id
      WHERE k.code_id LIKE 'migration_effect.%' GROUP BY r.name ORDER BY r.name`);
    expect(perCoder).toEqual(coders.map((coder) => ({ coder, codes: 1 })));
  }, 60_000);
});
