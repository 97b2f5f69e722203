import { describe, expect, it } from 'vitest';
import { parseSpeakerMap, segmentText, type Segment } from '../../src/core/segment.js';
import { normalizeText, sliceCodePoints } from '../../src/core/text.js';

const cut = (text: string, options: Parameters<typeof segmentText>[1] = {}): Array<[string | null, string]> => {
  const { segments } = segmentText(text, options);
  for (const segment of segments) expect(sliceCodePoints(text, segment.start, segment.end)).toBe(segment.text);
  return segments.map((segment: Segment) => [segment.speaker, segment.text]);
};

describe('footnotes and endnotes at the end of a transcript', () => {
  // What docxToText makes of a .docx with a footnote and an endnote.
  const text = 'Интервьюер: Где вы живёте?\n\nРеспондент: В городе[1], уже год[2].\n\nИнтервьюер: Спасибо.\n\n[1] Прим. транскрибера: имеется в виду Тбилиси.\n\nВторой абзац сноски.\n\n[2] Концевая сноска.';

  it('are speaker-less segments of their own, not part of the last turn', () => {
    expect(cut(text)).toEqual([
      ['Интервьюер', 'Где вы живёте?'],
      ['Респондент', 'В городе[1], уже год[2].'],
      ['Интервьюер', 'Спасибо.'],
      [null, '[1] Прим. транскрибера: имеется в виду Тбилиси.'],
      [null, 'Второй абзац сноски.'],
      [null, '[2] Концевая сноска.'],
    ]);
  });

  it('keep no speaker when cut into paragraphs or sentences', () => {
    const sentences = cut(text, { mode: 'sentences' });
    expect(sentences.slice(2)).toEqual([
      ['Интервьюер', 'Спасибо.'],
      [null, '[1] Прим. транскрибера: имеется в виду Тбилиси.'],
      [null, 'Второй абзац сноски.'],
      [null, '[2] Концевая сноска.'],
    ]);
    expect(cut(text, { mode: 'paragraphs' }).filter(([speaker]) => speaker === null)).toHaveLength(3);
  });

  it('a "[1]" paragraph whose marker does not occur earlier stays in the turn', () => {
    expect(cut('И: Назовите причины.\n\nР: Их две.\n\n[1] война\n\n[2] работа')).toEqual([
      ['И', 'Назовите причины.'],
      ['Р', 'Их две.\n\n[1] война\n\n[2] работа'],
    ]);
  });
});

describe('a two-column "speaker | text" table (cells separated by a tab)', () => {
  const table = 'Расшифровка интервью R30\n\nИнтервьюер\tКогда вы уехали?\n\nРеспондент\tВ марте.\n\nИнтервьюер\tПочему?\n\nРеспондент\tДа: работа.';

  it('gives turns with the labels named in --speakers', () => {
    const speakers = parseSpeakerMap('Интервьюер=Interviewer,Респондент=Respondent');
    expect(cut(table, { mode: 'turns', speakers })).toEqual([
      [null, 'Расшифровка интервью R30'],
      ['Interviewer', 'Когда вы уехали?'],
      ['Respondent', 'В марте.'],
      ['Interviewer', 'Почему?'],
      ['Respondent', 'Да: работа.'],
    ]);
  });

  it('a label named once in --speakers counts even when it occurs once', () => {
    expect(cut('Аня\tПривет.', { speakers: parseSpeakerMap('Аня=Interviewer') })).toEqual([['Interviewer', 'Привет.']]);
  });

  it('gives turns without --speakers when known roles alternate like a dialogue', () => {
    expect(cut(table).map(([speaker]) => speaker)).toEqual([null, 'Интервьюер', 'Респондент', 'Интервьюер', 'Респондент']);
  });

  it('a table of names and values, or a single known word before a tab, is not a dialogue', () => {
    expect(segmentText('Anna\t34\n\nBoris\t41\n\nAnna\t35\n\nBoris\t42').mode).toBe('paragraphs');
    expect(segmentText('Вопрос\tОтвет\n\nКогда?\tВ марте.').mode).toBe('paragraphs');
    expect(() => segmentText('Anna\t34\n\nBoris\t41', { mode: 'turns' })).toThrow(/no speaker labels found/);
  });

  it('a timestamp before the label is read as with colons', () => {
    const speakers = parseSpeakerMap('И=Interviewer,Р=Respondent');
    const { segments } = segmentText('00:01:02\tИ\tВопрос?\n00:01:10\tР\tОтвет.', { speakers });
    expect(segments.map((segment) => [segment.speaker, segment.text, segment.tStart])).toEqual([['Interviewer', 'Вопрос?', 62_000], ['Respondent', 'Ответ.', 70_000]]);
  });
});

describe('invisible characters inside words', () => {
  it('soft hyphens, zero-width spaces, word joiners and a stray byte-order mark are dropped', () => {
    expect(normalizeText('\uFEFFинформа\u00ADция ново\u200Bсти сло\u2060во за\uFEFFпись').text).toBe('информация новости слово запись');
  });

  it('zero-width joiners and non-joiners stay (emoji sequences, Persian)', () => {
    const family = '👩\u200D👩\u200D👧';
    expect(normalizeText(`${family} می\u200Cخواهم`).text).toBe(`${family} می\u200Cخواهم`);
  });

  it('segment offsets still slice the stored text', () => {
    const { text } = normalizeText('Р: Это информа\u00ADция 👩\u200D👩\u200D👧.\n\nИ: Ново\u200Bсти?');
    const { segments } = segmentText(text);
    expect(segments.map((segment) => segment.text)).toEqual(['Это информация 👩\u200D👩\u200D👧.', 'Новости?']);
    for (const segment of segments) expect(sliceCodePoints(text, segment.start, segment.end)).toBe(segment.text);
  });
});
