import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { examplesInYaml, foldForQuotes, MIN_SHARED_WORDS, QuoteFinder, quoteParts, WITHDRAWN_QUOTE, withoutExamples, withoutPassages } from '../../src/core/quotes.js';

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

  it('leaves a text with no quoting example, or one that is not YAML, exactly as it was', () => {
    expect(withoutExamples(CODEBOOK, () => false)).toEqual({ yaml: CODEBOOK, removed: 0 });
    expect(withoutExamples('examples: [unclosed', () => true)).toEqual({ yaml: 'examples: [unclosed', removed: 0 });
  });
});
