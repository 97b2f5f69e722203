import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { binarySignature, detectEncoding, HIGH_HALF, firstInvalidUtf8, looksBinary, parseEncodingOption } from '../../src/core/encoding.js';

const RUSSIAN = [
  'Интервьюер: Расскажите, пожалуйста, чем вы занимались в России до отъезда.\nРеспондент: Почти десять лет я координировала правозащитную группу в Екатеринбурге.',
  'Мы помогали задержанным на акциях, искали им адвокатов, а во время выборов — «наблюдателей» на участки. Ёлки, ёжики, щётки № 5.',
  'И: Да?\nР: Нет, не было такого.',
  'ИНТЕРВЬЮЕР: ВОПРОС О ПРОТЕСТАХ\nРЕСПОНДЕНТ: ОТВЕТ ПРО ВЫБОРЫ',
  'Ходил на митинги с 2011 года, на Болотную, на акции в поддержку Навального. В Helsinki это было бы иначе.',
];

describe('parseEncodingOption', () => {
  it.each([
    ['auto', 'auto'], ['UTF-8', 'utf8'], ['utf16', 'utf16'], ['utf-16le', 'utf16le'], ['UTF16BE', 'utf16be'],
    ['windows-1251', 'cp1251'], ['cp1251', 'cp1251'], ['KOI8-R', 'koi8r'], ['koi8r', 'koi8r'],
  ])('%s → %s', (input, expected) => {
    expect(parseEncodingOption(input)).toBe(expected);
  });

  it('refuses an unknown encoding as a usage error naming the choices', () => {
    try {
      parseEncodingOption('latin1');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(2);
      expect((error as UserError).hint).toContain('cp1251');
    }
  });
});

describe('byte-order marks and UTF-8', () => {
  it.each([
    [[0xef, 0xbb, 0xbf, 0x41], 'utf8', 3],
    [[0xff, 0xfe, 0x41, 0x00], 'utf16le', 2],
    [[0xfe, 0xff, 0x00, 0x41], 'utf16be', 2],
  ])('%j → %s', (bytes, encoding, bomLength) => {
    expect(detectEncoding(Uint8Array.from(bytes))).toMatchObject({ ok: true, encoding, bomLength, how: 'bom' });
  });

  it('reads valid UTF-8 without a mark as UTF-8, ASCII included', () => {
    expect(detectEncoding(Buffer.from('Привет, мир 😀'))).toMatchObject({ ok: true, encoding: 'utf8', how: 'valid-utf8' });
    expect(detectEncoding(Buffer.from('plain ascii'))).toMatchObject({ ok: true, encoding: 'utf8' });
  });

  it('refuses UTF-32 (its mark looks like UTF-16 LE followed by NULs)', () => {
    expect(detectEncoding(Uint8Array.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]))).toMatchObject({ ok: false, problem: 'binary' });
  });

  it.each([
    ['a\nbc\xff', 2, 3],
    ['ok\n😀x\xc0\x80', 2, 4],
    ['\xed\xa0\x80', 1, 1],
    ['abc\xe2\x82', 1, 4],
  ])('firstInvalidUtf8(%j) is at %i:%i', (latin1, line, col) => {
    expect(firstInvalidUtf8(Buffer.from(latin1, 'latin1'))).toMatchObject({ line, col });
  });

  it('names the line and column of invalid UTF-8 when UTF-8 is declared (flag or mark)', () => {
    const bytes = Buffer.concat([Buffer.from('строка один\nстрока '), Buffer.from([0xcf, 0xf0]), Buffer.from(' два')]);
    expect(detectEncoding(bytes, 'utf8')).toMatchObject({ ok: false, problem: 'invalid-utf8', line: 2, col: 8, byte: 0xcf, declared: 'requested' });
    const marked = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    expect(detectEncoding(marked)).toMatchObject({ ok: false, problem: 'invalid-utf8', line: 2, col: 8, declared: 'bom' });
  });

  it('calls a UTF-8 file with one broken byte damaged, not Windows-1251', () => {
    const text = Buffer.from('Мы уехали в Вильнюс в марте, и это было правильно. ');
    const bytes = Buffer.concat([text, Buffer.from([0xff]), text]);
    expect(detectEncoding(bytes)).toMatchObject({ ok: false, problem: 'invalid-utf8', declared: 'mostly-utf8', line: 1 });
  });
});

describe('Windows-1251 against KOI8-R', () => {
  it.each(RUSSIAN.flatMap((text) => [[text, 'cp1251'], [text, 'koi8r']] as const))('%j in %s', (text, encoding) => {
    const bytes = iconv.encode(text, encoding === 'cp1251' ? 'windows-1251' : 'koi8-r');
    expect(detectEncoding(bytes)).toMatchObject({ ok: true, encoding, how: 'letter-statistics' });
  });

  it('refuses a text too short to tell, naming both candidates', () => {
    expect(detectEncoding(iconv.encode('Привет, мир', 'windows-1251'))).toEqual({
      ok: false, problem: 'unsure', candidates: ['cp1251', 'koi8r'], detail: expect.stringContaining('too few Cyrillic letters'),
    });
  });

  it('refuses a Western European code page instead of reading it as Cyrillic', () => {
    const german = iconv.encode('Grüße aus München: schöne Straßen für alle Mädchen und Jungen, überall Bäume.', 'windows-1252');
    expect(detectEncoding(german)).toMatchObject({ ok: false, problem: 'unsure', candidates: [] });
  });

  it('refuses DOS code page 866 (its letters fall on punctuation in both)', () => {
    expect(detectEncoding(iconv.encode(RUSSIAN[0] as string, 'cp866'))).toMatchObject({ ok: false, problem: 'unsure' });
  });

  it('honours --encoding without guessing', () => {
    const bytes = iconv.encode('Привет', 'koi8-r');
    expect(detectEncoding(bytes, 'koi8r')).toMatchObject({ ok: true, encoding: 'koi8r', how: 'requested' });
    expect(detectEncoding(bytes, 'cp1251')).toMatchObject({ ok: true, encoding: 'cp1251', how: 'requested' });
  });

  it('keeps its scoring tables equal to iconv-lite', () => {
    const high = Uint8Array.from({ length: 128 }, (_, index) => 0x80 + index);
    expect(HIGH_HALF.cp1251).toBe(iconv.decode(Buffer.from(high), 'windows-1251'));
    expect(HIGH_HALF.koi8r).toBe(iconv.decode(Buffer.from(high), 'koi8-r'));
  });
});

describe('UTF-16 and binary files', () => {
  it.each(['utf16le', 'utf16be'] as const)('finds %s without a mark by its byte pattern', (encoding) => {
    const bytes = iconv.encode('Интервьюер: Как?\nDenis: Hello there, this is fine.', encoding === 'utf16le' ? 'utf-16le' : 'utf-16be');
    expect(detectEncoding(bytes)).toMatchObject({ ok: true, encoding, how: 'byte-pattern' });
    expect(detectEncoding(bytes, 'utf16')).toMatchObject({ ok: true, encoding });
  });

  it('refuses broken UTF-16: an odd length, a lone surrogate', () => {
    expect(detectEncoding(Uint8Array.from([0x41, 0x00, 0x42]), 'utf16le')).toMatchObject({ ok: false, problem: 'invalid-utf16' });
    expect(detectEncoding(Uint8Array.from([0xff, 0xfe, 0x3d, 0xd8, 0x41, 0x00]))).toMatchObject({ ok: false, problem: 'invalid-utf16' });
  });

  it.each([
    ['%PDF-1.7', 'a PDF document'],
    ['\x89PNG\r\n', 'a PNG image'],
    ['PK\x03\x04abc', 'a zip archive'],
    ['{\\rtf1\\ansi', 'an RTF document'],
  ])('names %j as %s', (latin1, name) => {
    expect(binarySignature(Buffer.from(latin1, 'latin1'))).toContain(name);
    expect(detectEncoding(Buffer.from(latin1, 'latin1'))).toMatchObject({ ok: false, problem: 'binary' });
  });

  it('calls NUL bytes that are not UTF-16 binary', () => {
    expect(detectEncoding(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x10, 0x99, 0xa7]))).toMatchObject({ ok: false, problem: 'binary' });
  });

  it('calls text that is mostly control characters binary', () => {
    expect(looksBinary('\u0001\u0002\u0003\u0004\u0005abc')).toBe(true);
    expect(looksBinary('a normal line\twith a tab\n')).toBe(false);
  });
});
