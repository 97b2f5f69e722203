import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { newProject, runQcode, tempDir } from '../helpers.js';

// The built binary on the reviewer's files: a page whose <meta charset> lies, and Markdown with front
// matter and anonymisation placeholders.

describe('qcode import: wrong <meta charset>, Markdown front matter and <placeholders>', () => {
  it('refuses a windows-1251 page declared koi8-r with one line, stores nothing, and reads it with --encoding cp1251', () => {
    const project = newProject();
    const file = join(tempDir(), 'wrong.html');
    writeFileSync(file, iconv.encode('<html><head><meta charset="koi8-r"><title>Интервью</title></head><body><p>Интервьюер: Когда вы уехали из России?</p><p>Респондент: Мы уехали в марте, потому что боялись мобилизации.</p></body></html>', 'win1251'));
    const refused = runQcode(['--project', project, 'import', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`✗ ${file}: the page declares charset koi8-r, but its text reads as windows-1251, not KOI8-R (read as declared, its letters would be garbled) — Pass --encoding cp1251`);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(runQcode(['--project', project, 'docs', 'list', '--csv']).stdout.trim().split('\n')).toHaveLength(1);

    const told = runQcode(['--project', project, 'import', file, '--encoding', 'cp1251']);
    expect(told.code, told.stderr).toBe(0);
    const shown = runQcode(['--project', project, 'docs', 'show', 'wrong', '--json']);
    expect(shown.stdout).toContain('Мы уехали в марте');
  });

  it('leaves Markdown front matter out (with a warning) and keeps <name> placeholders', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'front.md'), '---\ntitle: Интервью R40\nrespondent: Иван Петров (настоящее имя)\n---\n\n# Интервью с R40\n\nИнтервьюер: Когда вы уехали?\n\nРеспондент: Меня зовут <name>, я из <city>.\n');
    const imported = runQcode(['--project', project, 'import', join(dir, 'front.md')]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('md: front matter left out (lines 1–4)');
    const segments = JSON.parse(runQcode(['--project', project, 'docs', 'show', 'front', '--segments', '--json']).stdout) as unknown;
    const text = JSON.stringify(segments);
    expect(text).not.toContain('Иван Петров');
    expect(text).toContain('Меня зовут <name>, я из <city>.');
  });
});
