import type { Codebook, ProjectCodebook, Status, AxisRef } from '../core/codebook.js';
import type { CodebookPlan, StoredCodebook } from '../core/codebook-plan.js';
import type { Db } from './db.js';

interface CodeRow {
  id: string; dimension_id: string; parent_id: string | null; label: string; labels: string;
  definition: string | null; include: string | null; exclude: string | null; examples: string;
  color: string | null; status: Status; ord: number; codings: number;
}
interface DimensionRow {
  id: string; label: string; labels: string; description: string | null; exclusive: number;
  color: string | null; status: Status; ord: number;
}
interface AttributeRow {
  name: string; type: 'category' | 'number' | 'date' | 'text'; label: string; labels: string; description: string | null;
  allowed: string | null; value_labels: string; min: number | null; max: number | null; status: Status; ord: number;
}

export function loadStoredCodebook(db: Db): StoredCodebook {
  const codes = db.prepare(`
    SELECT c.*, (SELECT count(*) FROM codings k WHERE k.code_id = c.id) AS codings
    FROM codes c ORDER BY c.ord`).all() as CodeRow[];
  const dimensions = db.prepare('SELECT * FROM dimensions ORDER BY ord').all() as DimensionRow[];
  const attributes = db.prepare('SELECT * FROM attributes ORDER BY ord').all() as AttributeRow[];
  const hypotheses = db.prepare('SELECT id, title, description, rows, columns FROM hypotheses ORDER BY ord').all() as StoredCodebook['hypotheses'];
  const values = db.prepare('SELECT attribute, value, count(*) AS n FROM case_values GROUP BY attribute, value').all() as Array<{ attribute: string; value: string; n: number }>;
  const passMarks = new Map((db.prepare('SELECT dimension_id, count(*) AS n FROM seen_dimensions GROUP BY dimension_id').all() as Array<{ dimension_id: string; n: number }>)
    .map((row) => [row.dimension_id, row.n]));
  return {
    dimensions: dimensions.map((row) => ({
      id: row.id, label: row.label, labels: JSON.parse(row.labels), description: row.description,
      exclusive: row.exclusive === 1, color: row.color, status: row.status, passMarks: passMarks.get(row.id) ?? 0,
    })),
    codes: codes.map((row) => ({
      id: row.id, dimensionId: row.dimension_id, parentId: row.parent_id, label: row.label, labels: JSON.parse(row.labels),
      definition: row.definition, include: row.include, exclude: row.exclude, examples: JSON.parse(row.examples),
      color: row.color, status: row.status, codings: row.codings,
    })),
    attributes: attributes.map((row) => ({
      name: row.name, type: row.type, label: row.label, labels: JSON.parse(row.labels), description: row.description,
      allowed: row.allowed === null ? null : JSON.parse(row.allowed), valueLabels: JSON.parse(row.value_labels), min: row.min, max: row.max,
      status: row.status,
      values: new Map(values.filter((value) => value.attribute === row.name).map((value) => [value.value, value.n])),
    })),
    hypotheses,
    duplicateCodings: (from, into) => db.prepare(`
      SELECT count(*) FROM codings m
      WHERE m.code_id = ? AND EXISTS (
        SELECT 1 FROM codings k
        WHERE k.code_id IN (SELECT value FROM json_each(?)) AND k.segment_id = m.segment_id AND k.coder_id = m.coder_id
          AND ifnull(k.start, -1) = ifnull(m.start, -1) AND ifnull(k."end", -1) = ifnull(m."end", -1))`).pluck().get(from, JSON.stringify(into)) as number,
    multiCodedSegments: (finalIds, involving) => {
      // Per segment and coder, the distinct codes after the apply's renames and merges: two or more break the one-code rule.
      const offending = `
        WITH final (code_id, final_id) AS (SELECT key, value FROM json_each(?)),
        offending AS (
          SELECT k.segment_id, k.coder_id FROM codings k JOIN final f ON f.code_id = k.code_id
          GROUP BY k.segment_id, k.coder_id
          HAVING count(DISTINCT f.final_id) > 1
            AND (? IS NULL OR max(k.code_id IN (SELECT value FROM json_each(?)))))`;
      const json = JSON.stringify(Object.fromEntries(finalIds));
      const involvingJson = involving === undefined ? null : JSON.stringify(involving);
      const byCoder = db.prepare(`${offending}
        SELECT r.name AS coder, count(*) AS segments FROM offending o JOIN coders r ON r.id = o.coder_id
        GROUP BY r.name ORDER BY segments DESC, r.name`).all(json, involvingJson, involvingJson) as Array<{ coder: string; segments: number }>;
      const segments = byCoder.length === 0 ? 0 : db.prepare(`${offending} SELECT count(DISTINCT segment_id) FROM offending`).pluck().get(json, involvingJson, involvingJson) as number;
      return { segments, byCoder };
    },
  };
}

export interface CodebookSnapshot {
  yaml: string;
  sha256: string;
  appliedAt: string;
}

/** Executes a plan in one transaction and records the YAML that was applied. */
export function applyCodebookPlan(db: Db, codebook: Codebook, plan: CodebookPlan, snapshot: CodebookSnapshot): void {
  const upsertDimension = db.prepare(`
    INSERT INTO dimensions (id, label, labels, description, exclusive, color, status, ord)
    VALUES (@id, @label, @labels, @description, @exclusive, @color, 'active', @ord)
    ON CONFLICT (id) DO UPDATE SET label = excluded.label, labels = excluded.labels, description = excluded.description,
      exclusive = excluded.exclusive, color = excluded.color, status = 'active', ord = excluded.ord`);
  const renameCode = db.prepare('UPDATE codes SET id = ? WHERE id = ?');
  // memos.target_id has no foreign key (it names documents, segments, codes or cases), so it is moved by hand.
  const moveCodeMemos = db.prepare("UPDATE memos SET target_id = ? WHERE target_kind = 'code' AND target_id = ?");
  // A coding the target already has (same segment, coder and span) stays where it is and is then dropped: kept once.
  const mergeCodings = db.prepare('UPDATE OR IGNORE codings SET code_id = ? WHERE code_id = ?');
  const dropMergedLeftovers = db.prepare('DELETE FROM codings WHERE code_id = ?');
  const upsertCode = db.prepare(`
    INSERT INTO codes (id, dimension_id, parent_id, label, labels, definition, include, exclude, examples, color, status, ord)
    VALUES (@id, @dimensionId, @parentId, @label, @labels, @definition, @include, @exclude, @examples, @color, 'active', @ord)
    ON CONFLICT (id) DO UPDATE SET dimension_id = excluded.dimension_id, parent_id = excluded.parent_id, label = excluded.label,
      labels = excluded.labels, definition = excluded.definition, include = excluded.include, exclude = excluded.exclude,
      examples = excluded.examples, color = excluded.color, status = 'active', ord = excluded.ord`);
  const retireCode = db.prepare("UPDATE codes SET status = 'retired', ord = ord + 1000000 WHERE id = ?");
  const deleteCode = db.prepare('DELETE FROM codes WHERE id = ?');
  const retireDimension = db.prepare("UPDATE dimensions SET status = 'retired', ord = ord + 1000000 WHERE id = ?");
  const deleteDimension = db.prepare('DELETE FROM dimensions WHERE id = ?');
  const upsertAttribute = db.prepare(`
    INSERT INTO attributes (name, type, label, labels, description, allowed, value_labels, min, max, status, ord)
    VALUES (@name, @type, @label, @labels, @description, @allowed, @valueLabels, @min, @max, 'active', @ord)
    ON CONFLICT (name) DO UPDATE SET type = excluded.type, label = excluded.label, labels = excluded.labels,
      description = excluded.description, allowed = excluded.allowed, value_labels = excluded.value_labels,
      min = excluded.min, max = excluded.max, status = 'active', ord = excluded.ord`);
  const retireAttribute = db.prepare("UPDATE attributes SET status = 'retired', ord = ord + 1000000 WHERE name = ?");
  const deleteAttribute = db.prepare('DELETE FROM attributes WHERE name = ?');
  const clearHypotheses = db.prepare('DELETE FROM hypotheses');
  const insertHypothesis = db.prepare('INSERT INTO hypotheses (id, title, description, rows, columns, ord) VALUES (?, ?, ?, ?, ?, ?)');
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const insertVersion = db.prepare('INSERT INTO codebook_versions (name, version, sha256, yaml, applied_at) VALUES (?, ?, ?, ?, ?)');

  db.transaction(() => {
    for (const dimension of codebook.dimensions) {
      upsertDimension.run({ ...dimension, labels: JSON.stringify(dimension.labels), exclusive: dimension.exclusive ? 1 : 0 });
    }
    for (const rename of plan.renames) {
      renameCode.run(rename.to, rename.from);
      moveCodeMemos.run(rename.to, rename.from);
    }
    // After the renames, so that a merge's target exists whether it was renamed or was there already.
    for (const merge of plan.merges) {
      mergeCodings.run(merge.to, merge.from);
      dropMergedLeftovers.run(merge.from);
      moveCodeMemos.run(merge.to, merge.from);
    }
    for (const code of codebook.codes) {
      upsertCode.run({ ...code, labels: JSON.stringify(code.labels), examples: JSON.stringify(code.examples) });
    }
    for (const id of plan.retireCodes) retireCode.run(id);
    for (const id of plan.deleteCodes) deleteCode.run(id);
    for (const id of plan.retireDimensions) retireDimension.run(id);
    for (const id of plan.deleteDimensions) deleteDimension.run(id);
    for (const attribute of codebook.attributes) {
      upsertAttribute.run({
        ...attribute,
        labels: JSON.stringify(attribute.labels),
        allowed: attribute.values === null ? null : JSON.stringify(attribute.values),
        valueLabels: JSON.stringify(attribute.valueLabels),
      });
    }
    for (const name of plan.retireAttributes) retireAttribute.run(name);
    for (const name of plan.deleteAttributes) deleteAttribute.run(name);
    clearHypotheses.run();
    for (const hypothesis of codebook.hypotheses) {
      insertHypothesis.run(hypothesis.id, hypothesis.title, hypothesis.description, JSON.stringify(hypothesis.rows), JSON.stringify(hypothesis.columns), hypothesis.ord);
    }
    setMeta.run('codebook.languages', JSON.stringify(codebook.languages));
    insertVersion.run(codebook.name, codebook.version, snapshot.sha256, snapshot.yaml, snapshot.appliedAt);
  }).immediate();
}

/** The codebook the project holds, retired codes included (status tells them apart). */
export function loadProjectCodebook(db: Db): ProjectCodebook {
  const version = db.prepare('SELECT name, version FROM codebook_versions ORDER BY id DESC LIMIT 1').get() as
    | { name: string; version: number }
    | undefined;
  const dimensions = db.prepare('SELECT * FROM dimensions ORDER BY ord').all() as DimensionRow[];
  const codes = db.prepare('SELECT c.*, 0 AS codings FROM codes c ORDER BY c.ord').all() as CodeRow[];
  const attributes = db.prepare('SELECT * FROM attributes ORDER BY ord').all() as AttributeRow[];
  const hypotheses = db.prepare('SELECT * FROM hypotheses ORDER BY ord').all() as Array<{
    id: string; title: string; description: string | null; rows: string; columns: string; ord: number;
  }>;
  const depthOf = new Map<string, number>();
  return {
    name: version?.name ?? 'none',
    version: version?.version ?? 0,
    languages: languagesOf(db),
    dimensions: dimensions.map((row) => ({
      id: row.id, label: row.label, labels: JSON.parse(row.labels), description: row.description,
      exclusive: row.exclusive === 1, color: row.color, ord: row.ord, status: row.status,
    })),
    codes: codes.map((row) => {
      const depth = row.parent_id === null ? 0 : (depthOf.get(row.parent_id) ?? 0) + 1;
      depthOf.set(row.id, depth);
      return {
        id: row.id, dimensionId: row.dimension_id, parentId: row.parent_id, label: row.label, labels: JSON.parse(row.labels),
        definition: row.definition, include: row.include, exclude: row.exclude, examples: JSON.parse(row.examples),
        color: row.color, was: [], depth, ord: row.ord, status: row.status,
      };
    }),
    attributes: attributes.map((row) => ({
      name: row.name, type: row.type, label: row.label, labels: JSON.parse(row.labels), description: row.description,
      values: row.allowed === null ? null : JSON.parse(row.allowed), valueLabels: JSON.parse(row.value_labels),
      min: row.min, max: row.max, ord: row.ord, status: row.status,
    })),
    hypotheses: hypotheses.map((row) => ({
      id: row.id, title: row.title, description: row.description,
      rows: JSON.parse(row.rows) as AxisRef[], columns: JSON.parse(row.columns) as AxisRef[], ord: row.ord,
    })),
  };
}

function languagesOf(db: Db): string[] {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'codebook.languages'").get() as { value: string } | undefined;
  return row === undefined ? ['en'] : (JSON.parse(row.value) as string[]);
}

/** Codings per code (all coders, or one). */
export function codingCounts(db: Db, coderName?: string): Map<string, number> {
  const rows = (coderName === undefined
    ? db.prepare('SELECT code_id, count(*) AS n FROM codings GROUP BY code_id').all()
    : db.prepare('SELECT k.code_id, count(*) AS n FROM codings k JOIN coders c ON c.id = k.coder_id WHERE c.name = ? GROUP BY k.code_id').all(coderName)) as Array<{ code_id: string; n: number }>;
  return new Map(rows.map((row) => [row.code_id, row.n]));
}

/**
 * Attribute names and code ids in the order the project first got them: a rename or retirement updates
 * the row in place and keeps its rowid, so this order is what export column names are stable against.
 */
export function creationOrder(db: Db): { attributes: string[]; codes: string[] } {
  return {
    attributes: db.prepare('SELECT name FROM attributes ORDER BY rowid').pluck().all() as string[],
    codes: db.prepare('SELECT id FROM codes ORDER BY rowid').pluck().all() as string[],
  };
}

export function latestCodebookYaml(db: Db): { yaml: string; sha256: string } | undefined {
  return db.prepare('SELECT yaml, sha256 FROM codebook_versions ORDER BY id DESC LIMIT 1').get() as { yaml: string; sha256: string } | undefined;
}

/** Every code's examples (retired codes keep theirs), parsed from the JSON column. */
export function codeExamples(db: Db): Array<{ id: string; status: Status; examples: string[] }> {
  return (db.prepare('SELECT id, status, examples FROM codes ORDER BY ord').all() as Array<{ id: string; status: Status; examples: string }>)
    .map((row) => ({ id: row.id, status: row.status, examples: JSON.parse(row.examples) as string[] }));
}

export function setCodeExamples(db: Db, codeId: string, examples: readonly string[]): void {
  db.prepare('UPDATE codes SET examples = ? WHERE id = ?').run(JSON.stringify(examples), codeId);
}

/** The YAML of every codebook applied, oldest first. */
export function codebookVersions(db: Db): Array<{ id: number; version: number; yaml: string }> {
  return db.prepare('SELECT id, version, yaml FROM codebook_versions ORDER BY id').all() as Array<{ id: number; version: number; yaml: string }>;
}

/** Rewrites one applied codebook's YAML in the history (a withdrawal takes the examples that quoted the participant). */
export function rewriteCodebookVersion(db: Db, id: number, yaml: string, sha256: string): void {
  db.prepare('UPDATE codebook_versions SET yaml = ?, sha256 = ? WHERE id = ?').run(yaml, sha256, id);
}
