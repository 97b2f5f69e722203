import { UserError, usageError } from './errors.js';
import { CodePointIndex, normalizeText } from './text.js';

// Cutting a stored document into the units coders code. Rules (docs/import.md spells them out):
// - A speaker turn starts at a line that begins with a speaker label and a colon, optionally after a
//   timestamp ([00:12:34], 00:12:34, (12:34)); it runs until the next such line. The label and the
//   timestamp are not part of the segment: the segment is the turn's content, the label is its speaker.
//   A table row whose first cell is a label ("Интервьюер<TAB>…") starts a turn too when the label is
//   named in --speakers, or is a known role and the rows read as a dialogue.
// - Text before the first label (a title, a note) becomes paragraph segments without a speaker, and so
//   do notes at the end ("[1] …" paragraphs whose marker occurs earlier, as footnotes from a .docx).
// - Paragraphs are separated by blank lines; in a text without a single blank line every line is one.
// - turns ⊇ paragraphs ⊇ sentences: paragraphs and sentences are cut inside turns and keep the speaker.
// - Every segment is trimmed of white space; empty ones are dropped; offsets are code points into the
//   normalised text, [start, end), so that sliceCodePoints(text, start, end) === segment.text.

export type SegmentMode = 'turns' | 'paragraphs' | 'sentences';
export const SEGMENT_MODES: readonly SegmentMode[] = ['turns', 'paragraphs', 'sentences'];

export interface Segment {
  /** Code-point offsets into the document text, [start, end). */
  start: number;
  end: number;
  text: string;
  speaker: string | null;
  /** Media times in milliseconds (subtitle cues, timestamped turns), else null. */
  tStart: number | null;
  tEnd: number | null;
}

export interface SegmentationOptions {
  /** undefined: turns when speaker labels are found, else paragraphs. */
  mode?: SegmentMode | undefined;
  /** --speakers: label as written → speaker name to store. Listed labels count as labels even when seen once. */
  speakers?: ReadonlyMap<string, string> | undefined;
  /** BCP 47 language for sentence boundaries (ru, en); detected from the text when absent. */
  language?: string | null | undefined;
}

export interface Segmentation {
  mode: SegmentMode;
  segments: Segment[];
  /** Distinct speakers in order of first appearance. */
  speakers: string[];
}

/** Parses --speakers "И=Interviewer,Р=Respondent". */
export function parseSpeakerMap(spec: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of splitOutsideQuotes(spec)) {
    if (pair.trim() === '') continue;
    const equals = pair.search(/=(?=[^"]*(?:"[^"]*"[^"]*)*$)/);
    const label = equals === -1 ? '' : unquote(pair.slice(0, equals));
    const name = equals === -1 ? '' : unquote(pair.slice(equals + 1));
    if (label === '' || name === '') {
      throw usageError(`--speakers: "${pair.trim()}" is not LABEL=NAME`, 'Example: --speakers "И=Interviewer,Р=Respondent"');
    }
    map.set(label.replace(/:$/, ''), name);
  }
  if (map.size === 0) throw usageError('--speakers is empty', 'Example: --speakers "И=Interviewer,Р=Respondent"');
  return map;
}

// A name holding a comma or an equals sign is written in double quotes: --speakers '"Аня, Вильнюс"=M1'.
function splitOutsideQuotes(spec: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < spec.length; i++) {
    if (spec[i] === '"') quoted = !quoted;
    else if (spec[i] === ',' && !quoted) {
      parts.push(spec.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(spec.slice(start));
  return parts;
}

// NFC, as the stored text is: a name copied from another program may come decomposed (ё as е + ◌̈).
function unquote(part: string): string {
  const trimmed = collapse(part.normalize('NFC'));
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? collapse(trimmed.slice(1, -1)) : trimmed;
}

// ---------------------------------------------------------------- languages

// Short, frequent words that tell the Latin-script languages of the study's host countries (and a
// few neighbours) apart. Each list leaves out words that are as common in another listed language.
const STOPWORDS: ReadonlyArray<[string, ReadonlySet<string>]> = [
  ['en', new Set('the and of that is was for with you not this are have they but from which'.split(' '))],
  ['de', new Set('der die und das ist nicht ich wir mit auf den dem ein eine sich auch wie aber'.split(' '))],
  ['es', new Set('el los las que por una con para del pero como más muy también fue este esta'.split(' '))],
  ['fr', new Set('le les et est des une pour dans pas nous je du au sur mais avec qui sont'.split(' '))],
  ['it', new Set('il di che per non sono con del della gli anche come questo molto'.split(' '))],
  ['pt', new Set('não um uma para com os é em da do mas como muito também'.split(' '))],
  ['pl', new Set('nie się na że jest jak ale tak już przez dla czy był jego może'.split(' '))],
  ['lt', new Set('ir kad yra tai su iš bet kaip buvo mes aš jis jie arba nuo'.split(' '))],
  ['lv', new Set('un ir ka ar uz par bet kā mēs tas lai arī bija viņš viņi vai'.split(' '))],
  ['fi', new Set('ja on ei että oli mutta kun myös minä hän ovat tämä se mitä niin'.split(' '))],
];

/**
 * The language of a text: 'ru' (or 'uk', 'be' by their own letters) when Cyrillic letters are the
 * majority; else the Latin-script language whose frequent words occur most (en, de, es, fr, it, pt,
 * pl, lt, lv, fi), 'en' when too few of them occur to tell; null without letters.
 */
export function detectLanguage(text: string): string | null {
  let cyrillic = 0;
  let latin = 0;
  let ukrainian = 0;
  let belarusian = 0;
  const limit = Math.min(text.length, 50_000);
  for (let i = 0; i < limit; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x400 && unit <= 0x4ff) {
      cyrillic++;
      // і ї є ґ (and capitals) are Ukrainian; ў is Belarusian; Russian has none of them.
      if (unit === 0x456 || unit === 0x457 || unit === 0x454 || unit === 0x491 || unit === 0x406 || unit === 0x407 || unit === 0x404 || unit === 0x490) ukrainian++;
      if (unit === 0x45e || unit === 0x40e) belarusian++;
    } else if ((unit >= 0x41 && unit <= 0x5a) || (unit >= 0x61 && unit <= 0x7a) || (unit >= 0xc0 && unit <= 0x24f && unit !== 0xd7 && unit !== 0xf7)) latin++;
  }
  if (cyrillic === 0 && latin === 0) return null;
  if (cyrillic >= latin) {
    if (belarusian * 200 >= cyrillic) return 'be';
    if (ukrainian * 100 >= cyrillic) return 'uk';
    return 'ru';
  }
  const counts = new Map<string, number>();
  for (const word of text.slice(0, limit).toLowerCase().match(/\p{L}+/gu) ?? []) {
    for (const [language, words] of STOPWORDS) if (words.has(word)) counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (best === undefined || best[1] < 3 || (second !== undefined && best[1] < second[1] * 1.5)) return 'en';
  return best[0];
}

// ---------------------------------------------------------------- speaker labels

// Optional timestamp, then a label of up to 40 characters, a colon and white space (or the line end).
const LABEL_LINE =
  /^[ \t]*(?:[[(]?(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?[ \t]*(?:[-–—][ \t]*)?)?([^\s:\d\[\(][^:\n]{0,39}?)[ \t]*:(?:[ \t]+|$)/u;

// A label alone in the first cell of a table row ("Интервьюер<TAB>Когда вы уехали?"), as a two-column
// "speaker | text" table in a .docx, .md or web page becomes: only for labels named in --speakers or
// known roles that alternate like a dialogue, since a tab after a capitalised word is also plain data.
const TAB_LINE =
  /^[ \t]*(?:[[(]?(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?[ \t]*(?:[-–—][ \t]*)?)?([^\s:\d\[\(][^:\t\n]{0,39}?)[ ]*\t[ \t]*/u;

// A label in square brackets at the start of a line, as QualCoder and some transcription services
// write them ("[id1] I like the course."), optionally after a timestamp and with an optional colon.
const BRACKET_LINE =
  /^[ \t]*(?:[[(]?(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?[ \t]*(?:[-–—][ \t]*)?)?\[([\p{L}][\p{L}\p{N}_. -]{0,39}?)\][ \t]*:?(?:[ \t]+|$)/u;

// Bracketed notes a transcriber puts at the start of a line that are not speakers.
const BRACKET_NOTES = new Set([
  'laughs', 'laughter', 'laughing', 'inaudible', 'unclear', 'pause', 'silence', 'crosstalk', 'cross-talk', 'music', 'applause',
  'noise', 'interruption', 'break', 'end', 'start', 'sic', 'смеётся', 'смеется', 'смех', 'неразборчиво', 'пауза', 'тишина',
  'перебивает', 'шум', 'музыка', 'конец', 'начало',
]);

// Labels that are speaker labels wherever they appear (compared lower-cased, without a final dot).
const KNOWN_LABELS = new Set([
  'interviewer', 'interviewee', 'respondent', 'participant', 'moderator', 'facilitator', 'researcher',
  'question', 'answer', 'q', 'a', 'i', 'r', 'int', 'resp', 'ir', 'ie',
  'интервьюер', 'интервьюерка', 'респондент', 'респондентка', 'информант', 'информантка', 'модератор',
  'ведущий', 'ведущая', 'исследователь', 'исследовательница', 'собеседник', 'собеседница',
  'вопрос', 'ответ', 'и', 'р', 'в', 'о',
]);
const NUMBERED_LABEL = /^(?:p|r|i|s|speaker|participant|respondent|interviewer|interviewee|спикер|участник|участница|респондент|интервьюер|информант)[ ]?\d{1,2}$/;
// A capitalised word or an initial (Anna, K., ВС, Д.), as names and initials are written.
const LABEL_WORD = /^\p{Lu}[\p{L}\p{M}'’-]*\.?$/u;

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// A label with a name or a role in parentheses: "Interviewer (Anna)", "Anna (respondent)", "Р (Иван)".
const QUALIFIED_LABEL = /^(\S.*?) \(([^()]{1,30})\)$/u;

function isKnownLabel(label: string): boolean {
  const key = label.toLowerCase().replace(/\.$/, '');
  if (KNOWN_LABELS.has(key) || NUMBERED_LABEL.test(key)) return true;
  const qualified = QUALIFIED_LABEL.exec(label);
  // Either part a known role is enough, and the other must still read as a label.
  return qualified !== null && (isKnownLabel(qualified[1]!) ? isNameOrRole(qualified[2]!) : isKnownLabel(qualified[2]!) && isNameOrRole(qualified[1]!));
}

/** Whether a line prefix before a colon can be a speaker label at all (before counting how often it occurs). */
export function isLabelCandidate(label: string): boolean {
  if (label.length === 0 || label.length > 40) return false;
  if (isKnownLabel(label)) return true;
  const qualified = QUALIFIED_LABEL.exec(label);
  if (qualified !== null) return isNameOrRole(qualified[1]!) && isNameOrRole(qualified[2]!);
  return isNameOrRole(label);
}

function isNameOrRole(text: string): boolean {
  if (isKnownLabel(text)) return true;
  const words = text.split(' ');
  if (words.length > 4) return false;
  return words.every((word, index) => LABEL_WORD.test(word) || (index > 0 && /^\d{1,2}$/.test(word)));
}

interface LabelLine {
  /** UTF-16 index where the line starts. */
  lineStart: number;
  /** UTF-16 index just after the label, its colon and the white space that follows. */
  contentStart: number;
  label: string;
  timeMs: number | null;
  /** Followed by a tab (a table's first cell) rather than a colon. */
  tab?: boolean;
}

function parseTimestamp(stamp: string | undefined): number | null {
  if (stamp === undefined) return null;
  const [clock, fraction = '0'] = stamp.split(/[.,]/);
  const parts = (clock ?? '').split(':').map(Number);
  const seconds = parts.length === 3 ? (parts[0] as number) * 3600 + (parts[1] as number) * 60 + (parts[2] as number) : (parts[0] as number) * 60 + (parts[1] as number);
  return seconds * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3));
}

const LABEL_HEAD = 96;

function candidateLines(text: string, speakers: ReadonlyMap<string, string> | undefined, style: 'colon' | 'bracket' = 'colon'): LabelLine[] {
  const pattern = style === 'colon' ? LABEL_LINE : BRACKET_LINE;
  const lines: LabelLine[] = [];
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    // Only the first characters of a line can hold a timestamp and a label; slicing more is wasted work.
    const head = text.slice(lineStart, Math.min(lineEnd, lineStart + LABEL_HEAD));
    // A table row's first cell comes first: "Респондент<TAB>Да: мы уехали" is not the label "Респондент Да".
    const cell = style === 'colon' && head.includes('\t') ? TAB_LINE.exec(head) : null;
    const cellLabel = cell === null ? '' : collapse(cell[2] as string);
    if (cell !== null && (isKnownLabel(cellLabel) || mappedName(cellLabel, speakers) !== undefined)) {
      lines.push({ lineStart, contentStart: lineStart + cell[0].length, label: cellLabel, timeMs: parseTimestamp(cell[1]), tab: true });
      lineStart = lineEnd + 1;
      continue;
    }
    const match = pattern.exec(head);
    // A colon that ends a cut-off head must still be followed by white space in the real line.
    const cutAfterColon = match !== null && match[0].endsWith(':') && match[0].length === head.length && lineStart + head.length < lineEnd && !/[ \t]/.test(text[lineStart + head.length] ?? '');
    if (match !== null && !cutAfterColon) {
      const label = collapse(match[2] as string);
      const candidate = style === 'colon' ? isLabelCandidate(label) : !BRACKET_NOTES.has(label.toLowerCase()) && label.split(' ').length <= 3;
      if (candidate || mappedName(label, speakers) !== undefined) {
        lines.push({ lineStart, contentStart: lineStart + match[0].length, label, timeMs: parseTimestamp(match[1]) });
      }
    }
    lineStart = lineEnd + 1;
  }
  return lines;
}

function mappedName(label: string, speakers: ReadonlyMap<string, string> | undefined): string | undefined {
  if (speakers === undefined) return undefined;
  const exact = speakers.get(label);
  if (exact !== undefined) return exact;
  const lower = label.toLowerCase();
  for (const [key, name] of speakers) if (key.toLowerCase() === lower) return name;
  return undefined;
}

/**
 * Which candidate labels are speaker labels: the known conventions and --speakers entries always;
 * any other name or initials when it starts a line at least twice and the text is a dialogue (two
 * or more distinct labels). "Фото:" twice in a web page is not a transcript; "ВС:" answering
 * "Интервьюер:" is.
 */
export function acceptedLabels(candidates: readonly string[], speakers?: ReadonlyMap<string, string>): Set<string> {
  const counts = new Map<string, number>();
  for (const label of candidates) counts.set(label, (counts.get(label) ?? 0) + 1);
  const sure = new Set<string>();
  const repeated = new Set<string>();
  for (const [label, count] of counts) {
    if (isKnownLabel(label) || mappedName(label, speakers) !== undefined) sure.add(label);
    else if (count >= 2) repeated.add(label);
  }
  if (sure.size === 0 && repeated.size < 2) return new Set();
  return new Set([...sure, ...repeated]);
}

/**
 * Which labels in a table's first cell are speaker labels: --speakers entries always; known roles
 * ("Интервьюер", "R") when at least two of them each start a row at least twice.
 */
function acceptedCellLabels(candidates: readonly string[], speakers?: ReadonlyMap<string, string>): Set<string> {
  const counts = new Map<string, number>();
  for (const label of candidates) counts.set(label, (counts.get(label) ?? 0) + 1);
  const mapped = [...counts.keys()].filter((label) => mappedName(label, speakers) !== undefined);
  const repeated = [...counts].filter(([label, count]) => count >= 2 && !mapped.includes(label)).map(([label]) => label);
  return new Set([...mapped, ...(repeated.length >= 2 ? repeated : [])]);
}

/** The speaker to store for a label: its --speakers name, else the label as written. */
export function speakerName(label: string, speakers: ReadonlyMap<string, string> | undefined): string {
  return mappedName(label, speakers) ?? label;
}

/** A range of the text (UTF-16 indices) with its speaker, before it is cut further. */
interface Unit {
  from: number;
  to: number;
  speaker: string | null;
  tStart: number | null;
  tEnd: number | null;
}

/**
 * Which bracketed labels ("[id1]") are speakers: --speakers entries always; others when the text is a
 * dialogue of at least two of them, each starting a line at least twice.
 */
export function acceptedBracketLabels(candidates: readonly string[], speakers?: ReadonlyMap<string, string>): Set<string> {
  const counts = new Map<string, number>();
  for (const label of candidates) counts.set(label, (counts.get(label) ?? 0) + 1);
  const mapped = [...counts.keys()].filter((label) => mappedName(label, speakers) !== undefined);
  const repeated = [...counts].filter(([label, count]) => count >= 2 && !mapped.includes(label)).map(([label]) => label);
  if (mapped.length === 0 && repeated.length < 2) return new Set();
  return new Set([...mapped, ...repeated]);
}

/**
 * The speaker turns of a text, or null when it has no speaker labels. "Name:" labels come first;
 * "[Name]" labels are looked for only in a text without them, so that a "[laughs]" in a labelled
 * transcript never starts a turn.
 */
function findTurns(text: string, speakers: ReadonlyMap<string, string> | undefined): Unit[] | null {
  let candidates = candidateLines(text, speakers);
  const accepted = acceptedLabels(candidates.filter((line) => !line.tab).map((line) => line.label), speakers);
  const cells = acceptedCellLabels(candidates.filter((line) => line.tab).map((line) => line.label), speakers);
  let isLabel = (line: LabelLine): boolean => (line.tab ? cells : accepted).has(line.label);
  if (accepted.size === 0 && cells.size === 0) {
    candidates = candidateLines(text, speakers, 'bracket');
    const brackets = acceptedBracketLabels(candidates.map((line) => line.label), speakers);
    isLabel = (line) => brackets.has(line.label);
  }
  const labelLines = candidates.filter(isLabel);
  if (labelLines.length === 0) return null;
  const units: Unit[] = [];
  const first = labelLines[0] as LabelLine;
  // Whatever precedes the first label (a title, a transcriber's note) stays codable, without a speaker.
  units.push(...paragraphUnits(text, 0, first.lineStart, null, false));
  const last = labelLines[labelLines.length - 1] as LabelLine;
  const notes = notesStart(text, last.contentStart);
  labelLines.forEach((line, index) => {
    const next = labelLines[index + 1];
    units.push({
      from: line.contentStart,
      to: next === undefined ? notes : next.lineStart,
      speaker: speakerName(line.label, speakers),
      tStart: line.timeMs,
      tEnd: null,
    });
  });
  // Footnotes and endnotes are nobody's turn.
  if (notes < text.length) units.push(...paragraphUnits(text, notes, text.length, null, false));
  return units;
}

const NOTE_PARAGRAPH = /\n[ \t]*\n[ \t]*(\[\d{1,4}\])[ \t]/g;

/**
 * Where the notes at the end of a text start (its length when there are none): at the first
 * paragraph after `from` that starts with a marker such as "[1] " which occurs earlier in the text,
 * as footnotes and endnotes read from a .docx do ("В городе[1]." … "[1] Прим. транскрибера: …").
 */
function notesStart(text: string, from: number): number {
  NOTE_PARAGRAPH.lastIndex = from;
  for (let match = NOTE_PARAGRAPH.exec(text); match !== null; match = NOTE_PARAGRAPH.exec(text)) {
    const marker = match[1] as string;
    const at = match.index + match[0].indexOf(marker);
    if (text.lastIndexOf(marker, at - 1) !== -1) return at;
  }
  return text.length;
}

function paragraphUnits(text: string, from: number, to: number, speaker: string | null, linesWhenNoBlank: boolean, times: Pick<Unit, 'tStart' | 'tEnd'> = { tStart: null, tEnd: null }): Unit[] {
  const units: Unit[] = [];
  const separator = linesWhenNoBlank ? /\n/g : /\n(?:[ \t]*\n)+/g;
  separator.lastIndex = from;
  let start = from;
  for (let match = separator.exec(text); match !== null && match.index < to; match = separator.exec(text)) {
    units.push({ from: start, to: match.index, speaker, tStart: times.tStart, tEnd: times.tEnd });
    start = Math.min(match.index + match[0].length, to);
  }
  units.push({ from: start, to, speaker, tStart: times.tStart, tEnd: times.tEnd });
  return units;
}

const segmenters = new Map<string, Intl.Segmenter>();

function sentenceSegmenter(language: string): Intl.Segmenter | undefined {
  if (typeof Intl.Segmenter !== 'function') return undefined;
  let segmenter = segmenters.get(language);
  if (segmenter === undefined) {
    try {
      segmenter = new Intl.Segmenter(language, { granularity: 'sentence' });
    } catch {
      segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
    }
    segmenters.set(language, segmenter);
  }
  return segmenter;
}

/**
 * Sentence starts (UTF-16 indices relative to the piece) for a runtime without Intl.Segmenter: after
 * . ! ? … (and closing quotes) followed by white space, and after every line break.
 */
export function fallbackSentenceStarts(piece: string): number[] {
  const starts = [0];
  const boundary = /[.!?…]+["»”’)\]]*\s+|\n+/g;
  for (let match = boundary.exec(piece); match !== null; match = boundary.exec(piece)) {
    const next = match.index + match[0].length;
    if (next < piece.length) starts.push(next);
  }
  return starts;
}

// V8's segmenter has no abbreviation list (ICU's "ss=standard" is ignored), so "Mr. Smith" and
// "Д. Иванов" would be cut in two: a piece ending in a title or an initial joins the next one.
const ABBREVIATION_END = /(?:^|[\s(«"“])(?:\p{Lu}|Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|vs|e\.g|i\.e|т\.\s?е|т\.\s?д|т\.\s?п|им|ул|проф|акад|см|напр)\.\s*$/u;

function sentenceUnits(text: string, unit: Unit, language: string): Unit[] {
  const piece = text.slice(unit.from, unit.to);
  const segmenter = sentenceSegmenter(language);
  const found = segmenter === undefined ? fallbackSentenceStarts(piece) : Array.from(segmenter.segment(piece), (part) => part.index);
  const starts = found.filter((start, index) => index === 0 || !ABBREVIATION_END.test(piece.slice(found[index - 1], start)));
  return starts.map((start, index) => ({ ...unit, from: unit.from + start, to: unit.from + (starts[index + 1] ?? piece.length) }));
}

function isWhite(unit: number): boolean {
  return unit === 0x20 || unit === 0x0a || unit === 0x09 || unit === 0x0d || unit === 0xa0 || unit === 0x3000 || (unit >= 0x2000 && unit <= 0x200b) || unit === 0x2028 || unit === 0x2029 || unit === 0x202f || unit === 0x205f || unit === 0xfeff || unit === 0x0b || unit === 0x0c || unit === 0x85 || unit === 0x1680;
}

function toSegments(text: string, units: readonly Unit[]): Segment[] {
  const index = new CodePointIndex(text);
  const segments: Segment[] = [];
  for (const unit of units) {
    let from = unit.from;
    let to = unit.to;
    while (from < to && isWhite(text.charCodeAt(from))) from++;
    while (to > from && isWhite(text.charCodeAt(to - 1))) to--;
    if (from === to) continue;
    segments.push({
      start: index.toCodePoint(from),
      end: index.toCodePoint(to),
      text: text.slice(from, to),
      speaker: unit.speaker,
      tStart: unit.tStart,
      tEnd: unit.tEnd,
    });
  }
  return segments;
}

function refine(text: string, units: readonly Unit[], mode: SegmentMode, language: string): Unit[] {
  if (mode === 'turns') return [...units];
  const paragraphs = units.flatMap((unit) => paragraphUnits(text, unit.from, unit.to, unit.speaker, false, unit));
  if (mode === 'paragraphs') return paragraphs;
  return paragraphs.flatMap((unit) => sentenceUnits(text, unit, language));
}

function distinctSpeakers(segments: readonly Segment[]): string[] {
  return [...new Set(segments.flatMap((segment) => (segment.speaker === null ? [] : [segment.speaker])))];
}

/** Cuts a normalised document text into segments (see the rules at the top of this file). */
export function segmentText(text: string, options: SegmentationOptions = {}): Segmentation {
  const language = options.language ?? detectLanguage(text) ?? 'en';
  const turns = findTurns(text, options.speakers);
  if (turns === null) {
    if (options.mode === 'turns') {
      throw new UserError('no speaker labels found (such as "Interviewer:", "Р:" or "Anna K.:" at the start of a line)', {
        hint: 'Name the labels with --speakers "X=Interviewer,Y=Respondent", or use --segment paragraphs',
      });
    }
    const hasBlankLine = /\n[ \t]*\n/.test(text);
    const paragraphs = paragraphUnits(text, 0, text.length, null, !hasBlankLine);
    const mode = options.mode ?? 'paragraphs';
    const units = mode === 'sentences' ? paragraphs.flatMap((unit) => sentenceUnits(text, unit, language)) : paragraphs;
    const segments = toSegments(text, units);
    return { mode, segments, speakers: [] };
  }
  const mode = options.mode ?? 'turns';
  const segments = toSegments(text, refine(text, turns, mode, language));
  return { mode, segments, speakers: distinctSpeakers(segments) };
}

// ---------------------------------------------------------------- pre-cut units (subtitles, survey answers)

/** A unit that the source format already delimits: a subtitle cue, a survey answer. */
export interface TextUnit {
  speaker: string | null;
  text: string;
  tStart?: number | null;
  tEnd?: number | null;
}

/** Prefix candidate of a cue ("ИНТЕРВЬЮЕР: …"): the label and where the content starts, if the cue starts with one. */
export function leadingLabel(text: string, speakers?: ReadonlyMap<string, string>): { label: string; rest: string; timeMs: number | null } | undefined {
  const match = LABEL_LINE.exec(text.slice(0, LABEL_HEAD));
  if (match === null) return undefined;
  const label = collapse(match[2] as string);
  if (!isLabelCandidate(label) && mappedName(label, speakers) === undefined) return undefined;
  return { label, rest: text.slice(match[0].length), timeMs: parseTimestamp(match[1]) };
}

/**
 * Builds a document from delimited units: each unit becomes a paragraph "Speaker: text" (or just the
 * text), separated by blank lines, and one segment (turns, paragraphs) or its sentences. The speaker
 * prefix stays out of the segment, as with transcripts.
 */
export function assembleUnits(units: readonly TextUnit[], options: { mode?: SegmentMode | undefined; language?: string | null | undefined } = {}): { text: string; mode: SegmentMode; language: string | null; segments: Segment[]; speakers: string[] } {
  const parts: string[] = [];
  const ranges: Unit[] = [];
  let length = 0;
  for (const unit of units) {
    const body = normalizeText(unit.text).text.trim();
    if (body === '') continue;
    const speaker = unit.speaker === null ? null : collapse(normalizeText(unit.speaker).text) || null;
    const prefix = (parts.length > 0 ? '\n\n' : '') + (speaker === null ? '' : `${speaker}: `);
    parts.push(prefix, body);
    ranges.push({ from: length + prefix.length, to: length + prefix.length + body.length, speaker, tStart: unit.tStart ?? null, tEnd: unit.tEnd ?? null });
    length += prefix.length + body.length;
  }
  const text = parts.join('');
  const mode = options.mode ?? 'turns';
  // The speaker prefixes (question ids, names) say nothing about the language of the answers.
  const language = options.language ?? detectLanguage(ranges.map((range) => text.slice(range.from, range.to)).join('\n'));
  const cut = mode === 'sentences' ? ranges.flatMap((unit) => sentenceUnits(text, unit, language ?? 'en'))
    // A unit with blank lines in it (a chat message, a survey answer) is several paragraphs.
    : mode === 'paragraphs' ? ranges.flatMap((unit) => paragraphUnits(text, unit.from, unit.to, unit.speaker, false, unit))
      : ranges;
  const segments = toSegments(text, cut);
  return { text, mode, language, segments, speakers: distinctSpeakers(segments) };
}

// ---------------------------------------------------------------- replacing a document

/** What replacement needs to know of an old segment. */
export interface OldSegment {
  id: number;
  speaker: string | null;
  text: string;
  /** Codings or memos hang on it: it must find a new home or the replacement is refused. */
  attached: boolean;
}

export interface CarryOverPlan {
  /** Old segment id → index of the new segment that takes its place (and its id). */
  keep: Map<number, number>;
  /** Old segments with codings or memos whose text or speaker no longer occurs. */
  lost: number[];
}

/**
 * Matches old segments to new ones with the same speaker and exactly the same text, in document
 * order (the k-th old "Р: Да." goes to the k-th new one). A segment whose words or speaker changed
 * has no match: its codings cannot be carried over, because nobody can say what they would mean now.
 */
export function planCarryOver(old: readonly OldSegment[], fresh: readonly Pick<Segment, 'speaker' | 'text'>[]): CarryOverPlan {
  const waiting = new Map<string, number[]>();
  fresh.forEach((segment, index) => {
    const key = `${segment.speaker ?? ''}\u0000${segment.text}`;
    const queue = waiting.get(key);
    if (queue === undefined) waiting.set(key, [index]);
    else queue.push(index);
  });
  const keep = new Map<number, number>();
  const lost: number[] = [];
  for (const segment of old) {
    const index = waiting.get(`${segment.speaker ?? ''}\u0000${segment.text}`)?.shift();
    if (index !== undefined) keep.set(segment.id, index);
    else if (segment.attached) lost.push(segment.id);
  }
  return { keep, lost };
}
