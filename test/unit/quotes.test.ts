import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  examplesInYaml, foldForQuotes, isRedactedPayloadOf, isRedactionOf, MIN_SHARED_WORDS, QuoteFinder, quoteParts, quotesInYaml, WITHDRAWN_QUOTE, withoutExamples, withoutPassages, withoutQuotingComments,
} from '../../src/core/quotes.js';

const INTERVIEW = 'Интервьюер: Что было дальше?\nR07: Каждую субботу мы стояли с плакатами у посольства,\nдаже в дождь. Потом ещё подписала петицию против выдачи активистов, и её опубликовали.\n';
const ENGLISH = "R12: We didn't stop — every Saturday we stood with posters outside the embassy in Vilnius.";

describe('foldForQuotes', () => {
  it('compares in lower case, ё as е, without double quotes, with plain apostrophes, dashes and single spaces', () => {
    expect(foldForQuotes('«Ёлки»  —\n“Don’t”')).toBe('елки - don\'t');
  });
});

describe('quoteParts', () => {
  it('splits an elided example at each kind of ellipsis and trims the punctuation at the edges', () => {
    expect(quoteParts('«Каждую субботу мы стояли … у посольства, [...] даже в дождь (...) и её опубликовали.»'))
      .toEqual(['каждую субботу мы стояли', 'у посольства', 'даже в дождь', 'и ее опубликовали']);
  });

  it('gives nothing for an example too short to tell a quote from a common phrase', () => {
    expect(quoteParts('went to a protest')).toEqual([]);
    expect(quoteParts('We went … every day')).toEqual([]);
  });
});

describe('QuoteFinder', () => {
  const finder = new QuoteFinder([{ name: 'r07', text: INTERVIEW }, { name: 'r12', text: ENGLISH }]);

  it('finds an example typeset differently from the transcript: quotes, capitals, ё, a full stop, a line break', () => {
    expect(finder.sourceOf('«Подписала петицию против выдачи активистов.»')).toBe('r07');
    expect(finder.sourceOf('"Каждую субботу мы стояли с плакатами у посольства, даже в дождь."')).toBe('r07');
    expect(finder.sourceOf('We didn’t stop – every Saturday we stood with posters')).toBe('r12');
  });

  it('finds an elided example only when every part of it occurs in the same text', () => {
    expect(finder.sourceOf('Каждую субботу мы стояли … подписала петицию против выдачи')).toBe('r07');
    expect(finder.sourceOf('Каждую субботу мы стояли … outside the embassy in Vilnius')).toBeUndefined();
  });

  it('does not take a paraphrase, a longer sentence or a short phrase for a quote', () => {
    expect(finder.sourceOf('Every Saturday we protested outside the embassy in Vilnius.')).toBeUndefined();
    expect(finder.sourceOf('Подписала петицию против выдачи активистов из Литвы.')).toBeUndefined();
    expect(finder.sourceOf('у посольства')).toBeUndefined();
  });

  it('finds nothing without texts', () => {
    const none = new QuoteFinder([]);
    expect(none.empty).toBe(true);
    expect(none.sourceOf('Подписала петицию против выдачи активистов.')).toBeUndefined();
  });
});

describe('QuoteFinder.passagesIn (memos)', () => {
  const finder = new QuoteFinder([{ name: 'r07', text: INTERVIEW }, { name: 'r12', text: ENGLISH }]);

  /** The passages as the text they cover, so that a test reads what would be replaced. */
  function covered(text: string): string[] {
    return finder.passagesIn(text).map(([start, end]) => text.slice(start, end));
  }

  it('finds a passage in quotation marks that reads as an example would, however it is typeset', () => {
    const memo = 'R07 on H1: «Подписала петицию против выдачи активистов» — typical, see also "the courts".';
    expect(covered(memo)).toEqual(['Подписала петицию против выдачи активистов']);
  });

  it(`finds ${MIN_SHARED_WORDS} or more words in a row shared with a text, without quotation marks, whatever the case and line breaks`, () => {
    const memo = 'She says every Saturday we stood\nwith Posters outside the embassy, which matters for H2.';
    expect(covered(memo)).toEqual(['every Saturday we stood\nwith Posters outside the embassy']);
  });

  it(`leaves a run of fewer than ${MIN_SHARED_WORDS} shared words, a quoted paraphrase and a text with nothing shared`, () => {
    const seven = ENGLISH.split(/\s+/).slice(5, 5 + MIN_SHARED_WORDS - 1).join(' ');
    expect(seven).toMatch(/^every Saturday/);
    expect(seven.split(' ')).toHaveLength(MIN_SHARED_WORDS - 1);
    expect(covered(`We noted: ${seven} and more of our own words.`)).toEqual([]);
    expect(covered('She said "every Saturday we protested at the embassy in Vilnius".')).toEqual([]);
    expect(covered('The team met on Monday.')).toEqual([]);
  });

  it('merges overlapping passages into one, and replaces each with the withdrawal marker, the rest as written', () => {
    const memo = 'Compare «каждую субботу мы стояли с плакатами у посольства, даже в дождь» (R07) and R12.';
    const passages = finder.passagesIn(memo);
    expect(passages).toHaveLength(1);
    expect(withoutPassages(memo, passages)).toBe(`Compare «${WITHDRAWN_QUOTE}» (R07) and R12.`);
  });

  it('finds nothing without texts', () => {
    expect(new QuoteFinder([]).passagesIn('«Подписала петицию против выдачи активистов»')).toEqual([]);
  });
});

const CODEBOOK = `codebook: test
version: 1
dimensions:
  - id: forms
    label: Forms
    codes:
      - id: protest
        label: Protest
        # the team's favourite quote
        examples:
          - "Каждую субботу мы стояли с плакатами у посольства."
          - "A generic example written by the team for coders."
        codes:
          - id: picket
            label: Picket
            examples: ["Подписала петицию против выдачи активистов.", "Another invented example sentence here.", 'We stood with posters outside the embassy in Vilnius.']
      - id: petitions
        label: Petitions
        examples:
          - >-
            Подписала петицию
            против выдачи активистов.
        color: "#173480"
`;

describe('examplesInYaml', () => {
  it('names each example by the code id the codebook makes (dimension.code.child) and its line:col', () => {
    const found = examplesInYaml(CODEBOOK);
    expect(found.map(({ code, line, col }) => [code, line, col])).toEqual([
      ['forms.protest', 11, 13],
      ['forms.protest', 12, 13],
      ['forms.protest.picket', 16, 24],
      ['forms.protest.picket', 16, 71],
      ['forms.protest.picket', 16, 114],
      ['forms.petitions', 20, 13],
    ]);
    expect(found[5]?.text).toBe('Подписала петицию против выдачи активистов.');
  });

  it('finds none in a file that is not YAML', () => {
    expect(examplesInYaml('examples: [unclosed\n  - "x')).toEqual([]);
  });
});

describe('withoutExamples', () => {
  const finder = new QuoteFinder([{ name: 'r07', text: INTERVIEW }]);
  const quoted = (text: string): boolean => finder.sourceOf(text) !== undefined;

  it('cuts only the quoting items, leaving every other line as written (comments, folded texts)', () => {
    const { yaml, removed } = withoutExamples(CODEBOOK, quoted);
    expect(removed).toBe(3);
    const lines = CODEBOOK.split('\n');
    const expected = [
      ...lines.slice(0, 10),
      ...lines.slice(11, 15),
      `            examples: ["Another invented example sentence here.", 'We stood with posters outside the embassy in Vilnius.']`,
      ...lines.slice(16, 19),
      '          []',
      ...lines.slice(22),
    ].join('\n');
    expect(yaml).toBe(expected);
    const codes = (parse(yaml) as { dimensions: Array<{ codes: Array<{ examples: string[]; codes?: Array<{ examples: string[] }> }> }> }).dimensions[0]!.codes;
    expect(codes[0]!.examples).toEqual(['A generic example written by the team for coders.']);
    expect(codes[0]!.codes![0]!.examples).toEqual(['Another invented example sentence here.', 'We stood with posters outside the embassy in Vilnius.']);
    expect(codes[1]!.examples).toEqual([]);
  });

  it('cuts the last item of a flow list with the comma before it, and every item down to []', () => {
    const last = withoutExamples('examples: ["Another invented example sentence here.", "Подписала петицию против выдачи активистов."]\n', quoted);
    expect(last.yaml).toBe('examples: ["Another invented example sentence here."]\n');
    const only = withoutExamples('examples: [ "Подписала петицию против выдачи активистов." ]\n', quoted);
    expect(only.yaml).toBe('examples: [ ]\n');
    expect(parse(only.yaml)).toEqual({ examples: [] });
  });

  it('cuts the last two items of a flow list as one stretch, and keeps CR LF line ends', () => {
    const two = withoutExamples('examples: ["Another invented example sentence here.", "Подписала петицию против выдачи активистов.", "Каждую субботу мы стояли с плакатами у посольства"]\n', quoted);
    expect(two).toEqual({ yaml: 'examples: ["Another invented example sentence here."]\n', removed: 2 });
    const around = withoutExamples('examples: ["Подписала петицию против выдачи активистов.", "Another invented example sentence here.", "Каждую субботу мы стояли с плакатами у посольства"]\n', quoted);
    expect(around.yaml).toBe('examples: ["Another invented example sentence here."]\n');
    const first = withoutExamples('examples: ["Подписала петицию против выдачи активистов.", "Каждую субботу мы стояли с плакатами у посольства", keep this one]\n', quoted);
    expect(first.yaml).toBe('examples: [keep this one]\n');
    const crlf = 'a:\r\n  examples:\r\n    - "Подписала петицию против выдачи активистов."\r\n  b: 1\r\n';
    expect(withoutExamples(crlf, quoted).yaml).toBe('a:\r\n  examples:\r\n    []\r\n  b: 1\r\n');
  });

  it('replaces an example in place when an alias elsewhere names its anchor, so that the YAML still reads', () => {
    const aliased = 'examples:\n  - &q "Подписала петицию против выдачи активистов."\n  - "Another invented example sentence here."\ninclude: *q\n';
    const { yaml, removed } = withoutExamples(aliased, quoted);
    expect(removed).toBe(1);
    expect(yaml).toBe(`examples:\n  - &q "${WITHDRAWN_QUOTE}"\n  - "Another invented example sentence here."\ninclude: *q\n`);
    expect(parse(yaml)).toEqual({ examples: [WITHDRAWN_QUOTE, 'Another invented example sentence here.'], include: WITHDRAWN_QUOTE });
  });

  it('leaves a text with no quoting example, or one that is not YAML, exactly as it was', () => {
    expect(withoutExamples(CODEBOOK, () => false)).toEqual({ yaml: CODEBOOK, removed: 0 });
    expect(withoutExamples('examples: [unclosed', () => true)).toEqual({ yaml: 'examples: [unclosed', removed: 0 });
  });
});

describe('quotes in a YAML text beyond its examples', () => {
  const finder = new QuoteFinder([{ name: 'r07', text: INTERVIEW }]);

  it('finds a commented-out example and a comment quoting a run of words, never a # inside a text', () => {
    const yaml = [
      'codes:',
      '  - id: protest   # «Подписала петицию против выдачи активистов»',
      '    definition: "# Каждую субботу мы стояли с плакатами у посольства"',
      '    # - Каждую субботу мы стояли с плакатами у посольства, даже в дождь',
      '    examples: ["Another invented example sentence here."]',
      '',
    ].join('\n');
    expect(quotesInYaml(yaml, finder)).toEqual([
      { line: 2, col: 19, what: 'a comment', source: undefined },
      { line: 4, col: 5, what: 'a comment', source: undefined },
    ]);
    const { yaml: cleaned, removed } = withoutQuotingComments(yaml, finder);
    expect(removed).toBe(2);
    expect(cleaned.split('\n')).toEqual([
      'codes:',
      `  - id: protest   # ${WITHDRAWN_QUOTE}`,
      '    definition: "# Каждую субботу мы стояли с плакатами у посольства"',
      `    # ${WITHDRAWN_QUOTE}`,
      '    examples: ["Another invented example sentence here."]',
      '',
    ]);
    expect(parse(cleaned)).toEqual(parse(yaml));
  });

  it('names each quoting example with its code, and compares a file that is not YAML line by line', () => {
    expect(quotesInYaml(CODEBOOK, finder).map((place) => `${place.line}:${place.what}:${place.source}`))
      .toEqual(['11:the example of code forms.protest:r07', '16:the example of code forms.protest.picket:r07', '20:the example of code forms.petitions:r07']);
    expect(quotesInYaml('codes: [unclosed\n  - "Подписала петицию против выдачи активистов"\n', finder)).toEqual([{ line: 2, col: 6, what: 'line 2', source: undefined }]);
    expect(quotesInYaml(CODEBOOK, new QuoteFinder([]))).toEqual([]);
  });
});

describe('folding, both sides alike', () => {
  it('takes ʼ for an apostrophe, keeps words joined by a hyphen, and reads text not in NFC', () => {
    const finder = new QuoteFinder([{ name: 'u1', text: "Ми бачили м'ята на ринку, кто-то ещё ходил туда кожного ранку, і все було добре." }]);
    expect(finder.sourceOf('«мʼята на ринку, кто‑то ещё ходил туда»')).toBe('u1');
    const memo = 'ми бачили мʼята на ринку кто‑то ещё ходил туда'.normalize('NFD');
    expect(finder.passagesIn(memo)).toEqual([[0, memo.length]]);
  });
});

describe('a passage the texts that stay hold too', () => {
  it('is not a quote: an interview guide\'s question asked in every interview', () => {
    const question = 'What did you do in the first year after you left Russia?';
    const finder = new QuoteFinder([{ name: 'r07', text: `Interviewer: ${question}\nR07: We organised a legal aid hotline for the detained.` }], (passage) => question.includes(passage));
    expect(finder.passagesIn(`Asked "${question}" everyone`)).toEqual([]);
    expect(finder.passagesIn('She said we organised a legal aid hotline for the detained.')).toHaveLength(1);
  });
});

describe('isRedactionOf', () => {
  it('tells a memo whose quotes were replaced from the one that still holds them, and from another memo', () => {
    const redacted = `R07 said ${WITHDRAWN_QUOTE} and «${WITHDRAWN_QUOTE}» (H1).`;
    expect(isRedactionOf(redacted, 'R07 said we stood there every week and «подписала петицию» (H1).')).toBe(true);
    expect(isRedactionOf(redacted, 'R08 said we stood there every week and «подписала петицию» (H1).')).toBe(false);
    expect(isRedactionOf('No quote (H1).', 'No quote (H1).')).toBe(true);
    expect(isRedactionOf(`a.b ${WITHDRAWN_QUOTE}`, 'aXb text')).toBe(false);
  });

  it('compares memo events field by field, only the memo texts by redaction', () => {
    const original = JSON.stringify({ memo: 2, before: 'Compare «мы стояли» with R12.', after: 'Compare «мы стояли» with R14.' });
    const redacted = JSON.stringify({ memo: 2, before: `Compare «${WITHDRAWN_QUOTE}» with R12.`, after: `Compare «${WITHDRAWN_QUOTE}» with R14.` });
    expect(isRedactedPayloadOf(redacted, original)).toBe(true);
    expect(isRedactedPayloadOf(redacted.replace('"memo":2', '"memo":3'), original)).toBe(false);
    expect(isRedactedPayloadOf(redacted, JSON.stringify({ memo: 2, before: 'Compare «мы стояли» with R12.' }))).toBe(false);
  });
});
