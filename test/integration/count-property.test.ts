import { describe, expect, it } from 'vitest';
import { countUnits } from '../../src/app/analysis.js';
import { closeProject, openProject } from '../../src/app/project.js';
import { spansOverlap, type Unit } from '../../src/core/cooccurrence.js';
import { mulberry32 } from '../../src/core/random.js';
import { loadAnalysisFrame, segmentsAndCodingsPerCode, type CoderIds } from '../../src/store/analysis.js';
import { seedAnalysisProject, type SeedCoding, type SeedProject } from '../analysis-seed.js';

// Every count (cooccur, stats, the exports' tables) reads the codings code by code and merges them by
// segment. Here random projects, with spans that overlap, touch or stand apart, the same code whole and
// as a span, and several coders, are counted again straight from their definition, one segment at a time.

const CODES = ['forms.protest', 'forms.letters', 'forms.media', 'effect.mobilising', 'effect.inhibiting'];
const CODERS = ['anna', 'boris', 'vera'];

function randomProject(seed: number): SeedProject {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const cases = ['P1', 'P2', 'P3'].map((id) => ({ id }));
  const documents = Array.from({ length: 2 + Math.floor(random() * 5) }, (_, d) => ({
    slug: `d${d}`,
    ...(random() < 0.8 ? { case: pick(cases).id } : {}),
    segments: Array.from({ length: 1 + Math.floor(random() * 8) }, () => {
      const codings: SeedCoding[] = [];
      const keys = new Set<string>();
      for (let n = Math.floor(random() * 7); n > 0; n--) {
        const span: [number, number] | undefined = random() < 0.5 ? undefined : ((start) => [start, start + 1 + Math.floor(random() * 6)] as [number, number])(Math.floor(random() * 12));
        const coding: SeedCoding = { code: pick(CODES), coder: pick(CODERS), ...(span ? { span } : {}) };
        const key = `${coding.code} ${coding.coder} ${span?.join('-') ?? ''}`;
        if (!keys.has(key)) codings.push(coding);
        keys.add(key);
      }
      return { text: 'Twenty characters...', codings };
    }),
  }));
  return { cases, documents };
}

interface Expected {
  codeUnits: number[];
  pairUnits: number[];
  segments: number[];
  codings: number[];
}

/** The counts from their definition: two codes co-occur in a segment unless both are spans there and no two of their spans overlap. */
function countByDefinition(project: SeedProject, unit: Unit, coders: readonly string[] | null): Expected {
  const K = CODES.length;
  const codeUnits = new Array<number>(K).fill(0);
  const pairUnits = new Array<number>(K * K).fill(0);
  const segments = new Array<number>(K).fill(0);
  const codings = new Array<number>(K).fill(0);
  const unitCodes = new Map<string, Set<number>>();
  const addUnit = (codes: Set<number>, together: (a: number, b: number) => boolean): void => {
    for (const a of codes) {
      codeUnits[a]! += 1;
      for (const b of codes) if (a !== b && together(a, b)) pairUnits[a * K + b]! += 1;
    }
    for (let a = 0; a < K; a++) pairUnits[a * K + a] = codeUnits[a]!;
  };
  project.documents.forEach((document) => document.segments.forEach((segment) => {
    const chosen = (segment.codings ?? []).filter((coding) => coders === null || coders.includes(coding.coder));
    const codes = new Set(chosen.map((coding) => CODES.indexOf(coding.code)));
    for (const code of codes) segments[code]! += 1;
    for (const coding of chosen) codings[CODES.indexOf(coding.code)]! += 1;
    const of = (code: number): SeedCoding[] => chosen.filter((coding) => CODES.indexOf(coding.code) === code);
    if (unit === 'segment') {
      addUnit(codes, (a, b) => of(a).some((x) => of(b).some((y) => x.span === undefined || y.span === undefined || spansOverlap(x.span[0], x.span[1], y.span[0], y.span[1]))));
      return;
    }
    const key = unit === 'document' ? document.slug : document.case;
    if (key === undefined) return;
    const merged = unitCodes.get(key) ?? new Set<number>();
    for (const code of codes) merged.add(code);
    unitCodes.set(key, merged);
  }));
  for (const codes of unitCodes.values()) addUnit(codes, () => true);
  return { codeUnits, pairUnits, segments, codings };
}

const SELECTIONS: Array<readonly string[] | null> = [null, ['anna'], ['boris', 'vera']];

describe('counting codings code by code', () => {
  it('gives the counts of the definition on 40 random projects, for every unit and coder selection', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const spec = randomProject(seed);
      const project = openProject({ project: await seedAnalysisProject(spec) });
      try {
        const frame = loadAnalysisFrame(project.db);
        const coderId = new Map((project.db.prepare('SELECT name, id FROM coders').raw().all() as Array<[string, number]>));
        const index = CODES.map((code) => frame.codeIndex.get(code)!);
        for (const coders of SELECTIONS) {
          const ids: CoderIds = coders === null ? null : coders.map((name) => coderId.get(name) ?? -1);
          const perCode = segmentsAndCodingsPerCode(project.db, CODES, ids);
          const expected = countByDefinition(spec, 'segment', coders);
          expect(CODES.map((code) => perCode.get(code)!.segments), `seed ${seed}, coders ${String(coders)}`).toEqual(expected.segments);
          expect(CODES.map((code) => perCode.get(code)!.codings), `seed ${seed}, coders ${String(coders)}`).toEqual(expected.codings);
          for (const unit of ['segment', 'document', 'case'] as const) {
            const counts = countUnits(project.db, frame, unit, ids);
            const want = countByDefinition(spec, unit, coders);
            const where = `seed ${seed}, unit ${unit}, coders ${String(coders)}`;
            expect(index.map((i) => counts.codeUnits[i]), where).toEqual(want.codeUnits);
            expect(index.flatMap((i) => index.map((j) => counts.pairUnits[i * counts.codeCount + j])), where).toEqual(want.pairUnits);
          }
        }
      } finally {
        closeProject(project);
      }
    }
  });
});
