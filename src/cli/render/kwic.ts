import type { ChalkInstance } from 'chalk';
import type { SearchReport, SearchResult } from '../../app/analysis.js';
import { displayWidth, pad, truncate, truncateLeft } from './style.js';

function flatten(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/**
 * Keyword in context: one line per hit, the first match aligned in one column so the eye runs down it,
 * matches highlighted (in [brackets] without colours), ranked best first.
 */
export function renderKwic(report: SearchReport, color: ChalkInstance, width: number): string {
  const plain = color.level === 0;
  const where = (hit: SearchResult): string => `${hit.document} ¶${hit.segment}${hit.case ? ` ${hit.case}` : ''}`;
  const whereWidth = Math.min(28, Math.max(...report.results.map((hit) => displayWidth(where(hit)))));
  const contextWidth = Math.max(30, width - whereWidth - 2);
  const leftWidth = Math.floor(contextWidth * 0.4);
  const mark = (text: string): string => (plain ? `[${text}]` : color.bold.inverse(text));
  const lines = report.results.map((hit) => {
    // Match positions count code points, not UTF-16 units.
    const chars = [...hit.snippet];
    const slice = (start: number, end?: number): string => chars.slice(start, end).join('');
    const first = hit.matches[0] ?? [0, 0];
    const left = flatten(slice(0, first[0]));
    let right = '';
    let at = first[0];
    for (const [start, end] of hit.matches) {
      right += flatten(slice(at, start));
      right += mark(flatten(slice(start, end)));
      at = end;
    }
    right += flatten(slice(at));
    const rightWidth = contextWidth - leftWidth - 1;
    return `${color.dim(pad(truncate(where(hit), whereWidth), whereWidth))}  ${pad(truncateLeft(left, leftWidth), leftWidth, 'right')}${truncateStyled(right, rightWidth, plain)}`;
  });
  return lines.join('\n');
}

/** Truncates text that may hold ANSI styles, closing any open style. */
function truncateStyled(text: string, width: number, plain: boolean): string {
  if (plain) return truncate(text, width);
  if (displayWidth(text) <= width) return text;
  let result = '';
  let visible = 0;
  const pattern = /\u001b\[[0-9;]*m|[\s\S]/gu;
  for (const match of text.matchAll(pattern)) {
    const piece = match[0];
    if (piece.startsWith('\u001b')) {
      result += piece;
      continue;
    }
    const w = displayWidth(piece);
    if (visible + w > width - 1) break;
    result += piece;
    visible += w;
  }
  return `${result}\u001b[0m…`;
}
