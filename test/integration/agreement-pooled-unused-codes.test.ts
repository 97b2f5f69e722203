import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeAgreement, type AgreementOptions, type AgreementReport, type PooledAgreement } from '../../src/app/agreement.js';
import { AGREEMENT_CODEBOOK, agreementProject, plainDocuments, presence, range, recordWork, type Work } from '../agreement-seed.js';
import { tempDir } from '../helpers.js';
import { seedProject, withProject } from '../seed.js';

// Pooled figures (dimension and overall rows) must not depend on codebook entries nobody applied: a code that no
// compared coder applied adds only (0, 0) pairs, which used to pull the pooled alpha towards 1 - o01/n1 as the
// codebook grew. References: ATLAS.ti manual ICA example = Krippendorff's 2011 binary example (REFERENCE 2b).

/** The agreement codebook with `extra` more codes in "topics" that nobody will apply. */
function projectWithSpareCodes(sizes: Record<string, number>, extra: number): string {
  const spare = Array.from({ length: extra }, (_, i) => `      - {id: spare${i + 1}, label: Spare ${i + 1}}\n`).join('');
  const path = join(tempDir('qcode-codebook-'), 'agreement-spare.yaml');
  writeFileSync(path, AGREEMENT_CODEBOOK.trimEnd() + '\n' + spare);
  return seedProject(plainDocuments(sizes), [], path);
}

function report(dir: string, work: readonly Work[], options: Partial<AgreementOptions> = {}): AgreementReport {
  recordWork(dir, work);
  return withProject(dir, (project) => computeAgreement(project, { coders: ['anna', 'boris'], ...options }));
}

function dimension(result: AgreementReport, id: string): PooledAgreement {
  const found = result.dimensions.find((item) => item.dimension === id);
  if (found === undefined) throw new Error(`no dimension ${id}`);
  return found;
}

/** The pooled figures a reliability report prints. */
function figures(pooled: PooledAgreement): Record<string, unknown> {
  return {
    codes: pooled.codes,
    decisions: pooled.decisions,
    agreed: pooled.agreed,
    agreement: pooled.percentAgreement,
    kappa: pooled.kappa?.kappa ?? null,
    alpha: pooled.pooledAlpha.alpha,
    alphaUnits: pooled.pooledAlpha.units,
    mean: pooled.meanAlpha,
    flag: pooled.flag,
  };
}

// ATLAS.ti ICA example: anna 1100000000, boris 0110010100 on "talk" (10 segments).
const ICA: Work[] = [
  { coder: 'anna', document: 'talk', seen: range(1, 10), codes: presence('1100000000', 'topics.protest') },
  { coder: 'boris', document: 'talk', seen: range(1, 10), codes: presence('0110010100', 'topics.protest') },
];

describe('pooled agreement leaves out codes nobody applied', () => {
  it('with one applied code, the pooled dimension and overall figures are exactly that code\'s (ATLAS.ti ICA)', () => {
    const result = report(agreementProject({ talk: 10 }), ICA);
    const protest = result.codes.find((code) => code.code === 'topics.protest')!;
    expect(protest.alpha.alpha).toBeCloseTo(0.095238, 6);
    expect(protest.kappa?.kappa).toBeCloseTo(0.090909, 6);
    for (const pooled of [dimension(result, 'topics'), result.overall]) {
      expect(pooled.codes).toBe(1);
      expect(pooled.decisions).toBe(10);
      expect(pooled.agreed).toBe(6);
      expect(pooled.percentAgreement).toBe(0.6);
      expect(pooled.kappa?.kappa).toBe(protest.kappa?.kappa);
      expect(pooled.pooledAlpha.alpha).toBe(protest.alpha.alpha);
      expect(pooled.pooledAlpha.units).toBe(10);
      expect(pooled.flag).toBe('below 0.667');
    }
  });

  it('pools the applied codes only: [[26,4],[4,6]] gives alpha 0.48, the 2×2 tables [[13,3],[1,3]]', () => {
    // protest as in the ICA example; petition given by both to segments 4 and 5; rare and rating.* never applied.
    const work = ICA.map((item) => ({ ...item, codes: { ...item.codes, 4: ['topics.petition'], 5: ['topics.petition'] } }));
    const topics = dimension(report(agreementProject({ talk: 10 }), work), 'topics');
    expect(topics.codes).toBe(2);
    expect([topics.decisions, topics.agreed]).toEqual([20, 16]);
    // Summed tables [[5,3],[1,1]] + [[8,0],[0,2]]: p_o = 16/20, p_e = (16·14 + 4·6)/400 = 0.62.
    expect(topics.kappa?.kappa).toBeCloseTo((0.8 - 0.62) / (1 - 0.62), 12);
    // o = [[10,4],[4,2]] + [[16,0],[0,4]]; n = 40, n0 = 30, n1 = 10: alpha = 1 − (8/40)/(2·30·10/(40·39)) = 0.48.
    expect(topics.pooledAlpha.alpha).toBeCloseTo(0.48, 12);
    expect(topics.pooledAlpha.pairableValues).toBe(40);
  });

  it('gives the same pooled figures with 60 more unused codes in the codebook, per segment and per document', () => {
    const work: Work[] = [
      ...ICA,
      { coder: 'anna', document: 'other', seen: range(1, 3), codes: { 1: ['topics.petition'], 2: ['topics.protest'] } },
      { coder: 'boris', document: 'other', seen: range(1, 3) },
      { coder: 'anna', document: 'third', seen: range(1, 2) },
      { coder: 'boris', document: 'third', seen: range(1, 2), codes: { 2: ['topics.petition'] } },
    ];
    const sizes = { talk: 10, other: 3, third: 2 };
    for (const unit of ['segment', 'document'] as const) {
      const small = report(agreementProject(sizes), work, { unit });
      const large = report(projectWithSpareCodes(sizes, 60), work, { unit });
      const onlyApplied = report(agreementProject(sizes), work, { unit, codes: ['topics.protest', 'topics.petition'] });
      expect(large.codes).toHaveLength(small.codes.length + 60);
      expect(figures(dimension(large, 'topics'))).toEqual(figures(dimension(small, 'topics')));
      expect(figures(large.overall)).toEqual(figures(small.overall));
      expect(figures(small.overall)).toEqual(figures(onlyApplied.overall));
      expect(small.overall.codes).toBe(2);
    }
    // Per document (talk, other, third): protest (1,1) (1,0) (0,0) → 4/9; petition (0,0) (1,0) (0,1) → −0.25.
    // Pooled o = [[4,3],[3,2]], n = 12, n0 = 7, n1 = 5: alpha = 1 − (6/12)/(2·7·5/(12·11)) = 4/70, not the 0.39
    // that the 66 unused codes' (0, 0) pairs made of it.
    const perDocument = report(projectWithSpareCodes(sizes, 60), work, { unit: 'document' });
    expect(perDocument.codes.find((code) => code.code === 'topics.protest')?.alpha.alpha).toBeCloseTo(4 / 9, 12);
    expect(perDocument.codes.find((code) => code.code === 'topics.petition')?.alpha.alpha).toBeCloseTo(-0.25, 12);
    expect(perDocument.overall.pooledAlpha.alpha).toBeCloseTo(4 / 70, 12);
  });

  it('leaves the pooled figures undefined for a dimension in which nobody applied a code', () => {
    const rating = dimension(report(agreementProject({ talk: 10 }), ICA), 'rating');
    expect(figures(rating)).toEqual({
      codes: 0,
      decisions: 0,
      agreed: 0,
      agreement: null,
      kappa: null,
      alpha: null,
      alphaUnits: 0,
      mean: null,
      flag: 'undefined',
    });
    expect(rating.pooledAlpha.reason).toBe('no-variation');
  });
});
