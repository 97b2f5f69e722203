import { describe, expect, it } from 'vitest';
import { assembleUnits, segmentText, type Segment, type SegmentMode } from '../../src/core/segment.js';
import { codePointLength, normalizeText, sliceCodePoints } from '../../src/core/text.js';
import { mulberry32 } from '../../src/core/random.js';

// Property: for every segment of every generated document, in every mode, the stored offsets slice
// exactly the segment's text out of the document, segments are in order and never overlap, and no
// word is lost. The documents mix Cyrillic, Latin, astral emoji (flags, ZWJ sequences), combining
// accents that NFC composes (e + U+0301) and ones it cannot (q + U+0301), CRLF and blank lines.


const WORDS = [
  'мы', 'уехали', 'в', 'Вильнюс', 'протест', 'ёлка', 'we', 'left', 'Riga', 'NGO', 'café', 'cafe\u0301', 'q\u0301', 'naïve',
  '😀', '🇺🇦', '👩‍👩‍👧', '𝔘𝔫𝔦', 'e\u0301\u0327', 'Ж\u0308', '«цитата»', '—', '2022', 'x\u200dy', '中文', 'مرحبا',
];
const LABELS = ['Interviewer', 'Respondent', 'И', 'Р', 'Q', 'A', 'Ольга Д.', 'Anna K.', 'ВС'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function words(random: () => number, count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(pick(random, WORDS));
    const gap = random();
    parts.push(gap < 0.75 ? ' ' : gap < 0.85 ? '.  ' : gap < 0.93 ? '\n' : gap < 0.97 ? '\n\n' : '\n \t\n');
  }
  return parts.join('');
}

function nonWhite(text: string): string {
  return text.replace(/\s+/gu, '');
}

function checkSegments(text: string, segments: readonly Segment[]): void {
  let previousEnd = 0;
  const length = codePointLength(text);
  for (const segment of segments) {
    expect(sliceCodePoints(text, segment.start, segment.end)).toBe(segment.text);
    expect(segment.start).toBeGreaterThanOrEqual(previousEnd);
    expect(segment.end).toBeGreaterThan(segment.start);
    expect(segment.end).toBeLessThanOrEqual(length);
    expect(segment.text).toBe(segment.text.trim());
    previousEnd = segment.end;
  }
}

describe('segments slice the document exactly (seeded random documents)', () => {
  const modes: SegmentMode[] = ['turns', 'paragraphs', 'sentences'];

  it.each(Array.from({ length: 40 }, (_, seed) => seed + 1))('transcript #%i', (seed) => {
    const random = mulberry32(seed);
    const turns = Array.from({ length: 2 + Math.floor(random() * 12) }, (_, index) => ({
      label: index < 2 ? LABELS[index % 2] as string : pick(random, LABELS),
      stamp: random() < 0.3 ? `[00:${String(index).padStart(2, '0')}:0${index % 10}] ` : '',
      content: words(random, 1 + Math.floor(random() * 30)),
    }));
    // A name that starts only one line is not a label (acceptedLabels); the generator writes real transcripts.
    for (const turn of turns) if (turns.filter((other) => other.label === turn.label).length === 1 && ['Ольга Д.', 'Anna K.', 'ВС'].includes(turn.label)) turn.label = 'Interviewer';
    const newline = random() < 0.5 ? '\n' : '\r\n';
    const raw = (random() < 0.3 ? '\uFEFF' : '') + turns.map((turn) => `${turn.stamp}${turn.label}: ${turn.content}`).join(newline).replace(/\n/g, newline === '\r\n' ? '\r\n' : '\n');
    const { text } = normalizeText(raw);
    for (const mode of modes) {
      const { segments } = segmentText(text, { mode });
      checkSegments(text, segments);
      // No word is lost: the segments hold every non-space character except the labels and timestamps.
      const expected = turns.map((turn) => nonWhite(normalizeText(turn.content).text)).join('');
      expect(nonWhite(segments.map((segment) => segment.text).join(''))).toBe(expected);
    }
    const byTurn = segmentText(text).segments;
    const expectedTurns = turns.filter((turn) => nonWhite(turn.content) !== '');
    expect(byTurn.map((segment) => segment.speaker)).toEqual(expectedTurns.map((turn) => turn.label));
  });

  it.each(Array.from({ length: 15 }, (_, seed) => seed + 300))('transcript with [id1] labels in square brackets #%i', (seed) => {
    const random = mulberry32(seed);
    const turns = Array.from({ length: 4 + Math.floor(random() * 10) }, (_, index) => ({
      label: index % 2 === 0 ? 'id1' : 'Speaker B',
      stamp: random() < 0.3 ? `[00:${String(index).padStart(2, '0')}:0${index % 10}] ` : '',
      content: words(random, 1 + Math.floor(random() * 30)),
    }));
    const { text } = normalizeText(turns.map((turn) => `${turn.stamp}[${turn.label}] ${turn.content}`).join('\n'));
    for (const mode of modes) {
      const { segments } = segmentText(text, { mode });
      checkSegments(text, segments);
      expect(nonWhite(segments.map((segment) => segment.text).join(''))).toBe(turns.map((turn) => nonWhite(normalizeText(turn.content).text)).join(''));
    }
    expect(segmentText(text).segments.map((segment) => segment.speaker)).toEqual(turns.filter((turn) => nonWhite(turn.content) !== '').map((turn) => turn.label));
  });

  it.each(Array.from({ length: 30 }, (_, seed) => seed + 100))('prose without labels #%i', (seed) => {
    const random = mulberry32(seed);
    const { text } = normalizeText(words(random, 5 + Math.floor(random() * 80)));
    for (const mode of ['paragraphs', 'sentences'] as const) {
      const { segments } = segmentText(text, { mode });
      checkSegments(text, segments);
      expect(nonWhite(segments.map((segment) => segment.text).join(''))).toBe(nonWhite(text));
    }
  });

  it.each(Array.from({ length: 20 }, (_, seed) => seed + 200))('cues and survey answers #%i', (seed) => {
    const random = mulberry32(seed);
    const units = Array.from({ length: 1 + Math.floor(random() * 10) }, () => ({
      speaker: random() < 0.8 ? pick(random, LABELS) : null,
      text: words(random, Math.floor(random() * 20)),
      tStart: Math.floor(random() * 1000),
      tEnd: 1000 + Math.floor(random() * 1000),
    }));
    for (const mode of ['turns', 'sentences'] as const) {
      const result = assembleUnits(units, { mode });
      expect(normalizeText(result.text).text).toBe(result.text);
      checkSegments(result.text, result.segments);
      expect(nonWhite(result.segments.map((segment) => segment.text).join(''))).toBe(units.map((unit) => nonWhite(normalizeText(unit.text).text)).join(''));
    }
  });
});
