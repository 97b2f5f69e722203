import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeAgreement } from '../../src/app/agreement.js';
import { CodebookMismatchError, mergeProject, type MergeOptions, type MergeReport } from '../../src/app/merge.js';
import { closeProject, openProject } from '../../src/app/project.js';
import { UserError } from '../../src/core/errors.js';
import { lastUndoableBatch } from '../../src/store/events.js';
import { AGREEMENT_CODEBOOK, agreementCodebookFile, agreementProject, plainDocuments, projectContent as content, range, recordWork } from '../agreement-seed.js';
import { tempDir } from '../helpers.js';
import { openStore, query, seedInto, seedProject } from '../seed.js';

function merge(dir: string, options: Omit<MergeOptions, 'cwd'>): MergeReport {
  const project = openProject({ project: dir });
  try {
    return mergeProject(project, options);
  } finally {
    closeProject(project);
  }
}

function addMemo(dir: string, memo: { kind: string; target: string | null; coder: string | null; text: string; at: string }): void {
  const db = openStore(dir);
  try {
    const coder = memo.coder === null ? null : (db.prepare('SELECT id FROM coders WHERE name = ?').get(memo.coder) as { id: number }).id;
    db.prepare('INSERT INTO memos (target_kind, target_id, coder_id, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(memo.kind, memo.target, coder, memo.text, memo.at, memo.at);
  } finally {
    db.close();
  }
}

function segmentIdOf(dir: string, slug: string, ordinal: number): number {
  return query<{ id: number }>(dir, 'SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = ? AND s.ordinal = ?', slug, ordinal)[0]!.id;
}

describe('merge: documents', () => {
  it('matches by content, renames a taken slug, separates a different segmentation, and adds nothing the second time', () => {
    const here = agreementProject({ same: 3, clash: 2 });
    const there = agreementProject({ same: 3, fresh: 2 });
    // "clash" over there has other words under the same slug; "resegmented" is "same"'s text cut differently.
    seedInto(there, [{ slug: 'clash', segments: [{ text: 'совсем другой текст' }] }]);
    const sameText = query<{ text: string }>(here, "SELECT text FROM documents WHERE slug = 'same'")[0]!.text;
    const db = openStore(there);
    const id = Number(db.prepare("INSERT INTO documents (slug, kind, format, sha256, text, imported_at) SELECT 'resegmented', kind, format, sha256, text, imported_at FROM documents WHERE slug = 'same'").run().lastInsertRowid);
    db.prepare('INSERT INTO segments (document_id, ordinal, start, "end", text) VALUES (?, 1, 0, ?, ?)').run(id, [...sameText].length, sameText);
    db.close();
    recordWork(there, [
      { coder: 'boris', document: 'same', seen: range(1, 3), codes: { 2: ['topics.protest'] } },
      { coder: 'boris', document: 'clash', codes: { 1: ['topics.rare'] } },
      { coder: 'boris', document: 'resegmented', codes: { 1: ['topics.petition'] } },
    ]);

    const report = merge(here, { other: there });
    expect(report.applied).toBe(true);
    expect(report.matchedDocuments).toBe(1);
    expect(report.renamedDocuments).toEqual([
      { slug: 'clash', as: 'clash-2', reason: 'slug-taken' },
      { slug: 'resegmented', as: 'resegmented', reason: 'segmentation-differs' },
    ]);
    expect(report.added).toMatchObject({ coders: 1, documents: 3, segments: 2 + 1 + 1, codings: 3, seen: 5 });
    expect(query(here, 'SELECT slug FROM documents ORDER BY slug').map((row) => (row as { slug: string }).slug)).toEqual(['clash', 'clash-2', 'fresh', 'resegmented', 'same']);
    // boris's coding of same:2 landed on this project's segment same:2, and the words under it are the same.
    expect(query(here, `SELECT s.text FROM codings k JOIN segments s ON s.id = k.segment_id JOIN coders r ON r.id = k.coder_id
      WHERE r.name = 'boris' AND k.code_id = 'topics.protest'`)).toEqual([{ text: 'same line 2: мы говорили о разном' }]);

    const after = content(here);
    const again = merge(here, { other: there });
    expect(again.added).toMatchObject({ coders: 0, documents: 0, segments: 0, codings: 0, seen: 0, memos: 0, events: 0 });
    expect(again.matchedDocuments).toBe(4);
    expect(content(here)).toEqual(after);
  });

  it('keeps two documents with one text apart: each document here takes at most one from over there', () => {
    const lines = [{ text: 'одна и та же речь' }, { text: 'the same words' }];
    const here = seedProject([{ slug: 'a', segments: lines }, { slug: 'c', segments: lines }], [], agreementCodebookFile());
    const there = seedProject([{ slug: 'a', segments: lines }, { slug: 'b', segments: lines }, { slug: 'd', segments: lines }], [], agreementCodebookFile());
    recordWork(there, [
      { coder: 'boris', document: 'a', codes: { 1: ['topics.protest'] } },
      { coder: 'boris', document: 'b', codes: { 1: ['topics.petition'] } },
      { coder: 'boris', document: 'd', codes: { 1: ['topics.rare'] } },
    ]);
    const report = merge(here, { other: there });
    // a → a (same slug), b → c (the copy left here), d → a new document: nothing lands twice on one document.
    expect(report.matchedDocuments).toBe(2);
    expect(report.renamedDocuments).toEqual([{ slug: 'd', as: 'd', reason: 'duplicate-text' }]);
    const borisCodes = (): unknown[] => query(here, `SELECT d.slug, k.code_id FROM codings k JOIN segments s ON s.id = k.segment_id
      JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = k.coder_id WHERE r.name = 'boris' ORDER BY d.slug`);
    expect(borisCodes()).toEqual([
      { slug: 'a', code_id: 'topics.protest' },
      { slug: 'c', code_id: 'topics.petition' },
      { slug: 'd', code_id: 'topics.rare' },
    ]);
    const after = content(here);
    expect(merge(here, { other: there }).added).toMatchObject({ documents: 0, codings: 0 });
    expect(content(here)).toEqual(after);
  });

  it("sets a matched document's case when it has none here, and keeps this project's case on a conflict", () => {
    const lines = [{ text: 'line one' }];
    const here = seedProject([{ slug: 'x', segments: lines }, { slug: 'y', caseId: 'R01', segments: [{ text: 'other words' }] }], [], agreementCodebookFile());
    const there = seedProject([{ slug: 'x', caseId: 'R07', segments: lines }, { slug: 'y', caseId: 'R02', segments: [{ text: 'other words' }] }], [], agreementCodebookFile());
    const report = merge(here, { other: there });
    expect(report.added).toMatchObject({ cases: 2, documentCases: 1, documents: 0 });
    expect(report.documentCaseConflicts).toEqual([{ document: 'y', kept: 'R01', other: 'R02' }]);
    expect(query(here, 'SELECT slug, case_id FROM documents ORDER BY slug')).toEqual([{ slug: 'x', case_id: 'R07' }, { slug: 'y', case_id: 'R01' }]);
    expect(merge(here, { other: there }).added).toMatchObject({ cases: 0, documentCases: 0 });
  });

  it('refuses to merge a project into itself, and a folder without a project', () => {
    const here = agreementProject({ a: 1 });
    expect(() => merge(here, { other: here })).toThrow(/cannot merge a project into itself/);
    expect(() => merge(here, { other: tempDir() })).toThrow(/no qcode project in/);
  });
});

describe('merge: coders, codings, conflicts', () => {
  const build = (): { here: string; there: string } => {
    const here = agreementProject({ talk: 4 });
    const there = agreementProject({ talk: 4 });
    recordWork(here, [{ coder: 'anna', document: 'talk', seen: range(1, 4), codes: { 1: ['topics.protest'], 2: ['topics.rare'] } }]);
    recordWork(there, [
      { coder: 'anna', document: 'talk', seen: [1, 2], codes: { 1: ['topics.protest'], 2: ['topics.petition'] } },
      { coder: 'boris', document: 'talk', seen: range(1, 4), codes: { 1: ['topics.protest'], 3: ['topics.rare'] } },
    ]);
    return { here, there };
  };

  it('unites codings, keeps both versions of a coder who coded a segment differently, and reports it', () => {
    const { here, there } = build();
    const report = merge(here, { other: there });
    expect(report.coderConflicts).toEqual([{ document: 'talk', ordinal: 2, coder: 'anna' }]);
    expect(query(here, `SELECT k.code_id FROM codings k JOIN coders r ON r.id = k.coder_id WHERE r.name = 'anna' ORDER BY k.code_id`))
      .toEqual([{ code_id: 'topics.petition' }, { code_id: 'topics.protest' }, { code_id: 'topics.rare' }]);
    const project = openProject({ project: here });
    try {
      const agreement = computeAgreement(project, { coders: ['anna', 'boris'], codes: ['topics.protest'] });
      expect(agreement.codes[0]!.table).toEqual([[3, 0], [0, 1]]);
    } finally {
      closeProject(project);
    }
  });

  it('brings a coder in under another name with renameCoders, so the two versions stay comparable', () => {
    const { here, there } = build();
    const report = merge(here, { other: there, renameCoders: new Map([['anna', 'anna-laptop']]) });
    expect(report.coderConflicts).toEqual([]);
    expect(query(here, 'SELECT name FROM coders ORDER BY name')).toEqual([{ name: 'anna' }, { name: 'anna-laptop' }, { name: 'boris' }]);
  });

  it.each([
    [new Map([['vera', 'vera-2']]), /--rename-coder vera=vera-2: the other project has no coder "vera"/],
    [new Map([['anna', 'boris']]), /--rename-coder anna=boris: "boris" would hold the work of both "anna" and "boris" of the other project/],
    [new Map([['anna', 'x'], ['boris', 'x']]), /--rename-coder anna=x: "x" would hold the work of both "anna" and "boris" of the other project/],
  ])('refuses a rename that names no coder over there or mixes two coders (%o)', (renameCoders, message) => {
    const { here, there } = build();
    const before = content(here);
    expect(() => merge(here, { other: there, renameCoders })).toThrow(message);
    expect(content(here)).toEqual(before);
  });

  it('accepts swapping two coder names only with intoExistingCoder when one of them is a coder here', () => {
    const { here, there } = build();
    const swap = new Map([['anna', 'boris'], ['boris', 'anna']]);
    const before = content(here);
    expect(() => merge(here, { other: there, renameCoders: swap })).toThrow(/--rename-coder boris=anna: "anna" is already a coder of this project/);
    expect(content(here)).toEqual(before);
    merge(here, { other: there, renameCoders: swap, intoExistingCoder: true });
    expect(query(here, `SELECT r.name, k.code_id FROM codings k JOIN coders r ON r.id = k.coder_id JOIN segments s ON s.id = k.segment_id
      WHERE s.ordinal = 3`)).toEqual([{ name: 'anna', code_id: 'topics.rare' }]);
  });

  it("refuses to pour a coder from over there into a coder of this project, unless intoExistingCoder says they are one person", () => {
    const { here, there } = build();
    recordWork(here, [{ coder: 'vera', document: 'talk', codes: { 4: ['topics.rare'] } }]);
    const before = content(here);
    let error: unknown;
    try {
      merge(here, { other: there, renameCoders: new Map([['boris', 'vera']]) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toBe('--rename-coder boris=vera: "vera" is already a coder of this project; "boris"\'s work from the other project would become "vera"\'s, for good');
    expect((error as UserError).hint).toMatch(/--rename-coder boris=boris-2\), or add --into-existing-coder/);
    expect(content(here)).toEqual(before);

    const report = merge(here, { other: there, renameCoders: new Map([['boris', 'vera']]), intoExistingCoder: true });
    expect(report.added.coders).toBe(0);
    expect(query(here, 'SELECT name FROM coders ORDER BY name')).toEqual([{ name: 'anna' }, { name: 'vera' }]);
  });

  it('lets a merge repeat a rename an earlier merge made, adding nothing', () => {
    const { here, there } = build();
    const renameCoders = new Map([['anna', 'anna-laptop']]);
    expect(merge(here, { other: there, renameCoders }).added.coders).toBe(2);
    const after = content(here);
    expect(merge(here, { other: there, renameCoders }).added).toMatchObject({ coders: 0, codings: 0, events: 0 });
    expect(content(here)).toEqual(after);
    // The rename made before does not cover another coder over there.
    expect(() => merge(here, { other: there, renameCoders: new Map([['boris', 'anna-laptop']]) })).toThrow(/"anna-laptop" is already a coder of this project/);
  });

  it('changes nothing in a dry run and reports what a real run does', () => {
    const { here, there } = build();
    const before = content(here);
    const dry = merge(here, { other: there, dryRun: true });
    expect(dry.applied).toBe(false);
    expect(content(here)).toEqual(before);
    const real = merge(here, { other: there });
    expect(real.added).toEqual(dry.added);
  });
});

describe('merge: cases, memos, events', () => {
  it('keeps this value of a conflicting case value, maps memo targets, keeps orphaned memos, and dedupes', () => {
    const here = seedProject(plainDocuments({ talk: 2 }), [{ id: 'R01', values: {} }], 'political-remittances');
    // "extra" comes first over there, so segment ids of "talk" differ between the projects.
    const there = seedProject(plainDocuments({ extra: 1, talk: 2 }), [{ id: 'R01' }, { id: 'R02' }], 'political-remittances');
    const setValue = (dir: string, caseId: string, attribute: string, value: string): void => {
      const db = openStore(dir);
      db.prepare('INSERT INTO case_values (case_id, attribute, value) VALUES (?, ?, ?)').run(caseId, attribute, value);
      db.close();
    };
    setValue(here, 'R01', 'host_country', 'LT');
    setValue(there, 'R01', 'host_country', 'LV');
    setValue(there, 'R01', 'emigration_year', '2022');
    setValue(there, 'R02', 'host_country', 'DE');
    recordWork(there, [{ coder: 'boris', document: 'talk', seen: [1] }]);
    const thereSegment = segmentIdOf(there, 'talk', 2);
    addMemo(there, { kind: 'segment', target: String(thereSegment), coder: 'boris', text: 'ирония?', at: '2026-02-01T10:00:00.000Z' });
    addMemo(there, { kind: 'segment', target: String(thereSegment), coder: 'boris', text: 'ирония?', at: '2026-02-01T10:00:00.000Z' });
    addMemo(there, { kind: 'document', target: 'extra', coder: null, text: 'short', at: '2026-02-01T11:00:00.000Z' });
    addMemo(there, { kind: 'segment', target: '9999', coder: null, text: 'lost segment', at: '2026-02-01T12:00:00.000Z' });
    addMemo(there, { kind: 'code', target: 'forms.protest', coder: 'boris', text: 'too broad', at: '2026-02-01T13:00:00.000Z' });
    const events = openStore(there);
    const boris = (events.prepare("SELECT id FROM coders WHERE name = 'boris'").get() as { id: number }).id;
    const insertEvent = events.prepare("INSERT INTO events (at, coder_id, action, batch, payload) VALUES ('2026-02-01T10:00:00.000Z', ?, ?, 'batch-1', ?)");
    insertEvent.run(boris, 'tag', JSON.stringify({ segment: thereSegment, code: 'forms.protest', coder: 'boris' }));
    insertEvent.run(boris, 'seen', JSON.stringify({ segment: thereSegment, coder: 'boris' }));
    insertEvent.run(boris, 'seen', JSON.stringify({ segment: thereSegment, coder: 'boris' }));
    events.close();

    const report = merge(here, { other: there });
    expect(report.caseValueConflicts).toEqual([{ case: 'R01', attribute: 'host_country', kept: 'LT', other: 'LV' }]);
    expect(report.added).toMatchObject({ cases: 1, caseValues: 2, memos: 5, events: 3 });
    expect(report.orphanMemos).toBe(1);
    expect(query(here, 'SELECT case_id, attribute, value FROM case_values ORDER BY case_id, attribute')).toEqual([
      { case_id: 'R01', attribute: 'emigration_year', value: '2022' },
      { case_id: 'R01', attribute: 'host_country', value: 'LT' },
      { case_id: 'R02', attribute: 'host_country', value: 'DE' },
    ]);
    const hereSegment = segmentIdOf(here, 'talk', 2);
    // The memo follows the segment, not its number.
    expect(hereSegment).not.toBe(thereSegment);
    expect(query(here, 'SELECT target_kind, target_id, text FROM memos ORDER BY created_at, id')).toEqual([
      { target_kind: 'segment', target_id: String(hereSegment), text: 'ирония?' },
      { target_kind: 'segment', target_id: String(hereSegment), text: 'ирония?' },
      { target_kind: 'document', target_id: 'extra', text: 'short' },
      { target_kind: 'project', target_id: null, text: '[segment 9999 of a merged project, no longer present] lost segment' },
      { target_kind: 'code', target_id: 'forms.protest', text: 'too broad' },
    ]);
    // Merged events are history, not this project's actions: no batch, so undo never replays them here.
    expect(query(here, "SELECT count(*) AS n FROM events WHERE action IN ('tag', 'seen') AND batch IS NULL")).toEqual([{ n: 3 }]);
    const store = openStore(here);
    try {
      expect(lastUndoableBatch(store, null)).toBeUndefined();
    } finally {
      store.close();
    }

    const after = content(here);
    expect(merge(here, { other: there }).added).toMatchObject({ cases: 0, caseValues: 0, memos: 0, events: 0 });
    expect(content(here)).toEqual(after);
  });
});

describe('merge: codebooks', () => {
  const otherCodebook = AGREEMENT_CODEBOOK
    .replace('{id: rare, label: Rare}', '{id: rare, label: Rarely seen}\n      - {id: extra, label: Extra}');

  const projects = async (): Promise<{ here: string; there: string }> => {
    const here = agreementProject({ talk: 2 });
    const there = agreementProject({ talk: 2 });
    writeFileSync(join(there, 'codebook.yaml'), otherCodebook);
    const { applyProjectCodebook } = await import('../../src/app/codebook.js');
    const project = openProject({ project: there });
    try {
      applyProjectCodebook(project, undefined, false);
    } finally {
      closeProject(project);
    }
    recordWork(there, [{ coder: 'boris', document: 'talk', seen: [1, 2], codes: { 1: ['topics.extra'], 2: ['topics.rare'] } }]);
    return { here, there };
  };

  it('stops with the codebook diff when the codebooks differ, changing nothing', async () => {
    const { here, there } = await projects();
    const before = content(here);
    let error: unknown;
    try {
      merge(here, { other: there });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CodebookMismatchError);
    expect((error as CodebookMismatchError).differences).toEqual(['~ code topics.rare (label)', '+ code topics.extra']);
    expect(content(here)).toEqual(before);
  });

  it('--codebook-from this keeps this codebook and brings codes it lacks in as retired', async () => {
    const { here, there } = await projects();
    const report = merge(here, { other: there, codebookFrom: 'this' });
    expect(report.added.retiredCodes).toEqual(['topics.extra']);
    expect(query(here, "SELECT id, status, label FROM codes WHERE id IN ('topics.extra', 'topics.rare') ORDER BY id")).toEqual([
      { id: 'topics.extra', status: 'retired', label: 'Extra' },
      { id: 'topics.rare', status: 'active', label: 'Rare' },
    ]);
    expect(query(here, "SELECT count(*) AS n FROM codings WHERE code_id = 'topics.extra'")).toEqual([{ n: 1 }]);
    expect(readFileSync(join(here, 'codebook.yaml'), 'utf8')).toBe(AGREEMENT_CODEBOOK);
  });

  it("--codebook-from other applies the other codebook and writes it to codebook.yaml, keeping the old file", async () => {
    const { here, there } = await projects();
    const report = merge(here, { other: there, codebookFrom: 'other' });
    expect(report.codebook.yamlReplaced).toBe(true);
    expect(query(here, "SELECT id, status, label FROM codes WHERE id IN ('topics.extra', 'topics.rare') ORDER BY id")).toEqual([
      { id: 'topics.extra', status: 'active', label: 'Extra' },
      { id: 'topics.rare', status: 'active', label: 'Rarely seen' },
    ]);
    expect(readFileSync(join(here, 'codebook.yaml'), 'utf8')).toBe(otherCodebook);
    expect(readFileSync(join(here, 'codebook.yaml.before-merge'), 'utf8')).toBe(AGREEMENT_CODEBOOK);
    expect(merge(here, { other: there }).codebook.differences).toEqual([]);
    expect(existsSync(join(here, 'codebook.yaml'))).toBe(true);
  });

  it('--codebook-from other never overwrites the backup of an earlier merge', async () => {
    const { here, there } = await projects();
    writeFileSync(join(here, 'codebook.yaml.before-merge'), 'an earlier backup\n');
    const report = merge(here, { other: there, codebookFrom: 'other' });
    expect(report.codebook.backup).toBe('codebook.yaml.before-merge-2');
    expect(readFileSync(join(here, 'codebook.yaml.before-merge'), 'utf8')).toBe('an earlier backup\n');
    expect(readFileSync(join(here, 'codebook.yaml.before-merge-2'), 'utf8')).toBe(AGREEMENT_CODEBOOK);
    expect(readFileSync(join(here, 'codebook.yaml'), 'utf8')).toBe(otherCodebook);
  });

  it('--codebook-from other writes codebook.yaml before the commit: when that fails, nothing is merged', async () => {
    const { here, there } = await projects();
    const before = content(here);
    // A folder where the new codebook.yaml is written first.
    mkdirSync(join(here, `codebook.yaml.merge-${process.pid}`));
    expect(() => merge(here, { other: there, codebookFrom: 'other' })).toThrow(/^cannot write the merged codebook next to .*codebook\.yaml: .*; nothing was merged$/);
    expect(content(here)).toEqual(before);
    expect(query(here, "SELECT count(*) AS n FROM codes WHERE id = 'topics.extra'")).toEqual([{ n: 0 }]);
    expect(readFileSync(join(here, 'codebook.yaml'), 'utf8')).toBe(AGREEMENT_CODEBOOK);
  });

  it('--codebook-from other: when codebook.yaml cannot be put in place after the commit, says which file to put there', async () => {
    const { here, there } = await projects();
    let error: unknown;
    try {
      // The backup's name is taken by a folder after the files were prepared: the rename after the commit fails.
      merge(here, { other: there, codebookFrom: 'other', insideTransaction: () => mkdirSync(join(here, 'codebook.yaml.before-merge')) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    const temporary = join(here, `codebook.yaml.merge-${process.pid}`);
    expect((error as UserError).message).toContain(`the merge is in the database, but ${join(here, 'codebook.yaml')} was not replaced (`);
    expect((error as UserError).message).toContain(`put ${temporary} in its place by hand before the next qcode codebook apply; the old one is ${join(here, `codebook.yaml.before-merge-${process.pid}.tmp`)}`);
    expect(query(here, "SELECT status FROM codes WHERE id = 'topics.extra'")).toEqual([{ status: 'active' }]);
    expect(readFileSync(temporary, 'utf8')).toBe(otherCodebook);
    renameSync(temporary, join(here, 'codebook.yaml'));
    expect(merge(here, { other: there }).codebook).toMatchObject({ differences: [], fileDiffers: false });
  });

  it('a merge run again finds a codebook.yaml an interrupted --codebook-from other left behind: says so, or rewrites it', async () => {
    const { here, there } = await projects();
    merge(here, { other: there, codebookFrom: 'other' });
    // As if the merge had been killed after its commit, before codebook.yaml was replaced.
    writeFileSync(join(here, 'codebook.yaml'), AGREEMENT_CODEBOOK);
    const plain = merge(here, { other: there });
    expect(plain.codebook).toMatchObject({ differences: [], fileDiffers: true, yamlReplaced: false });
    const again = merge(here, { other: there, codebookFrom: 'other' });
    expect(again.added.codings).toBe(0);
    expect(again.codebook).toMatchObject({ differences: [], yamlReplaced: true, backup: 'codebook.yaml.before-merge-2' });
    expect(readFileSync(join(here, 'codebook.yaml'), 'utf8')).toBe(otherCodebook);
    expect(merge(here, { other: there }).codebook.fileDiffers).toBe(false);
    expect(readdirSync(here).filter((name) => name.includes('.merge-') || name.endsWith('.tmp'))).toEqual([]);
  });

  it('--codebook-from this brings in as retired a code that only a memo over there is about, and a memo on a code neither has as a project memo', async () => {
    const { here, there } = await projects();
    const db = openStore(there);
    db.prepare("DELETE FROM codings WHERE code_id = 'topics.extra'").run();
    db.close();
    addMemo(there, { kind: 'code', target: 'topics.extra', coder: 'boris', text: 'when to use it', at: '2026-02-01T10:00:00.000Z' });
    addMemo(there, { kind: 'code', target: 'topics.gone', coder: null, text: 'an old code', at: '2026-02-01T11:00:00.000Z' });
    const report = merge(here, { other: there, codebookFrom: 'this' });
    expect(report.added.retiredCodes).toEqual(['topics.extra']);
    expect(report.orphanMemos).toBe(1);
    expect(query(here, "SELECT id, status FROM codes WHERE id IN ('topics.extra', 'topics.gone')")).toEqual([{ id: 'topics.extra', status: 'retired' }]);
    expect(query(here, 'SELECT target_kind, target_id, text FROM memos ORDER BY created_at')).toEqual([
      { target_kind: 'code', target_id: 'topics.extra', text: 'when to use it' },
      { target_kind: 'project', target_id: null, text: '[code topics.gone of a merged project, no longer present] an old code' },
    ]);
    expect(merge(here, { other: there, codebookFrom: 'this' }).added).toMatchObject({ memos: 0, retiredCodes: [] });
  });
});
