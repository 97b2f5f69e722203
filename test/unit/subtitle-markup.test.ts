import { describe, expect, it } from 'vitest';
import { assembleUnits } from '../../src/core/segment.js';
import { cueUnits, parseSrt, parseVtt } from '../../src/io/import/subtitles.js';

// Only the markup each subtitle format defines is removed; any other text between < and > was said.
describe('subtitle cue text keeps everything that is not markup', () => {
  it('SubRip: "<" and ">" in speech stay, <i> <b> <u> <font> and {\\an8} go, entities are text', () => {
    const srt = [
      '1', '00:00:01,000 --> 00:00:02,000', 'Зарплата была <1000 евро, а в России >500 рублей.', '',
      '2', '00:00:03,000 --> 00:00:04,000', '{\\an8}<i>Курсив</i>, <B>жирный</B>, <u>и</u> <font color="#ffff00">цвет</font>.', '',
      '3', '00:00:05,000 --> 00:00:06,000', 'a<b && c>d, <v Anna> и <c.x>не теги</c>; Tom &amp; Jerry', '',
    ].join('\n');
    expect(parseSrt(srt, 'a.srt').map((cue) => cue.text)).toEqual([
      'Зарплата была <1000 евро, а в России >500 рублей.',
      'Курсив, жирный, и цвет.',
      'a<b && c>d, <v Anna> и <c.x>не теги</c>; Tom &amp; Jerry',
    ]);
  });

  it('WebVTT: voice, class, language, ruby and timestamp tags go, entities are decoded, other text stays', () => {
    const vtt = [
      'WEBVTT', '',
      '00:00:01.000 --> 00:00:02.000', '<v.loud Ольга>Зарплата была <1000 евро, а в России >500 рублей.</v>', '',
      '00:00:03.000 --> 00:00:04.000', '<c.yellow.bg>Цвет</c> <lang en>word</lang> <ruby>漢<rt>kan</rt></ruby> <i>i</i><b>b</b><u>u</u> <00:00:03.500>дальше <01:02.000>ещё', '',
      '00:00:05.000 --> 00:00:06.000', 'x <5 и y> 3, <font color="red">не VTT</font>, {\\an8} &lt;i&gt; &amp; &nbsp;', '',
    ].join('\n');
    const cues = parseVtt(vtt, 'a.vtt');
    expect(cues.map((cue) => [cue.voice, cue.text])).toEqual([
      ['Ольга', 'Зарплата была <1000 евро, а в России >500 рублей.'],
      [null, 'Цвет word 漢kan ibu дальше ещё'],
      [null, 'x <5 и y> 3, <font color="red">не VTT</font>, {\\an8} <i> & \u00a0'],
    ]);
  });
});

describe('a WebVTT cue with several voices', () => {
  const vtt = (payload: string): string => ['WEBVTT', '', '00:00:01.000 --> 00:00:02.500', payload, ''].join('\n');

  it('is one turn per voice span, in order, each with the cue\'s times, on one line or on two', () => {
    for (const payload of ['<v A>Hi</v><v B>Yo</v>', '<v A>Hi\n<v B>Yo', '<v.loud A>Hi</v> <v B>Yo']) {
      const cues = parseVtt(vtt(payload), 'a.vtt');
      expect(cueUnits(cues)).toEqual([
        { speaker: 'A', text: 'Hi', tStart: 1000, tEnd: 2500 },
        { speaker: 'B', text: 'Yo', tStart: 1000, tEnd: 2500 },
      ]);
    }
  });

  it('keeps every word and the segment of each voice in the imported text', () => {
    const { text, segments } = assembleUnits(cueUnits(parseVtt(vtt('<v Анна>Да, конечно.</v><v Борис>Нет.</v>'), 'a.vtt')));
    expect(text).toBe('Анна: Да, конечно.\n\nБорис: Нет.');
    expect(segments.map((segment) => [segment.speaker, segment.text, segment.tStart, segment.tEnd])).toEqual([
      ['Анна', 'Да, конечно.', 1000, 2500],
      ['Борис', 'Нет.', 1000, 2500],
    ]);
  });
});
