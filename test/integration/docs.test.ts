import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { countWords, listDocuments, showDocument } from '../../src/app/docs.js';
import { importPaths } from '../../src/app/import.js';
import { closeProject, initProject, openProject, type Project } from '../../src/app/project.js';
import { tempDir } from '../helpers.js';

const open: Project[] = [];
afterEach(() => {
  for (const project of open.splice(0)) closeProject(project);
});

async function studyWithDocument(): Promise<Project> {
  const dir = join(tempDir('qcode-docs-'), 'study');
  await initProject({ dir });
  const project = openProject({ project: dir });
  open.push(project);
  const file = join(tempDir(), 'r01.txt');
  writeFileSync(file, 'I: How did you leave?\nR: Through Georgia, in March.\nI: And then?\nR: Vilnius.\n');
  await importPaths(project, [file], { caseId: 'R01' });
  return project;
}

describe('qcode docs', () => {
  it('counts words by white space', () => {
    expect(countWords('  one two\nthree\t four  ')).toBe(4);
    expect(countWords('')).toBe(0);
  });

  it('lists slug, case, kind, language, segments, words and the coded share', async () => {
    const project = await studyWithDocument();
    expect(listDocuments(project)).toEqual([
      { slug: 'r01', case: 'R01', kind: 'interview', language: 'en', format: 'txt', title: null, segments: 4, words: 11, coded: 0, coded_pct: 0 },
    ]);
    project.db.prepare("INSERT INTO coders (name) VALUES ('anna')").run();
    project.db.prepare("INSERT INTO codings (segment_id, code_id, coder_id, created_at) SELECT id, 'forms.protest', 1, 'now' FROM segments WHERE ordinal IN (2, 4)").run();
    project.db.prepare("INSERT INTO codings (segment_id, code_id, coder_id, created_at) SELECT id, 'forms.legal_aid', 1, 'now' FROM segments WHERE ordinal = 2").run();
    expect(listDocuments(project)[0]).toMatchObject({ coded: 2, coded_pct: 50 });
  });

  it('shows a document by slug or id with its segments, and suggests a near slug', async () => {
    const project = await studyWithDocument();
    const view = showDocument(project, 'r01');
    expect(view.document).toMatchObject({ slug: 'r01', case_id: 'R01', segments: 4, words: 11, format: 'txt', encoding: 'UTF-8' });
    expect(view.segments.map((segment) => [segment.ordinal, segment.speaker, segment.text, segment.start, segment.end])).toEqual([
      [1, 'I', 'How did you leave?', 3, 21], [2, 'R', 'Through Georgia, in March.', 25, 51], [3, 'I', 'And then?', 55, 64], [4, 'R', 'Vilnius.', 68, 76],
    ]);
    expect(showDocument(project, String(view.document.id)).document.slug).toBe('r01');
    expect(() => showDocument(project, 'r1')).toThrow(/no document "r1" \(did you mean "r01"\?\)/);
  });

  it('suggests the slug a cut-short name begins (docs/import.md: a near miss gets a did-you-mean)', async () => {
    const project = await studyWithDocument();
    const file = join(tempDir(), 'r07-madrid-ru.txt');
    writeFileSync(file, 'I: Когда вы уехали?\nR: В марте.\n');
    await importPaths(project, [file], { caseId: 'R07' });
    expect(() => showDocument(project, 'r07-madri')).toThrow(/no document "r07-madri" \(did you mean "r07-madrid-ru"\?\)/);
  });
});
