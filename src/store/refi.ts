import type { AttributeType } from '../core/codebook.js';
import type { Db } from './db.js';

// Reads a whole project for a REFI-QDA export, and writes an imported one in one transaction.

/** Facts about the project that an imported project keeps from the file it came from. */
export const META_PROJECT_NAME = 'project.name';
export const META_PROJECT_CREATED = 'project.created_at';

export interface ExportRows {
  projectName: string | null;
  createdAt: string | null;
  latestCodebookYaml: string | null;
  coders: string[];
  cases: Array<{ id: string; kind: string }>;
  caseValues: Array<{ case_id: string; attribute: string; value: string }>;
  documents: Array<{
    id: number; slug: string; case_id: string | null; title: string | null; kind: string; language: string | null;
    source_path: string | null; format: string; encoding: string | null; text: string; imported_at: string;
  }>;
  codings: Array<{
    slug: string; segment_start: number; segment_end: number; start: number | null; end: number | null;
    code_id: string; coder: string; created_at: string;
  }>;
  memos: Array<{ id: number; target_kind: string; target_id: string | null; coder: string | null; text: string; created_at: string; updated_at: string }>;
  /** Every segment, by document slug and then position. */
  segments: Array<{ slug: string; ordinal: number; start: number; end: number; speaker: string | null; t_start: number | null; t_end: number | null }>;
  /**
   * Segments a coder has seen without coding them (agreement counts them as "none of these codes"), and
   * coded ones that coder also went through in a one-dimension pass: there a coding alone does not say
   * the coder went through every dimension.
   */
  seen: Array<{ slug: string; ordinal: number; coder: string }>;
  /** One-dimension pass marks (qcode code --dimension D): agreement counts such a segment for D alone. */
  passes: Array<{ slug: string; ordinal: number; coder: string; dimension: string }>;
  /** Withdrawal-of-consent tombstones: the removed texts' hashes and names, never a text. */
  removedDocuments: Array<{ sha256: string; slug: string; case_id: string | null; removed_at: string }>;
  removedCases: Array<{ id: string; removed_at: string }>;
  /** Segments that memos point to, by id. */
  memoSegments: Map<number, { slug: string; start: number; end: number }>;
  /** Document slug by id, for memos that name a document by its id. */
  slugById: Map<number, string>;
}

function metaValue(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function loadExportRows(db: Db): ExportRows {
  const read = db.transaction(() => {
    const firstApplied = db.prepare('SELECT applied_at FROM codebook_versions ORDER BY id LIMIT 1').get() as { applied_at: string } | undefined;
    const latest = db.prepare('SELECT yaml FROM codebook_versions ORDER BY id DESC LIMIT 1').get() as { yaml: string } | undefined;
    const documents = db.prepare(`
      SELECT id, slug, case_id, title, kind, language, source_path, format, encoding, text, imported_at
      FROM documents ORDER BY slug`).all() as ExportRows['documents'];
    const memoSegments = new Map<number, { slug: string; start: number; end: number }>();
    const segmentRows = db.prepare(`
      SELECT s.id, d.slug, s.start, s."end" AS "end" FROM segments s JOIN documents d ON d.id = s.document_id
      WHERE s.id IN (SELECT CAST(target_id AS INTEGER) FROM memos WHERE target_kind = 'segment')`).all() as Array<{ id: number; slug: string; start: number; end: number }>;
    for (const row of segmentRows) memoSegments.set(row.id, { slug: row.slug, start: row.start, end: row.end });
    return {
      projectName: metaValue(db, META_PROJECT_NAME),
      createdAt: metaValue(db, META_PROJECT_CREATED) ?? firstApplied?.applied_at ?? null,
      latestCodebookYaml: latest?.yaml ?? null,
      coders: (db.prepare('SELECT name FROM coders ORDER BY name').all() as Array<{ name: string }>).map((row) => row.name),
      cases: db.prepare('SELECT id, kind FROM cases ORDER BY id').all() as ExportRows['cases'],
      caseValues: db.prepare('SELECT case_id, attribute, value FROM case_values ORDER BY case_id, attribute').all() as ExportRows['caseValues'],
      documents,
      codings: db.prepare(`
        SELECT d.slug, s.start AS segment_start, s."end" AS segment_end, k.start, k."end" AS "end", k.code_id, c.name AS coder, k.created_at
        FROM codings k
        JOIN segments s ON s.id = k.segment_id
        JOIN documents d ON d.id = s.document_id
        JOIN coders c ON c.id = k.coder_id
        ORDER BY k.id`).all() as ExportRows['codings'],
      memos: db.prepare(`
        SELECT m.id, m.target_kind, m.target_id, c.name AS coder, m.text, m.created_at, m.updated_at
        FROM memos m LEFT JOIN coders c ON c.id = m.coder_id ORDER BY m.id`).all() as ExportRows['memos'],
      memoSegments,
      slugById: new Map(documents.map((document) => [document.id, document.slug])),
      segments: db.prepare(`
        SELECT d.slug, s.ordinal, s.start, s."end" AS "end", s.speaker, s.t_start, s.t_end
        FROM segments s JOIN documents d ON d.id = s.document_id ORDER BY d.slug, s.start, s."end", s.ordinal`).all() as ExportRows['segments'],
      seen: db.prepare(`
        SELECT d.slug, s.ordinal, c.name AS coder
        FROM seen v JOIN segments s ON s.id = v.segment_id JOIN documents d ON d.id = s.document_id JOIN coders c ON c.id = v.coder_id
        WHERE NOT EXISTS (SELECT 1 FROM codings k WHERE k.segment_id = v.segment_id AND k.coder_id = v.coder_id)
          OR EXISTS (SELECT 1 FROM seen_dimensions p WHERE p.segment_id = v.segment_id AND p.coder_id = v.coder_id)
        ORDER BY d.slug, s.ordinal, c.name`).all() as ExportRows['seen'],
      passes: db.prepare(`
        SELECT d.slug, s.ordinal, c.name AS coder, p.dimension_id AS dimension
        FROM seen_dimensions p JOIN segments s ON s.id = p.segment_id JOIN documents d ON d.id = s.document_id JOIN coders c ON c.id = p.coder_id
        ORDER BY d.slug, s.ordinal, c.name, p.dimension_id`).all() as ExportRows['passes'],
      removedDocuments: db.prepare('SELECT sha256, slug, case_id, removed_at FROM removed_documents ORDER BY removed_at, slug, sha256').all() as ExportRows['removedDocuments'],
      removedCases: db.prepare('SELECT id, removed_at FROM removed_cases ORDER BY id').all() as ExportRows['removedCases'],
    };
  });
  // One read transaction: a coder tagging meanwhile cannot make the export half old, half new.
  return read.deferred();
}

export interface ImportCounts {
  documents: number;
  segments: number;
  codings: number;
  coders: number;
  cases: number;
  memos: number;
  /** Tombstones of a withdrawal of consent brought in: documents and cases the project now refuses. */
  removedDocuments: number;
  removedCases: number;
}

const RETIRED_ORD = 1_000_000;

/** What an import writes (the shape of io/refi's ImportPlan, declared here so the store depends on no importer). */
export interface ImportRecords {
  projectName: string;
  createdAt: string | null;
  codebook: {
    retired: {
      dimensions: Array<{ id: string; label: string; labels: Record<string, string>; description: string | null; exclusive: boolean; color: string | null }>;
      codes: Array<{
        id: string; dimensionId: string; parentId: string | null; label: string; labels: Record<string, string>; definition: string | null;
        include: string | null; exclude: string | null; examples: string[]; color: string | null;
      }>;
      attributes: Array<{
        name: string; type: AttributeType; label: string; labels: Record<string, string>; description: string | null; values: string[] | null;
        valueLabels: Record<string, string>; min: number | null; max: number | null;
      }>;
    };
  };
  coders: string[];
  cases: Array<{ id: string; kind: string; values: Array<{ attribute: string; value: string }> }>;
  documents: Array<{
    slug: string; caseId: string | null; title: string | null; kind: string; language: string | null; sourcePath: string | null;
    format: string; encoding: string | null; sha256: string; text: string; importedAt: string;
    segments: Array<{ start: number; end: number; text: string; speaker: string | null; tStart: number | null; tEnd: number | null }>;
    codings: Array<{ segment: number; codeId: string; coder: string; start: number | null; end: number | null; createdAt: string }>;
    /** Segments seen (in a full pass), by index, with the coder; marked at the import's time. */
    seen: Array<{ segment: number; coder: string }>;
    /** One-dimension pass marks, by segment index; marked at the import's time. */
    passes: Array<{ segment: number; coder: string; dimension: string }>;
  }>;
  memos: Array<{
    target: { kind: 'project' } | { kind: 'document'; document: number } | { kind: 'segment'; document: number; segment: number } | { kind: 'code' | 'case'; id: string };
    coder: string | null; text: string; createdAt: string; updatedAt: string;
  }>;
  /** Tombstones of a withdrawal of consent in the project the file came from. */
  removed: {
    documents: Array<{ sha256: string; slug: string; caseId: string | null; removedAt: string }>;
    cases: Array<{ id: string; removedAt: string }>;
  };
}

/**
 * Writes an imported project into a store that holds only its freshly applied codebook: retired
 * codebook items, coders, cases, documents, segments, codings, memos and the tombstones of removed
 * participants, all in one transaction.
 */
export function insertImportedProject(db: Db, plan: ImportRecords, event: { file: string; at: string }): ImportCounts {
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const insertDimension = db.prepare(`INSERT INTO dimensions (id, label, labels, description, exclusive, color, status, ord)
    VALUES (?, ?, ?, ?, ?, ?, 'retired', ?)`);
  const insertCode = db.prepare(`INSERT INTO codes (id, dimension_id, parent_id, label, labels, definition, include, exclude, examples, color, status, ord)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'retired', ?)`);
  const insertAttribute = db.prepare(`INSERT INTO attributes (name, type, label, labels, description, allowed, value_labels, min, max, status, ord)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'retired', ?)`);
  const insertCoder = db.prepare('INSERT INTO coders (name) VALUES (?) ON CONFLICT (name) DO NOTHING');
  const coderId = db.prepare('SELECT id FROM coders WHERE name = ?');
  const insertCase = db.prepare('INSERT INTO cases (id, kind) VALUES (?, ?)');
  const insertValue = db.prepare('INSERT INTO case_values (case_id, attribute, value) VALUES (?, ?, ?)');
  const insertDocument = db.prepare(`INSERT INTO documents (slug, case_id, title, kind, language, source_path, format, encoding, sha256, text, imported_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertSegment = db.prepare('INSERT INTO segments (document_id, ordinal, speaker, start, "end", text, t_start, t_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const insertCoding = db.prepare('INSERT INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const insertSeen = db.prepare(`INSERT INTO seen (segment_id, coder_id, at) VALUES (?, ?, ?)
    ON CONFLICT (coder_id, segment_id) DO UPDATE SET at = min(at, excluded.at)`);
  const insertPass = db.prepare('INSERT OR IGNORE INTO seen_dimensions (segment_id, coder_id, dimension_id, at) VALUES (?, ?, ?, ?)');
  const insertRemovedDocument = db.prepare('INSERT INTO removed_documents (sha256, slug, case_id, removed_at) VALUES (?, ?, ?, ?)');
  const insertRemovedCase = db.prepare('INSERT INTO removed_cases (id, removed_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
  const insertMemo = db.prepare('INSERT INTO memos (target_kind, target_id, coder_id, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
  const insertEvent = db.prepare('INSERT INTO events (at, coder_id, action, payload) VALUES (?, NULL, ?, ?)');

  const write = db.transaction((): ImportCounts => {
    setMeta.run(META_PROJECT_NAME, plan.projectName);
    if (plan.createdAt !== null) setMeta.run(META_PROJECT_CREATED, plan.createdAt);
    const { retired } = plan.codebook;
    retired.dimensions.forEach((dimension, index) => {
      insertDimension.run(dimension.id, dimension.label, JSON.stringify(dimension.labels), dimension.description, dimension.exclusive ? 1 : 0, dimension.color, RETIRED_ORD + index);
    });
    retired.codes.forEach((code, index) => {
      insertCode.run(code.id, code.dimensionId, code.parentId, code.label, JSON.stringify(code.labels), code.definition, code.include, code.exclude,
        JSON.stringify(code.examples), code.color, RETIRED_ORD + index);
    });
    retired.attributes.forEach((attribute, index) => {
      insertAttribute.run(attribute.name, attribute.type, attribute.label, JSON.stringify(attribute.labels), attribute.description,
        attribute.values === null ? null : JSON.stringify(attribute.values), JSON.stringify(attribute.valueLabels), attribute.min, attribute.max, RETIRED_ORD + index);
    });

    const coderIds = new Map<string, number>();
    for (const name of plan.coders) {
      insertCoder.run(name);
      coderIds.set(name, (coderId.get(name) as { id: number }).id);
    }
    const idOf = (name: string | null): number | null => (name === null ? null : (coderIds.get(name) ?? null));
    for (const entry of plan.cases) {
      insertCase.run(entry.id, entry.kind);
      for (const value of entry.values) insertValue.run(entry.id, value.attribute, value.value);
    }

    const segmentIds: number[][] = [];
    let segments = 0;
    let codings = 0;
    for (const document of plan.documents) {
      const documentId = Number(insertDocument.run(document.slug, document.caseId, document.title, document.kind, document.language, document.sourcePath,
        document.format, document.encoding, document.sha256, document.text, document.importedAt).lastInsertRowid);
      const ids = document.segments.map((segment, index) =>
        Number(insertSegment.run(documentId, index + 1, segment.speaker, segment.start, segment.end, segment.text, segment.tStart, segment.tEnd).lastInsertRowid));
      segmentIds.push(ids);
      segments += ids.length;
      // A segment coded in a one-dimension pass was gone through for that dimension only: its full-pass
      // mark, if it had one, is among `seen`.
      const inPasses = new Set(document.passes.map((mark) => `${mark.segment}\u0000${mark.coder}`));
      for (const coding of document.codings) {
        const segmentId = ids[coding.segment] as number;
        const coder = idOf(coding.coder) as number;
        insertCoding.run(segmentId, coding.codeId, coder, coding.start, coding.end, coding.createdAt);
        // Coding a segment in another tool means having seen it; agreement counts seen segments.
        if (!inPasses.has(`${coding.segment}\u0000${coding.coder}`)) insertSeen.run(segmentId, coder, coding.createdAt);
        codings++;
      }
      for (const mark of document.seen) insertSeen.run(ids[mark.segment] as number, idOf(mark.coder) as number, event.at);
      for (const mark of document.passes) insertPass.run(ids[mark.segment] as number, idOf(mark.coder) as number, mark.dimension, event.at);
    }
    for (const memo of plan.memos) {
      const target = memo.target;
      const targetId =
        target.kind === 'project' ? null
        : target.kind === 'document' ? (plan.documents[target.document] as ImportRecords['documents'][number]).slug
        : target.kind === 'segment' ? String((segmentIds[target.document] as number[])[target.segment])
        : target.id;
      insertMemo.run(target.kind, targetId, idOf(memo.coder), memo.text, memo.createdAt, memo.updatedAt);
    }
    for (const tombstone of plan.removed.documents) insertRemovedDocument.run(tombstone.sha256, tombstone.slug, tombstone.caseId, tombstone.removedAt);
    // A case the file lists twice is one withdrawal: count what was written, not what was listed.
    let removedCases = 0;
    for (const tombstone of plan.removed.cases) removedCases += insertRemovedCase.run(tombstone.id, tombstone.removedAt).changes;
    const counts: ImportCounts = {
      documents: plan.documents.length, segments, codings, coders: plan.coders.length, cases: plan.cases.length, memos: plan.memos.length,
      removedDocuments: plan.removed.documents.length, removedCases,
    };
    insertEvent.run(event.at, 'refi.import', JSON.stringify({ file: event.file, ...counts }));
    return counts;
  });
  return write.immediate();
}
