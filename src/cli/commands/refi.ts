import type { Command } from 'commander';
import { plural } from '../../core/codebook-plan.js';
import { usageError } from '../../core/errors.js';
import { shellQuote } from '../../core/shell.js';
import { globals, withProject } from '../context.js';
import { note, out, writeJson } from '../output.js';
import { testPauseHook } from '../test-hooks.js';
import { folderToCreate } from './demo.js';

function megabytes(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function warn(warnings: readonly string[]): void {
  for (const warning of warnings) note(`Warning: ${warning}`);
}

export function registerRefi(program: Command): void {
  const refi = program
    .command('refi')
    .description('exchange codebooks (.qdc) and projects (.qdpx) with ATLAS.ti, NVivo, MAXQDA, QualCoder… (REFI-QDA 1.5)')
    .addHelpText('after', `
Examples:
  $ qcode refi export --qdpx study.qdpx              the whole project, for any REFI-QDA tool
  $ qcode refi export --qdc codebook.qdc             the codebook only
  $ qcode refi import colleague.qdc --to codebook.yaml
  $ qcode refi import atlas-export.qdpx ~/atlas-study

See docs/refi-qda.md for what maps to what.`);

  refi
    .command('export')
    .description('write the codebook (.qdc) and/or the whole project (.qdpx); the same project gives the same bytes')
    .option('--qdc <file>', 'codebook exchange file (.qdc)')
    .option('--qdpx <file>', 'project exchange file (.qdpx): codebook, coders, cases, texts, codings, memos')
    .option('--force', 'replace the --qdc / --qdpx file if it exists')
    .option('--json', 'print a summary as JSON')
    .addHelpText('after', `
Examples:
  $ qcode refi export --qdpx study.qdpx
  $ qcode refi export --qdc codebook.qdc --qdpx study.qdpx
  $ qcode refi export --qdpx study.qdpx --force      replace last week's study.qdpx

Files are written with mode 0600: they hold participants' words. An existing file is refused unless
--force; it is then replaced in one step (a temporary file beside it, renamed over it).`)
    .action(async (options: { qdc?: string; qdpx?: string; force?: boolean; json?: boolean }, command: Command) => {
      if (options.qdc === undefined && options.qdpx === undefined) throw usageError('say what to export: --qdc FILE and/or --qdpx FILE', 'e.g. qcode refi export --qdpx study.qdpx');
      const { exportRefi } = await import('../../app/refi.js');
      await withProject(command, async (project) => {
        const report = await exportRefi(project, { qdc: options.qdc, qdpx: options.qdpx, force: options.force });
        if (options.json) return writeJson(report);
        warn(report.warnings);
        if (globals(command).quiet) return;
        for (const file of report.files) {
          const what = file.format === 'qdc'
            ? plural(report.codes, 'code')
            : `${plural(report.documents, 'document')}, ${plural(report.codings, 'coding')}, ${plural(report.memos, 'memo')}`;
          out(`Wrote ${file.path} (${megabytes(file.bytes)}): ${what}.`);
        }
      });
    });

  refi
    .command('import')
    .description('a .qdc becomes a codebook YAML; a .qdpx becomes a new project in DIR')
    .argument('<file>', 'a REFI-QDA codebook (.qdc) or project (.qdpx)')
    .argument('[dir]', 'for a .qdpx: the new project folder (default: --project, else the file name without extension)')
    .option('--to <file>', 'for a .qdc: write the codebook YAML here (default: print it)')
    .option('--force', 'for a .qdc: replace the --to file if it exists')
    .option('--json', 'print a summary as JSON (for a .qdc, together with --to)')
    .addHelpText('after', `
Examples:
  $ qcode refi import colleague.qdc --to codebook.yaml && qcode codebook check codebook.yaml
  $ qcode refi import colleague.qdc > codebook.yaml
  $ qcode refi import atlas-export.qdpx atlas-study && cd atlas-study && qcode stats

A .qdpx is checked completely (unsafe archive entries, DOCTYPEs, missing sources, positions beyond the
text, unknown codes, zip bombs) before anything is written.`)
    .action(async (file: string, given: string | undefined, options: { to?: string; force?: boolean; json?: boolean }, command: Command) => {
      const { importRefiCodebook, importRefiProject, refiFormatOf } = await import('../../app/refi.js');
      const format = refiFormatOf(file);
      const { project } = globals(command);
      if (format === 'qdc') {
        if (given !== undefined) throw usageError(`a .qdc is a codebook: write it with --to ${given.endsWith('.yaml') ? given : 'codebook.yaml'}, not into a folder`);
        if (project !== undefined) throw usageError('a .qdc becomes a codebook file, not a project: leave out --project', `Write it with --to codebook.yaml, then: qcode codebook apply codebook.yaml --project ${shellQuote(project)}`);
        // The summary has no room for the codebook: without --to, the YAML would be printed nowhere.
        if (options.json && options.to === undefined) throw usageError('--json needs --to FILE for a .qdc', `e.g. qcode refi import ${shellQuote(file)} --to codebook.yaml --json`);
        const report = await importRefiCodebook({ file, to: options.to, force: options.force });
        warn(report.warnings);
        if (options.json) return writeJson({ file, written: report.written, codebook: report.codebook.name, dimensions: report.codebook.dimensions.length, codes: report.codebook.codes.length, hypotheses: report.codebook.hypotheses.length, warnings: report.warnings });
        if (report.written === null) {
          process.stdout.write(report.yaml);
          return;
        }
        out(`Wrote ${report.written}: codebook "${report.codebook.name}", ${plural(report.codebook.dimensions.length, 'dimension')}, ${plural(report.codebook.codes.length, 'code')}, ${plural(report.codebook.hypotheses.length, 'hypothesis', 'hypotheses')}.`);
        return;
      }
      if (options.to !== undefined) throw usageError('--to is for a .qdc codebook; a .qdpx project goes into a folder: qcode refi import FILE.qdpx DIR');
      const dir = folderToCreate('refi import', given, project);
      const report = await importRefiProject({ file, dir, pause: testPauseHook('QCODE_TEST_PAUSE_REFI_IMPORT_MS', 'refi import: paused before the data goes in') });
      for (const path of report.removedLeftovers) note(`Removed ${path}: a project left half-built by a refi import that was stopped before it finished`);
      warn(report.warnings);
      if (options.json) return writeJson(report);
      const { counts } = report;
      out(`Created project ${report.dir} from ${file}: ${plural(counts.documents, 'document')}, ${plural(counts.segments, 'segment')}, ${plural(counts.codings, 'coding')} by ${plural(counts.coders, 'coder')}, ${plural(report.codes, 'code')}, ${plural(counts.cases, 'case')}, ${plural(counts.memos, 'memo')}.`);
      if (counts.removedDocuments + counts.removedCases > 0) {
        out(`Withdrawals of consent carried over: ${plural(counts.removedDocuments, 'removed document')}, ${plural(counts.removedCases, 'removed case')}; the project refuses them on import and merge, as the original did.`);
      }
    });
}
