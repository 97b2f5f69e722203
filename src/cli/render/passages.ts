import type { ChalkInstance } from 'chalk';
import type { Passage, RetrieveReport } from '../../app/analysis.js';
import { CodePointIndex } from '../../core/text.js';
import { displayWidth, formatTime } from './style.js';

/** Spans coded in a passage, relative to the segment in code points, merged where they touch or overlap. */
export function codedSpans(passage: Passage): Array<[number, number]> {
  const spans = passage.codings
    .filter((coding) => coding.start !== null && coding.end !== null)
    .map((coding): [number, number] => [Math.max(0, coding.start! - passage.start), Math.min(passage.end, coding.end!) - passage.start])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  return merged;
}

/** Whether some asked code is applied to the whole segment (the passage is marked in the margin). */
export function hasWholeCoding(passage: Passage): boolean {
  return passage.codings.some((coding) => coding.start === null);
}

/** Coded spans as UTF-16 ranges of the passage text. */
function spanRanges(passage: Passage): Array<[number, number]> {
  const spans = codedSpans(passage);
  if (spans.length === 0) return [];
  const index = new CodePointIndex(passage.text);
  return spans.map(([start, end]) => [index.toUtf16(Math.min(start, index.length)), index.toUtf16(Math.min(end, index.length))]);
}

/** The passage text with its coded spans wrapped by `mark`. */
export function markSpans(passage: Passage, mark: (text: string) => string): string {
  let result = '';
  let at = 0;
  for (const [from, to] of spanRanges(passage)) {
    result += passage.text.slice(at, from) + mark(passage.text.slice(from, to));
    at = to;
  }
  return result + passage.text.slice(at);
}

/**
 * Lines of at most `width` columns as [start, end) ranges of the text, broken at spaces where possible.
 * Written for speed: wrap-ansi measures every character with string-width, which takes seconds on a
 * few thousand passages.
 */
export function wrapRanges(text: string, width: number): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  let lineStart = 0;
  let column = 0;
  let lastSpace = -1;
  let i = 0;
  while (i < text.length) {
    const char = String.fromCodePoint(text.codePointAt(i)!);
    if (char === '\n') {
      lines.push([lineStart, i]);
      i += 1;
      lineStart = i;
      column = 0;
      lastSpace = -1;
      continue;
    }
    const w = displayWidth(char);
    if (column + w > width && column > 0) {
      if (lastSpace > lineStart) {
        lines.push([lineStart, lastSpace]);
        lineStart = lastSpace + 1;
        i = lineStart;
      } else {
        lines.push([lineStart, i]);
        lineStart = i;
      }
      column = 0;
      lastSpace = -1;
      continue;
    }
    if (char === ' ') lastSpace = i;
    column += w;
    i += char.length;
  }
  lines.push([lineStart, text.length]);
  return lines;
}

/**
 * The passage's lines for the terminal: spans marked (styled, or in [brackets] without colours), wrapped
 * to `width` when given.
 */
function passageLines(passage: Passage, color: ChalkInstance, width: number | undefined): string[] {
  const plain = color.level === 0;
  // Without colours the brackets are part of the text and wrap with it; with colours, styles are laid
  // over the wrapped lines so that no escape sequence is ever cut.
  const text = plain ? markSpans(passage, (span) => `[${span}]`) : passage.text;
  const spans = plain ? [] : spanRanges(passage);
  const ranges = width === undefined ? lineRanges(text) : wrapRanges(text, width);
  return ranges.map(([start, end]) => {
    let line = '';
    let at = start;
    for (const [from, to] of spans) {
      const a = Math.max(from, start);
      const b = Math.min(to, end);
      if (a >= b) continue;
      line += text.slice(at, a) + color.bgYellow.black(text.slice(a, b));
      at = b;
    }
    return line + text.slice(at, end);
  });
}

function lineRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', start)) {
    ranges.push([start, at]);
    start = at + 1;
  }
  ranges.push([start, text.length]);
  return ranges;
}

/** "forms.protest (anna, boris)": who applied which of the asked codes (codings come sorted by code, coder). */
export function codingSummary(passage: Passage): string {
  let summary = '';
  let code = '';
  let coder = '';
  for (const coding of passage.codings) {
    if (coding.code !== code) {
      summary += `${summary === '' ? '' : '); '}${coding.code} (${coding.coder}`;
      code = coding.code;
      coder = coding.coder;
    } else if (coding.coder !== coder) {
      summary += `, ${coding.coder}`;
      coder = coding.coder;
    }
  }
  return summary === '' ? '' : `${summary})`;
}

export function position(passage: Passage): string {
  const time = passage.tStart === null ? '' : ` · ${formatTime(passage.tStart)}`;
  return `${passage.start}–${passage.end}${time}`;
}

/**
 * Passages for reading at the terminal, one string per passage (blank lines between): a header line (document, case, ¶ordinal, speaker, position and
 * who coded what), then the text, wrapped to `width` if given. A coding of the whole segment puts a bar
 * in the margin; coded spans are highlighted (in [brackets] without colours).
 */
export function* renderPassages(passages: Iterable<Passage>, color: ChalkInstance, width: number | undefined): Generator<string> {
  // Tens of thousands of passages are common, so the styles are resolved once, not per passage.
  const plain = color.level === 0;
  const bold = plain ? (text: string) => text : (text: string) => color.bold(text);
  const dim = plain ? (text: string) => text : (text: string) => color.dim(text);
  const bar = plain ? '▌ ' : color.cyan('▌ ');
  const lineWidth = width === undefined ? undefined : Math.max(20, width - 2);
  let first = true;
  for (const passage of passages) {
    let head = `${passage.document} · ${passage.case ?? '(no case)'} · ¶${passage.segment}`;
    if (passage.speaker) head += ` · ${passage.speaker}`;
    head += ` · ${position(passage)}`;
    const gutter = hasWholeCoding(passage) ? bar : '  ';
    const spanned = passage.codings.some((coding) => coding.start !== null);
    const body = !spanned && lineWidth === undefined
      ? gutter + passage.text.replaceAll('\n', `\n${gutter}`)
      : passageLines(passage, color, lineWidth).map((line) => gutter + line).join('\n');
    yield `${first ? '' : '\n'}${bold(head)}  ${dim(codingSummary(passage))}\n${body}\n`;
    first = false;
  }
}

const MARKDOWN_SPECIAL = /[\\`*_[\]<>|]/g;

function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SPECIAL, (char) => `\\${char}`).replace(/^(\s*)([#+-]|\d+\.)(\s)/gm, '$1\\$2$3');
}

/** Passages as Markdown to paste into a paper: a heading line per passage, the text as a quote, coded spans in bold. */
export function renderPassagesMarkdown(report: RetrieveReport, labels: ReadonlyMap<string, string>): string {
  const codes = report.codes.map((code) => `\`${code}\`${labels.has(code) ? ` (${labels.get(code)})` : ''}`).join(', ');
  const lines = [`# Passages coded ${codes}`, '', `${report.passages.length} passage${report.passages.length === 1 ? '' : 's'}; coders: ${report.coders === 'all' ? 'all' : report.coders.join(', ')}.`, ''];
  for (const passage of report.passages) {
    const where = [passage.case ? `case ${passage.case}` : '', passage.speaker ?? '', position(passage)].filter(Boolean).join(', ');
    lines.push(`**${escapeMarkdown(passage.document)}**, ¶${passage.segment} (${escapeMarkdown(where)}) — ${escapeMarkdown(codingSummary(passage))}`);
    lines.push('');
    const spans = codedSpans(passage);
    const text = spans.length === 0 ? escapeMarkdown(passage.text) : markSpansEscaped(passage);
    for (const line of text.split('\n')) lines.push(line === '' ? '>' : `> ${line}`);
    lines.push('');
  }
  return lines.join('\n');
}

function markSpansEscaped(passage: Passage): string {
  const spans = codedSpans(passage);
  const index = new CodePointIndex(passage.text);
  let result = '';
  let at = 0;
  for (const [start, end] of spans) {
    const from = Math.min(start, index.length);
    const to = Math.min(end, index.length);
    const inner = escapeMarkdown(index.slice(from, to));
    // Bold must not start or end on white space, or Markdown prints the asterisks.
    const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(inner)!;
    result += escapeMarkdown(index.slice(at, from)) + (match[2] === '' ? inner : `${match[1]}**${match[2]}**${match[3]}`);
    at = to;
  }
  return result + escapeMarkdown(index.slice(at, index.length));
}
