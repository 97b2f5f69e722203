import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, runQcode, tempDir } from '../helpers.js';

// The reviewer's repro through the binary: the ATLAS.ti ICA example (α = 0.095238, κ = 0.090909, PA = 0.6) coded
// with motives.food in the example codebook, whose other codes nobody applies. The pooled rows must equal the code.

function qcode(project: string, ...args: string[]): string {
  const result = runQcode(['--project', project, ...args]);
  if (result.code !== 0) throw new Error(`qcode ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

describe('agreement: pooled rows rest on the applied codes only', () => {
  it('gives the single applied code\'s figures on the pooled rows, with the number of codes pooled', () => {
    const project = newProject('example');
    const files = tempDir('qcode-ica-');
    writeFileSync(join(files, 'ten.txt'), Array.from({ length: 10 }, (_, i) => `P${i + 1}.\n\n`).join(''));
    qcode(project, 'import', join(files, 'ten.txt'), '--slug', 'a');
    const anna = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    const boris = [0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    const rows = anna.flatMap((x, i) => [`a,${i + 1},${x ? 'motives.food' : ''},anna`, `a,${i + 1},${boris[i] ? 'motives.food' : ''},boris`]);
    writeFileSync(join(files, 'ica.csv'), ['document,segment,code,coder', ...rows].join('\n') + '\n');
    qcode(project, 'tag', '--from', join(files, 'ica.csv'));

    const csv = qcode(project, 'agreement', '--coders', 'anna,boris', '--csv').trim().split('\n');
    const header = csv[0]!.split(',');
    const row = (level: string, id: string): Record<string, string> => {
      const line = csv.find((item) => item.startsWith(`${level},${id},`));
      if (line === undefined) throw new Error(`no ${level} row ${id}`);
      return Object.fromEntries(line.split(',').map((value, i) => [header[i]!, value]));
    };
    const food = row('code', 'motives.food');
    expect(Number(food.alpha)).toBeCloseTo(0.095238, 6);
    expect(Number(food.kappa)).toBeCloseTo(0.090909, 6);
    expect(food.codes).toBe('');
    for (const pooled of [row('dimension', 'motives'), row('overall', 'all')]) {
      expect(pooled).toMatchObject({ decisions: '10', agreement: '0.6', kappa: food.kappa, alpha: food.alpha, alpha_units: '10', flag: 'below 0.667', codes: '1' });
    }
    expect(row('dimension', 'activities')).toMatchObject({ decisions: '0', agreement: '', kappa: '', alpha: '', mean_alpha: '', flag: 'undefined', codes: '0' });

    const table = qcode(project, 'agreement', '--coders', 'anna,boris');
    expect(table).toMatch(/^all codes \(pooled, 1 code\) +60\.0% +0\.091 +0\.095 +0\.095 +✗ <0\.667$/m);
    expect(table).toMatch(/^activities \(pooled, 0 codes\) +— +— +— +— +n\/a$/m);
  });
});
