// Builds projects with documents and segments written straight into the store (following
// src/store/migrations.ts), so coding tests do not depend on the importers.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { closeProject, initProject, openProject, type Project } from '../src/app/project.js';
import { FIXTURES, newProject, tempDir } from './helpers.js';

export interface SeedSegment {
  speaker?: string | null;
  text: string;
}

export interface SeedDocument {
  slug: string;
  caseId?: string;
  language?: string;
  segments: SeedSegment[];
}

export interface SeedCase {
  id: string;
  values?: Record<string, string>;
}

export function openStore(dir: string): Database.Database {
  const db = new Database(join(dir, 'qcode.db'));
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

function codePoints(text: string): number {
  return [...text].length;
}

/** Inserts cases, documents and their segments (text = the segments joined by newlines). */
export function seedInto(dir: string, documents: readonly SeedDocument[], cases: readonly SeedCase[] = []): void {
  const db = openStore(dir);
  try {
    const insertCase = db.prepare('INSERT OR IGNORE INTO cases (id) VALUES (?)');
    const insertValue = db.prepare('INSERT INTO case_values (case_id, attribute, value) VALUES (?, ?, ?)');
    const insertDocument = db.prepare(`INSERT INTO documents (slug, case_id, title, kind, language, source_path, format, sha256, text, imported_at)
      VALUES (?, ?, ?, 'interview', ?, ?, 'txt', ?, ?, ?)`);
    const insertSegment = db.prepare('INSERT INTO segments (document_id, ordinal, speaker, start, "end", text) VALUES (?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (const item of cases) {
        insertCase.run(item.id);
        for (const [attribute, value] of Object.entries(item.values ?? {})) insertValue.run(item.id, attribute, value);
      }
      for (const document of documents) {
        if (document.caseId !== undefined) insertCase.run(document.caseId);
        const lines = document.segments.map((segment) => (segment.speaker ? `${segment.speaker}: ${segment.text}` : segment.text));
        const text = lines.join('\n');
        const sha256 = createHash('sha256').update(text).digest('hex');
        const id = Number(insertDocument.run(document.slug, document.caseId ?? null, document.slug, document.language ?? null, `${document.slug}.txt`, sha256, text, new Date().toISOString()).lastInsertRowid);
        let offset = 0;
        document.segments.forEach((segment, index) => {
          const line = lines[index] as string;
          // A turn's segment is what was said, after "Speaker: "; its stored text is exactly that slice of the document.
          const start = offset + codePoints(line) - codePoints(segment.text);
          insertSegment.run(id, index + 1, segment.speaker ?? null, start, offset + codePoints(line), segment.text);
          offset += codePoints(line) + 1;
        });
      }
    })();
  } finally {
    db.close();
  }
}

/** A new project (bundled codebook) holding the given documents. */
export function seedProject(documents: readonly SeedDocument[], cases: readonly SeedCase[] = [], codebook = 'political-remittances'): string {
  const dir = newProject(codebook);
  seedInto(dir, documents, cases);
  return dir;
}

/** A fixture transcript of "Speaker: text" lines as a seed document, one segment per line. */
export function fixtureDocument(relative: string, slug: string, caseId: string, language: string): SeedDocument {
  const segments = readFileSync(join(FIXTURES, relative), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = /^([^:]{1,40}):\s*(.*)$/.exec(line);
      return match === null ? { text: line } : { speaker: match[1] as string, text: match[2] as string };
    });
  return { slug, caseId, language, segments };
}

/** Two interviews from the fixtures with their cases (Vilnius, Riga): the usual coding test project. */
export function seedInterviews(): string {
  return seedProject(
    [
      fixtureDocument('interviews/r01-vilnius-ru.txt', 'r01-vilnius-ru', 'R01', 'ru'),
      fixtureDocument('interviews/r02-riga-en.txt', 'r02-riga-en', 'R02', 'en'),
    ],
    [
      { id: 'R01', values: { host_country: 'LT', city: 'Vilnius' } },
      { id: 'R02', values: { host_country: 'LV' } },
    ],
  );
}

/** Rows of a table, for assertions. */
export function query<T = Record<string, unknown>>(dir: string, sql: string, ...params: unknown[]): T[] {
  const db = openStore(dir);
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Runs fn on the project opened as the CLI opens it, and closes it whatever happens. */
export function withProject<T>(dir: string, fn: (project: Project) => T): T {
  const project = openProject({ project: dir });
  try {
    return fn(project);
  } finally {
    closeProject(project);
  }
}

const openStudies: Project[] = [];
afterEach(() => {
  for (const project of openStudies.splice(0)) closeProject(project);
});

/** Opens a project as the CLI opens it, and closes it after the test. */
export function openForTest(dir: string): Project {
  const project = openProject({ project: dir });
  openStudies.push(project);
  return project;
}

/** A new project made and opened through the app layer (no binary), closed after the test. */
export async function newStudy(): Promise<Project> {
  const dir = join(tempDir('qcode-study-'), 'study');
  await initProject({ dir });
  return openForTest(dir);
}
