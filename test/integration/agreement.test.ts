import { describe, expect, it } from 'vitest';
import { computeAgreement, listDisagreements, type AgreementReport, type CodeAgreement } from '../../src/app/agreement.js';
import { CodingSession } from '../../src/app/coding.js';
import { binaryAlpha, cohenKappa, krippendorffAlpha } from '../../src/core/agreement.js';
import { UserError } from '../../src/core/errors.js';
import { agreementProject, presence, range, recordWork, type Work } from '../agreement-seed.js';
import { withProject } from '../seed.js';

function code(report: AgreementReport, id: string): CodeAgreement {
  const found = report.codes.find((item) => item.code === id);
  if (found === undefined) throw new Error(`no ${id} in the report`);
  return found;
}

// Krippendorff (2011) section C: 4 observers × 12 units, "." missing. Here each value v is the code rating.rv of an
// exclusive dimension, every observer has seen every unit, and "." is a unit seen but left without a rating.
const KRIPPENDORFF_C: ReadonlyArray<ReadonlyArray<number | null>> = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];
const OBSERVERS = ['A', 'B', 'C', 'D'];

describe('agreement: per code, two coders (hand-computed table)', () => {
  // ATLAS.ti manual ICA example: anna 1100000000, boris 0110010100 → PA 0.6, κ 0.090909, α 0.095238 (REFERENCE 2b).
  // Projects live in temporary folders removed after each test, so each test builds its own.
  const atlasReport = (): AgreementReport => {
    const dir = agreementProject({ talk: 10, other: 4 });
    recordWork(dir, [
      { coder: 'anna', document: 'talk', seen: range(1, 10), codes: { ...presence('1100000000', 'topics.protest'), 4: ['topics.petition'], 5: ['topics.petition'] } },
      { coder: 'boris', document: 'talk', seen: range(1, 10), codes: { ...presence('0110010100', 'topics.protest'), 4: ['topics.petition'], 5: ['topics.petition'] } },
    ]);
    return withProject(dir, (project) => computeAgreement(project, { coders: ['anna', 'boris'] }));
  };

  it('counts units seen by both and by at least two', () => {
    expect(atlasReport()).toMatchObject({ coders: ['anna', 'boris'], unit: 'segment', units: 14, unitsSeenByAll: 10, unitsSeenByTwo: 10 });
  });

  it('gives percent agreement 0.6, kappa 0.090909 and binary alpha 0.095238 for the ATLAS.ti example', () => {
    const report = atlasReport();
    const protest = code(report, 'topics.protest');
    expect(protest.coded).toEqual([2, 4]);
    expect(protest.units).toBe(10);
    expect(protest.table).toEqual([[5, 3], [1, 1]]);
    expect(protest.percentAgreement).toBeCloseTo(0.6, 12);
    expect(protest.kappa?.kappa).toBeCloseTo(0.090909, 6);
    expect(protest.alpha.alpha).toBeCloseTo(0.095238, 6);
    expect(protest.flag).toBe('below 0.667');
  });

  it('gives 1 for perfect agreement and null (undefined, not NaN) for a code nobody used', () => {
    const report = atlasReport();
    const petition = code(report, 'topics.petition');
    expect([petition.percentAgreement, petition.kappa?.kappa, petition.alpha.alpha, petition.flag]).toEqual([1, 1, 1, 'ok']);
    const rare = code(report, 'topics.rare');
    expect(rare.percentAgreement).toBe(1);
    expect(rare.kappa).toMatchObject({ kappa: null, reason: 'no-variation' });
    expect(rare.alpha).toMatchObject({ alpha: null, reason: 'no-variation' });
    expect(rare.flag).toBe('undefined');
  });

  it('pools a dimension over the codes someone applied: summed tables and coincidence matrices, and the mean of defined alphas', () => {
    const report = atlasReport();
    const topics = report.dimensions.find((dimension) => dimension.dimension === 'topics')!;
    // topics.rare, which nobody applied, is left out: 2 codes × 10 units; agreed: protest 6, petition 10.
    expect(topics.codes).toBe(2);
    expect([topics.decisions, topics.agreed]).toEqual([20, 16]);
    // Summed 2×2 table [[5+8, 3], [1, 1+2]] = [[13, 3], [1, 3]].
    expect(topics.kappa?.kappa).toBeCloseTo(cohenKappa([...Array(13).fill(0), ...Array(3).fill(0), 1, 1, 1, 1], [...Array(13).fill(0), 1, 1, 1, 0, 1, 1, 1]).kappa!, 12);
    expect(topics.meanAlpha).toBeCloseTo((0.095238095 + 1) / 2, 6);
    expect(topics.definedAlphas).toBe(2);
    // Pooled coincidences: o00 = 10+16, o01 = o10 = 4, o11 = 2+4 → alpha of [[26,4],[4,6]] = 0.48.
    const n0 = 30;
    const n1 = 10;
    const expected = 1 - ((8 / 40) / ((2 * n0 * n1) / (40 * 39)));
    expect(topics.pooledAlpha.alpha).toBeCloseTo(expected, 12);
  });
});

describe('agreement: missing data and more than two coders (hand-computed)', () => {
  // topics.petition over "three": unit 1 seen by all (1,1,0); unit 2 seen by all (0,0,0); unit 3 seen by anna and
  // boris (1,0); unit 4 seen by vera only (1). Coincidences o00 = 3, o01 = o10 = 2, o11 = 1 → α = 1/15.
  const work: Work[] = [
    { coder: 'anna', document: 'three', seen: [1, 2, 3], codes: { 1: ['topics.petition'], 3: ['topics.petition'] } },
    { coder: 'boris', document: 'three', seen: [1, 2, 3], codes: { 1: ['topics.petition'] } },
    { coder: 'vera', document: 'three', seen: [1, 2, 4], codes: { 4: ['topics.petition'] } },
    { coder: 'anna', document: 'talk', seen: range(1, 10) },
  ];

  it('uses units seen by all for percent agreement and units seen by two or more for alpha', () => {
    const dir = agreementProject({ talk: 10, three: 4 });
    recordWork(dir, work);
    const report = withProject(dir, (project) => computeAgreement(project, { coders: ['anna', 'boris', 'vera'], documents: ['three'], codes: ['topics.petition'] }));
    expect(report).toMatchObject({ units: 4, unitsSeenByAll: 2, unitsSeenByTwo: 3 });
    const petition = code(report, 'topics.petition');
    expect(petition.coded).toEqual([2, 1, 1]);
    expect(petition.percentAgreement).toBe(0.5);
    expect(petition.kappa).toBeNull();
    expect(petition.alpha.alpha).toBeCloseTo(1 / 15, 12);
    expect(petition.alpha.units).toBe(3);
    expect(petition.alpha.pairableValues).toBe(8);
  });

  it('counts a coder as having seen what they coded, even without a seen mark', () => {
    const extra = agreementProject({ d: 2 });
    recordWork(extra, [
      { coder: 'anna', document: 'd', codes: { 1: ['topics.protest'] } },
      { coder: 'boris', document: 'd', codes: { 1: ['topics.protest'] } },
    ]);
    const report = withProject(extra, (project) => computeAgreement(project, { coders: ['anna', 'boris'] }));
    expect(report.unitsSeenByAll).toBe(1);
    expect(code(report, 'topics.protest').table).toEqual([[0, 0], [0, 1]]);
  });
});

describe('agreement: one-dimension passes', () => {
  /** Codes each segment of "talk" in order through the coding session, as `qcode code [--dimension D]` does. */
  const pass = (dir: string, coder: string, answers: string[][], dimension?: string): void => {
    withProject(dir, (project) => {
      const session = CodingSession.open(project, { coder, document: 'talk', dimension });
      for (const codes of answers) session.confirm(codes);
    });
  };
  // anna codes everything; boris goes through "talk" only for the topics dimension.
  const passes = (): string => {
    const dir = agreementProject({ talk: 4 });
    pass(dir, 'anna', [['topics.protest', 'rating.r1'], ['topics.petition'], [], ['rating.r2']]);
    pass(dir, 'boris', [['topics.protest'], [], [], []], 'topics');
    return dir;
  };

  it("counts a coder as seen only for the dimension of the pass: missing, not absent, for the other codes", () => {
    const dir = passes();
    const report = withProject(dir, (project) => computeAgreement(project, { coders: ['anna', 'boris'] }));
    // topics: both went through segments 1-4. protest anna {1} boris {1}; petition anna {2} boris {}.
    expect(code(report, 'topics.protest')).toMatchObject({ units: 4, table: [[3, 0], [0, 1]], percentAgreement: 1 });
    expect(code(report, 'topics.petition')).toMatchObject({ units: 4, table: [[3, 0], [1, 0]], percentAgreement: 0.75 });
    // rating: boris never looked at it, so anna's rating codes meet no second coder.
    expect(code(report, 'rating.r1')).toMatchObject({ coded: [1, 0], units: 0, percentAgreement: null, table: [[0, 0], [0, 0]] });
    expect(code(report, 'rating.r1').alpha).toMatchObject({ alpha: null, reason: 'no-pairable-units' });
    expect(report.dimensions.find((dimension) => dimension.dimension === 'rating')?.decisions).toBe(0);
    expect(report).toMatchObject({ units: 4, unitsSeenByAll: 4, unitsSeenByTwo: 4 });
  });

  it('disagreements compare only the dimensions both went through', () => {
    const dir = passes();
    const report = withProject(dir, (project) => listDisagreements(project, { coders: ['anna', 'boris'] }));
    expect(report.seenByBoth).toBe(4);
    expect(report.disagreements.map(({ ordinal, first, second }) => ({ ordinal, first, second }))).toEqual([
      { ordinal: 2, first: ['topics.petition'], second: [] },
    ]);
  });

  it('a seen mark older than the pass (a full pass or tag came first) still counts for every dimension', () => {
    const dir = agreementProject({ talk: 4 });
    recordWork(dir, [
      { coder: 'anna', document: 'talk', seen: range(1, 4), codes: { 1: ['rating.r1'] } },
      { coder: 'boris', document: 'talk', seen: range(1, 4) },
    ]);
    pass(dir, 'boris', [['topics.protest'], [], [], []], 'topics');
    const report = withProject(dir, (project) => computeAgreement(project, { coders: ['anna', 'boris'], codes: ['rating.r1'] }));
    expect(code(report, 'rating.r1')).toMatchObject({ units: 4, table: [[3, 0], [1, 0]] });
  });
});

describe('agreement: nominal alpha of an exclusive dimension', () => {
  const krippendorffProject = (): string => {
    const dir = agreementProject({ kripp: 12 });
    recordWork(dir, OBSERVERS.map((coder, i) => {
      const codes: Record<number, string[]> = {};
      KRIPPENDORFF_C[i]!.forEach((value, u) => {
        if (value !== null) codes[u + 1] = [`rating.r${value}`];
      });
      return { coder, document: 'kripp', seen: range(1, 12), codes };
    }));
    return dir;
  };

  it("reproduces Krippendorff's 2011 value 0.743421 with seen-but-unrated units as missing", () => {
    const dir = krippendorffProject();
    const report = withProject(dir, (project) => computeAgreement(project, { coders: OBSERVERS, dimensions: ['rating'] }));
    const rating = report.dimensions.find((dimension) => dimension.dimension === 'rating')!;
    expect(rating.exclusive).toBe(true);
    expect(rating.nominal?.alpha).toBeCloseTo(0.743421052632, 10);
    expect(rating.nominal?.pairableValues).toBe(40);
    expect(rating.nominal?.multiple).toBe(0);
  });

  it('computes each code as presence/absence over the same units, seen-but-uncoded = absent', () => {
    const dir = krippendorffProject();
    const report = withProject(dir, (project) => computeAgreement(project, { coders: OBSERVERS, codes: ['rating.r3'] }));
    const byUnit = range(0, 11).map((u) => OBSERVERS.map((_, i) => (KRIPPENDORFF_C[i]![u] === 3 ? 1 : 0)));
    expect(code(report, 'rating.r3').alpha.alpha).toBeCloseTo(binaryAlpha(byUnit).alpha!, 12);
    // Only part of the dimension selected: no nominal alpha for it.
    expect(report.dimensions[0]!.nominal).toBeNull();
  });

  it('treats several codes of an exclusive dimension from one coder on one unit as missing, and counts them', () => {
    const twice = agreementProject({ d: 3 });
    recordWork(twice, [
      { coder: 'anna', document: 'd', codes: { 1: ['rating.r1', 'rating.r2'], 2: ['rating.r1'], 3: ['rating.r2'] } },
      { coder: 'boris', document: 'd', codes: { 1: ['rating.r1'], 2: ['rating.r1'], 3: ['rating.r2'] } },
    ]);
    const report = withProject(twice, (project) => computeAgreement(project, { coders: ['anna', 'boris'], dimensions: ['rating'] }));
    const rating = report.dimensions[0]!;
    expect(rating.nominal?.multiple).toBe(1);
    expect(rating.nominal?.units).toBe(2);
    expect(rating.nominal?.alpha).toBe(1);
  });

  it('gives no nominal alpha with --unit document, where a document carries several codes of the dimension', () => {
    const dir = krippendorffProject();
    const report = withProject(dir, (project) => computeAgreement(project, { coders: OBSERVERS, dimensions: ['rating'], unit: 'document' }));
    expect(report.dimensions[0]!.nominal).toBeNull();
    // Per code, a document carries rating.r3 for all four observers (they all gave it to units 3 and 4).
    expect(code(report, 'rating.r3')).toMatchObject({ units: 1, coded: [1, 1, 1, 1], percentAgreement: 1 });
  });

  it('gives a bootstrap interval around the estimate, the same for the same seed', () => {
    const dir = krippendorffProject();
    const run = (seed: number) => withProject(dir, (project) => computeAgreement(project, { coders: OBSERVERS, dimensions: ['rating'], bootstrap: 300, seed }));
    const first = run(3);
    const rating = first.dimensions[0]!;
    expect(rating.nominal?.interval?.low).toBeLessThan(0.743421);
    expect(rating.nominal?.interval?.high).toBeGreaterThan(0.743421);
    expect(code(first, 'rating.r2').interval?.samples).toBeGreaterThan(0);
    expect(run(3).dimensions[0]!.nominal?.interval).toEqual(rating.nominal?.interval);
  });
});

describe('agreement --unit document', () => {
  // A coder has seen a document when they have seen any of its segments; a code is present when given to any segment.
  const documentsProject = (): string => {
    const dir = agreementProject({ a: 3, b: 3 });
    recordWork(dir, [
      { coder: 'anna', document: 'a', codes: { 1: ['topics.protest'] } },
      { coder: 'anna', document: 'b', seen: [3] },
      { coder: 'boris', document: 'a', codes: { 2: ['topics.protest'] } },
      { coder: 'boris', document: 'b', codes: { 1: ['topics.protest'] } },
    ]);
    return dir;
  };

  it('compares documents: a (1, 1) and b (0, 1) → PA 0.5, κ 0, α 0', () => {
    const dir = documentsProject();
    const report = withProject(dir, (project) => computeAgreement(project, { coders: ['anna', 'boris'], unit: 'document' }));
    expect(report).toMatchObject({ unit: 'document', units: 2, unitsSeenByAll: 2 });
    const protest = code(report, 'topics.protest');
    expect(protest.table).toEqual([[0, 1], [0, 1]]);
    expect(protest.percentAgreement).toBe(0.5);
    expect(protest.kappa?.kappa).toBe(0);
    expect(protest.alpha.alpha).toBeCloseTo(0, 12);
  });

  it('at segment level the same work shares no unit where both coded', () => {
    const dir = documentsProject();
    const report = withProject(dir, (project) => computeAgreement(project, { coders: ['anna', 'boris'] }));
    expect(report.unitsSeenByAll).toBe(0);
    expect(code(report, 'topics.protest').percentAgreement).toBeNull();
    expect(code(report, 'topics.protest').alpha.reason).toBe('no-pairable-units');
  });
});

describe('agreement against a direct computation on random data', () => {
  it('matches the matrix-based statistics for every code, with missing data and three coders', () => {
    let state = 42;
    const random = (): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const coders = ['anna', 'boris', 'vera'];
    const codes = ['topics.protest', 'topics.petition', 'topics.rare'];
    const units = 60;
    const dir = agreementProject({ r: units });
    const seen = coders.map(() => range(1, units).map(() => random() < 0.8));
    const given = coders.map((_, i) => range(1, units).map((u) => codes.map((_, k) => seen[i]![u - 1]! && random() < 0.2 + 0.2 * k)));
    recordWork(dir, coders.map((coder, i) => ({
      coder,
      document: 'r',
      seen: range(1, units).filter((u) => seen[i]![u - 1]),
      codes: Object.fromEntries(range(1, units)
        .map((u): [number, string[]] => [u, codes.filter((_, k) => given[i]![u - 1]![k])])
        .filter(([, list]) => list.length > 0)),
    })));
    const report = withProject(dir, (project) => computeAgreement(project, { coders }));
    codes.forEach((id, k) => {
      const matrix = range(0, units - 1).map((u) => coders.map((_, i) => (seen[i]![u] ? (given[i]![u]![k] ? 1 : 0) : null)));
      const complete = matrix.filter((row) => row.every((value) => value !== null));
      const result = code(report, id);
      expect(result.alpha.alpha).toBeCloseTo(krippendorffAlpha(matrix).alpha!, 12);
      expect(result.units).toBe(complete.length);
      expect(result.percentAgreement).toBeCloseTo(complete.filter((row) => row.every((value) => value === row[0])).length / complete.length, 12);
      expect(result.coded).toEqual(coders.map((_, i) => given[i]!.filter((row) => row[k]).length));
    });
    const pair = withProject(dir, (project) => computeAgreement(project, { coders: ['anna', 'boris'] }));
    codes.forEach((id, k) => {
      const both = range(0, units - 1).filter((u) => seen[0]![u] && seen[1]![u]);
      const kappa = cohenKappa(both.map((u) => given[0]![u]![k]), both.map((u) => given[1]![u]![k]));
      expect(code(pair, id).kappa?.kappa).toBeCloseTo(kappa.kappa!, 12);
    });
  });
});

describe('agreement: scope and errors', () => {
  const scopeProject = (): string => {
    const dir = agreementProject({ talk: 4 });
    recordWork(dir, [
      { coder: 'anna', document: 'talk', codes: { 1: ['topics.protest'] } },
      { coder: 'boris', document: 'talk', codes: { 1: ['topics.protest'] } },
    ]);
    return dir;
  };

  it('selects codes by --dimension and --code (union)', () => {
    const dir = scopeProject();
    const report = withProject(dir, (project) => computeAgreement(project, { coders: ['anna', 'boris'], dimensions: ['rating'], codes: ['topics.rare'] }));
    expect(report.codes.map((item) => item.code)).toEqual(['rating.r1', 'rating.r2', 'rating.r3', 'rating.r4', 'rating.r5', 'topics.rare']);
  });

  it.each([
    [{ coders: ['anna', 'borys'] }, /no coder "borys" in this project \(did you mean "boris"\?\)/],
    [{ coders: ['anna'] }, /at least two different coder names/],
    [{ coders: ['anna', 'boris'], codes: ['topics.protst'] }, /no code "topics.protst" \(did you mean "topics.protest"\?\)/],
    [{ coders: ['anna', 'boris'], dimensions: ['topic'] }, /no dimension "topic"/],
    [{ coders: ['anna', 'boris'], documents: ['tlk'] }, /no document "tlk" \(did you mean "talk"\?\)/],
  ])('refuses %o', (options, message) => {
    const dir = scopeProject();
    expect(() => withProject(dir, (project) => computeAgreement(project, options))).toThrow(message);
    expect(() => withProject(dir, (project) => computeAgreement(project, options))).toThrow(UserError);
  });
});

describe('disagreements', () => {
  const disagreeProject = (): string => {
    const dir = agreementProject({ b: 3, a: 4 });
    recordWork(dir, [
      { coder: 'anna', document: 'a', seen: [1, 2, 3], codes: { 1: ['topics.protest', 'rating.r1'], 2: ['topics.petition'] } },
      { coder: 'boris', document: 'a', seen: [1, 2, 4], codes: { 1: ['rating.r1', 'topics.protest'], 2: ['topics.protest'], 4: ['topics.rare'] } },
      { coder: 'anna', document: 'b', seen: [1, 2] },
      { coder: 'boris', document: 'b', codes: { 2: ['rating.r2'] } },
    ]);
    return dir;
  };

  it('lists segments seen by both whose codes differ, in document order, with who gave what', () => {
    const dir = disagreeProject();
    const report = withProject(dir, (project) => listDisagreements(project, { coders: ['anna', 'boris'] }));
    expect(report.seenByBoth).toBe(3);
    expect(report.disagreements.map(({ document, ordinal, first, second }) => ({ document, ordinal, first, second }))).toEqual([
      { document: 'a', ordinal: 2, first: ['topics.petition'], second: ['topics.protest'] },
      { document: 'b', ordinal: 2, first: [], second: ['rating.r2'] },
    ]);
    expect(report.disagreements[0]!.text).toBe('a line 2: мы говорили о разном');
  });

  it('compares only the codes asked for', () => {
    const dir = disagreeProject();
    const report = withProject(dir, (project) => listDisagreements(project, { coders: ['anna', 'boris'], dimensions: ['rating'] }));
    expect(report.disagreements.map((item) => `${item.document}:${item.ordinal}`)).toEqual(['b:2']);
  });

  it('takes exactly two coders', () => {
    const dir = disagreeProject();
    expect(() => withProject(dir, (project) => listDisagreements(project, { coders: ['anna', 'boris', 'vera'] }))).toThrow(/exactly two/);
  });
});
