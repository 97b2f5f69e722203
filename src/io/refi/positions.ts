import { codePointLength } from '../../core/text.js';

// qcode stores text as NFC with LF line ends and without control characters (core/text.ts
// normalizeText). A source from another tool may be stored otherwise, and its selections count code
// points of the text as that tool saw it, so normalising must carry every position along.

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

export interface NormalizedSource {
  text: string;
  /** Positions of the source as written (code points; CRLF as one when `crlfIsOne`). */
  sourceLength: number;
  /** Where a selection starting at a source position starts in `text`. */
  mapStart(position: number): number;
  /** Where a selection ending at a source position ends in `text`. */
  mapEnd(position: number): number;
  /** Whether anything changed (line ends, NFC, control characters). */
  changed: boolean;
}

/**
 * Normalises a source text and maps positions through the change. Work is done per grapheme cluster
 * (a CRLF pair, a letter with its combining marks), which NFC never composes across; a position
 * inside a cluster whose length changed moves to the cluster's start (for starts) or end (for ends),
 * so a selection never loses the characters it covered.
 *
 * `crlfIsOne`: ATLAS.ti counts CR LF as one position, most other tools as two (docs/refi-qda.md).
 */
export function normalizeSource(raw: string, crlfIsOne: boolean): NormalizedSource {
  const clean = !raw.includes('\r') && !CONTROL.test(raw) && raw === raw.normalize('NFC');
  CONTROL.lastIndex = 0;
  if (clean) {
    const length = codePointLength(raw);
    return { text: raw, sourceLength: length, mapStart: (position) => position, mapEnd: (position) => position, changed: false };
  }

  const starts: number[] = [];
  const ends: number[] = [];
  let text = '';
  let out = 0;
  const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
  for (const { segment } of segmenter.segment(raw)) {
    const sourceCount = crlfIsOne && segment === '\r\n' ? 1 : codePointLength(segment);
    const normalized = segment.replace(/\r\n?/g, '\n').replace(CONTROL, '').normalize('NFC');
    const outCount = codePointLength(normalized);
    if (sourceCount === outCount) {
      for (let k = 0; k < sourceCount; k++) {
        starts.push(out + k);
        ends.push(out + k);
      }
    } else {
      starts.push(out);
      ends.push(out);
      for (let k = 1; k < sourceCount; k++) {
        starts.push(out);
        ends.push(out + outCount);
      }
    }
    text += normalized;
    out += outCount;
  }
  starts.push(out);
  ends.push(out);
  return {
    text,
    sourceLength: starts.length - 1,
    mapStart: (position) => starts[position] as number,
    mapEnd: (position) => ends[position] as number,
    changed: true,
  };
}

export interface Span {
  start: number;
  end: number;
}

/** A segment of qcode's own cutting of a text (core/segment.ts), as the import starts from it. */
export interface BaseSegment extends Span {
  speaker: string | null;
  tStart: number | null;
  tEnd: number | null;
}

/**
 * The segments of an imported document: qcode's own cutting of the text (`base`, sorted, disjoint),
 * changed only where a selection does not fit. Segments and selections that overlap (share at least one
 * character) are joined into one segment from the first start to the last end, so every selection lies
 * inside exactly one segment; things that only touch ([0,5) and [5,9)) stay apart. A selection outside
 * every segment (over a speaker label, say) becomes a segment of its own, an empty selection outside
 * every segment an empty one. A joined segment keeps the speaker its parts share (else none), the start
 * time of its first part and the end time of its last.
 */
export function planSegments(base: readonly BaseSegment[], selections: readonly Span[]): BaseSegment[] {
  const pieces = [
    ...base.map((segment) => ({ ...segment, isBase: true })),
    ...selections.filter((span) => span.end > span.start).map((span) => ({ start: span.start, end: span.end, speaker: null, tStart: null, tEnd: null, isBase: false })),
  ].sort((a, b) => a.start - b.start || a.end - b.end);
  const segments: BaseSegment[] = [];
  let current: { segment: BaseSegment; speakers: Set<string | null>; bases: number } | null = null;
  const close = (): void => {
    if (current === null) return;
    if (current.speakers.size > 1) current.segment.speaker = null;
    segments.push(current.segment);
  };
  for (const piece of pieces) {
    if (current !== null && piece.start < current.segment.end) {
      current.segment.end = Math.max(current.segment.end, piece.end);
      if (piece.isBase) {
        current.speakers.add(piece.speaker);
        if (current.bases === 0) current.segment.tStart = piece.tStart;
        if (piece.tEnd !== null) current.segment.tEnd = piece.tEnd;
        if (current.bases === 0) current.segment.speaker = piece.speaker;
        current.bases++;
      }
      continue;
    }
    close();
    const { isBase, ...segment } = piece;
    current = { segment: { ...segment }, speakers: new Set(isBase ? [piece.speaker] : []), bases: isBase ? 1 : 0 };
  }
  close();
  for (const point of selections.filter((span) => span.end === span.start)) {
    if (!segments.some((segment) => segment.start <= point.start && point.start <= segment.end)) {
      segments.push({ start: point.start, end: point.start, speaker: null, tStart: null, tEnd: null });
    }
  }
  return segments.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Index of the segment holding a selection (segments sorted by start, as planSegments returns them). */
export function segmentOf(segments: readonly Span[], selection: Span): number {
  let lo = 0;
  let hi = segments.length - 1;
  let candidate = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((segments[mid] as Span).start <= selection.start) {
      candidate = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  // An empty segment may share its start with the next one; walk back to the first that holds the selection.
  for (let index = candidate; index >= 0; index--) {
    const segment = segments[index] as Span;
    if (selection.end <= segment.end) return index;
    if (segment.end < selection.start) break;
  }
  return -1;
}
