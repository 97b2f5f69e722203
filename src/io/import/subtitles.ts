import { UserError } from '../../core/errors.js';
import { acceptedLabels, leadingLabel, speakerName, type TextUnit } from '../../core/segment.js';

// WebVTT and SubRip subtitles: every cue is one unit (one segment), its start and end times kept in
// milliseconds; a WebVTT cue with several <v Name> voice spans is one unit per span, in order, each
// with the cue's times. The speaker comes from a <v Name> voice tag or from a "NAME:" prefix of the
// cue text (accepted by the same rule as transcript labels). Formatting tags are removed; the WebVTT
// header, NOTE, STYLE and REGION blocks are not text.

interface RawCue {
  line: number;
  tStart: number;
  tEnd: number;
  voice: string | null;
  text: string;
}

const VTT_TIME = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/;
const SRT_TIME = /^(\d+):(\d{2}):(\d{2})[,.](\d{1,3})$/;

function milliseconds(stamp: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(stamp.trim());
  if (match === null) return undefined;
  const [, hours = '0', minutes, seconds, fraction] = match;
  return ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + Number((fraction as string).padEnd(3, '0'));
}

function timing(line: string, lineNumber: number, file: string, pattern: RegExp, example: string): { tStart: number; tEnd: number } {
  const [left = '', right = ''] = line.split('-->');
  const tStart = milliseconds(left, pattern);
  const tEnd = milliseconds(right.trim().split(/\s+/)[0] ?? '', pattern);
  if (tStart === undefined || tEnd === undefined) {
    throw new UserError(`${file}:${lineNumber}: cannot read the cue timing "${line.trim()}"`, { hint: `A timing line looks like: ${example}` });
  }
  if (tEnd < tStart) throw new UserError(`${file}:${lineNumber}: the cue ends before it starts ("${line.trim()}")`);
  return { tStart, tEnd };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f', quot: '"', apos: "'" };

// Only the markup each format defines is removed: anything else between < and > is what was said
// ("<1000 euro", "a > b") and stays verbatim.
const SRT_MARKUP = /<\/?(?:[ibu]|font(?:\s[^<>\n]*)?)>|\{\\[^}]*\}/gi;
const VTT_MARKUP = /<\/?(?:c|i|b|u|v|lang|ruby|rt)(?:\.[^\s.<>]+)*(?:[ \t][^<>\n]*)?>|<(?:\d{2,}:)?\d{2}:\d{2}\.\d{3}>/g;

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (!name.startsWith('#')) return ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}

// WebVTT escapes <, > and & as character references; SubRip has none, so "&amp;" there is text.
function cleanCueText(text: string, format: 'vtt' | 'srt'): string {
  return format === 'vtt' ? decodeEntities(text.replace(VTT_MARKUP, '')) : text.replace(SRT_MARKUP, '');
}

interface Block {
  line: number;
  lines: string[];
}

function blocksOf(text: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  text.replace(/\r\n?/g, '\n').split('\n').forEach((line, index) => {
    if (line.trim() === '') {
      current = null;
      return;
    }
    if (current === null) {
      current = { line: index + 1, lines: [] };
      blocks.push(current);
    }
    current.lines.push(line);
  });
  return blocks;
}

/** The cues of a WebVTT file. */
export function parseVtt(text: string, file: string): RawCue[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (!/^WEBVTT(?:[ \t].*)?(?:\n|\r|$)/.test(source)) {
    throw new UserError(`${file}:1: not a WebVTT file (the first line must be WEBVTT)`, { hint: 'For SubRip subtitles use the .srt extension or --format srt' });
  }
  const cues: RawCue[] = [];
  blocksOf(source).forEach((block, index) => {
    if (index === 0) return;
    const first = block.lines[0] as string;
    if (/^(NOTE|STYLE|REGION)(\s|$)/.test(first)) return;
    const timingAt = block.lines.findIndex((line) => line.includes('-->'));
    if (timingAt === -1 || timingAt > 1) {
      throw new UserError(`${file}:${block.line}: a cue without a timing line ("${first.trim().slice(0, 40)}")`, { hint: 'A cue is an optional id line, a timing line like 00:00:01.000 --> 00:00:04.000, then its text' });
    }
    const { tStart, tEnd } = timing(block.lines[timingAt] as string, block.line + timingAt, file, VTT_TIME, '00:01:02.500 --> 00:01:05.000');
    const payload = block.lines.slice(timingAt + 1).join('\n');
    for (const span of voiceSpans(payload)) cues.push({ line: block.line, tStart, tEnd, ...span });
  });
  return cues;
}

const VOICE_TAG = /<v(?:\.[^\s.<>]+)*[ \t]+([^<>\n]*)>/g;

/**
 * A cue's text per voice: two people speaking in one cue ("<v A>Hi</v><v B>Yo</v>", or each on a
 * line of their own) are two turns, never one speaker with the words run together.
 */
function voiceSpans(payload: string): Array<{ voice: string | null; text: string }> {
  const starts = [...payload.matchAll(VOICE_TAG)];
  const voiceOf = (match: RegExpMatchArray | undefined): string | null => match?.[1]?.trim() || null;
  if (starts.length <= 1) return [{ voice: voiceOf(starts[0]), text: cleanCueText(payload, 'vtt') }];
  const spans = [{ voice: null as string | null, text: payload.slice(0, starts[0]?.index) }];
  starts.forEach((match, index) => spans.push({ voice: voiceOf(match), text: payload.slice(match.index, starts[index + 1]?.index) }));
  return spans.map((span) => ({ ...span, text: cleanCueText(span.text, 'vtt').trim() })).filter((span) => span.text !== '');
}

/**
 * The cues of a SubRip file. Text after a blank line inside a cue (some editors write one) continues
 * that cue, on a line of its own, with a warning naming the line; a block with no cue before it, or
 * with a timing line out of place, is refused.
 */
export function parseSrt(text: string, file: string, warnings: string[] = []): RawCue[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const cues: Array<RawCue & { lines: string[] }> = [];
  for (const block of blocksOf(source)) {
    const timingAt = block.lines.findIndex((line) => line.includes('-->'));
    const previous = cues[cues.length - 1];
    if (timingAt === -1 && previous !== undefined) {
      previous.lines.push(...block.lines);
      warnings.push(`line ${block.line}: text after a blank line inside subtitle ${cues.length} was kept as part of it`);
      continue;
    }
    if (timingAt === -1 || timingAt > 1) {
      throw new UserError(`${file}:${block.line}: a subtitle without a timing line ("${(block.lines[0] ?? '').trim().slice(0, 40)}")`, { hint: 'A SubRip cue is a number, a timing line like 00:00:01,000 --> 00:00:04,000, then its text, then a blank line' });
    }
    const { tStart, tEnd } = timing(block.lines[timingAt] as string, block.line + timingAt, file, SRT_TIME, '00:01:02,500 --> 00:01:05,000');
    cues.push({ line: block.line, tStart, tEnd, voice: null, text: '', lines: block.lines.slice(timingAt + 1) });
  }
  return cues.map(({ lines, ...cue }) => ({ ...cue, text: cleanCueText(lines.join('\n'), 'srt') }));
}

/**
 * Cues as units: the voice tag names the speaker; else a "NAME:" prefix does when it passes the
 * transcript label rule over all cues (known labels, or names that recur in a dialogue).
 */
export function cueUnits(cues: readonly RawCue[], speakers?: ReadonlyMap<string, string>): TextUnit[] {
  const prefixes = cues.map((cue) => (cue.voice === null ? leadingLabel(cue.text, speakers) : undefined));
  const accepted = acceptedLabels(prefixes.flatMap((prefix) => (prefix === undefined ? [] : [prefix.label])), speakers);
  const rename = (label: string): string => speakerName(label, speakers);
  return cues.map((cue, index) => {
    const prefix = prefixes[index];
    if (cue.voice !== null) return { speaker: rename(cue.voice), text: cue.text, tStart: cue.tStart, tEnd: cue.tEnd };
    if (prefix !== undefined && accepted.has(prefix.label)) return { speaker: rename(prefix.label), text: prefix.rest, tStart: cue.tStart, tEnd: cue.tEnd };
    return { speaker: null, text: cue.text, tStart: cue.tStart, tEnd: cue.tEnd };
  });
}
