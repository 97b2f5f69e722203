import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { refuseUndecodable } from '../../src/cli/coder/code-source.js';
import { buildCatalog, initialPickerState, pressKey, type Catalog, type PickerCode, type PickerState } from '../../src/cli/coder/picker.js';
import { isTooSmall, MINIMUM_SIZE, renderCoderScreen, renderTooSmall, type CoderView } from '../../src/cli/coder/screen.js';
import { requireUtf8Locale } from '../../src/cli/coder/terminal.js';

const code = (id: string, label: string): PickerCode => ({
  id, dimensionId: id.split('.')[0] as string, label, labels: {}, definition: `Definition of ${label}.`, include: null, exclude: null, depth: 0,
});

const catalog: Catalog = buildCatalog(
  [{ id: 'forms', label: 'Forms', labels: {}, exclusive: false }],
  Array.from({ length: 12 }, (_, index) => code(`forms.code${index}`, `Code ${index}`)),
);

const view: CoderView = {
  title: 'R07 · Vilnius · segment 12/148 · 8% coded',
  previous: { label: '11 I:', text: 'A question.' },
  current: { label: '12 R:', text: Array.from({ length: 60 }, (_, index) => `w${index}`).join(' ') },
  given: [],
  notes: ['Not coded yet by anna'],
};

const type = (state: PickerState, text: string): PickerState =>
  [...text].reduce((current, char) => pressKey(catalog, current, { name: char, sequence: char }).state, state);

describe('messages on the coder screen', () => {
  const long = 'r02-riga-en:2 already has migration_effect.inhibiting from zed; dimension "migration_effect" allows one code per segment: untag it first with qcode untag r02-riga-en:2 migration_effect.inhibiting --coder zed';

  it.each([[100, 40], [80, 24], [60, 20], [50, 16]])('at %i×%i wraps a long message whole, and the segment text gives way for it', (columns, rows) => {
    const state = { ...initialPickerState(catalog, []), message: long };
    const plain = renderCoderScreen(catalog, view, initialPickerState(catalog, []), { columns, rows });
    const { lines } = renderCoderScreen(catalog, view, state, { columns, rows });
    expect(lines.length).toBeLessThanOrEqual(rows);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain(long);
    expect(lines.at(-1)).toContain('--coder zed');
    expect(lines.join('\n')).toContain('^Q quit');
    expect(plain.lines.length).toBeLessThanOrEqual(rows);
  });
});

describe('the smallest terminal the coder works in', () => {
  it('is too small below the minimum, in either direction', () => {
    expect(isTooSmall({ columns: 60, rows: 10 })).toBe(true);
    expect(isTooSmall({ columns: 25, rows: 6 })).toBe(true);
    expect(isTooSmall({ columns: MINIMUM_SIZE.columns - 1, rows: 40 })).toBe(true);
    expect(isTooSmall(MINIMUM_SIZE)).toBe(false);
  });

  it('says what size it needs, within the small terminal', () => {
    const lines = renderTooSmall({ columns: 25, rows: 6 });
    expect(lines.length).toBeLessThanOrEqual(6);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(25);
    expect(lines.join(' ')).toContain(`need at least ${MINIMUM_SIZE.columns}×${MINIMUM_SIZE.rows} (now 25×6)`);
  });

  it('shows, from the minimum up, at least three lines of the segment, and every line its indicator counts', () => {
    const failures: string[] = [];
    for (let columns = MINIMUM_SIZE.columns; columns <= 120; columns += 7) {
      for (let rows = MINIMUM_SIZE.rows; rows <= 30; rows++) {
        for (const message of [null, 'Saved segment 11: +forms.code1']) {
          const { lines } = renderCoderScreen(catalog, view, { ...initialPickerState(catalog, []), message }, { columns, rows });
          const indicator = lines.map((line) => /lines (\d+)–(\d+) of (\d+)/.exec(line)).find((match) => match !== null);
          const at = lines.findIndex((line) => line.includes('12 R:'));
          const textLines = lines.slice(at).filter((line) => /\bw\d+/.test(line));
          // Without the indicator the whole text is there; with it, exactly the lines it counts.
          const truthful = indicator === undefined
            ? textLines.join(' ').includes('w0 ') && textLines.join(' ').includes('w59')
            : textLines.length === Number(indicator[2]) - Number(indicator[1]) + 1 && textLines.length >= 3;
          if (lines.length > rows || at === -1 || !truthful || !lines.join('\n').includes('^Q quit')) {
            failures.push(`${columns}×${rows}${message === null ? '' : ' +message'}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('memos typed under a terminal that does not send UTF-8', () => {
  it('refuses a memo holding U+FFFD and keeps it on its line to fix', () => {
    const memo = pressKey(catalog, initialPickerState(catalog, []), { name: 'n', ctrl: true }).state;
    const typed = type(memo, 'Bank \uFFFD\uFFFD\uFFFD');
    const result = pressKey(catalog, typed, { name: 'return' });
    expect(result.effect).toBeNull();
    expect(result.state.mode).toBe('memo');
    expect(result.state.draft).toBe('Bank \uFFFD\uFFFD\uFFFD');
    expect(result.state.message).toContain('did not arrive as UTF-8');
    expect(pressKey(catalog, type(memo, 'Bank'), { name: 'return' }).effect).toEqual({ kind: 'memo', text: 'Bank' });
  });

  it('refuses one from $EDITOR too, before the session saves it', () => {
    expect(() => refuseUndecodable('from the editor \uFFFD')).toThrow(UserError);
    expect(() => refuseUndecodable('Банк отказал дважды')).not.toThrow();
  });
});

describe('the locale check before the coder screen starts', () => {
  const refused = (env: NodeJS.ProcessEnv): string | undefined => {
    try {
      requireUtf8Locale('qcode code', env);
      return undefined;
    } catch (error) {
      return `${(error as UserError).message} — ${(error as UserError).hint}`;
    }
  };

  it.each([
    [{ LANG: 'ru_RU.KOI8-R' }, 'LANG=ru_RU.UTF-8'],
    [{ LANG: 'ru_RU.UTF-8', LC_CTYPE: 'ru_RU.CP1251' }, 'LC_CTYPE=ru_RU.UTF-8'],
    [{ LANG: 'en_US.UTF-8', LC_ALL: 'ru_RU.ISO-8859-5' }, 'LC_ALL=ru_RU.UTF-8'],
    [{ LC_ALL: 'ru_RU.koi8r@euro' }, 'LC_ALL=ru_RU.UTF-8'],
  ])('refuses %j, naming the variable to set', (env, fix) => {
    expect(refused(env)).toContain(`e.g. ${fix} qcode code`);
  });

  it.each([
    [{}],
    [{ LANG: 'C' }],
    [{ LC_ALL: 'POSIX', LANG: 'ru_RU.KOI8-R' }],
    [{ LANG: 'ru_RU.UTF-8' }],
    [{ LANG: 'ru_RU.utf8' }],
    [{ LC_ALL: '', LANG: 'C.UTF-8' }],
  ])('lets %j start', (env) => {
    expect(refused(env)).toBeUndefined();
  });
});
