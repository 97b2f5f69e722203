import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import {
  benchCodes, codebookYaml, DIMENSIONS, GENDER_WEIGHTS, GENDERS, HOST_COUNTRIES, HOST_COUNTRY_WEIGHTS, type BenchCode,
} from './codebook.js';
import { Prng, WeightedSampler } from './prng.js';
import { buildVocabulary, RARE_WORD_AS_WRITTEN, type Vocabulary } from './vocabulary.js';

// The synthetic corpus: transcripts of about 150 speaker turns, a manifest of cases with attributes,
// the codebook, and (once the import has said which slug and ordinal each turn got) the codings.
// Every document draws from its own generator seeded by (corpus seed, document number), so any
// document, and its codings, can be rebuilt on its own and the corpus streams to disk at any size.

export const SIZES = { s: 10, m: 100, l: 1_000, xl: 10_000 } as const;
export type Size = keyof typeof SIZES;
export const DEFAULT_SEED = 20_240_601;
export const CODERS = ['A', 'B', 'C'] as const;
export const TAG_ROWS = 100_000;
/** The code retrieved by the retrieve figure: common enough to return many passages at every size. */
export const RETRIEVE_CODE = 'forms.protest';

const TURNS_MIN = 140;
const TURNS_MAX = 160;
const SPEAKERS_RU = ['Интервьюер:', 'Респондент:'] as const;
const SPEAKERS_SHORT = ['I:', 'R:'] as const;

export interface CorpusDocument {
  index: number;
  file: string;
  stem: string;
  caseId: string;
  language: 'ru' | 'en';
  encoding: 'utf8' | 'cp1251';
  bytes: number;
  turns: number;
  hostCountry: string;
  emigrationYear: number;
  gender: string;
}

export interface Corpus {
  dir: string;
  transcriptsDir: string;
  manifestPath: string;
  codebookPath: string;
  indexPath: string;
  seed: number;
  documents: CorpusDocument[];
  bytes: number;
  turns: number;
}

export const TRANSCRIPTS_FOLDER = 'transcripts';

/** Writes transcripts with their manifest.csv, codebook.yaml and index.json (what the floor needs to know) into dir. */
export function writeCorpus(dir: string, documentCount: number, seed = DEFAULT_SEED): Corpus {
  const transcriptsDir = join(dir, TRANSCRIPTS_FOLDER);
  mkdirSync(transcriptsDir, { recursive: true });
  const vocabulary = buildVocabulary(seed);
  const width = Math.max(5, String(documentCount).length);
  const documents: CorpusDocument[] = [];
  let bytes = 0;
  let turns = 0;
  for (let index = 0; index < documentCount; index++) {
    const document = writeTranscript(transcriptsDir, vocabulary, seed, index, width);
    documents.push(document);
    bytes += document.bytes;
    turns += document.turns;
  }
  // As in the README's example, the manifest sits beside the transcripts and names each by its file name.
  const manifestPath = join(transcriptsDir, 'manifest.csv');
  const manifest = ['file,case,host_country,emigration_year,gender'];
  for (const document of documents) {
    manifest.push(`${document.file},${document.caseId},${document.hostCountry},${document.emigrationYear},${document.gender}`);
  }
  writeFileSync(manifestPath, `${manifest.join('\n')}\n`);
  const codebookPath = join(dir, 'codebook.yaml');
  writeFileSync(codebookPath, codebookYaml());
  const indexPath = join(dir, 'index.json');
  writeFileSync(indexPath, JSON.stringify({ seed, documents }));
  return { dir, transcriptsDir, manifestPath, codebookPath, indexPath, seed, documents, bytes, turns };
}

/** Turns alternate, one line each, the interviewer first: one turn is one segment for any turn segmenter. */
export function isRespondentTurn(turn: number): boolean {
  return turn % 2 === 1;
}

function writeTranscript(folder: string, vocabulary: Vocabulary, seed: number, index: number, width: number): CorpusDocument {
  const rng = new Prng(seed, 1, index);
  // One file in ten is a Russian transcript saved by a Russian Windows machine.
  const encoding = index % 10 === 3 ? 'cp1251' : 'utf8';
  const language = encoding === 'cp1251' || rng.chance(0.65) ? 'ru' : 'en';
  const speakers = language === 'ru' && rng.chance(0.6) ? SPEAKERS_RU : SPEAKERS_SHORT;
  const turnCount = rng.between(TURNS_MIN, TURNS_MAX);
  const lines: string[] = [];
  for (let turn = 0; turn < turnCount; turn++) {
    const respondent = isRespondentTurn(turn);
    let text = turnText(rng, vocabulary, language, respondent);
    if ((index === 0 && turn === 7) || rng.chance(1 / 1500)) text = `${text} ${RARE_WORD_AS_WRITTEN}.`;
    lines.push(`${speakers[respondent ? 1 : 0]} ${text}`);
  }
  const text = `${lines.join('\n')}\n`;
  const stem = `t${String(index + 1).padStart(width, '0')}`;
  const file = `${stem}.txt`;
  const content = encoding === 'cp1251' ? iconv.encode(text, 'win1251') : Buffer.from(text, 'utf8');
  writeFileSync(join(folder, file), content);
  return {
    index,
    file,
    stem,
    caseId: `R${String(index + 1).padStart(width, '0')}`,
    language,
    encoding,
    bytes: content.length,
    turns: turnCount,
    hostCountry: HOST_COUNTRIES[new WeightedSampler(HOST_COUNTRY_WEIGHTS).draw(rng)] as string,
    emigrationYear: rng.chance(0.7) ? rng.between(2022, 2024) : rng.between(2012, 2021),
    gender: GENDERS[new WeightedSampler(GENDER_WEIGHTS).draw(rng)] as string,
  };
}

function turnText(rng: Prng, vocabulary: Vocabulary, language: 'ru' | 'en', respondent: boolean): string {
  const sentences = respondent ? rng.between(3, 10) : rng.between(1, 2);
  const parts: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const words = rng.between(6, respondent ? 18 : 14);
    const sentence: string[] = [];
    for (let w = 0; w < words; w++) {
      let word: string;
      if (language === 'ru') {
        word = rng.chance(0.03) ? rng.pick(vocabulary.latinInRu) : (vocabulary.ru.words[vocabulary.ru.sampler.draw(rng)] as string);
      } else {
        word = rng.chance(0.01) ? `«${rng.pick(vocabulary.cyrillicInEn)}»` : (vocabulary.en.words[vocabulary.en.sampler.draw(rng)] as string);
      }
      if (w === 0) word = word.charAt(0).toUpperCase() + word.slice(1);
      if (w < words - 1 && rng.chance(0.07)) word += ',';
      sentence.push(word);
    }
    const end = !respondent && s === sentences - 1 ? '?' : rng.chance(0.08) ? '!' : '.';
    parts.push(sentence.join(' ') + end);
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------- codings

export interface PlannedCoding {
  turn: number;
  code: string;
  coder: string;
}

/**
 * The codings of one document by coders A, B and C: about two codes per turn per coder (three on a
 * respondent's turn, one on the interviewer's), drawn from a per-document profile so that codes
 * co-occur as they do in real data. Coders share a "true" set and mostly agree: each keeps a true
 * code with p = 0.9 and adds a stray one with p = 0.1. At most one code of an exclusive dimension.
 */
export function planCodings(seed: number, document: CorpusDocument, codes: readonly BenchCode[]): PlannedCoding[] {
  const rng = new Prng(seed, 2, document.index);
  const weights = codes.map((_, index) => 1 + ((index * 7919) % 13));
  for (let i = 0; i < 10; i++) weights[rng.int(codes.length)]! *= 4;
  const countryIndex = HOST_COUNTRIES.indexOf(document.hostCountry as (typeof HOST_COUNTRIES)[number]);
  const strategies = codes.flatMap((code, index) => (code.dimension === 'strategies' ? [index] : []));
  weights[strategies[countryIndex % strategies.length] as number]! *= 5;
  const sampler = new WeightedSampler(weights);
  const exclusiveOf = (index: number): string | null => ((codes[index] as BenchCode).exclusive ? (codes[index] as BenchCode).dimension : null);

  const planned: PlannedCoding[] = [];
  for (let turn = 0; turn < document.turns; turn++) {
    const size = isRespondentTurn(turn) ? rng.between(1, 5) : rng.between(0, 2);
    const truth = drawSet(rng, sampler, size, exclusiveOf);
    for (const coder of CODERS) {
      const chosen = new Set<number>();
      const choose = (code: number): void => {
        const dimension = exclusiveOf(code);
        if (dimension !== null) for (const other of chosen) if (exclusiveOf(other) === dimension) chosen.delete(other);
        chosen.add(code);
      };
      for (const code of truth) {
        if (rng.chance(0.9)) choose(code);
        if (rng.chance(0.1)) choose(sampler.draw(rng));
      }
      for (const code of [...chosen].sort((a, b) => a - b)) planned.push({ turn, code: (codes[code] as BenchCode).id, coder });
    }
  }
  return planned;
}

function drawSet(rng: Prng, sampler: WeightedSampler, size: number, exclusiveOf: (index: number) => string | null): number[] {
  const set = new Set<number>();
  const exclusiveTaken = new Set<string>();
  for (let attempt = 0; set.size < size && attempt < size * 4; attempt++) {
    const code = sampler.draw(rng);
    const dimension = exclusiveOf(code);
    if (dimension !== null) {
      if (exclusiveTaken.has(dimension)) continue;
      exclusiveTaken.add(dimension);
    }
    set.add(code);
  }
  return [...set];
}

/** Where a document's turns ended up in the project: its slug and the ordinal of each turn. */
export interface DocumentPlacement {
  slug: string;
  ordinalOfTurn: (turn: number) => number | null;
}

/** Documents per codings file: about 29 MB of CSV, under qcode's 64 MB limit for tag --from. */
const CODINGS_FILE_DOCUMENTS = 1000;

/**
 * The codings of A, B and C for `qcode tag --from`, one file per 1,000 documents (codings-01.csv, …): a
 * team loading codings from elsewhere sends batches, and qcode takes a CSV of at most 64 MB (xl's
 * codings are about 290 MB). Returns the files in order and the rows in all.
 */
export async function writeCodingsCsv(
  dir: string,
  corpus: Corpus,
  placements: ReadonlyMap<number, DocumentPlacement>,
): Promise<{ files: string[]; rows: number }> {
  const codes = benchCodes();
  const files: string[] = [];
  let rows = 0;
  for (let first = 0; first < corpus.documents.length; first += CODINGS_FILE_DOCUMENTS) {
    const path = join(dir, `codings-${String(files.length + 1).padStart(2, '0')}.csv`);
    const out = createWriteStream(path);
    await write(out, 'document,segment,code,coder\n');
    for (const document of corpus.documents.slice(first, first + CODINGS_FILE_DOCUMENTS)) {
      const placement = placements.get(document.index);
      if (!placement) continue;
      const lines: string[] = [];
      for (const coding of planCodings(corpus.seed, document, codes)) {
        const ordinal = placement.ordinalOfTurn(coding.turn);
        if (ordinal === null) continue;
        lines.push(`${placement.slug},${ordinal},${coding.code},${coding.coder}\n`);
      }
      rows += lines.length;
      await write(out, lines.join(''));
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    files.push(path);
  }
  return { files, rows };
}

/**
 * The tag --from timing file: 100,000 new codings by coders who have none yet (D, E, …), spread over
 * the segments in order, never of the exclusive dimension (so no row can conflict with another).
 */
export function tagCsv(corpus: Corpus, placements: ReadonlyMap<number, DocumentPlacement>): { csv: string; rows: number } {
  const codes = benchCodes().filter((code) => !code.exclusive);
  const segments: Array<[slug: string, ordinal: number]> = [];
  for (const document of corpus.documents) {
    const placement = placements.get(document.index);
    if (!placement) continue;
    for (let turn = 0; turn < document.turns; turn++) {
      const ordinal = placement.ordinalOfTurn(turn);
      if (ordinal !== null) segments.push([placement.slug, ordinal]);
    }
  }
  if (segments.length === 0) return { csv: 'document,segment,code,coder\n', rows: 0 };
  const lines = ['document,segment,code,coder'];
  for (let row = 0; row < TAG_ROWS; row++) {
    const segment = row % segments.length;
    const pass = Math.floor(row / segments.length);
    const [slug, ordinal] = segments[segment] as [string, number];
    const code = codes[(segment * 31 + pass) % codes.length] as BenchCode;
    const coder = String.fromCharCode('D'.charCodeAt(0) + Math.floor(pass / codes.length));
    lines.push(`${slug},${ordinal},${code.id},${coder}`);
  }
  return { csv: `${lines.join('\n')}\n`, rows: TAG_ROWS };
}

function write(out: WriteStream, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

export const CODE_COUNT = DIMENSIONS.reduce((sum, dimension) => sum + dimension.codes.length, 0);
