import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCodebook, type Codebook, type ProjectCodebook } from '../core/codebook.js';
import { planCodebookApply, type CodebookPlan } from '../core/codebook-plan.js';
import { idFromName } from '../io/refi/ids.js';
import { CODEBOOK_READ_LIMIT, readUtf8File } from '../io/text-file.js';
import { applyCodebookPlan, codingCounts, latestCodebookYaml, loadProjectCodebook, loadStoredCodebook } from '../store/codebook.js';
import { listCoders } from '../store/common.js';
import type { Db } from '../store/db.js';
import type { Project } from './project.js';

/** Reads and validates a codebook file; throws a ProblemsError listing every problem. */
export function checkCodebookFile(path: string, displayPath = path): Codebook {
  return parseCodebook(readUtf8File(path, 'codebook', CODEBOOK_READ_LIMIT), displayPath, { latinId });
}

/** What a refused id written in Cyrillic (or with capitals) would be in Latin letters, as qcode refi import makes it. */
const latinId = (name: string, separator: '_' | '-'): string => idFromName(name, '', separator);

export interface ApplyReport {
  codebook: Codebook;
  plan: CodebookPlan;
  applied: boolean;
  /** The very same YAML was the last one applied: nothing was written, not even a snapshot. */
  alreadyApplied: boolean;
}

/** Brings the store in line with a codebook file in one transaction, or (dryRun) only plans it. */
export function applyCodebookFile(db: Db, path: string, options: { dryRun: boolean; displayPath?: string }): ApplyReport {
  const yaml = readUtf8File(path, 'codebook', CODEBOOK_READ_LIMIT);
  const codebook = parseCodebook(yaml, options.displayPath ?? path, { latinId });
  const plan = planCodebookApply(loadStoredCodebook(db), codebook);
  const sha256 = createHash('sha256').update(yaml).digest('hex');
  const alreadyApplied = plan.steps.length === 0 && latestCodebookYaml(db)?.sha256 === sha256;
  if (options.dryRun || alreadyApplied) return { codebook, plan, applied: false, alreadyApplied };
  applyCodebookPlan(db, codebook, plan, { yaml, sha256, appliedAt: new Date().toISOString() });
  return { codebook, plan, applied: true, alreadyApplied };
}

/**
 * `qcode codebook apply [FILE]`. Applying another file than the project's codebook.yaml leaves the two
 * apart (the next plain apply would go back): the report says so, so that the user copies it over.
 */
export function applyProjectCodebook(project: Project, file: string | undefined, dryRun: boolean): ApplyReport & { projectFileDiffers: boolean } {
  const report = applyCodebookFile(project.db, file ?? project.codebookPath, { dryRun, displayPath: file ?? 'codebook.yaml' });
  let projectFileDiffers = false;
  if (file !== undefined && resolve(file) !== resolve(project.codebookPath)) {
    try {
      projectFileDiffers = readFileSync(file, 'utf8') !== readFileSync(project.codebookPath, 'utf8');
    } catch {
      projectFileDiffers = true;
    }
  }
  return { ...report, projectFileDiffers };
}

/** What applying FILE would change in the project. */
export function diffCodebook(project: Project, file: string): ApplyReport {
  return applyCodebookFile(project.db, file, { dryRun: true });
}

export interface CodebookView {
  codebook: ProjectCodebook;
  counts: Map<string, number>;
}

export function showCodebook(project: Project, coder?: string): CodebookView {
  return { codebook: loadProjectCodebook(project.db), counts: codingCounts(project.db, coder) };
}

/**
 * `qcode codebook show`: an unknown --coder or --lang is refused as stats refuses it, rather than shown
 * as zeros or in the first language. The checks load on use: codebook check and init never need them.
 */
export async function showProjectCodebook(project: Project, options: { coder?: string | undefined; lang?: string | undefined }): Promise<CodebookView> {
  const { checkLanguage, selectCoders } = await import('./analysis.js');
  const codebook = loadProjectCodebook(project.db);
  checkLanguage(codebook, options.lang);
  const { ids } = selectCoders(project.db, { coder: options.coder });
  // Counted under the name as stored: the one typed may be in another Unicode form.
  const coder = ids === null ? undefined : listCoders(project.db).find((row) => row.id === ids[0])?.name;
  return { codebook, counts: codingCounts(project.db, coder) };
}
