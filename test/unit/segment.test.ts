import { describe, expect, it } from 'vitest';
import {
  acceptedLabels, assembleUnits, detectLanguage, fallbackSentenceStarts, isLabelCandidate, leadingLabel, parseSpeakerMap,
  planCarryOver, segmentText, type Segment,
} from '../../src/core/segment.js';
import { sliceCodePoints } from '../../src/core/text.js';

const turns = (text: string, options: Parameters<typeof segmentText>[1] = {}): Array<[string | null, string]> =>
  segmentText(text, options).segments.map((segment) => [segment.speaker, segment.text]);

function expectSlices(text: string, segments: readonly Segment[]): void {
  for (const segment of segments) expect(sliceCodePoints(text, segment.start, segment.end)).toBe(segment.text);
}

describe('speaker turns: every convention of the issue', () => {
  it.each([
    ['Interviewer: How?\nRespondent: Like this.', [['Interviewer', 'How?'], ['Respondent', 'Like this.']]],
    ['I: How?\nR: Like this.', [['I', 'How?'], ['R', 'Like this.']]],
    ['Q: How?\nA: Like this.', [['Q', 'How?'], ['A', 'Like this.']]],
    ['Интервьюер: Как?\nРеспондент: Вот так.', [['Интервьюер', 'Как?'], ['Респондент', 'Вот так.']]],
    ['И: Как?\nР: Вот так.', [['И', 'Как?'], ['Р', 'Вот так.']]],
    ['ВОПРОС: Как?\nОТВЕТ: Вот так.', [['ВОПРОС', 'Как?'], ['ОТВЕТ', 'Вот так.']]],
    ['Интервьюер: Как?\nАК: Вот так.\nИнтервьюер: А потом?\nАК: Потом уехала.', [['Интервьюер', 'Как?'], ['АК', 'Вот так.'], ['Интервьюер', 'А потом?'], ['АК', 'Потом уехала.']]],
    ['Interviewer: How?\nAnna K.: Like this.\nInterviewer: Then?\nAnna K.: I left.', [['Interviewer', 'How?'], ['Anna K.', 'Like this.'], ['Interviewer', 'Then?'], ['Anna K.', 'I left.']]],
    ['E: ¿Crees?\nG: No.\nE: ¿Y?\nG: Sí.', [['E', '¿Crees?'], ['G', 'No.'], ['E', '¿Y?'], ['G', 'Sí.']]],
    ['Speaker 1: Hello.\nSpeaker 2: Hi.', [['Speaker 1', 'Hello.'], ['Speaker 2', 'Hi.']]],
    // A name or a role in parentheses; a known role on either side makes it a label even once.
    ['Interviewer (Anna): How?\nRespondent (R7): Like this.', [['Interviewer (Anna)', 'How?'], ['Respondent (R7)', 'Like this.']]],
    ['Anna (interviewer): Как?\nИван (респондент): Вот так.', [['Anna (interviewer)', 'Как?'], ['Иван (респондент)', 'Вот так.']]],
    ['Title\nАнна (Мемориал): Как?\nИван К. (Вильнюс): Так.\nАнна (Мемориал): А вы?\nИван К. (Вильнюс): Я тоже.', [
      [null, 'Title'], ['Анна (Мемориал)', 'Как?'], ['Иван К. (Вильнюс)', 'Так.'], ['Анна (Мемориал)', 'А вы?'], ['Иван К. (Вильнюс)', 'Я тоже.'],
    ]],
  ] as const)('%j', (text, expected) => {
    expect(turns(text)).toEqual(expected);
    expectSlices(text, segmentText(text).segments);
  });

  it.each([
    ['[00:12:34] И: Как?\n[00:12:40] Р: Так.', 754_000, 760_000],
    ['00:12:34 И: Как?\n00:12:40 Р: Так.', 754_000, 760_000],
    ['(12:34) Q: How?\n(12:40) A: So.', 754_000, 760_000],
    ['[00:12:34.500] I: How?\n[00:12:40,250] R: So.', 754_500, 760_250],
    ['00:12:34 - I: How?\n00:12:40 - R: So.', 754_000, 760_000],
  ])('timestamps before the label: %j', (text, first, second) => {
    const { segments } = segmentText(text);
    expect(segments.map((segment) => segment.tStart)).toEqual([first, second]);
    expect(segments.map((segment) => segment.text)).toEqual([segments[0]?.text.startsWith('К') ? 'Как?' : 'How?', segments[1]?.text.startsWith('Т') ? 'Так.' : 'So.']);
    expect(segments.every((segment) => segment.tEnd === null)).toBe(true);
  });

  it.each([
    ['QualCoder\'s [id1] tags', '[id1] I like the course.\n\n[id2] I struggle.\n\n[id1] It helped.\n\n[id2] Not me.', [['id1', 'I like the course.'], ['id2', 'I struggle.'], ['id1', 'It helped.'], ['id2', 'Not me.']]],
    ['bracketed names with a colon and timestamps', '[00:01:02] [Anna]: Hi.\n[00:01:05] [Boris]: Hello.\n[Anna]: Bye.\n[Boris]: Bye.', [['Anna', 'Hi.'], ['Boris', 'Hello.'], ['Anna', 'Bye.'], ['Boris', 'Bye.']]],
    ['transcriber\'s notes are not speakers', '[laughs] Yes.\n[pause] Well.\n[laughs] No.\n[pause] So.', [[null, '[laughs] Yes.'], [null, '[pause] Well.'], [null, '[laughs] No.'], [null, '[pause] So.']]],
    ['one bracketed word is not a dialogue', '[Note] first.\n\n[Note] second.', [[null, '[Note] first.'], [null, '[Note] second.']]],
    ['brackets inside a labelled transcript are text', 'I: How?\n[Anna] laughs\nR: Fine.\n[Anna] laughs again\nI: And?\n[Boris] too\n[Boris] again', [['I', 'How?\n[Anna] laughs'], ['R', 'Fine.\n[Anna] laughs again'], ['I', 'And?\n[Boris] too\n[Boris] again']]],
  ] as const)('speaker labels in square brackets: %s', (_name, text, expected) => {
    expect(turns(text)).toEqual(expected);
    expectSlices(text, segmentText(text).segments);
  });

  it('maps a bracketed label with --speakers, even when it occurs once', () => {
    expect(turns('[S1] Hello.\n[S2] Hi.', { speakers: parseSpeakerMap('S1=Interviewer,S2=Respondent') })).toEqual([['Interviewer', 'Hello.'], ['Respondent', 'Hi.']]);
  });

  it('keeps the time of a timestamped bracketed label', () => {
    expect(segmentText('[00:00:05] [A1] Hi.\n[00:00:09] [B1] Hello.\n[A1] Yes.\n[B1] No.').segments.map((segment) => segment.tStart)).toEqual([5000, 9000, null, null]);
  });

  it('a turn runs from its label line to the next label line, across lines and blank lines', () => {
    const text = 'Интервьюер: Расскажите.\n\nОльга Д.: Первая строка.\nвторая строка\n\n- пункт\n\nИнтервьюер: Спасибо.\nОльга Д.: Пожалуйста.';
    const { segments } = segmentText(text);
    expect(segments.map((segment) => segment.text)).toEqual(['Расскажите.', 'Первая строка.\nвторая строка\n\n- пункт', 'Спасибо.', 'Пожалуйста.']);
    expectSlices(text, segments);
  });

  it('keeps the label out of the segment: start points at the content, not at the label', () => {
    const text = '  Respondent:   Yes.  \nInterviewer:\nOn the next line.';
    const { segments } = segmentText(text);
    expect(segments[0]).toMatchObject({ speaker: 'Respondent', text: 'Yes.', start: 16, end: 20 });
    expect(segments[1]).toMatchObject({ speaker: 'Interviewer', text: 'On the next line.' });
  });

  it('turns a preamble before the first label into speaker-less paragraphs that come first', () => {
    const text = 'Интервью R07, Мадрид\n\nИ: Как?\nР: Так.';
    expect(turns(text)).toEqual([[null, 'Интервью R07, Мадрид'], ['И', 'Как?'], ['Р', 'Так.']]);
  });

  it('drops a label with no words before the next label', () => {
    expect(turns('I: \nR: Yes.\nI: And?')).toEqual([['R', 'Yes.'], ['I', 'And?']]);
  });

  it('maps labels with --speakers, and takes a mapped label even when it occurs once', () => {
    const speakers = parseSpeakerMap('X=Interviewer, Olga=Respondent');
    expect(turns('X: How?\nOlga: Like this.', { speakers })).toEqual([['Interviewer', 'How?'], ['Respondent', 'Like this.']]);
    expect(turns('Olga: Like this.', { speakers })).toEqual([['Respondent', 'Like this.']]);
    // A listed label need not look like a name.
    expect(turns('int-1: How?\nresp-1: So.', { speakers: parseSpeakerMap('int-1=Interviewer,resp-1=Respondent') })).toEqual([['Interviewer', 'How?'], ['Respondent', 'So.']]);
  });

  it('does not take a colon phrase in prose for a label', () => {
    const text = 'The problem was this: nobody came.\nВажно: это было в 2022 году.\nHe said: no.';
    expect(segmentText(text).mode).toBe('paragraphs');
    expect(turns('Interviewer: And?\nRespondent: Then it happened.\nThe problem was this: nobody came.')).toEqual([
      ['Interviewer', 'And?'],
      ['Respondent', 'Then it happened.\nThe problem was this: nobody came.'],
    ]);
  });

  it('needs a dialogue before it believes unknown names: one recurring caption is not a transcript', () => {
    expect(segmentText('Фото: Reuters\n\nТекст статьи.\n\nФото: AP').mode).toBe('paragraphs');
    expect(segmentText('Anna: Hi.\nBoris: Hello.\nAnna: Bye.\nBoris: Bye.').mode).toBe('turns');
  });

  it('reads a 12:30 time in prose as prose', () => {
    expect(segmentText('We met at 12:30 near the station.\nThen we walked.').mode).toBe('paragraphs');
  });
});

describe('label rules', () => {
  it.each([
    ['Interviewer', true], ['интервьюер', true], ['Anna K.', true], ['ВС', true], ['Ольга Д.', true], ['P1', true], ['Speaker 2', true],
    ['the problem', false], ['He said', false], ['Москва, Россия', false], ['', false], ['A very long label with many words in it', false],
    ['Interviewer (Anna)', true], ['Anna (respondent)', true], ['Иван К. (Вильнюс)', true],
    ['Note (see below)', false], ['Interviewer (see below)', false], ['(Anna)', false], ['Anna (Boris (C))', false],
  ])('isLabelCandidate(%j) = %s', (label, expected) => {
    expect(isLabelCandidate(label)).toBe(expected);
  });

  it('accepts unknown labels only when they recur in a dialogue', () => {
    expect([...acceptedLabels(['Фото', 'Фото'])]).toEqual([]);
    expect([...acceptedLabels(['Anna', 'Boris', 'Anna', 'Boris'])].sort()).toEqual(['Anna', 'Boris']);
    expect([...acceptedLabels(['Interviewer', 'Mikko L.', 'Interviewer', 'Mikko L.', 'Note'])].sort()).toEqual(['Interviewer', 'Mikko L.']);
    // A parenthesised role makes a label sure, as the role alone would; a parenthesised name does not.
    expect([...acceptedLabels(['Anna (interviewer)'])]).toEqual(['Anna (interviewer)']);
    expect([...acceptedLabels(['Фото (Анна)', 'Фото (Анна)'])]).toEqual([]);
  });

  it('parses --speakers and refuses a pair without =', () => {
    expect([...parseSpeakerMap('И=Interviewer,Р=Respondent')]).toEqual([['И', 'Interviewer'], ['Р', 'Respondent']]);
    expect(() => parseSpeakerMap('И Interviewer')).toThrow(/not LABEL=NAME/);
    expect(() => parseSpeakerMap(' , ')).toThrow(/empty/);
  });

  it('takes a name with a comma or = in double quotes, and names in NFC with single spaces', () => {
    expect([...parseSpeakerMap('"Аня, Вильнюс"=M1,Igor=M2')]).toEqual([['Аня, Вильнюс', 'M1'], ['Igor', 'M2']]);
    expect([...parseSpeakerMap('"x=y"=Z')]).toEqual([['x=y', 'Z']]);
    expect([...parseSpeakerMap(`${'Пётр'.normalize('NFD')}  Й.=P1`)]).toEqual([['Пётр Й.', 'P1']]);
  });

  it('finds a leading label in a cue', () => {
    expect(leadingLabel('АЛИСА: Да, но по-другому.')).toEqual({ label: 'АЛИСА', rest: 'Да, но по-другому.', timeMs: null });
    expect(leadingLabel('just words')).toBeUndefined();
  });
});

describe('paragraphs and sentences', () => {
  it('splits on blank lines (of any length, with spaces) when there are no labels', () => {
    const text = 'First paragraph\nstill first.\n\n \n\nSecond.\n\n\nThird.';
    expect(turns(text)).toEqual([[null, 'First paragraph\nstill first.'], [null, 'Second.'], [null, 'Third.']]);
  });

  it('takes every line as a paragraph in a text without a blank line', () => {
    expect(turns('one\ntwo\n  \nthree'.replace('  \n', ''))).toEqual([[null, 'one'], [null, 'two'], [null, 'three']]);
  });

  it('cuts paragraphs inside turns and keeps the speaker', () => {
    expect(turns('I: Q one.\nR: Para one.\n\nPara two.', { mode: 'paragraphs' })).toEqual([['I', 'Q one.'], ['R', 'Para one.'], ['R', 'Para two.']]);
  });

  it('cuts Russian and English sentences with the language-aware segmenter', () => {
    const ru = 'Р: Я уехала в 2022 г. через Грузию. Потом — в Вильнюс! Почему? Там были друзья.';
    expect(turns(ru, { mode: 'sentences' }).map(([, text]) => text)).toEqual(['Я уехала в 2022 г. через Грузию.', 'Потом — в Вильнюс!', 'Почему?', 'Там были друзья.']);
    const en = 'Mr. Smith left in 2022. He went to Riga. Why? Friends.';
    expect(turns(en, { mode: 'sentences', language: 'en' }).map(([, text]) => text)).toEqual(['Mr. Smith left in 2022.', 'He went to Riga.', 'Why?', 'Friends.']);
  });

  it('has a fallback splitter for runtimes without Intl.Segmenter', () => {
    const piece = 'One. Two! «Three?» Four…\nFive';
    expect(fallbackSentenceStarts(piece).map((start, index, all) => piece.slice(start, all[index + 1]).trim())).toEqual(['One.', 'Two!', '«Three?»', 'Four…', 'Five']);
  });

  it('refuses --segment turns without labels, naming the way out', () => {
    expect(() => segmentText('just prose', { mode: 'turns' })).toThrow(/no speaker labels found/);
  });
});

describe('detectLanguage', () => {
  it.each([
    ['Я уехала в Вильнюс, где работает NGO Freedom House.', 'ru'],
    ['I left for Vilnius, where «Мемориал» works.', 'en'],
    ['12:30 — 14:00', null],
    ['Wir haben in Berlin einen Verein gegründet, und die Arbeit ist nicht leicht, aber wir machen weiter.', 'de'],
    ['No, pero sí lo van a modificar y expandir aún más hacia otros ambientes, porque es muy necesaria para los niños.', 'es'],
    ['Nie wiem, czy to jest dobry pomysł, ale w Krakowie jest już duża grupa, która się spotyka.', 'pl'],
    ['Mes įkūrėme organizaciją Vilniuje, ir tai buvo sunku, bet kaip kitaip, jie mums padėjo.', 'lt'],
    ['Mēs Rīgā izveidojām biedrību, un tas bija grūti, bet viņi mums arī palīdzēja, lai varētu strādāt.', 'lv'],
    ['Me perustimme yhdistyksen Helsingissä, ja se oli vaikeaa, mutta kun ihmiset auttoivat, niin se onnistui.', 'fi'],
    ['Nous avons créé une association pour les exilés, et ce n\'est pas facile, mais nous sommes là avec eux.', 'fr'],
    ['Ми виїхали до Вільнюса, і там є громада, яка допомагає українцям.', 'uk'],
    ['Yes. Riga. 2022.', 'en'],
  ])('%j → %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });
});

describe('assembleUnits (cues, survey answers)', () => {
  it('prefixes speakers in the text but not in the segments, and keeps media times', () => {
    const result = assembleUnits([
      { speaker: 'Interviewer', text: 'How?', tStart: 1000, tEnd: 2000 },
      { speaker: null, text: '  \n ' },
      { speaker: 'Sasha', text: 'Like\r\nthis.', tStart: 2500, tEnd: 4000 },
    ]);
    expect(result.text).toBe('Interviewer: How?\n\nSasha: Like\nthis.');
    expect(result.segments.map((segment) => [segment.speaker, segment.text, segment.tStart, segment.tEnd])).toEqual([
      ['Interviewer', 'How?', 1000, 2000],
      ['Sasha', 'Like\nthis.', 2500, 4000],
    ]);
    expectSlices(result.text, result.segments);
  });

  it('cuts a unit at its blank lines with --segment paragraphs, each paragraph keeping the speaker', () => {
    const result = assembleUnits([{ speaker: 'Аня', text: 'Первый абзац.\n\nВторой абзац.' }, { speaker: 'Игорь', text: 'Ответ.' }], { mode: 'paragraphs' });
    expect(result.segments.map((segment) => [segment.speaker, segment.text])).toEqual([['Аня', 'Первый абзац.'], ['Аня', 'Второй абзац.'], ['Игорь', 'Ответ.']]);
    expectSlices(result.text, result.segments);
  });

  it('detects the language from the answers, not from the question ids', () => {
    expect(assembleUnits([{ speaker: 'q1_activities_and_networks', text: 'Нет.' }]).language).toBe('ru');
  });
});

describe('planCarryOver', () => {
  const old = [
    { id: 1, speaker: 'I', text: 'How?', attached: false },
    { id: 2, speaker: 'R', text: 'Yes.', attached: true },
    { id: 3, speaker: 'R', text: 'Yes.', attached: true },
    { id: 4, speaker: 'R', text: 'Changed later.', attached: true },
    { id: 5, speaker: 'R', text: 'Uncoded and gone.', attached: false },
  ];

  it('matches by speaker and exact text, the k-th repeat to the k-th repeat', () => {
    const fresh = [{ speaker: 'I', text: 'New question?' }, { speaker: 'R', text: 'Yes.' }, { speaker: 'I', text: 'How?' }, { speaker: 'R', text: 'Yes.' }, { speaker: 'R', text: 'Changed later.' }];
    const plan = planCarryOver(old, fresh);
    expect([...plan.keep]).toEqual([[1, 2], [2, 1], [3, 3], [4, 4]]);
    expect(plan.lost).toEqual([]);
  });

  it('reports coded segments whose words or speaker changed as lost', () => {
    const plan = planCarryOver(old, [{ speaker: 'R', text: 'Yes.' }, { speaker: 'I', text: 'Yes.' }, { speaker: 'R', text: 'Changed now.' }]);
    expect(plan.lost).toEqual([3, 4]);
  });
});
