import { readFileSync } from 'node:fs';

// A fast but wrong answer must not pass as a good figure: where qcode prints JSON, its numbers are
// compared with those of the hand-written SQL floor that answered the same question.

export interface Check {
  /** null when qcode's output could not be read as the expected shape. */
  agrees: boolean | null;
  detail: string;
}

interface FloorCell {
  row: string;
  column: string;
  n_ab: number;
  n_a: number;
  n_b: number;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** `qcode cooccur --json` ({tables: [{id, cells: [{row, column, n_ab, n_a, n_b}]}]}) against the floor's cells. */
export function checkCooccur(qcodePath: string, floorPath: string): Check {
  const qcode = readJson(qcodePath) as { tables?: Array<{ id?: string; cells?: FloorCell[] }> } | undefined;
  const floor = readJson(floorPath) as Array<{ hypothesis: string; cells: FloorCell[] }> | undefined;
  if (!floor) return { agrees: null, detail: 'the floor printed no JSON' };
  if (!Array.isArray(qcode?.tables)) return { agrees: null, detail: 'not cross-checked: qcode printed no {tables: [...]} JSON' };
  const cells = new Map<string, FloorCell>();
  for (const table of qcode.tables) {
    for (const cell of table.cells ?? []) cells.set(`${table.id}|${cell.row}|${cell.column}`, cell);
  }
  const differences: string[] = [];
  let compared = 0;
  for (const table of floor) {
    for (const cell of table.cells) {
      // qcode names an attribute row attribute:NAME=VALUE; the floor NAME=VALUE.
      const mine = cells.get(`${table.hypothesis}|${cell.row}|${cell.column}`) ?? cells.get(`${table.hypothesis}|attribute:${cell.row}|${cell.column}`);
      compared++;
      if (!mine) differences.push(`${table.hypothesis} ${cell.row} × ${cell.column} missing`);
      else if (mine.n_ab !== cell.n_ab || mine.n_a !== cell.n_a || mine.n_b !== cell.n_b) {
        differences.push(`${table.hypothesis} ${cell.row} × ${cell.column}: qcode ${mine.n_ab}/${mine.n_a}/${mine.n_b}, SQL ${cell.n_ab}/${cell.n_a}/${cell.n_b} (n_ab/n_a/n_b)`);
      }
    }
  }
  return differences.length === 0
    ? { agrees: true, detail: `all ${compared} cells equal the hand-SQL floor's` }
    : { agrees: false, detail: `${differences.length} of ${compared} cells differ from the hand-SQL floor's, e.g. ${differences.slice(0, 3).join('; ')}` };
}

/** `qcode stats --json` ({rows: [{code, n}]}) against the floor's segments per code. */
export function checkStats(qcodePath: string, floorPath: string): Check {
  const qcode = readJson(qcodePath) as { rows?: Array<{ code?: string; n?: number }> } | undefined;
  const floor = readJson(floorPath) as Array<{ code: string; segments: number }> | undefined;
  if (!floor) return { agrees: null, detail: 'the floor printed no JSON' };
  if (!Array.isArray(qcode?.rows)) return { agrees: null, detail: 'not cross-checked: qcode printed no {rows: [...]} JSON' };
  const counts = new Map(qcode.rows.map((row) => [row.code, row.n]));
  const differences = floor
    .filter((row) => counts.get(row.code) !== row.segments)
    .map((row) => `${row.code}: qcode ${counts.get(row.code) ?? 'missing'}, SQL ${row.segments}`);
  return differences.length === 0
    ? { agrees: true, detail: `all ${floor.length} codes equal the hand-SQL floor's` }
    : { agrees: false, detail: `${differences.length} of ${floor.length} codes differ from the hand-SQL floor's, e.g. ${differences.slice(0, 3).join('; ')}` };
}
