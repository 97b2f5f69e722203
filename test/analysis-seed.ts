// Small projects for the analysis and export tests, written straight into the store (per
// src/store/migrations.ts) so these tests do not depend on the importers or the coder.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initProject } from '../src/app/project.js';
import { tempDir } from './helpers.js';

/** A codebook small enough to count by hand: two dimensions, five codes, two attributes, two hypotheses. */
export const TINY_CODEBOOK = `codebook: tiny
version: 1
languages: [en, ru]
attributes:
  country:
    type: category
    label: Host country
    labels: {ru: "Страна"}
    values: [DE, LT, UK]
    value_labels: {DE: Germany, LT: Lithuania, UK: "United Kingdom's"}
  year:
    type: number
    label: Year of emigration
dimensions:
  - id: forms
    label: Forms
    labels: {ru: "Формы"}
    codes:
      - id: protest
        label: Protest
        labels: {ru: "Протест"}
      - id: letters
        label: Open letters, petitions
        labels: {ru: "Письма"}
      - id: media
        label: 'Media: it''s "news"'
  - id: effect
    label: Effect of migration
    exclusive: true
    codes:
      - id: mobilising
        label: Mobilising
      - id: inhibiting
        label: Inhibiting
hypotheses:
  H1:
    title: Effect of migration × forms
    rows: [effect]
    columns: [forms]
  H2:
    title: Host country × forms
    rows: [attribute:country]
    columns: [forms]
`;

export interface SeedCoding {
  code: string;
  coder: string;
  /** [start, end) in code points relative to the segment; omitted: the whole segment. */
  span?: [number, number];
}

export interface SeedSegment {
  text: string;
  speaker?: string;
  codings?: SeedCoding[];
}

export interface SeedDocument {
  slug: string;
  case?: string;
  title?: string;
  segments: SeedSegment[];
}

export interface SeedProject {
  codebook?: string;
  cases?: Array<{ id: string; values?: Record<string, string> }>;
  documents: SeedDocument[];
}

/** Creates a project (qcode init with the given codebook YAML) and writes the documents, segments and codings. */
export async function seedAnalysisProject(spec: SeedProject): Promise<string> {
  const root = tempDir('qcode-analysis-');
  const codebookPath = join(root, 'codebook-source.yaml');
  writeFileSync(codebookPath, spec.codebook ?? TINY_CODEBOOK);
  const dir = join(root, 'study');
  await initProject({ dir, codebook: codebookPath });
  const db = new Database(join(dir, 'qcode.db'));
  db.pragma('foreign_keys = ON');
  try {
    db.transaction(() => {
      for (const item of spec.cases ?? []) {
        db.prepare('INSERT INTO cases (id) VALUES (?)').run(item.id);
        for (const [attribute, value] of Object.entries(item.values ?? {})) {
          db.prepare('INSERT INTO case_values (case_id, attribute, value) VALUES (?, ?, ?)').run(item.id, attribute, value);
        }
      }
      const coders = new Map<string, number>();
      const coderId = (name: string): number => {
        let id = coders.get(name);
        if (id === undefined) {
          id = Number(db.prepare('INSERT INTO coders (name) VALUES (?)').run(name).lastInsertRowid);
          coders.set(name, id);
        }
        return id;
      };
      for (const document of spec.documents) {
        const text = document.segments.map((segment) => segment.text).join('\n');
        const documentId = Number(
          db.prepare(`INSERT INTO documents (slug, case_id, title, kind, language, format, sha256, text, imported_at)
                      VALUES (?, ?, ?, 'interview', 'en', 'txt', ?, ?, '2025-01-01T00:00:00.000Z')`)
            .run(document.slug, document.case ?? null, document.title ?? null, createHash('sha256').update(text).digest('hex'), text).lastInsertRowid,
        );
        let offset = 0;
        document.segments.forEach((segment, index) => {
          const length = [...segment.text].length;
          const segmentId = Number(
            db.prepare('INSERT INTO segments (document_id, ordinal, speaker, start, "end", text) VALUES (?, ?, ?, ?, ?, ?)')
              .run(documentId, index + 1, segment.speaker ?? null, offset, offset + length, segment.text).lastInsertRowid,
          );
          for (const coding of segment.codings ?? []) {
            db.prepare('INSERT INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
              segmentId, coding.code, coderId(coding.coder),
              coding.span ? offset + coding.span[0] : null, coding.span ? offset + coding.span[1] : null, '2025-01-02T03:04:05.000Z',
            );
          }
          offset += length + 1;
        });
      }
    })();
  } finally {
    db.close();
  }
  return dir;
}

/**
 * The hand-counted project of test/integration/analysis.test.ts. Segments (whole-segment codings
 * unless a span is given), by document:
 *
 *   d1 (case P1, DE): s1 protest+mobilising (anna) · s2 letters (anna), protest (boris) · s3 media (anna)
 *   d2 (case P2, LT): s1 protest [0,5) + letters [5,9) (anna: touching, no overlap) · s2 inhibiting, media (boris)
 *   d3 (case P3, DE): s1 protest, letters, mobilising (anna) · s2 nothing
 *   d4 (no case):     s1 media (anna)
 */
export function handCountedProject(): SeedProject {
  return {
    cases: [
      { id: 'P1', values: { country: 'DE', year: '2022' } },
      { id: 'P2', values: { country: 'LT', year: '2014' } },
      { id: 'P3', values: { country: 'DE' } },
    ],
    documents: [
      {
        slug: 'd1', case: 'P1', title: 'First interview',
        segments: [
          { speaker: 'R', text: 'We went to the embassy with posters.', codings: [{ code: 'forms.protest', coder: 'anna' }, { code: 'effect.mobilising', coder: 'anna' }] },
          { speaker: 'I', text: 'And the letter?', codings: [{ code: 'forms.letters', coder: 'anna' }, { code: 'forms.protest', coder: 'boris' }] },
          { speaker: 'R', text: 'We wrote, "loudly",\nto the press.', codings: [{ code: 'forms.media', coder: 'anna' }] },
        ],
      },
      {
        slug: 'd2', case: 'P2',
        segments: [
          { speaker: 'R', text: 'Rally, then =SUM(1) a letter.', codings: [{ code: 'forms.protest', coder: 'anna', span: [0, 5] }, { code: 'forms.letters', coder: 'anna', span: [5, 9] }] },
          { speaker: 'R', text: 'Я боюсь, поэтому только медиа.', codings: [{ code: 'effect.inhibiting', coder: 'boris' }, { code: 'forms.media', coder: 'boris' }] },
        ],
      },
      {
        slug: 'd3', case: 'P3',
        segments: [
          { speaker: 'R', text: 'Protest and petition, it moved me.', codings: [{ code: 'forms.protest', coder: 'anna' }, { code: 'forms.letters', coder: 'anna' }, { code: 'effect.mobilising', coder: 'anna' }] },
          { speaker: 'I', text: 'Thank you.' },
        ],
      },
      {
        slug: 'd4',
        segments: [{ speaker: 'R', text: '-5 degrees; @home we read news.', codings: [{ code: 'forms.media', coder: 'anna' }] }],
      },
    ],
  };
}
