import { palette } from '../render/style.js';
import type { Command } from 'commander';
import { Option } from '../commander.js';
import { UNIT_CHOICES } from './analysis.js';
import { globals, withProject } from '../context.js';
import { note, out, writeJson } from '../output.js';

export function registerExport(program: Command): void {
  const exportCommand = program
    .command('export')
    .description('write the project for R, SPSS/PSPP and spreadsheets')
    .addHelpText('after', `
Examples:
  $ qcode export all --out exports/
  $ cd exports && pspp qcode.sps          SPSS/PSPP: labelled .sav files
  $ Rscript exports/qcode.R               R: data frames with factors and labels
  $ qcode export all --out for-excel/ --excel`);

  exportCommand
    .command('all')
    .description('codings, segments (0/1 per code), documents, cases, co-occurrence per hypothesis, codebook, qcode.sps and qcode.R')
    .requiredOption('--out <dir>', 'the folder to create (it must not exist or be empty)')
    .option('--force', 'write into a folder that is not empty, replacing the export files in it (other files stay)')
    .option('--excel', 'for spreadsheets: a BOM, and a leading \' on text cells starting with = + - @ tab or CR (changes the data for R and SPSS)')
    .addOption(new Option('--unit <unit>', 'unit of the co-occurrence tables').choices(UNIT_CHOICES).default('segment'))
    .option('--lang <code>', 'label language of codes and attributes, e.g. ru')
    .option('--coder <name>', "only this coder's codings")
    .option('--coders <a,b>', "the union of these coders' codings (default: all coders)")
    .option('--json', 'print what was written as JSON')
    .addHelpText('after', `
All files are UTF-8 CSV (RFC 4180) without a BOM, with column names that SPSS and R accept as they are.
Line breaks inside text cells are written as spaces (PSPP cannot read them); the exact text stays in
qcode.db. Files are readable by you only (mode 600), like qcode.db: they hold participants' words.
See docs/exports.md for every column.

Examples:
  $ qcode export all --out exports/
  $ qcode export all --out exports/ --force --unit document --lang ru`)
    .action(async (options: { out: string; force?: boolean; excel?: boolean; unit: string; lang?: string; coder?: string; coders?: string; json?: boolean }, command: Command) => {
      const { exportAllInterruptibly } = await import('../../app/export.js');
      await withProject(command, async (project) => {
        // QCODE_TEST_PAUSE_EXPORT_MS (a test hook, not for users): a pause mid-export, for a test to interrupt.
        const report = await exportAllInterruptibly(project, {
          out: options.out, force: options.force, excel: options.excel, unit: options.unit, language: options.lang, coder: options.coder, coders: options.coders,
        }, Number(process.env.QCODE_TEST_PAUSE_EXPORT_MS ?? '') || 0);
        for (const path of report.removedLeftovers) note(`Removed ${path}: a temporary folder left by an export that was stopped before it finished`);
        // Also with --json and --quiet: the files hold something other than the codebook declares.
        for (const warning of report.warnings) note(`${palette().yellow('Warning:')} ${warning}`);
        if (options.json) return writeJson(report);
        if (globals(command).quiet) return;
        // Long hypothesis ids make long file names: the column is as wide as the longest, plus two spaces.
        const width = Math.max(24, ...report.files.map((file) => file.file.length + 2));
        for (const file of report.files) out(`  ${file.file.padEnd(width)}${file.rows === null ? '' : `${file.rows} rows`}`);
        note(`Wrote ${report.files.length} files to ${report.dir}`);
      });
    });
}
