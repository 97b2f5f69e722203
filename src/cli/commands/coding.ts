import type { Command } from 'commander';
import { palette } from '../render/style.js';
import { usageError } from '../../core/errors.js';
import { plural } from '../../core/codebook-plan.js';
import { groupDigits } from '../../core/text.js';
import { shellQuote } from '../../core/shell.js';
import { globals, withProject } from '../context.js';
import type { PendingWork } from '../coder/terminal.js';
import type { UndoReport } from '../../app/log.js';
import type { MemoRow } from '../../app/memo.js';
import { addOutputOptions, examples, note, out, wholeNumber, writeJson, writeRows, type Column, type OutputOptions } from '../output.js';

/** "1 was" / "3 were" */
function wasWere(count: number): string {
  return `${groupDigits(count)} ${count === 1 ? 'was' : 'were'}`;
}

/** Shows the matches of a full-text query: [bracketed] without colours, highlighted with them. */
function highlight(context: string, open: string, close: string): string {
  const color = palette();
  if (color.level === 0) return context.replaceAll(open, '[').replaceAll(close, ']');
  return context.replace(new RegExp(`${open}([^${close}]*)${close}`, 'g'), (_match, word: string) => color.inverse(word));
}

export function registerCoding(program: Command): void {
  registerCode(program);
  registerTag(program);
  registerAutocode(program);
  registerMemo(program);
  registerLog(program);
}

function registerCode(program: Command): void {
  program
    .command('code')
    .description('code at the terminal, segment by segment (every answer is saved before the next segment shows)')
    .argument('[document]', 'document slug (default: the next document with segments you have not seen)')
    .option('--coder <name>', 'who is coding (default: $QCODE_CODER, else asked once)')
    .option('--dimension <id>', 'code one dimension at a time (a pass resumes where it stopped)')
    .option('--only-uncoded', 'only segments you have given no code (in --dimension, when given)')
    .option('--speaker <name>', "only this speaker's turns, e.g. the respondent's")
    .option('--lang <code>', 'label language, e.g. en or ru (default: the document\'s, if the codebook has it)')
    .addHelpText('after', `
Keys (shown on screen): type to filter codes by id, English or Russian label · space toggle ·
enter confirm and go on · ↑↓ move · tab next dimension · → skip (seen, no code) · ← back ·
^N memo on the segment · ^G go to segment N · PgDn/PgUp scroll a long segment · ^Q quit.

Examples:
  $ qcode code --coder anna                      continue where anna stopped
  $ qcode code r07-madrid-ru --coder anna        resume in one transcript
  $ qcode code --coder anna --dimension forms --speaker Респондент

Needs a terminal; from scripts use: qcode tag --from FILE.csv  (docs/coding.md)`)
    .action(async (document: string | undefined, options: { coder?: string; dimension?: string; onlyUncoded?: boolean; speaker?: string; lang?: string }, command: Command) => {
      const prompts = await import('../prompts.js');
      prompts.requireTerminal('qcode code', 'code from a script with: qcode tag --from FILE.csv (see qcode tag --help)');
      (await import('../coder/terminal.js')).requireUtf8Locale('qcode code');
      await withProject(command, async (project) => {
        const { CodingSession, coderNameProblem, requireCoderName } = await import('../../app/coding.js');
        let coder: string;
        if ((options.coder ?? process.env.QCODE_CODER ?? '').trim() !== '') {
          coder = requireCoderName(options.coder, process.env, project.db);
        } else {
          // Asked with the project open, so that a name the project refuses is refused at the prompt, which asks again.
          const typed = await prompts.askText('Coder name (set QCODE_CODER to skip this question):', '--coder', {
            validate: (value) => coderNameProblem(project.db, value) ?? true,
          });
          if (typed === null) {
            // As ^Q on the first segment: nothing was done, so this is no error.
            out('Stopped: no coder name given; nothing was saved.');
            return;
          }
          coder = typed.normalize('NFC');
        }
        // Opening writes nothing: a command that fails on a later check leaves no coder behind.
        const session = CodingSession.open(project, { coder, document, dimension: options.dimension, onlyUncoded: options.onlyUncoded, speaker: options.speaker });
        const languages = session.index.codebook.languages;
        // Language codes are matched as BCP 47 says they compare: without regard to case (RU is ru).
        const lang = options.lang === undefined ? undefined : languages.find((item) => item.toLowerCase() === options.lang?.toLowerCase());
        if (options.lang !== undefined && lang === undefined) {
          throw usageError(`--lang ${options.lang}: the codebook's languages are ${languages.join(', ')}`);
        }
        if (session.view() === null) {
          out(document === undefined
            ? `${coder} has seen every segment${options.speaker ? ` of ${options.speaker}` : ''} in this project. Review one document with: qcode code DOCUMENT --coder ${shellQuote(coder)}`
            : `Nothing to code in ${document} with these options.`);
          return;
        }
        const { runCoderPrompt } = await import('../coder/terminal.js');
        const { sessionCatalog, sessionSource, sessionSummary } = await import('../coder/code-source.js');
        session.begin();
        let discarded: PendingWork | undefined;
        const outcome = await runCoderPrompt({
          ...sessionCatalog(session),
          source: sessionSource(session, languages, lang),
          editText: (draft) => prompts.editText(draft),
          onDiscard: (pending) => {
            discarded = pending;
          },
        });
        out(sessionSummary(session, outcome, discarded));
      });
    });
}

interface TagCommandOptions extends OutputOptions {
  from?: string;
  coder?: string;
  start?: number;
  end?: number;
  dryRun?: boolean;
}

function registerTag(program: Command): void {
  for (const verb of ['tag', 'untag'] as const) {
    const remove = verb === 'untag';
    program
      .command(verb)
      .description(remove
        ? 'remove codes from a segment, or every coding listed in a CSV file (--from)'
        : 'apply codes to a segment, or every coding listed in a CSV file (--from; checked whole, then written in one go)')
      .argument('[segment]', 'DOCUMENT:N (e.g. r01-vilnius-ru:12) or a segment id')
      .argument('[codes...]', 'code ids, e.g. forms.protest')
      .option('--from <file.csv>', 'a CSV with columns document,segment,code,coder (or segment_id instead of document,segment; optional start,end)')
      .option('--coder <name>', 'who codes (default: $QCODE_CODER); with --from, for rows without a coder')
      .option('--start <n>', 'span start: a code-point offset into the document text', wholeNumber('--start takes', 0))
      .option('--end <n>', 'span end (exclusive)', wholeNumber('--end takes', 0))
      .option('--dry-run', 'check and report, write nothing')
      .option('--json', 'print the report as JSON')
      .addHelpText('after', remove
        ? `
Examples:
  $ qcode untag r01-vilnius-ru:12 forms.protest --coder anna
  $ qcode untag --from wrong-codings.csv`
        : `
Examples:
  $ qcode tag r01-vilnius-ru:12 forms.protest forms.legal_aid --coder anna
  $ qcode tag --from codings.csv --dry-run
  $ QCODE_CODER=anna qcode tag --from codings.csv

A CSV is checked whole first: every unknown document, segment or code is reported as FILE:LINE:COL
(the line of the file, which a line break inside a quoted field makes differ from the row), and then
nothing is written. Retired codes cannot be applied. A row with an empty code marks the
segment seen by that coder without a code, so that agreement counts it as the coder's "no". See docs/coding.md.`)
      .action(async (segment: string | undefined, codes: string[], options: TagCommandOptions, command: Command) => {
        const app = await import('../../app/coding.js');
        if (options.from !== undefined) {
          if (segment !== undefined) throw usageError(`${verb} --from FILE takes no SEGMENT or CODE arguments`);
          if (options.start !== undefined || options.end !== undefined) throw usageError('with --from, spans come from the start and end columns');
          const file = options.from;
          const defaultCoder = (options.coder ?? process.env.QCODE_CODER ?? '').trim() || undefined;
          await withProject(command, async (project) => {
            if (defaultCoder !== undefined) app.refuseNewCoderName(project.db, defaultCoder, options.coder === undefined ? 'QCODE_CODER' : '--coder');
            const { tagFromCsv } = await import('../../app/tag-csv.js');
            const report = await tagFromCsv(project, { file, defaultCoder, dryRun: options.dryRun, remove });
            if (options.json) return writeJson(report);
            const coders = report.coders.length > 0 ? ` (${report.coders.join(', ')})` : '';
            const duplicates = report.duplicates > 0 ? `; ${plural(report.duplicates, 'row')} repeated earlier rows` : '';
            const prefix = report.dryRun ? `${file} is valid: ${plural(report.rows, 'row')} would` : `${file}: ${plural(report.rows, 'row')}`;
            if (remove) out(`${prefix}${report.dryRun ? ' remove' : ' removed'} ${plural(report.removed, 'coding')}${coders}; ${wasWere(report.missing)} not there${duplicates}.`);
            else {
              const seen = report.seenWithoutCode > 0 ? `; ${plural(report.seenWithoutCode, 'segment')} ${report.dryRun ? 'to be marked' : 'marked'} seen without a code` : '';
              out(`${prefix}${report.dryRun ? ' add' : ' added'} ${plural(report.added, 'coding')}${coders}; ${wasWere(report.alreadyThere)} already there${seen}${duplicates}.`);
            }
            if (report.dryRun) out('Dry run: nothing was written.');
            else if (report.batch !== null && !globals(command).quiet) note(`Undo with: qcode undo${report.coders.length === 1 ? ` --coder ${shellQuote(report.coders[0] ?? '')}` : ''}`);
          });
          return;
        }
        if (segment === undefined || codes.length === 0) {
          throw usageError(`${verb} needs a SEGMENT and at least one CODE (or --from FILE.csv)`, `e.g. qcode ${verb} r01-vilnius-ru:12 forms.protest --coder anna`);
        }
        // Checked before the project is looked for as well, so that a missing coder is the error shown first.
        app.requireCoderName(options.coder);
        await withProject(command, (project) => {
          // untag creates no coder, so an unknown name with a comma simply finds nothing to remove.
          const coder = app.requireCoderName(options.coder, process.env, remove ? undefined : project.db);
          const input = { segment, codes, coder, start: options.start, end: options.end, dryRun: options.dryRun };
          const report = remove ? app.untagSegment(project, input) : app.tagSegment(project, input);
          if (options.json) return writeJson(report);
          const would = report.dryRun ? 'Dry run: would ' : '';
          if (remove) {
            out(`${would}${report.dryRun ? 'remove' : 'Removed'} ${plural(report.removed, 'code')} from ${report.segment} (${coder})${report.missing > 0 ? `; ${wasWere(report.missing)} not there` : ''}.`);
          } else {
            out(`${would}${report.dryRun ? 'tag' : 'Tagged'} ${report.segment} with ${report.codes.join(', ')} (${coder})${report.alreadyThere > 0 ? `; ${wasWere(report.alreadyThere)} already there` : ''}.`);
          }
        });
      });
  }
}

function registerAutocode(program: Command): void {
  addOutputOptions(program
    .command('autocode')
    .description('tag every segment matching a full-text query with a code (one batch; qcode undo reverts it)')
    .requiredOption('--query <fts>', 'SQLite FTS5 query: words, "a phrase", prefix*, a OR b, a NOT b (case-insensitive, Russian and English)')
    .requiredOption('--code <id>', 'the code to apply, e.g. forms.protest')
    .option('--coder <name>', 'who the codings belong to', 'auto')
    .option('--document <slug>', 'only this document')
    .option('--speaker <name>', "only this speaker's turns")
    .option('--dry-run', 'list the hits in context, write nothing'), 'one object: query, code, coder, dry_run, added, already_there, batch, and hits, each with segment, speaker, already, added, context')
    .addHelpText('after', `
With --json or --csv a dry run and a real run print the same shape: every hit, whether the coder already
had the code there (already) and whether the run added it (added; on a dry run, would add it). --csv
prints one row per hit: segment,speaker,already,added,context.

Examples:
  $ qcode autocode --query 'митинг* OR пикет*' --code forms.protest --dry-run
  $ qcode autocode --query 'петици* OR "открытые письма"' --code forms.petitions --speaker Респондент
  $ qcode autocode --query 'пикет* NOT полиц*' --code forms.protest --coder auto`)
    .action(async (options: OutputOptions & { query: string; code: string; coder: string; document?: string; speaker?: string; dryRun?: boolean }, command: Command) => {
      const app = await import('../../app/coding.js');
      await withProject(command, (project) => {
        const report = app.autocode(project, { query: options.query, code: options.code, coder: options.coder, document: options.document, speaker: options.speaker, dryRun: options.dryRun });
        const plain = (context: string) => context.replaceAll(app.HIT_OPEN, '').replaceAll(app.HIT_CLOSE, '');
        if (options.json) {
          const { query, code, coder, dryRun, added, alreadyThere, batch } = report;
          const hits = report.hits.map((hit) => ({ segment: hit.segment, speaker: hit.speaker, already: hit.already, added: hit.added, context: plain(hit.context) }));
          return writeJson({ query, code, coder, dryRun, added, alreadyThere, batch, hits });
        }
        if (options.csv) {
          // Spelled out: csv-stringify would write a false as an empty cell, which reads as "unknown".
          const rows = report.hits.map((hit) => ({ ...hit, already: String(hit.already), added: String(hit.added), context: plain(hit.context) }));
          return writeRows(rows, [
            { key: 'segment', header: 'segment' },
            { key: 'speaker', header: 'speaker' },
            { key: 'already', header: 'already' },
            { key: 'added', header: 'added' },
            { key: 'context', header: 'context' },
          ], options);
        }
        if (report.dryRun) {
          writeRows(report.hits, [
            { key: 'segment', header: 'segment' },
            { key: 'speaker', header: 'speaker' },
            { key: 'already', header: 'coded', format: (value) => (value ? 'yes' : '') },
            { key: 'context', header: 'context', format: (value) => highlight(String(value).replace(/\s+/g, ' '), app.HIT_OPEN, app.HIT_CLOSE) },
          ], options);
          out(`${plural(report.hits.length, 'segment')} ${report.hits.length === 1 ? 'matches' : 'match'} ${report.query}; ${report.alreadyThere} already ${report.alreadyThere === 1 ? 'has' : 'have'} ${report.code} from ${report.coder}. Dry run: nothing was written.`);
          return;
        }
        out(report.hits.length === 0
          ? `No segment matches ${report.query}: nothing was written.`
          : `Tagged ${plural(report.added, 'segment')} with ${report.code} (coder ${report.coder}); ${report.alreadyThere} already had it. Undo with: qcode undo --coder ${shellQuote(report.coder)}`);
      });
    });
}

interface MemoTargetFlags {
  segment?: string;
  document?: string;
  code?: string;
  case?: string;
  onProject?: boolean;
}

// The project's own flag is --on-project: --project DIR is the global option naming the project folder.
function addMemoTargets(command: Command, verb: string): Command {
  const list = verb === 'list memos on';
  return command
    .option('--segment <ref>', `${verb} a segment: DOCUMENT:N, e.g. r01-vilnius-ru:12`)
    .option('--document <slug>', `${verb} a document${list ? ' (and its segments)' : ''}`)
    .option('--code <id>', `${verb} a code`)
    .option('--case <id>', `${verb} a case (participant), e.g. R07`)
    .option('--on-project', list ? 'list only the memos on the project itself (with no target: every memo)' : `${verb} the project (the default)`);
}

/** The memo text: the argument, stdin for "-", else $EDITOR on a terminal; a usage error otherwise. */
async function memoText(text: string | undefined, initial: string, verb: string): Promise<string> {
  const prompts = await import('../prompts.js');
  if (text === '-') return prompts.readStdin();
  if (text !== undefined) return text;
  if (!prompts.isInteractive()) {
    throw usageError(`memo ${verb}: no TEXT given and no terminal for $EDITOR; pass the text as an argument, or "-" to read it from stdin`);
  }
  const edited = prompts.editText(initial);
  if (edited === null) throw usageError('the memo is empty: nothing saved');
  return edited;
}

const MEMO_COLUMNS: readonly Column<MemoRow>[] = [
  { key: 'id', header: 'id', align: 'right' },
  { key: 'target_kind', header: 'on' },
  { key: 'target', header: 'target' },
  { key: 'coder', header: 'coder' },
  { key: 'updated_at', header: 'updated', format: (value) => String(value).slice(0, 16).replace('T', ' ') },
  { key: 'text', header: 'text', format: (value) => { const flat = String(value).replace(/\s+/g, ' '); return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat; } },
];

/** A memo as memo list --json gives it, so that memo add and memo edit --json print the same fields. */
function memoJson(memo: MemoRow): Record<string, unknown> {
  return Object.fromEntries(MEMO_COLUMNS.map((column) => [column.key, memo[column.key]]));
}

function registerMemo(program: Command): void {
  const memo = program
    .command('memo')
    .description('memos on the project, a document, a segment, a code or a case')
    .addHelpText('after', `
Examples:
  $ qcode memo add --segment r01-vilnius-ru:12 "Compare with R07 on bank refusals" --coder anna
  $ qcode memo add --case R07 -  < note.txt
  $ qcode memo add --code forms.protest          (opens $EDITOR)
  $ qcode memo list --document r01-vilnius-ru
  $ qcode memo show 3`);

  addMemoTargets(memo
    .command('add')
    .description('add a memo (text from the argument, "-" for stdin, or $EDITOR on a terminal)').addHelpText('after', examples('qcode memo add --segment r07-madrid-ru:2 "Compare with R03"', 'qcode memo add --code forms.protest "Includes pickets at embassies"', 'echo "Second round of coding" | qcode memo add -'))
    .argument('[text]', 'the memo text, or - to read stdin')
    .option('--coder <name>', 'who writes it (default: $QCODE_CODER)')
    .option('--json', 'print the memo as memo list --json does: id, target_kind, target, coder, updated_at, text'), 'on')
    .action(async (text: string | undefined, options: MemoTargetFlags & { coder?: string; json?: boolean }, command: Command) => {
      const { addMemo } = await import('../../app/memo.js');
      const { refuseNewCoderName } = await import('../../app/coding.js');
      const body = await memoText(text, '', 'add');
      await withProject(command, (project) => {
        const coder = options.coder ?? (process.env.QCODE_CODER || undefined);
        if (coder !== undefined) refuseNewCoderName(project.db, coder, options.coder === undefined ? 'QCODE_CODER' : '--coder');
        const report = addMemo(project, { ...options, text: body, coder });
        if (options.json) return writeJson(memoJson(report.memo));
        out(`Added memo ${report.id} on ${report.target}.`);
      });
    });

  memo
    .command('edit')
    .description("replace a memo's text (from the argument, \"-\" for stdin, or $EDITOR with the current text)").addHelpText('after', examples('qcode memo edit 3', 'qcode memo edit 3 "Compare with R03 and R11"'))
    .argument('<id>', 'memo id (see qcode memo list)', wholeNumber('a memo id is', 1))
    .argument('[text]', 'the new text, or - to read stdin')
    .option('--coder <name>', 'who edits it (default: $QCODE_CODER)')
    .option('--json', 'print the memo as memo list --json does, with changed (false when the text was the same)')
    .action(async (id: number, text: string | undefined, options: { coder?: string; json?: boolean }, command: Command) => {
      const { editMemo, requireMemo } = await import('../../app/memo.js');
      const { refuseNewCoderName } = await import('../../app/coding.js');
      await withProject(command, async (project) => {
        const coder = options.coder ?? (process.env.QCODE_CODER || undefined);
        if (coder !== undefined) refuseNewCoderName(project.db, coder, options.coder === undefined ? 'QCODE_CODER' : '--coder');
        const current = requireMemo(project, id);
        const body = await memoText(text, current.text, 'edit');
        const report = editMemo(project, { id, text: body, coder });
        if (options.json) return writeJson({ ...memoJson(report.memo), changed: report.changed });
        out(report.changed ? `Updated memo ${report.id} on ${report.target}.` : `Memo ${report.id} is unchanged.`);
      });
    });

  addOutputOptions(addMemoTargets(memo
    .command('list')
    .description('list memos (all, or on one target)').addHelpText('after', examples('qcode memo list', 'qcode memo list --segment r07-madrid-ru:2 --json'))
    .option('--coder <name>', "only this coder's memos"), 'list memos on'))
    .action(async (options: MemoTargetFlags & OutputOptions & { coder?: string }, command: Command) => {
      const { listMemosOf } = await import('../../app/memo.js');
      await withProject(command, (project) => {
        const memos = listMemosOf(project, options);
        if (memos.length === 0 && !options.json && !options.csv) return out('No memos.');
        writeRows(memos, MEMO_COLUMNS, options);
      });
    });

  memo
    .command('show')
    .description('print one memo in full').addHelpText('after', examples('qcode memo show 3'))
    .argument('<id>', 'memo id', wholeNumber('a memo id is', 1))
    .option('--json', 'print it as JSON')
    .action(async (id: number, options: { json?: boolean }, command: Command) => {
      const { requireMemo } = await import('../../app/memo.js');
      await withProject(command, (project) => {
        const memo = requireMemo(project, id);
        if (options.json) return writeJson(memo);
        out(palette().dim(`memo ${memo.id} · ${memo.target_kind === 'project' ? 'project' : `${memo.target_kind} ${memo.target}`} · ${memo.coder ?? 'no coder'} · ${memo.updated_at.slice(0, 16).replace('T', ' ')}`));
        out(memo.text);
      });
    });
}

const NOTHING_UNDONE: { [Key in keyof UndoReport]: UndoReport[Key] | null } = {
  batch: null, via: null, coders: [], kept: [], description: null,
  counts: { keptByMerge: 0, codingsRemoved: 0, codingsRestored: 0, unseen: 0, memosRemoved: 0, memosRestored: 0, alreadyGone: 0 },
  pastMerges: [], mergeNote: null,
};

function registerLog(program: Command): void {
  addOutputOptions(program
    .command('log')
    .description('the audit log of coding changes, newest first; events a later undo reverted say which')
    .option('--coder <name>', "only this coder's events")
    .option('--since <date>', 'only events since a date (YYYY-MM-DD) or ISO date-time')
    .option('--limit <n>', 'at most this many events', wholeNumber('--limit takes', 1), 50))
    .addHelpText('after', `
Examples:
  $ qcode log --coder anna --since 2025-03-01
  $ qcode log --limit 500 --csv > log.csv`)
    .action(async (options: OutputOptions & { coder?: string; since?: string; limit: number }, command: Command) => {
      const { readLog } = await import('../../app/log.js');
      await withProject(command, (project) => {
        const entries = readLog(project, options).map(({ undoneBy, ...entry }) => ({ ...entry, undone_by: undoneBy }));
        if (entries.length === 0 && !options.json && !options.csv) return out('No events.');
        writeRows(entries, [
          { key: 'id', header: 'id', align: 'right' },
          { key: 'at', header: 'at', format: (value) => String(value).slice(0, 19).replace('T', ' ') },
          { key: 'coder', header: 'coder' },
          { key: 'action', header: 'action' },
          { key: 'target', header: 'target' },
          { key: 'code', header: 'code' },
          { key: 'via', header: 'via' },
          { key: 'undone_by', header: 'undone', format: (value) => (value === null ? '' : `by #${value}`) },
          ...(options.json ? [{ key: 'batch' as const, header: 'batch' }, { key: 'payload' as const, header: 'payload' }] : []),
        ], options);
      });
    });

  program
    .command('undo')
    .description("revert a coder's last action (a whole batch such as tag --from or autocode counts as one)")
    .option('--coder <name>', "whose last action (default: $QCODE_CODER, else the project's last action)")
    .option('--past-merge', 'undo an action older than a merge even if the merged copy may hold the same work (codings the merge also brought are kept)')
    .option('--past-removal', 'undo an action older than a removal (docs|cases remove, which cannot be undone)')
    .option('--json', 'print what was reverted as JSON (with nothing left to undo: undone false, no batch, zero counts)')
    .addHelpText('after', `
Examples:
  $ qcode undo --coder anna
  $ qcode undo --coder auto          after a qcode autocode run: revert it (autocode codes as the coder auto)`)
    .action(async (options: { coder?: string; pastMerge?: boolean; pastRemoval?: boolean; json?: boolean }, command: Command) => {
      const { undoLast } = await import('../../app/log.js');
      await withProject(command, (project) => {
        const coder = options.coder ?? (process.env.QCODE_CODER || undefined);
        const report = undoLast(project, { coder, pastMerge: options.pastMerge, pastRemoval: options.pastRemoval });
        // Nothing to undo keeps the shape, so that a script reads `undone` and the counts either way.
        if (options.json) return writeJson(report === null ? { undone: false, ...NOTHING_UNDONE } : { undone: true, ...report });
        if (report === null) return out(`Nothing to undo${coder === undefined ? '' : ` for ${coder}`}.`);
        const gone = report.counts.alreadyGone > 0 ? ` (${plural(report.counts.alreadyGone, 'change')} had already been undone by later work)` : '';
        out(`Undid ${report.description} [${report.coders.join(', ') || 'no coder'}]${gone}${report.mergeNote === null ? '' : `; ${report.mergeNote}`}.`);
      });
    });
}
