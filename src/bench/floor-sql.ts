import Database from 'better-sqlite3';
import { pathToFileURL } from 'node:url';

// Hand-written SQL floors: the same question qcode answers, asked of the same store file through
// better-sqlite3 by the smallest program that can print the answer. The benchmark runs this as a
// separate process, like qcode, so that each ratio compares two complete runs.
//
//   node dist/bench/floor-sql.js DB cooccur            every hypothesis table, long form, as JSON
//   node dist/bench/floor-sql.js DB retrieve CODE      the passages coded CODE by any coder
//   node dist/bench/floor-sql.js DB search QUERY N     the N best full-text matches in context
//   node dist/bench/floor-sql.js DB stats              segments per code, as JSON

type Axis = { kind: 'dimension'; id: string } | { kind: 'code'; id: string } | { kind: 'attribute'; name: string };

interface Cell {
  row: string;
  column: string;
  n_ab: number;
  n_a: number;
  n_b: number;
  c: number;
}

function openStore(path: string): Database.Database {
  const db = new Database(path, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  return db;
}

/**
 * Co-occurrence over segments for every hypothesis (a unit = a segment; a code is on a segment when
 * any coder gave it). The fastest SQL found for the benchmark's store (see docs/performance.md):
 * code × code counts join the distinct (segment, code) pairs of the row codes with those of the
 * column codes, both read from the codings_code index; marginals come from the same index; an
 * attribute row joins a temporary table of distinct (segment, code) pairs to the segment's case.
 */
export function cooccurAll(db: Database.Database): Array<{ hypothesis: string; cells: Cell[] }> {
  const codesOf = new Map<string, string[]>();
  for (const row of db.prepare("SELECT id, dimension_id AS dimension FROM codes WHERE status = 'active' ORDER BY ord").all() as Array<{ id: string; dimension: string }>) {
    codesOf.set(row.dimension, [...(codesOf.get(row.dimension) ?? []), row.id]);
  }
  const hypotheses = (db.prepare('SELECT id, rows, columns FROM hypotheses ORDER BY ord').all() as Array<{ id: string; rows: string; columns: string }>).map(
    (row) => ({ id: row.id, rows: JSON.parse(row.rows) as Axis[], columns: JSON.parse(row.columns) as Axis[] }),
  );
  const expand = (axes: Axis[]): string[] => axes.flatMap((axis) => (axis.kind === 'dimension' ? (codesOf.get(axis.id) ?? []) : axis.kind === 'code' ? [axis.id] : []));
  const list = (count: number): string => Array.from({ length: count }, () => '?').join(', ');

  const marginal = new Map(
    db.prepare('SELECT code_id, count(DISTINCT segment_id) FROM codings GROUP BY code_id').raw().all() as Array<[string, number]>,
  );
  let unitCodes = false;
  const attributeCells = (attribute: string, columns: string[]): { counts: Map<string, number>; values: Array<[string, number]> } => {
    if (!unitCodes) {
      db.exec(`
        CREATE TEMP TABLE unit_codes (segment_id INTEGER NOT NULL, code INTEGER NOT NULL, PRIMARY KEY (segment_id, code)) WITHOUT ROWID;
        INSERT INTO unit_codes SELECT DISTINCT k.segment_id, c.rowid FROM codings k JOIN codes c ON c.id = k.code_id;`);
      unitCodes = true;
    }
    const rows = db.prepare(`
      SELECT cv.value, c.id, count(*) FROM unit_codes u
      JOIN codes c ON c.rowid = u.code
      JOIN segments s ON s.id = u.segment_id JOIN documents d ON d.id = s.document_id
      JOIN case_values cv ON cv.case_id = d.case_id AND cv.attribute = ?
      WHERE c.id IN (${list(columns.length)})
      GROUP BY cv.value, u.code`).raw().all(attribute, ...columns) as Array<[string, string, number]>;
    const values = db.prepare(`
      SELECT cv.value, count(*) FROM case_values cv JOIN documents d ON d.case_id = cv.case_id JOIN segments s ON s.document_id = d.id
      WHERE cv.attribute = ? GROUP BY cv.value ORDER BY cv.value`).raw().all(attribute) as Array<[string, number]>;
    return { counts: new Map(rows.map(([value, code, n]) => [`${value}\u0000${code}`, n])), values };
  };
  const codeCells = (rows: string[], columns: string[]): Map<string, number> => {
    const counts = db.prepare(`
      SELECT a.code_id, b.code_id, count(*)
      FROM (SELECT DISTINCT code_id, segment_id FROM codings WHERE code_id IN (${list(rows.length)})) a
      JOIN (SELECT DISTINCT segment_id, code_id FROM codings WHERE code_id IN (${list(columns.length)})) b ON b.segment_id = a.segment_id
      GROUP BY a.code_id, b.code_id`).raw().all(...rows, ...columns) as Array<[string, string, number]>;
    return new Map(counts.map(([a, b, n]) => [`${a}\u0000${b}`, n]));
  };

  const cell = (row: string, column: string, n_ab: number, n_a: number, n_b: number): Cell => {
    const union = n_a + n_b - n_ab;
    return { row, column, n_ab, n_a, n_b, c: union === 0 ? 0 : n_ab / union };
  };
  return hypotheses.map((hypothesis) => {
    const columns = expand(hypothesis.columns);
    const cells: Cell[] = [];
    for (const axis of hypothesis.rows) {
      if (axis.kind === 'attribute') {
        const { counts, values } = attributeCells(axis.name, columns);
        for (const [value, n_a] of values) {
          for (const column of columns) cells.push(cell(`${axis.name}=${value}`, column, counts.get(`${value}\u0000${column}`) ?? 0, n_a, marginal.get(column) ?? 0));
        }
      } else {
        const rows = expand([axis]);
        const counts = codeCells(rows, columns);
        for (const row of rows) {
          for (const column of columns) cells.push(cell(row, column, counts.get(`${row}\u0000${column}`) ?? 0, marginal.get(row) ?? 0, marginal.get(column) ?? 0));
        }
      }
    }
    return { hypothesis: hypothesis.id, cells };
  });
}

/** The passages coded with one code by any coder, in document order, with who coded them. */
export function retrieve(db: Database.Database, code: string): string[] {
  const rows = db.prepare(`
    SELECT d.slug, d.case_id, s.ordinal, s.speaker, s.start, s."end", group_concat(r.name, ','), s.text
    FROM codings k JOIN coders r ON r.id = k.coder_id JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id
    WHERE k.code_id = ?
    GROUP BY k.segment_id
    ORDER BY d.slug, s.ordinal`).raw().all(code) as Array<Array<string | number | null>>;
  return rows.map(([slug, caseId, ordinal, speaker, start, end, coders, text]) => `${slug} ${caseId ?? ''} #${ordinal} ${speaker ?? ''} [${start}, ${end}) ${coders}\n  ${text}`);
}

export function search(db: Database.Database, query: string, limit: number): string[] {
  const rows = db.prepare(`
    SELECT d.slug, s.ordinal, s.speaker, snippet(segments_fts, 0, '[', ']', '…', 16)
    FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid JOIN documents d ON d.id = s.document_id
    WHERE segments_fts MATCH ? ORDER BY rank LIMIT ?`).raw().all(query, limit) as Array<Array<string | number | null>>;
  return rows.map(([slug, ordinal, speaker, snippet]) => `${slug} #${ordinal} ${speaker ?? ''}: ${snippet}`);
}

/**
 * Per code, the segments that carry it (by any coder) and its codings, in codebook order, counted from the
 * codings (two range counts on the codings_code index per code: faster than one GROUP BY with
 * count(DISTINCT segment_id)). qcode reads the counts its triggers keep (code_counts) instead; this floor
 * shows what that saves, and the cross-check holds the kept counts to the recount.
 */
export function stats(db: Database.Database): Array<{ code: string; segments: number; codings: number }> {
  const codings = db.prepare('SELECT count(*) FROM codings WHERE code_id = ?').pluck();
  const segments = db.prepare('SELECT count(*) FROM (SELECT DISTINCT segment_id FROM codings WHERE code_id = ?)').pluck();
  return (db.prepare("SELECT id FROM codes WHERE status = 'active' ORDER BY ord").pluck().all() as string[]).map((code) => ({
    code, segments: segments.get(code) as number, codings: codings.get(code) as number,
  }));
}

function main(args: string[]): number {
  const [dbPath, mode, argument, limit] = args;
  if (dbPath === undefined || mode === undefined) {
    process.stderr.write('usage: node dist/bench/floor-sql.js DB cooccur|retrieve CODE|search QUERY N|stats\n');
    return 2;
  }
  const db = openStore(dbPath);
  try {
    if (mode === 'cooccur') process.stdout.write(`${JSON.stringify(cooccurAll(db))}\n`);
    else if (mode === 'retrieve' && argument !== undefined) process.stdout.write(`${retrieve(db, argument).join('\n')}\n`);
    else if (mode === 'search' && argument !== undefined) process.stdout.write(`${search(db, argument, Number(limit ?? 20)).join('\n')}\n`);
    else if (mode === 'stats') process.stdout.write(`${JSON.stringify(stats(db))}\n`);
    else {
      process.stderr.write(`unknown mode ${mode}\n`);
      return 2;
    }
  } finally {
    db.close();
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
