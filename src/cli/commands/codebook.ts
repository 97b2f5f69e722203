import { palette } from '../render/style.js';
import type { Command } from 'commander';
import { labelIn } from '../../core/codebook-model.js';
import { describeStep, plural, type CodebookPlan } from '../../core/codebook-plan.js';
import { ProblemsError, UserError } from '../../core/errors.js';
import { shellQuote } from '../coder/code-source.js';
import { globals, withProject } from '../context.js';
import { examples, note, out, writeJson } from '../output.js';

export function registerCodebook(program: Command): void {
  const codebook = program
    .command('codebook')
    .description('check, apply, show and compare the YAML codebook')
    .addHelpText('after', `
Examples:
  $ qcode codebook check codebook.yaml
  $ qcode codebook apply --dry-run
  $ qcode codebook show --lang ru
  $ qcode codebook diff ~/colleague/codebook.yaml`);

  codebook
    .command('check')
    .description('validate a codebook file and report every problem as FILE:LINE:COL: message (exit 1 on any)')
    .addHelpText('after', examples('qcode codebook check codebook.yaml', 'qcode codebook check ~/colleague/codebook.yaml --json'))
    .argument('<file>', 'codebook YAML')
    .option('--json', 'print a summary as JSON; with problems {file, ok: false, problems: [{file, line, col, message}]}, and exit 1')
    .action(async (file: string, options: { json?: boolean }) => {
      const { checkCodebookFile } = await import('../../app/codebook.js');
      let result;
      try {
        result = checkCodebookFile(file);
      } catch (error) {
        if (!options.json || !(error instanceof UserError)) throw error;
        if (!(error instanceof ProblemsError)) {
          // A file that cannot be read at all (missing, UTF-16, too big) has no place to point at.
          writeJson({ file, ok: false, error: error.message, problems: [] });
          throw error;
        }
        // Scripts and editors read the problems from stdout; stderr keeps only the summary line, since
        // printing every problem there too would say each one twice on a terminal.
        writeJson({ file, ok: false, problems: error.problems });
        throw new UserError(error.message, error.hint === undefined ? {} : { hint: error.hint });
      }
      if (options.json) {
        return writeJson({ file, ok: true, codebook: result.name, dimensions: result.dimensions.length, codes: result.codes.length, attributes: result.attributes.length, hypotheses: result.hypotheses.length });
      }
      out(`${file}: ok · codebook "${result.name}" v${result.version} · ${plural(result.dimensions.length, 'dimension')}, ${plural(result.codes.length, 'code')}, ${plural(result.attributes.length, 'attribute')}, ${plural(result.hypotheses.length, 'hypothesis', 'hypotheses')}`);
    });

  codebook
    .command('apply')
    .description("bring the project's store in line with the codebook (one transaction; coded codes are retired, never deleted)")
    .addHelpText('after', examples('qcode codebook apply --dry-run', 'qcode codebook apply', 'qcode codebook apply ~/team/codebook.yaml'))
    .argument('[file]', 'codebook YAML (default: the project\'s codebook.yaml)')
    .option('--dry-run', 'print the plan, change nothing')
    .option('--json', 'print the plan as JSON')
    .action(async (file: string | undefined, options: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const { applyProjectCodebook } = await import('../../app/codebook.js');
      await withProject(command, (project) => {
        const report = applyProjectCodebook(project, file, options.dryRun ?? false);
        if (options.json) return writeJson({ applied: report.applied, alreadyApplied: report.alreadyApplied, steps: report.plan.steps, warnings: report.plan.warnings });
        if (report.alreadyApplied) return out(`${file ?? 'codebook.yaml'} is the codebook the project already uses: nothing to apply.`);
        for (const warning of report.plan.warnings) note(`${palette().yellow('Warning:')} ${warning}`);
        printPlan(report.plan, globals(command).quiet ?? false);
        if (report.applied) out(`Applied codebook "${report.codebook.name}" v${report.codebook.version}: ${plural(report.codebook.codes.length, 'code')}.`);
        else out('Dry run: nothing changed.');
        if (report.projectFileDiffers && file !== undefined) {
          note(`${palette().yellow('Note:')} the project's codebook.yaml is not ${file}: copy it over (cp ${shellQuote(file)} codebook.yaml), or the next plain qcode codebook apply goes back to codebook.yaml`);
        }
      });
    });

  codebook
    .command('show')
    .description('the codebook tree with labels and the number of codings per code')
    .addHelpText('after', examples('qcode codebook show', 'qcode codebook show --lang ru', 'qcode codebook show --json > codebook.json'))
    .option('--lang <code>', 'label language, e.g. ru')
    .option('--coder <name>', 'count only this coder\'s codings')
    .option('--retired', 'include retired codes')
    .option('--json', 'print JSON')
    .action(async (options: { lang?: string; coder?: string; retired?: boolean; json?: boolean }, command: Command) => {
      const { showProjectCodebook } = await import('../../app/codebook.js');
      await withProject(command, async (project) => {
        const { codebook: book, counts } = await showProjectCodebook(project, options);
        if (options.json) {
          return writeJson({
            ...book,
            codes: book.codes.map((code) => ({ ...code, codings: counts.get(code.id) ?? 0 })),
          });
        }
        const color = palette();
        const active = book.codes.filter((code) => code.status === 'active').length;
        out(color.bold(`${book.name} v${book.version} · ${plural(active, 'code')}${active < book.codes.length ? ` (+${book.codes.length - active} retired)` : ''}`));
        const idWidth = Math.max(...book.codes.map((code) => code.id.length + code.depth * 2)) + 2;
        for (const dimension of book.dimensions) {
          if (dimension.status === 'retired' && !options.retired) continue;
          const flags = [dimension.exclusive ? 'exclusive' : '', dimension.status === 'retired' ? 'retired' : ''].filter(Boolean);
          out(`\n${color.bold(dimension.id)}  ${labelIn(dimension, options.lang)}${flags.length ? color.dim(` (${flags.join(', ')})`) : ''}`);
          for (const code of book.codes) {
            if (code.dimensionId !== dimension.id) continue;
            if (code.status === 'retired' && !options.retired) continue;
            const indent = '  '.repeat(code.depth + 1);
            const count = counts.get(code.id) ?? 0;
            const label = labelIn(code, options.lang) + (code.status === 'retired' ? color.dim(' (retired)') : '');
            out(`${indent}${code.id.padEnd(idWidth - code.depth * 2)}${String(count).padStart(6)}  ${label}`);
          }
        }
        if (book.hypotheses.length > 0) {
          out(`\n${color.bold('hypotheses')}`);
          for (const hypothesis of book.hypotheses) {
            const axis = (list: typeof hypothesis.rows): string => list.map((item) => (item.kind === 'attribute' ? `attribute:${item.name}` : item.id)).join(', ');
            out(`  ${hypothesis.id}  ${hypothesis.title}\n      rows: ${axis(hypothesis.rows)}  ×  columns: ${axis(hypothesis.columns)}`);
          }
        }
      });
    });

  codebook
    .command('diff')
    .description("what applying FILE would change in the project's codebook")
    .addHelpText('after', examples('qcode codebook diff ~/colleague/codebook.yaml'))
    .argument('<file>', 'codebook YAML')
    .option('--json', 'print the changes as JSON')
    .action(async (file: string, options: { json?: boolean }, command: Command) => {
      const { diffCodebook } = await import('../../app/codebook.js');
      await withProject(command, (project) => {
        const report = diffCodebook(project, file);
        if (options.json) return writeJson({ steps: report.plan.steps, warnings: report.plan.warnings });
        // On stderr, as codebook apply says them, and whether or not there are steps: a warning stands alone.
        for (const warning of report.plan.warnings) note(`${palette().yellow('Warning:')} ${warning}`);
        if (report.plan.steps.length === 0) return out('No differences.');
        printPlan(report.plan, false);
      });
    });
}

function printPlan(plan: CodebookPlan, quiet: boolean): void {
  if (quiet) return;
  if (plan.steps.length === 0) {
    out('No changes to the codebook.');
    return;
  }
  for (const step of plan.steps) out(`  ${describeStep(step)}`);
}
