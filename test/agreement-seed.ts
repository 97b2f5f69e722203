// Coders' work written straight into a project's store, as `qcode code` records it: a coding per code and a
// "seen" mark per segment the coder went through (coded or not). Shared by the agreement, merge and reconcile tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { openStore, query, seedProject, type SeedDocument } from './seed.js';

/** A small codebook: an exclusive 5-point dimension (Krippendorff's data use values 1..5) and three topics. */
export const AGREEMENT_CODEBOOK = `codebook: agreement-test
version: 1
languages: [en]
dimensions:
  - id: rating
    label: Rating
    exclusive: true
    codes:
      - {id: r1, label: One}
      - {id: r2, label: Two}
      - {id: r3, label: Three}
      - {id: r4, label: Four}
      - {id: r5, label: Five}
  - id: topics
    label: Topics
    codes:
      - {id: protest, label: Protest}
      - {id: petition, label: Petition}
      - {id: rare, label: Rare}
`;

export function agreementCodebookFile(): string {
  const path = join(tempDir('qcode-codebook-'), 'agreement-test.yaml');
  writeFileSync(path, AGREEMENT_CODEBOOK);
  return path;
}

/** Documents of n plain segments each: "doc-a" → "doc-a line 1", … */
export function plainDocuments(sizes: Record<string, number>): SeedDocument[] {
  return Object.entries(sizes).map(([slug, n]) => ({
    slug,
    segments: Array.from({ length: n }, (_, i) => ({ text: `${slug} line ${i + 1}: мы говорили о разном` })),
  }));
}

/** A project with the agreement codebook and the given documents. */
export function agreementProject(sizes: Record<string, number>): string {
  return seedProject(plainDocuments(sizes), [], agreementCodebookFile());
}

export interface Work {
  coder: string;
  document: string;
  /** Ordinals the coder went through (seen), whether or not coded. */
  seen?: readonly number[];
  /** Ordinal → codes. */
  codes?: Record<number, readonly string[]>;
}

/** Writes coders' seen marks and codings (whole-segment) into the project. */
export function recordWork(dir: string, work: readonly Work[]): void {
  const db = openStore(dir);
  try {
    const coderId = (name: string): number => {
      db.prepare('INSERT OR IGNORE INTO coders (name) VALUES (?)').run(name);
      return (db.prepare('SELECT id FROM coders WHERE name = ?').get(name) as { id: number }).id;
    };
    const segmentId = (slug: string, ordinal: number): number =>
      (db.prepare('SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = ? AND s.ordinal = ?').get(slug, ordinal) as { id: number }).id;
    const seen = db.prepare("INSERT OR IGNORE INTO seen (segment_id, coder_id, at) VALUES (?, ?, '2026-01-01T00:00:00.000Z')");
    const coding = db.prepare("INSERT INTO codings (segment_id, code_id, coder_id, created_at) VALUES (?, ?, ?, '2026-01-01T00:00:00.000Z')");
    db.transaction(() => {
      for (const item of work) {
        const coder = coderId(item.coder);
        for (const ordinal of item.seen ?? []) seen.run(segmentId(item.document, ordinal), coder);
        for (const [ordinal, codes] of Object.entries(item.codes ?? {})) {
          const segment = segmentId(item.document, Number(ordinal));
          seen.run(segment, coder);
          for (const code of codes) coding.run(segment, code, coder);
        }
      }
    })();
  } finally {
    db.close();
  }
}

/** 0/1 strings ("1100000000") as ordinal → [code] maps. */
export function presence(pattern: string, code: string): Record<number, string[]> {
  const codes: Record<number, string[]> = {};
  [...pattern].forEach((bit, i) => {
    if (bit === '1') codes[i + 1] = [code];
  });
  return codes;
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Every row of every table a merge may touch, ids left out (they differ between projects by design). */
export function projectContent(dir: string): Record<string, unknown[]> {
  return {
    coders: query(dir, 'SELECT name FROM coders ORDER BY name'),
    cases: query(dir, 'SELECT * FROM cases ORDER BY id'),
    case_values: query(dir, 'SELECT * FROM case_values ORDER BY case_id, attribute'),
    documents: query(dir, 'SELECT slug, case_id, sha256, text FROM documents ORDER BY slug'),
    segments: query(dir, 'SELECT d.slug, s.ordinal, s.start, s."end", s.text FROM segments s JOIN documents d ON d.id = s.document_id ORDER BY d.slug, s.ordinal'),
    codings: query(dir, `SELECT d.slug, s.ordinal, k.code_id, r.name, k.start, k."end", k.created_at FROM codings k
      JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = k.coder_id
      ORDER BY d.slug, s.ordinal, k.code_id, r.name, k.start`),
    seen: query(dir, `SELECT d.slug, s.ordinal, r.name, v.at FROM seen v JOIN segments s ON s.id = v.segment_id
      JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = v.coder_id ORDER BY d.slug, s.ordinal, r.name`),
    memos: query(dir, 'SELECT m.target_kind, m.target_id, r.name, m.text, m.created_at FROM memos m LEFT JOIN coders r ON r.id = m.coder_id ORDER BY m.created_at, m.text'),
    events: query(dir, 'SELECT e.at, r.name, e.action, e.batch, e.payload FROM events e LEFT JOIN coders r ON r.id = e.coder_id ORDER BY e.at, e.action, e.payload'),
    codes: query(dir, 'SELECT id, status, label FROM codes ORDER BY id'),
  };
}
