import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, newProject, qcodeOk, runQcode, tempDir } from '../helpers.js';

// Group posts are part of the study's web material; Telegram Desktop's JSON export is how a team gets them.
const CHAT = join(FIXTURES, 'chats', 'telegram-vilnius-group.json');

interface Shown {
  document: { slug: string; kind: string; language: string; title: string; format: string };
  segments: Array<{ speaker: string | null; text: string }>;
}

describe('qcode import of a Telegram chat export', () => {
  it('stores each message with text as a segment, its author the speaker, as a chat', () => {
    const dir = newProject();
    const report = JSON.parse(qcodeOk(dir, 'import', CHAT, '--json')) as { files: Array<{ status: string; format: string; warnings: string[] }> };
    expect(report.files[0]?.status).toBe('imported');
    expect(report.files[0]?.format).toBe('telegram');
    expect(report.files[0]?.warnings).toEqual(['telegram: 2 messages without text (a photo, sticker, voice message, file, contact or location alone) left out']);
    const shown = JSON.parse(qcodeOk(dir, 'docs', 'show', 'telegram-vilnius-group', '--json')) as Shown;
    expect(shown.document).toMatchObject({ kind: 'chat', language: 'ru', title: 'Вильнюс: взаимопомощь и акции', format: 'telegram' });
    expect(shown.segments.map((segment) => segment.speaker)).toEqual(['Ольга (админ)', 'Денис К.', 'Marta', 'Аня (forwarded from Свободные голоса)', 'Igor']);
    // Formatted pieces (bold, italic) are joined into the text; a message's line breaks stay.
    expect(shown.segments[1]?.text).toContain('в коворкинге у вокзала. Нужны люди');
    expect(shown.segments[3]?.text).toBe('Собрали 212 писем политзаключённым за месяц. Адреса и правила переписки — в закреплённом сообщении.\nПишите по-русски: письма на других языках не доходят.');
    const hits = JSON.parse(qcodeOk(dir, 'search', 'courts', '--json')) as { total: number };
    expect(hits.total).toBe(1);
  });

  it('pseudonymises the authors with --speakers, so their names never reach the store', () => {
    const dir = newProject();
    qcodeOk(dir, 'import', CHAT, '--speakers', 'Ольга (админ)=M1,Денис К.=M2,Marta=M3,Аня=M4,Igor=M5');
    const shown = JSON.parse(qcodeOk(dir, 'docs', 'show', 'telegram-vilnius-group', '--json')) as Shown;
    expect(shown.segments.map((segment) => segment.speaker)).toEqual(['M1', 'M2', 'M3', 'M4 (forwarded from Свободные голоса)', 'M5']);
    expect(JSON.parse(qcodeOk(dir, 'search', 'Marta', '--json'))).toMatchObject({ total: 0 });
  });

  it('passes over a .json file found in a folder, and says how to import one', () => {
    const dir = newProject();
    const folder = tempDir('qcode-telegram-folder-');
    copyFileSync(CHAT, join(folder, 'result.json'));
    writeFileSync(join(folder, 'note.txt'), 'Интервьюер: Как дела?\nРеспондент: Хорошо.\n');
    const report = JSON.parse(qcodeOk(dir, 'import', folder, '--json')) as { totals: { imported: number }; skipped: Array<{ display: string; message: string }> };
    expect(report.totals.imported).toBe(1);
    expect(report.skipped.map((item) => item.message)).toEqual(['a .json file (a Telegram chat export is imported when named: qcode import FILE.json)']);
  });

  it('refuses JSON that is not a chat export, or is cut short, in one line naming the place', () => {
    const dir = newProject();
    const folder = tempDir('qcode-telegram-bad-');
    mkdirSync(join(folder, 'x'));
    writeFileSync(join(folder, 'x', 'settings.json'), '{"theme": "dark"}\n');
    writeFileSync(join(folder, 'x', 'cut.json'), '{\n "name": "Группа",\n "messages": [\n  {"id": 1, "type": "message", "text": "Обрыв');
    const notChat = runQcode(['--project', dir, 'import', join(folder, 'x', 'settings.json')]);
    expect(notChat.code).toBe(1);
    expect(notChat.stderr).toContain('settings.json: not a Telegram chat export (no "messages" list)');
    expect(notChat.stderr).not.toContain('    at ');
    const cut = runQcode(['--project', dir, 'import', join(folder, 'x', 'cut.json')]);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/cut\.json:4:\d+: not valid JSON/);
    expect(JSON.parse(qcodeOk(dir, 'docs', 'list', '--json'))).toEqual([]);
  });
});
