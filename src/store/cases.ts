import type { Db } from './db.js';
import { statement } from './common.js';

/** A case attribute as declared by the applied codebook (for validating values). */
export interface AttributeRule {
  name: string;
  type: 'category' | 'number' | 'date' | 'text';
  allowed: string[] | null;
  min: number | null;
  max: number | null;
  status: 'active' | 'retired';
}

export function loadAttributeRules(db: Db): AttributeRule[] {
  const rows = statement(db, 'SELECT name, type, allowed, min, max, status FROM attributes ORDER BY ord').all() as Array<Omit<AttributeRule, 'allowed'> & { allowed: string | null }>;
  return rows.map((row) => ({ ...row, allowed: row.allowed === null ? null : (JSON.parse(row.allowed) as string[]) }));
}

export function caseExists(db: Db, caseId: string): boolean {
  return statement(db, 'SELECT 1 FROM cases WHERE id = ?').get(caseId) !== undefined;
}

/** Creates the case if it is new; returns true when it was created. */
export function ensureCase(db: Db, caseId: string, kind?: string): boolean {
  const result = kind === undefined
    ? statement(db, 'INSERT INTO cases (id) VALUES (?) ON CONFLICT (id) DO NOTHING').run(caseId)
    : statement(db, 'INSERT INTO cases (id, kind) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(caseId, kind);
  return result.changes > 0;
}

export function setCaseKind(db: Db, caseId: string, kind: string): void {
  statement(db, 'UPDATE cases SET kind = ? WHERE id = ?').run(kind, caseId);
}

/** Sets (value) or clears (null) one attribute value of a case. */
export function setCaseValue(db: Db, caseId: string, attribute: string, value: string | null): void {
  if (value === null) {
    statement(db, 'DELETE FROM case_values WHERE case_id = ? AND attribute = ?').run(caseId, attribute);
  } else {
    statement(db, 'INSERT INTO case_values (case_id, attribute, value) VALUES (?, ?, ?) ON CONFLICT (case_id, attribute) DO UPDATE SET value = excluded.value').run(caseId, attribute, value);
  }
}

export function caseValues(db: Db, caseId: string): Map<string, string> {
  const rows = statement(db, 'SELECT attribute, value FROM case_values WHERE case_id = ?').all(caseId) as Array<{ attribute: string; value: string }>;
  return new Map(rows.map((row) => [row.attribute, row.value]));
}

export interface CaseRow {
  id: string;
  kind: string;
  documents: number;
  values: Map<string, string>;
}

/** Every case with its kind, number of documents and attribute values, ordered by id. */
export function listCases(db: Db): CaseRow[] {
  const cases = statement(db, `
    SELECT c.id, c.kind, (SELECT count(*) FROM documents d WHERE d.case_id = c.id) AS documents
    FROM cases c ORDER BY c.id`).all() as Array<{ id: string; kind: string; documents: number }>;
  const values = statement(db, 'SELECT case_id, attribute, value FROM case_values').all() as Array<{ case_id: string; attribute: string; value: string }>;
  const byCase = new Map<string, Map<string, string>>();
  for (const row of values) {
    let map = byCase.get(row.case_id);
    if (map === undefined) byCase.set(row.case_id, (map = new Map()));
    map.set(row.attribute, row.value);
  }
  return cases.map((row) => ({ ...row, values: byCase.get(row.id) ?? new Map() }));
}

export function listCaseIds(db: Db): string[] {
  return (statement(db, 'SELECT id FROM cases ORDER BY id').all() as Array<{ id: string }>).map((row) => row.id);
}
