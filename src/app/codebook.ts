import { createHash } from 'node:crypto';
import { parseCodebook, type Codebook, type ProjectCodebook } from '../core/codebook.js';
import { planCodebookApply, type CodebookPlan } from '../core/codebook-plan.js';
import { readUtf8File } from '../io/text-file.js';
import { applyCodebookPlan, codingCounts, loadProjectCodebook, loadStoredCodebook } from '../store/codebook.js';
import type { Db } from '../store/db.js';
import type { Project } from './project.js';

/** Reads and validates a codebook file; throws a ProblemsError listing every problem. */
export function checkCodebookFile(path: string, displayPath = path): Codebook {
  return parseCodebook(readUtf8File(path, 'codebook'), displayPath);
}

export interface ApplyReport {
  codebook: Codebook;
  plan: CodebookPlan;
  applied: boolean;
}

/** Brings the store in line with a codebook file in one transaction, or (dryRun) only plans it. */
export function applyCodebookFile(db: Db, path: string, options: { dryRun: boolean; displayPath?: string }): ApplyReport {
  const yaml = readUtf8File(path, 'codebook');
  const codebook = parseCodebook(yaml, options.displayPath ?? path);
  const plan = planCodebookApply(loadStoredCodebook(db), codebook);
  if (options.dryRun) return { codebook, plan, applied: false };
  const sha256 = createHash('sha256').update(yaml).digest('hex');
  applyCodebookPlan(db, codebook, plan, { yaml, sha256, appliedAt: new Date().toISOString() });
  return { codebook, plan, applied: true };
}

export function applyProjectCodebook(project: Project, file: string | undefined, dryRun: boolean): ApplyReport {
  return applyCodebookFile(project.db, file ?? project.codebookPath, { dryRun, displayPath: file ?? 'codebook.yaml' });
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
