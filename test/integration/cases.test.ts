import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProblemsError } from '../../src/core/errors.js';
import { checkAttributeValue, importCases, listCases, setCase } from '../../src/app/cases.js';
import type { AttributeRule } from '../../src/store/cases.js';
import { tempDir } from '../helpers.js';
import { newStudy } from '../seed.js';

function csv(text: string): string {
  const file = join(tempDir(), 'cases.csv');
  writeFileSync(file, text);
  return file;
}

const rule = (type: AttributeRule['type'], extra: Partial<AttributeRule> = {}): AttributeRule => ({ name: 'a', type, allowed: null, min: null, max: null, status: 'active', ...extra });

describe('checkAttributeValue', () => {
  it.each([
    [rule('category', { allowed: ['DE', 'LT'] }), 'DE', { value: 'DE' }],
    [rule('category', { allowed: ['DE', 'LT'] }), 'de', { error: '"de" is not a value of a (did you mean "DE"?); allowed: DE, LT' }],
    [rule('number', { min: 1990, max: 2030 }), ' 2022.0 ', { value: '2022' }],
    [rule('number', { min: 1990, max: 2030 }), '2031', { error: 'a 2031 is above the maximum 2030' }],
    [rule('number'), 'twenty', { error: 'a must be a number, not "twenty"' }],
    // Beyond double range: refused, not stored as Infinity, -Infinity or 0.
    [rule('number'), '1e400', { error: 'a must be a number between -1.8e308 and 1.8e308, not "1e400"' }],
    [rule('number'), '-1E999', { error: 'a must be a number between -1.8e308 and 1.8e308, not "-1E999"' }],
    [rule('number'), '1e-400', { error: 'a must be 0 or a number at least 5e-324 away from 0, not "1e-400"' }],
    [rule('number'), '0.0e-400', { value: '0' }],
    [rule('number'), '1.5e308', { value: '1.5e+308' }],
    [rule('number'), 'Infinity', { error: 'a must be a number, not "Infinity"' }],
    [rule('number'), 'NaN', { error: 'a must be a number, not "NaN"' }],
    [rule('number'), '0x10', { error: 'a must be a number, not "0x10"' }],
    [rule('number'), '1_000', { error: 'a must be a number, not "1_000"' }],
    [rule('date'), '2024-02-29', { value: '2024-02-29' }],
    [rule('date'), '2023-02-29', { error: 'a must be a date written yyyy-mm-dd, not "2023-02-29"' }],
    [rule('date'), '18.04.2024', { error: 'a must be a date written yyyy-mm-dd, not "18.04.2024"' }],
    [rule('text'), 'Kraków', { value: 'Kraków' }],
    [rule('text', { status: 'retired' }), 'x', { error: 'the attribute "a" is retired in the codebook' }],
  ])('%j %j', (attribute, raw, expected) => {
    expect(checkAttributeValue(attribute, raw)).toEqual(expected);
  });
});

describe('qcode cases import / list / set', () => {
  it('imports cases with their attributes in one go and lists them', async () => {
    const project = await newStudy();
    const report = await importCases(project, csv('case,host_country,emigration_year,city\nR01,LT,2022,Vilnius\nR02,DE,,Berlin\n'));
    expect(report).toMatchObject({ cases: 2, created: 2, values: 5, dryRun: false });
    expect(listCases(project)).toEqual({
      attributes: ['host_country', 'emigration_year', 'city'],
      rows: [
        { case: 'R01', kind: 'participant', documents: 0, values: { host_country: 'LT', emigration_year: '2022', city: 'Vilnius' } },
        { case: 'R02', kind: 'participant', documents: 0, values: { host_country: 'DE', city: 'Berlin' } },
      ],
    });
  });

  it('names the row and column of every problem and writes nothing', async () => {
    const project = await newStudy();
    const error = await importCases(project, csv('case,host_country,hobby,emigration_year\nR01,LT,chess,2022\nR 2,Deutschland,,20x\n')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemsError);
    expect((error as ProblemsError).problems.map((problem) => `${problem.line}:${problem.col} ${problem.message}`)).toEqual([
      expect.stringMatching(/^1:3 row 1, column hobby: not a declared attribute/),
      '3:2 row 3, column host_country: "Deutschland" is not a value of host_country; allowed: LT, LV, PL, DE, UK, FI, ES',
      '3:4 row 3, column emigration_year: emigration_year must be a number, not "20x"',
      expect.stringMatching(/^3:1 row 3, column case: "R 2" is not a usable case id/),
    ]);
    expect(listCases(project).rows).toEqual([]);
  });

  it('refuses a spreadsheet with the way to save it as CSV, by extension or by content', async () => {
    const project = await newStudy();
    const xlsx = join(tempDir(), 'cases.xlsx');
    writeFileSync(xlsx, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]));
    await expect(importCases(project, xlsx)).rejects.toThrow(/cases\.xlsx: a spreadsheet \(or other packaged file\), not a CSV file/);
    const renamed = csv('');
    writeFileSync(renamed, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]));
    await expect(importCases(project, renamed)).rejects.toThrow(/cases\.csv: a spreadsheet/);
    expect(listCases(project).rows).toEqual([]);
  });

  it('refuses conflicting values for one case in two rows', async () => {
    const project = await newStudy();
    await expect(importCases(project, csv('case,host_country\nR01,LT\nR01,DE\n'))).rejects.toThrow(ProblemsError);
  });

  it('--dry-run checks and counts but writes nothing', async () => {
    const project = await newStudy();
    const report = await importCases(project, csv('case,host_country\nR01,LT\n'), { dryRun: true });
    expect(report).toMatchObject({ cases: 1, created: 1, dryRun: true });
    expect(listCases(project).rows).toEqual([]);
  });

  it('sets, normalises and clears values; creates the case on first use', async () => {
    const project = await newStudy();
    expect(setCase(project, 'R07', ['host_country=ES', 'emigration_year=2022.0', 'city=Madrid'])).toEqual({
      case: 'R07', created: true, set: [{ attribute: 'host_country', value: 'ES' }, { attribute: 'emigration_year', value: '2022' }, { attribute: 'city', value: 'Madrid' }], cleared: [],
    });
    expect(setCase(project, 'R07', ['city='])).toMatchObject({ created: false, cleared: ['city'] });
    expect(listCases(project).rows[0]?.values).toEqual({ host_country: 'ES', emigration_year: '2022' });
  });

  it('takes a decomposed (NFD) case id and value as the same case and value as their NFC form', async () => {
    const project = await newStudy();
    const id = 'Йосиф1';
    const nfd = id.normalize('NFD');
    expect(nfd).not.toBe(id);
    expect(setCase(project, nfd, [`city=${'Kraków'.normalize('NFD')}`])).toMatchObject({ case: id, created: true, set: [{ attribute: 'city', value: 'Kraków' }] });
    const report = await importCases(project, csv(`case,host_country,kind\n${nfd},DE,${'gość'.normalize('NFD')}\n`));
    expect(report).toMatchObject({ cases: 1, created: 0, values: 1 });
    expect(listCases(project).rows).toEqual([{ case: id, kind: 'gość', documents: 0, values: { city: 'Kraków', host_country: 'DE' } }]);
  });

  it('refuses unknown attributes and values, with a did-you-mean', async () => {
    const project = await newStudy();
    expect(() => setCase(project, 'R07', ['host_county=ES'])).toThrow(/"host_county" is not a declared attribute \(did you mean "host_country"\?\)/);
    expect(() => setCase(project, 'R07', ['host_country=es'])).toThrow(/"es" is not a value of host_country \(did you mean "ES"\?\)/);
    expect(() => setCase(project, 'R07', ['host_country'])).toThrow(/not NAME=VALUE/);
    expect(listCases(project).rows).toEqual([]);
  });
});
