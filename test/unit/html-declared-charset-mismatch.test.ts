import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { extractDocument } from '../../src/io/import/extract.js';

const page = (charset: string): string => `<html><head><meta charset="${charset}"><title>Интервью</title></head><body><p>Интервьюер: Когда вы уехали из России?</p><p>Респондент: Мы уехали в марте, потому что боялись мобилизации.</p></body></html>`;
const TEXT = 'Интервьюер: Когда вы уехали из России?\n\nРеспондент: Мы уехали в марте, потому что боялись мобилизации.';

async function refusal(bytes: Uint8Array): Promise<UserError> {
  const error: unknown = await extractDocument(bytes, 'wrong.html', 'html', { encoding: 'auto' }).then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('an HTML page whose <meta charset> names the wrong Cyrillic code page', () => {
  it('windows-1251 bytes declared koi8-r are refused, naming both code pages and the flag', async () => {
    const error = await refusal(iconv.encode(page('koi8-r'), 'win1251'));
    expect(error.message).toBe('wrong.html: the page declares charset koi8-r, but its text reads as windows-1251, not KOI8-R (read as declared, its letters would be garbled)');
    expect(error.hint).toMatch(/^Pass --encoding cp1251 to read it as windows-1251 \(or --encoding koi8r to read it as declared\)/);
  });

  it('KOI8-R bytes declared windows-1251 are refused the other way round', async () => {
    const error = await refusal(iconv.encode(page('windows-1251'), 'koi8-r'));
    expect(error.message).toContain('declares charset windows-1251, but its text reads as KOI8-R, not windows-1251');
    expect(error.hint).toContain('--encoding koi8r');
  });

  it('--encoding reads such a page as told; pages declared rightly are read as before', async () => {
    const told = await extractDocument(iconv.encode(page('koi8-r'), 'win1251'), 'wrong.html', 'html', { encoding: 'cp1251' });
    expect(told).toMatchObject({ kind: 'text', title: 'Интервью', text: TEXT, encoding: 'cp1251' });
    for (const [charset, encoding, code] of [['koi8-r', 'koi8-r', 'koi8r'], ['windows-1251', 'win1251', 'cp1251']] as const) {
      const right = await extractDocument(iconv.encode(page(charset), encoding), 'right.html', 'html', { encoding: 'auto' });
      expect(right).toMatchObject({ kind: 'text', title: 'Интервью', text: TEXT, encoding: code });
    }
  });
});
