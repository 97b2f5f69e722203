import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { unzipSync } from 'fflate';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { join, resolve } from 'node:path';
import { crc32, deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { initProject } from '../src/app/project.js';
import { segmentText } from '../src/core/segment.js';
import { ROOT, tempDir } from './helpers.js';

// Seeding and checking helpers of the REFI-QDA tests. Projects are seeded by writing rows the way the
// importers and the coder do (src/store/migrations.ts), so these tests do not depend on them.

/** The official schemas: the ONE place tests read ../shared, and only when it is there. */
export const REFI_SCHEMAS = resolve(ROOT, '..', 'shared', 'refi-qda');

export const xsdValidation: { available: boolean; reason: string } = (() => {
  if (!existsSync(join(REFI_SCHEMAS, 'Project.xsd'))) return { available: false, reason: `no schemas at ${REFI_SCHEMAS}` };
  const probe = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return { available: false, reason: 'xmllint is not installed (apt-get install libxml2-utils)' };
  return { available: true, reason: '' };
})();

if (!xsdValidation.available) {
  process.stderr.write(`\n*** REFI-QDA XSD validation SKIPPED: ${xsdValidation.reason} ***\n\n`);
}

/** xmllint's verdict on a file against Project.xsd or Codebook.xsd. */
export function validateAgainstXsd(file: string, schema: 'Project.xsd' | 'Codebook.xsd'): { ok: boolean; output: string } {
  const result = spawnSync('xmllint', ['--noout', '--schema', join(REFI_SCHEMAS, schema), file], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

export interface SeedDocument {
  slug: string;
  caseId?: string;
  title?: string;
  kind?: string;
  language?: string;
  sourcePath?: string;
  encoding?: string;
  importedAt?: string;
  /** The text's lines; one segment per line (empty lines skipped), unless cut the way `qcode import` does. */
  lines: string[];
  cutLikeImport?: boolean;
  /** Media times (ms) of the segments, in order, for lines-as-segments documents. */
  times?: Array<[number, number]>;
}

export interface SeedCoding {
  document: string;
  /** 1-based segment ordinal. */
  segment: number;
  code: string;
  coder: string;
  /** A span in code points relative to the segment's start; absent = the whole segment. */
  span?: [number, number];
  at?: string;
}

export interface SeedMemo {
  kind: 'project' | 'document' | 'segment' | 'code' | 'case';
  /** document slug, "slug:ordinal" for a segment, code id, case id. */
  target?: string;
  coder?: string;
  text: string;
  at?: string;
  updatedAt?: string;
}

export interface Seed {
  coders?: string[];
  cases?: Array<{ id: string; kind?: string; values?: Record<string, string> }>;
  documents?: SeedDocument[];
  codings?: SeedCoding[];
  memos?: SeedMemo[];
  /** Segments ("slug:ordinal") a coder has seen, coded or not. */
  seen?: Array<{ segment: string; coder: string }>;
  /** Extra SQL run after the cases, before documents and codings (retired codes and the like). */
  sql?: string[];
}

const cpLength = (text: string): number => Array.from(text).length;

/** Rows of a query on a project's store, opened read-only (so that it cannot create or change the store). */
export function queryReadOnly<T>(dir: string, sql: string): T[] {
  const db = new Database(join(dir, 'qcode.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** A new project (bundled codebook) with the seeded rows; returns its folder. */
export async function seedProject(seed: Seed, codebook = 'political-remittances'): Promise<string> {
  const dir = join(tempDir('qcode-refi-'), 'study');
  await initProject({ dir, codebook });
  const db = new Database(join(dir, 'qcode.db'));
  db.pragma('foreign_keys = ON');
  try {
    db.transaction(() => {
      for (const name of seed.coders ?? []) db.prepare('INSERT INTO coders (name) VALUES (?)').run(name);
      for (const entry of seed.cases ?? []) {
        db.prepare('INSERT INTO cases (id, kind) VALUES (?, ?)').run(entry.id, entry.kind ?? 'participant');
        for (const [attribute, value] of Object.entries(entry.values ?? {})) db.prepare('INSERT INTO case_values VALUES (?, ?, ?)').run(entry.id, attribute, value);
      }
      for (const sql of seed.sql ?? []) db.exec(sql);
      const segmentIds = new Map<string, number>();
      const segmentStart = new Map<string, number>();
      for (const document of seed.documents ?? []) {
        const text = document.lines.join('\n');
        const documentId = Number(db.prepare(`INSERT INTO documents (slug, case_id, title, kind, language, source_path, format, encoding, sha256, text, imported_at)
          VALUES (?, ?, ?, ?, ?, ?, 'txt', ?, 'seeded', ?, ?)`).run(document.slug, document.caseId ?? null, document.title ?? null, document.kind ?? 'interview',
          document.language ?? null, document.sourcePath ?? null, document.encoding ?? null, text, document.importedAt ?? '2025-03-01T09:00:00.000Z').lastInsertRowid);
        if (document.cutLikeImport) {
          segmentText(text).segments.forEach((segment, index) => {
            const id = Number(db.prepare('INSERT INTO segments (document_id, ordinal, speaker, start, "end", text) VALUES (?, ?, ?, ?, ?, ?)')
              .run(documentId, index + 1, segment.speaker, segment.start, segment.end, segment.text).lastInsertRowid);
            segmentIds.set(`${document.slug}:${index + 1}`, id);
            segmentStart.set(`${document.slug}:${index + 1}`, segment.start);
          });
          continue;
        }
        let offset = 0;
        let ordinal = 0;
        for (const line of document.lines) {
          if (line !== '') {
            ordinal++;
            const [tStart, tEnd] = document.times?.[ordinal - 1] ?? [null, null];
            const segment = Number(db.prepare('INSERT INTO segments (document_id, ordinal, start, "end", text, t_start, t_end) VALUES (?, ?, ?, ?, ?, ?, ?)')
              .run(documentId, ordinal, offset, offset + cpLength(line), line, tStart, tEnd).lastInsertRowid);
            segmentIds.set(`${document.slug}:${ordinal}`, segment);
            segmentStart.set(`${document.slug}:${ordinal}`, offset);
          }
          offset += cpLength(line) + 1;
        }
      }
      const coderId = (name: string): number => (db.prepare('SELECT id FROM coders WHERE name = ?').get(name) as { id: number }).id;
      for (const coding of seed.codings ?? []) {
        const key = `${coding.document}:${coding.segment}`;
        const start = segmentStart.get(key) as number;
        db.prepare('INSERT INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
          segmentIds.get(key), coding.code, coderId(coding.coder),
          coding.span === undefined ? null : start + coding.span[0], coding.span === undefined ? null : start + coding.span[1],
          coding.at ?? '2025-03-02T10:00:00.000Z');
      }
      for (const mark of seed.seen ?? []) {
        db.prepare('INSERT INTO seen (segment_id, coder_id, at) VALUES (?, ?, ?)').run(segmentIds.get(mark.segment), coderId(mark.coder), '2025-03-02T09:00:00.000Z');
      }
      for (const memo of seed.memos ?? []) {
        const target = memo.kind === 'segment' ? String(segmentIds.get(memo.target ?? '')) : (memo.target ?? null);
        db.prepare('INSERT INTO memos (target_kind, target_id, coder_id, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(
          memo.kind, target, memo.coder === undefined ? null : coderId(memo.coder), memo.text, memo.at ?? '2025-03-03T08:00:00.000Z',
          memo.updatedAt ?? memo.at ?? '2025-03-03T08:00:00.000Z');
      }
    })();
  } finally {
    db.close();
  }
  return dir;
}

/** A project that exercises everything REFI-QDA carries: Cyrillic, emoji, combining marks, overlaps, memos. */
export const RICH_SEED: Seed = {
  coders: ['anna', 'boris', 'Ольга'],
  cases: [
    { id: 'R01', values: { host_country: 'LT', emigration_year: '2022', city: 'Vilnius', interview_date: '2024-05-01', role: 'emigrant' } },
    { id: 'R02', values: { host_country: 'DE', emigration_year: '2023' } },
    { id: 'EXP1', kind: 'expert' },
  ],
  documents: [
    {
      slug: 'r01-vilnius-ru', caseId: 'R01', title: 'Интервью R01, Вильнюс', language: 'ru', sourcePath: '/home/anna/secret/r01.txt', encoding: 'cp1251',
      lines: [
        'И: Расскажите, чем вы занимаетесь в Вильнюсе?',
        'Р: Каждую субботу мы стоим с плакатами у посольства, а ещё пишем письма политзаключённым.',
        '',
        'Р: Ёлки-палки, «Свободная Россия» — это наше общество; мы его зарегистрировали в 2023.',
      ],
    },
    {
      slug: 'r02-berlin-en', caseId: 'R02', language: 'en', times: [[0, 4200], [4200, 15800], [15800, 21000]],
      lines: [
        'I: What changed after you left? 😀',
        'R: We run a Telegram channel 𝒳 for readers in Russia & we "translate" <news> q\u0307uickly.',
        'R:\tTabs stay, and so does a zero-width joiner: 👩\u200d💻.',
      ],
    },
    { slug: 'web-note', kind: 'web', lines: ['A page with no codings at all.'] },
  ],
  codings: [
    { document: 'r01-vilnius-ru', segment: 2, code: 'forms.protest', coder: 'anna', at: '2025-03-02T10:00:00.000Z' },
    { document: 'r01-vilnius-ru', segment: 2, code: 'forms.protest', coder: 'boris', at: '2025-03-02T11:00:00.000Z' },
    { document: 'r01-vilnius-ru', segment: 2, code: 'forms.humanitarian', coder: 'anna', span: [45, 89] },
    { document: 'r01-vilnius-ru', segment: 2, code: 'forms.protest', coder: 'Ольга', span: [3, 50] },
    { document: 'r01-vilnius-ru', segment: 3, code: 'forms.ngo_work', coder: 'anna', span: [3, 50] },
    { document: 'r01-vilnius-ru', segment: 3, code: 'strategies.institutionalising', coder: 'anna', span: [20, 86] },
    { document: 'r02-berlin-en', segment: 2, code: 'forms.media', coder: 'boris', span: [6, 30] },
    { document: 'r02-berlin-en', segment: 2, code: 'forms.online', coder: 'boris', span: [25, 70] },
    { document: 'r02-berlin-en', segment: 3, code: 'forms.old_code', coder: 'anna' },
    { document: 'r02-berlin-en', segment: 1, code: 'forms.media', coder: 'anna', span: [31, 31] },
  ],
  // Seen without coding: agreement counts these as "none of the codes", so they must survive a round trip.
  seen: [
    { segment: 'r01-vilnius-ru:1', coder: 'anna' }, { segment: 'r01-vilnius-ru:1', coder: 'boris' }, { segment: 'r01-vilnius-ru:3', coder: 'boris' },
    { segment: 'r02-berlin-en:2', coder: 'anna' }, { segment: 'r01-vilnius-ru:2', coder: 'anna' },
  ],
  memos: [
    { kind: 'project', text: 'Project memo: pilot interviews only.', coder: 'anna', at: '2025-03-04T08:00:00.000Z', updatedAt: '2025-03-05T08:00:00.000Z' },
    { kind: 'document', target: 'r01-vilnius-ru', text: 'Recorded in a café; noisy.', coder: 'boris' },
    { kind: 'segment', target: 'r01-vilnius-ru:2', text: 'Важно: регулярность «каждую субботу».\r\nSecond line & <b>.', coder: 'Ольга' },
    { kind: 'segment', target: 'r02-berlin-en:3', text: 'Memo on an uncoded segment' },
    { kind: 'code', target: 'forms.protest', text: 'Protest vs. art: see the exclude note.', coder: 'anna' },
    { kind: 'code', target: 'forms', text: 'A memo on the whole dimension.', coder: 'anna' },
    { kind: 'case', target: 'R01', text: 'R01 asked to be called back in May.', coder: 'boris' },
    { kind: 'case', target: 'R01', text: 'R01 asked to be called back in May.', coder: 'boris' },
  ],
  sql: [
    `INSERT INTO codes (id, dimension_id, parent_id, label, labels, definition, examples, status, ord)
     VALUES ('forms.old_code', 'forms', NULL, 'An old code', '{"ru":"Старый код"}', 'Retired after the pilot.', '[]', 'retired', 1000003)`,
    `INSERT INTO attributes (name, type, label, labels, allowed, value_labels, status, ord) VALUES ('pilot_group', 'category', 'Pilot group', '{}', '["a","b"]', '{}', 'retired', 1000000)`,
    `INSERT INTO case_values VALUES ('R02', 'pilot_group', 'b')`,
  ],
};

/** Checks a .qdpx's project.qde (and a .qdc) against the official schemas, when they and xmllint are there. */
export function expectSchemaValid(files: { qdpx?: string; qdc?: string }): void {
  if (!xsdValidation.available) return;
  if (files.qdpx !== undefined) {
    const qde = join(tempDir('qcode-refi-xsd-'), 'project.qde');
    writeFileSync(qde, unzipSync(new Uint8Array(readFileSync(files.qdpx)))['project.qde'] as Uint8Array);
    const result = validateAgainstXsd(qde, 'Project.xsd');
    expect(result.output).toContain('project.qde validates');
  }
  if (files.qdc !== undefined) expect(validateAgainstXsd(files.qdc, 'Codebook.xsd').output).toContain('validates');
}

/**
 * A real zip bomb: one entry of `megabytes` MB of spaces, deflated, with honest sizes and CRC. The deflate
 * stream repeats one fully flushed block (which refers to nothing before it), so a 2 GB bomb costs
 * about 2 MB and a second to build.
 */
export function zipBomb(name: string, megabytes: number): Uint8Array {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const block = deflateRawSync(chunk, { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  let crc = 0;
  for (let index = 0; index < megabytes; index++) crc = crc32(chunk, crc);
  const data = Buffer.concat([...Array.from({ length: megabytes }, () => block), Buffer.from([0x03, 0x00])]);
  const size = megabytes * chunk.length;
  const nameBytes = Buffer.from(name, 'utf8');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size >>> 0, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size >>> 0, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(local.length + nameBytes.length + data.length, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}
