import { palette } from '../render/style.js';
import type { Command } from 'commander';
import { Option } from '../commander.js';
import type { AgreementReport, CodeAgreement, DimensionAgreement, PooledAgreement } from '../../app/agreement.js';
import type { Project } from '../../app/project.js';
import type { ReconcileItem, ReconcileSession } from '../../app/reconcile.js';
import type { MergeReport } from '../../app/merge.js';
import { plural } from '../../core/codebook-plan.js';
import { shellQuote } from '../coder/code-source.js';
import { usageError } from '../../core/errors.js';
import { globals, withProject } from '../context.js';
import { addOutputOptions, note, out, writeJson, writeRows, type Column, type OutputOptions } from '../output.js';
import { testPauseHook } from '../test-hooks.js';

/** "a,b" and repeated flags both give a list. */
function list(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((item) => item.trim()).filter((item) => item !== '')];
}

/**
 * --coders values as typed: which commas separate names is decided against the project's coders (resolveCoders),
 * since an older qcode let a name hold a comma.
 */
function coderValues(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * OLD=NEW pairs, comma-separated or repeated. A comma splits pairs only before another OLD=NEW, so that a coder
 * an older qcode stored as "Smith, Anna" can still be renamed ("Smith, Anna=smith-anna").
 */
function renamePairs(value: string, previous: string[] | undefined): string[] {
  const pairs: string[] = [];
  for (const piece of value.split(',')) {
    const last = pairs.length - 1;
    if (last >= 0 && !pairs[last]!.includes('=')) pairs[last] += `,${piece}`;
    else pairs.push(piece);
  }
  return [...(previous ?? []), ...pairs.map((pair) => pair.trim()).filter((pair) => pair !== '')];
}

/** Digits only (Number() would take 0x10, 1e3 and " 5"), and a bound: a bootstrap of 10^11 samples never ends. */
function positiveInteger(flag: string, max: number): (value: string) => number {
  return (value) => {
    if (!/^[1-9]\d*$/.test(value) || Number(value) > max) throw usageError(`${flag} takes a whole number from 1 to ${max.toLocaleString('en-US')}, got "${value}"`);
    return Number(value);
  };
}

interface ScopeFlags {
  coders: string[];
  dimension?: string[];
  code?: string[];
  documents?: string[];
}

export function registerTeam(program: Command): void {
  addOutputOptions(
    program
      .command('agreement')
      .description("inter-coder agreement per code, per dimension and overall: percent agreement, Cohen's kappa, Krippendorff's alpha")
      .requiredOption('--coders <names>', 'coders to compare, comma-separated (two or more)', coderValues)
      .option('--dimension <ids>', 'only the codes of these dimensions (comma-separated or repeated)', list)
      .option('--code <ids>', 'only these codes (comma-separated or repeated)', list)
      .addOption(new Option('--unit <unit>', 'what a coding decision is about').choices(['segment', 'document']).default('segment'))
      .option('--documents <slugs>', 'only these documents (comma-separated)', list)
      .option('--bootstrap <n>', "bootstrap samples for a 95% confidence interval of each alpha (e.g. 1000)", positiveInteger('--bootstrap', 100_000))
      .option('--seed <n>', 'seed of the bootstrap (same seed, same interval)', positiveInteger('--seed', 2 ** 32 - 1)),
  )
    .addHelpText('after', `
Percent agreement and kappa use the units every compared coder has seen; alpha uses every unit seen by at
least two of them (a coder who has not seen a unit is missing data). Flags follow Krippendorff: alpha below
0.8 allows tentative conclusions only, below 0.667 the code should not be relied on. Rules: docs/team.md.

Examples:
  $ qcode agreement --coders anna,mikhail
  $ qcode agreement --coders anna,mikhail --dimension forms --bootstrap 1000
  $ qcode agreement --coders anna,mikhail --unit document --csv > agreement.csv`)
    .action(async (options: ScopeFlags & OutputOptions & { unit: 'segment' | 'document'; bootstrap?: number; seed?: number }, command: Command) => {
      if (options.seed !== undefined && options.bootstrap === undefined) throw usageError('--seed seeds the bootstrap: give --bootstrap N with it');
      const { computeAgreement } = await import('../../app/agreement.js');
      await withProject(command, (project) => {
        const report = computeAgreement(project, {
          coders: options.coders,
          dimensions: options.dimension,
          codes: options.code,
          documents: options.documents,
          unit: options.unit,
          bootstrap: options.bootstrap,
          seed: options.seed,
        });
        renderAgreement(report, options, options.bootstrap !== undefined, globals(command).quiet ?? false);
      });
    });

  addOutputOptions(
    program
      .command('disagreements')
      .description('segments two coders have both seen and coded differently, with the text and who gave what')
      .requiredOption('--coders <a,b>', 'the two coders', coderValues)
      .option('--dimension <ids>', 'compare only the codes of these dimensions', list)
      .option('--code <ids>', 'compare only these codes', list)
      .option('--documents <slugs>', 'only these documents (comma-separated)', list),
  )
    .addHelpText('after', `
Examples:
  $ qcode disagreements --coders anna,mikhail
  $ qcode disagreements --coders anna,mikhail --code forms.protest --csv > protest.csv`)
    .action(async (options: ScopeFlags & OutputOptions, command: Command) => {
      const { listDisagreements } = await import('../../app/agreement.js');
      await withProject(command, (project) => {
        const report = listDisagreements(project, { coders: options.coders, dimensions: options.dimension, codes: options.code, documents: options.documents });
        const [first, second] = report.coders;
        const rows = report.disagreements.map((item) => ({
          document: item.document,
          ordinal: item.ordinal,
          speaker: item.speaker,
          text: item.text,
          [`codes_${first}`]: item.first.join(' '),
          [`codes_${second}`]: item.second.join(' '),
          [`only_${first}`]: item.first.filter((code) => !item.second.includes(code)).join(' '),
          [`only_${second}`]: item.second.filter((code) => !item.first.includes(code)).join(' '),
        }));
        const scripted = options.json === true || options.csv === true;
        // On screen only what differs: the full lists of a segment with many codes bury the one that matters.
        const codeList = (value: unknown): string => (value === '' ? '—' : String(value).split(' ').join(', '));
        const columns: Column<Record<string, unknown>>[] = [
          { key: 'document', header: 'document' },
          { key: 'ordinal', header: '#', align: 'right' },
          { key: 'speaker', header: 'speaker' },
          { key: 'text', header: 'text', format: (value) => shorten(String(value), 60) },
          ...(scripted ? [`codes_${first}`, `codes_${second}`].map((key): Column<Record<string, unknown>> => ({ key, header: key })) : []),
          { key: `only_${first}`, header: `only ${first}`, format: codeList },
          { key: `only_${second}`, header: `only ${second}`, format: codeList },
        ];
        writeRows(rows, columns, options);
        if (!options.json && !options.csv && !globals(command).quiet) {
          out(`\n${plural(report.disagreements.length, 'disagreement')} in ${plural(report.seenByBoth, 'segment')} seen by both ${first} and ${second}.`);
        }
      });
    });

  program
    .command('reconcile')
    .description('settle two coders\' disagreements segment by segment, writing the agreed codes under a consensus coder (interactive, resumable)')
    .requiredOption('--coders <a,b>', 'the two coders to reconcile', coderValues)
    .requiredOption('--as <name>', 'the consensus coder the agreed codes are written under')
    .option('--documents <slugs>', 'only these documents (comma-separated)', list)
    .option('--lang <code>', 'label language, e.g. en or ru (default: the document\'s, if the codebook has it)')
    .addHelpText('after', `
Segments on which the two agree are given to the consensus coder at once; each disagreement is shown on
the coder's screen with who gave what, the codes both gave preselected (space toggles, enter saves,
→ skips, ^N adds a memo, ^Q quits). Every answer is saved at once; run the same command again to
continue where you stopped. Needs a terminal.

Examples:
  $ qcode reconcile --coders anna,mikhail --as consensus
  $ qcode agreement --coders anna,consensus`)
    .action(async (options: { coders: string[]; as: string; documents?: string[]; lang?: string }, command: Command) => {
      const { requireTerminal } = await import('../prompts.js');
      requireTerminal('qcode reconcile', 'list the disagreements from a script with: qcode disagreements --coders A,B --csv');
      const { ReconcileSession } = await import('../../app/reconcile.js');
      await withProject(command, async (project) => {
        const session = ReconcileSession.open(project, { coders: options.coders, as: options.as, documents: options.documents, language: options.lang });
        const [first, second] = session.coders.map((coder) => coder.name);
        if (session.shared === 0) {
          out(`${first} and ${second} have no segment both went through${options.documents === undefined ? '' : ' in these documents'}: nothing to reconcile.`);
          return;
        }
        if (session.agreedCopied > 0) note(`${plural(session.agreedCopied, 'segment')} on which ${first} and ${second} agree given to ${session.consensusName}.`);
        await runReconcile(project, session);
        const elsewhere = session.settledElsewhere > 0 ? `; ${plural(session.settledElsewhere, 'disagreement')} settled by another session meanwhile` : '';
        out(`${plural(session.settled, 'disagreement')} settled${elsewhere}; ${plural(session.left, 'disagreement')} left${session.left > 0 ? ' (run the same command to continue)' : ''}.`);
      });
    });

  program
    .command('merge')
    .description("bring another copy of the project (a colleague's coders, codings, memos, events, cases, documents) into this one")
    .argument('<other>', 'the other project\'s folder (or its qcode.db)')
    .option('--dry-run', 'report what would be merged, change nothing')
    .addOption(new Option('--codebook-from <which>', 'when the codebooks differ, whose codebook wins').choices(['this', 'other']))
    .option('--rename-coder <old=new>', "bring the other project's coder OLD in as NEW (repeatable), to keep two copies of one coder apart; NEW must not be a coder of this project", renamePairs)
    .option('--into-existing-coder', "let --rename-coder's NEW be a coder this project already has: OLD over there and NEW here are the same person, and OLD's work becomes NEW's for good")
    .option('--json', 'print the merge report as JSON')
    .addHelpText('after', `
Documents match by the sha256 of their text, segments by ordinal, coders by name, codes by id after a
codebook check. Nothing is dropped and merging twice adds nothing; one transaction. Rules: docs/team.md.

Examples:
  $ qcode merge ~/shared/study-boris --dry-run
  $ qcode merge ~/shared/study-boris
  $ qcode merge ../study-anna-laptop --rename-coder anna=anna-laptop
  $ qcode merge ../study-ania --rename-coder ania=anna --into-existing-coder`)
    .action(async (other: string, options: { dryRun?: boolean; codebookFrom?: 'this' | 'other'; renameCoder?: string[]; intoExistingCoder?: boolean; json?: boolean }, command: Command) => {
      const { mergeProject, CodebookMismatchError } = await import('../../app/merge.js');
      await withProject(command, (project) => {
        let report: MergeReport;
        try {
          report = mergeProject(project, {
            other,
            dryRun: options.dryRun,
            codebookFrom: options.codebookFrom,
            renameCoders: parseRenames(options.renameCoder ?? []),
            intoExistingCoder: options.intoExistingCoder,
            insideTransaction: testPauseHook('QCODE_TEST_PAUSE_MERGE_MS', 'merge: paused inside the transaction'),
          });
        } catch (error) {
          if (error instanceof CodebookMismatchError) {
            note('What taking the other project\'s codebook would change here:');
            for (const line of error.differences) note(`  ${line}`);
          }
          throw error;
        }
        if (options.json) return writeJson(report);
        renderMerge(report, globals(command).quiet ?? false, mergeListCommand(report.other, globals(command).project, options));
      });
    });
}

/** The same merge as a dry run printing JSON, with every option that shaped it: where the whole list of conflicts is. */
function mergeListCommand(other: string, project: string | undefined, options: { codebookFrom?: string; renameCoder?: string[]; intoExistingCoder?: boolean }): string {
  const words = ['qcode', ...(project === undefined ? [] : ['--project', project]), 'merge', other, '--dry-run', '--json'];
  if (options.codebookFrom !== undefined) words.push('--codebook-from', options.codebookFrom);
  for (const pair of options.renameCoder ?? []) words.push('--rename-coder', pair);
  if (options.intoExistingCoder) words.push('--into-existing-coder');
  return words.map(shellQuote).join(' ');
}

function parseRenames(pairs: readonly string[]): Map<string, string> {
  const renames = new Map<string, string>();
  for (const pair of pairs) {
    const [from, to, ...rest] = pair.split('=').map((part) => part.trim());
    if (!from || !to || rest.length > 0) throw usageError(`--rename-coder ${pair}: expected OLD=NEW`, 'e.g. --rename-coder anna=anna-laptop');
    renames.set(from, to);
  }
  return renames;
}


function shorten(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, width - 1).join('')}…`;
}

// ---- agreement output

type AgreementRow = Record<string, unknown> & {
  level: 'code' | 'dimension' | 'overall';
  id: string;
  dimension: string | null;
  units: number | null;
  decisions: number;
  agreement: number | null;
  kappa: number | null;
  alpha: number | null;
  alpha_low: number | null;
  alpha_high: number | null;
  alpha_units: number;
  mean_alpha: number | null;
  nominal_alpha: number | null;
  nominal_low: number | null;
  nominal_high: number | null;
  nominal_units: number | null;
  flag: string;
  /** Pooled rows: the codes the pooled figures rest on (those applied by a compared coder). */
  codes: number | null;
};

function codeRow(code: CodeAgreement, coders: readonly string[]): AgreementRow {
  return {
    level: 'code',
    id: code.code,
    dimension: code.dimension,
    ...Object.fromEntries(coders.map((name, i) => [`coded_${name}`, code.coded[i]])),
    units: code.units,
    decisions: code.units,
    agreement: code.percentAgreement,
    kappa: code.kappa?.kappa ?? null,
    alpha: code.alpha.alpha,
    alpha_low: code.interval?.low ?? null,
    alpha_high: code.interval?.high ?? null,
    alpha_units: code.alpha.units,
    mean_alpha: null,
    nominal_alpha: null,
    nominal_low: null,
    nominal_high: null,
    nominal_units: null,
    flag: code.flag,
    codes: null,
  };
}

function pooledRow(level: 'dimension' | 'overall', id: string, pooled: PooledAgreement, coders: readonly string[], nominal: DimensionAgreement['nominal']): AgreementRow {
  return {
    level,
    id,
    dimension: level === 'dimension' ? id : null,
    ...Object.fromEntries(coders.map((name) => [`coded_${name}`, null])),
    units: null,
    decisions: pooled.decisions,
    agreement: pooled.percentAgreement,
    kappa: pooled.kappa?.kappa ?? null,
    alpha: pooled.pooledAlpha.alpha,
    alpha_low: null,
    alpha_high: null,
    alpha_units: pooled.pooledAlpha.units,
    mean_alpha: pooled.meanAlpha,
    nominal_alpha: nominal?.alpha ?? null,
    nominal_low: nominal?.interval?.low ?? null,
    nominal_high: nominal?.interval?.high ?? null,
    nominal_units: nominal?.units ?? null,
    flag: pooled.flag,
    codes: pooled.codes,
  };
}

const number3 = (value: unknown): string => (typeof value === 'number' ? value.toFixed(3) : '—');
const percent = (value: unknown): string => (typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '—');
const interval = (low: unknown, high: unknown): string => (typeof low === 'number' && typeof high === 'number' ? `[${low.toFixed(2)}, ${high.toFixed(2)}]` : '');

function flagText(flag: unknown): string {
  const color = palette();
  if (flag === 'below 0.667') return color.red('✗ <0.667');
  if (flag === 'below 0.8') return color.yellow('! <0.8');
  if (flag === 'undefined') return color.dim('n/a');
  return '';
}

function renderAgreement(report: AgreementReport, options: OutputOptions, withInterval: boolean, quiet: boolean): void {
  const coders = report.coders;
  const rows: AgreementRow[] = [];
  for (const dimension of report.dimensions) {
    for (const code of report.codes) if (code.dimension === dimension.dimension) rows.push(codeRow(code, coders));
    rows.push(pooledRow('dimension', dimension.dimension, dimension, coders, dimension.nominal));
  }
  rows.push(pooledRow('overall', 'all', report.overall, coders, null));

  if (options.json || options.csv) {
    const keys = Object.keys(rows[0] ?? {}) as Array<keyof AgreementRow & string>;
    writeRows(rows, keys.map((key) => ({ key, header: key })), options);
    return;
  }
  const columns: Column<AgreementRow>[] = [
    { key: 'id', header: 'code', format: (value, row) => (row.level === 'code' ? `  ${String(value)}` : palette().bold(`${row.level === 'overall' ? 'all codes' : String(value)} (pooled, ${plural(row.codes ?? 0, 'code')})`)) },
    ...coders.map((name): Column<AgreementRow> => ({ key: `coded_${name}`, header: name, align: 'right', format: (value) => (value === null ? '' : String(value)) })),
    { key: 'units', header: report.coders.length === 2 ? 'seen by both' : 'seen by all', align: 'right', format: (value) => (value === null ? '' : String(value)) },
    { key: 'agreement', header: 'agree', align: 'right', format: percent },
    ...(coders.length === 2 ? [{ key: 'kappa', header: 'kappa', align: 'right', format: number3 } as Column<AgreementRow>] : []),
    { key: 'alpha', header: 'alpha', align: 'right', format: number3 },
    ...(withInterval ? [{ key: 'alpha_low', header: '95% CI', format: (_value, row) => interval(row.alpha_low, row.alpha_high) } as Column<AgreementRow>] : []),
    { key: 'mean_alpha', header: 'mean alpha', align: 'right', format: (value, row) => (row.level === 'code' ? '' : number3(value)) },
    ...(report.dimensions.some((dimension) => dimension.nominal !== null)
      ? [{ key: 'nominal_alpha', header: 'nominal alpha', align: 'right', format: (value, row) => (value === null ? '' : `${number3(value)} ${interval(row.nominal_low, row.nominal_high)}`.trim()) } as Column<AgreementRow>]
      : []),
    { key: 'flag', header: 'flag', format: flagText },
  ];
  writeRows(rows, columns, options);
  if (quiet) return;
  const unit = report.unit === 'segment' ? 'segment' : 'document';
  out(`\n${coders.join(' vs ')} · ${plural(report.units, unit)} · ${plural(report.unitsSeenByAll, unit)} seen by ${coders.length === 2 ? 'both' : 'all'} (agree, kappa) · ${plural(report.unitsSeenByTwo, unit)} seen by at least two (alpha)`);
  out('alpha: Krippendorff, binary per code; pooled = one alpha over the summed coincidence matrices of the codes the coders applied; mean = mean of the codes\' alphas');
  out('flag: ! <0.8 tentative conclusions only · ✗ <0.667 not reliable · n/a no variation (alpha undefined)');
  const multiple = report.dimensions.filter((dimension) => (dimension.nominal?.multiple ?? 0) > 0);
  for (const dimension of multiple) {
    note(`${dimension.dimension}: on ${plural(dimension.nominal!.multiple, 'segment')} a coder gave more than one code of this exclusive dimension; there that coder counts as missing in its nominal alpha.`);
  }
}

// ---- merge output

/** `listCommand`: the command that prints the whole report as JSON (mergeListCommand). */
function renderMerge(report: MergeReport, quiet: boolean, listCommand: string): void {
  const added = report.added;
  const verb = report.applied ? 'Merged' : 'Dry run, nothing changed. Would merge';
  out(`${verb} ${report.other}:`);
  out(`  + ${plural(added.coders, 'coder')}, ${plural(added.cases, 'case')} (${plural(added.caseValues, 'value')}), ${plural(added.documents, 'document')} (${plural(added.segments, 'segment')})`);
  out(`  + ${plural(added.codings, 'coding')}, ${plural(added.seen, 'seen mark')}, ${plural(added.memos, 'memo')}, ${plural(added.events, 'event')}`);
  out(`  = ${plural(report.matchedDocuments, 'document')} matched by content`);
  if (report.codebook.differences.length > 0) {
    out(`  codebook: ${plural(report.codebook.differences.length, 'difference')}, ${report.codebook.from === 'other' ? "the other project's codebook was applied" : "this project's codebook kept"}${report.codebook.yamlReplaced ? ` (codebook.yaml replaced${report.codebook.backup === null ? '' : `; the old one is ${report.codebook.backup}`})` : ''}`);
    if (!quiet) for (const line of report.codebook.differences) out(`    ${line}`);
  }
  if (report.codebook.differences.length === 0 && report.codebook.yamlReplaced) {
    out(`  codebook.yaml rewritten to the codebook this project last applied${report.codebook.backup === null ? '' : ` (the old one is ${report.codebook.backup})`}`);
  }
  if (report.codebook.fileDiffers) {
    out('  ! codebook.yaml differs from the codebook this project last applied: qcode codebook apply would change the codebook (merging again with --codebook-from other rewrites the file)');
  }
  for (const rename of report.codeRenames) {
    const kept = rename.duplicates > 0 ? `; ${rename.duplicates} already here on the same segment, coder and span ${rename.duplicates === 1 ? 'is' : 'are'} kept once` : '';
    out(`  = code ${rename.other} over there is ${rename.here} here (renamed with was:): ${plural(rename.codings, 'coding')} ${rename.codings === 1 ? 'comes' : 'come'} in as ${rename.here}${kept}`);
  }
  for (const id of added.retiredCodes) out(`  ! code ${id} (used over there, not in this codebook) added as retired`);
  for (const name of added.retiredAttributes) out(`  ! attribute ${name} (used over there, not in this codebook) added as retired`);
  const why = {
    'slug-taken': 'its slug is taken here by a different text',
    'segmentation-differs': 'same text as a document here, but segmented differently',
    'duplicate-text': 'same text as another document over there, already matched to the one here',
  } as const;
  for (const item of report.renamedDocuments) {
    const where = item.as === item.slug ? 'came in as a separate document' : `came in as ${item.as}`;
    out(`  ! ${item.slug} ${where}: ${why[item.reason]}`);
  }
  for (const conflict of report.caseValueConflicts) {
    out(`  ! case ${conflict.case} ${conflict.attribute}: kept ${conflict.kept} (other project: ${conflict.other})`);
  }
  if (added.documentCases > 0) out(`  + ${plural(added.documentCases, 'document')} without a case here assigned to the other project's case`);
  for (const conflict of report.documentCaseConflicts) {
    out(`  ! document ${conflict.document}: kept case ${conflict.kept} (other project: ${conflict.other})`);
  }
  if (report.orphanMemos > 0) out(`  ! ${plural(report.orphanMemos, 'memo')} about things deleted over there came in as project memos`);
  const leftOut = report.leftOutRemoved;
  if (leftOut.documents.length + leftOut.cases.length > 0) {
    const names = [...leftOut.cases.map((id) => `case ${id}`), ...leftOut.documents.map((doc) => doc.slug)];
    out(`  − left out, removed here (withdrawal of consent): ${names.join(', ')} (${plural(leftOut.segments, 'segment')}, ${plural(leftOut.codings, 'coding')}, ${plural(leftOut.memos, 'memo')}, ${plural(leftOut.caseValues, 'case value')})`);
  }
  if (leftOut.quotes > 0) out(`  − ${plural(leftOut.quotes, 'text')} quoting what was removed here (memos, their history, examples of codes brought in) came in without the quotes`);
  for (const removal of report.removedThere) {
    const names = [...removal.cases.map((id) => `case ${id}`), ...removal.documents].join(', ');
    out(`  ! the other copy removed ${names} on ${removal.at.slice(0, 10)} (withdrawal of consent); this copy still holds them — remove them here too with: ${removal.commands.join(' && ')}`);
  }
  if (report.coderConflicts.length > 0) {
    const header = `  ! ${plural(report.coderConflicts.length, 'segment')} coded differently by the same coder in the two copies; both sets of codes kept`;
    // --quiet prints results, not lists or advice (as the codebook differences above): the header says where the list is.
    if (quiet) {
      out(`${header} (the list: ${listCommand})`);
      return;
    }
    out(`${header}:`);
    for (const conflict of report.coderConflicts.slice(0, 10)) out(`      ${conflict.document}:${conflict.ordinal} ${conflict.coder}`);
    if (report.coderConflicts.length > 10) out(`      … (all of them: ${listCommand})`);
    out('    To keep such versions apart, merge with --rename-coder NAME=NEW-NAME (try --dry-run first), then use qcode disagreements / reconcile.');
  }
}

// ---- reconcile prompt

/**
 * Reconcile on the interactive coder's screen (src/cli/coder): each disagreement shows the text and who
 * gave what, with the codes both gave preselected; enter saves the chosen codes under the consensus coder.
 * A segment both coders went through only in some one-dimension passes takes codes of those dimensions
 * only, so the picker offers just those: the screen is opened afresh whenever the next disagreement
 * takes other dimensions than the one before.
 */
async function runReconcile(project: Project, session: ReconcileSession): Promise<'done' | 'quit'> {
  const { runCoderPrompt } = await import('../coder/terminal.js');
  const { showCodebook } = await import('../../app/codebook.js');
  const { addMemo } = await import('../../app/memo.js');
  const prompts = await import('../prompts.js');
  const codebook = showCodebook(project).codebook;
  const offered = new Set(session.items.flatMap((item) => [...item.first, ...item.second]));
  const usable = codebook.codes.filter((code) => code.status === 'active' || offered.has(code.id));
  const [first, second] = [session.coders[0].name, session.coders[1].name];
  const describe = (list: readonly string[]): string => (list.length === 0 ? 'no code' : list.join(', '));
  const total = session.items.length;
  const scopeOf = (item: ReconcileItem): string => codebook.dimensions.filter((dimension) => session.reconciles(item, dimension.id)).map((dimension) => dimension.id).join(' ');
  // What the last answer on the screen before said, shown on the next one's first segment.
  let carried: string | null = null;
  for (let item = session.current(); item !== null; item = session.current()) {
    const opening = item;
    const scope = scopeOf(item);
    const codes = usable.filter((code) => session.reconciles(opening, code.dimensionId));
    const dimensionIds = new Set(codes.map((code) => code.dimensionId));
    const told = carried;
    carried = null;
    const outcome = await runCoderPrompt({
      dimensions: codebook.dimensions.filter((dimension) => dimensionIds.has(dimension.id)),
      codes,
      editText: (draft) => prompts.editText(draft),
      source: {
        view() {
          const item = session.current();
          if (item === null || scopeOf(item) !== scope) return null;
          const only = item.dimensions === null ? '' : ` · only ${item.dimensions.join(', ')} (what both went through here)`;
          return {
            title: `reconcile ${first} vs ${second} · disagreement ${total - session.remaining + 1}/${total}`,
            titleRight: `${item.place.slug}:${item.place.ordinal} · as ${session.consensusName}`,
            previous: null,
            current: { label: item.speaker === null ? `${item.place.ordinal}` : `${item.place.ordinal} ${item.speaker}:`, text: item.text },
            given: item.both,
            notes: [
              ...(item === opening && told !== null ? [told] : []),
              `${first}: ${describe(item.first)}`, `${second}: ${describe(item.second)}`, `Preselected: the codes both gave (${describe(item.both)})${only}`,
            ],
            language: item.language,
            forwardOnly: true,
          };
        },
        confirm(chosen) {
          const item = session.current();
          const where = `${item?.place.slug}:${item?.place.ordinal}`;
          carried = session.confirm(chosen) === 'saved'
            ? `Saved ${where} for ${session.consensusName}: ${describe(chosen)}`
            : `${where} was settled meanwhile by another session as ${session.consensusName}; that answer is kept, nothing saved here`;
          return carried;
        },
        skip() {
          const item = session.current();
          session.skip();
          carried = `Skipped ${item?.place.slug}:${item?.place.ordinal}; it comes back next time`;
          return carried;
        },
        back() {
          return 'Reconcile goes forward only; a saved answer can be changed with qcode tag / untag.';
        },
        jump() {
          return 'Reconcile goes through the disagreements in order.';
        },
        memo(text) {
          const item = session.current();
          if (item === null) return undefined;
          addMemo(project, { segment: `${item.place.slug}:${item.place.ordinal}`, text, coder: session.consensusName });
          return 'Memo saved.';
        },
      },
    });
    if (outcome === 'quit') return 'quit';
  }
  return 'done';
}
