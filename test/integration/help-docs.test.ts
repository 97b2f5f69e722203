import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { ROOT } from '../helpers.js';

/** Every command that does something (not a group of subcommands), with its path: "memo add". */
function leafCommands(command: Command, path: string[] = []): Array<{ path: string; command: Command }> {
  return command.commands.flatMap((sub) => {
    const subPath = [...path, sub.name()];
    return sub.commands.length === 0 ? [{ path: subPath.join(' '), command: sub }] : leafCommands(sub, subPath);
  });
}

function fullHelp(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (chunk) => { text += chunk; } });
  command.outputHelp();
  return text;
}

const program = await buildProgram([]);
const commands = leafCommands(program);
const docs = [readFileSync(join(ROOT, 'README.md'), 'utf8'), ...readdirSync(join(ROOT, 'docs')).map((name) => readFileSync(join(ROOT, 'docs', name), 'utf8'))].join('\n');

describe('every command is documented', () => {
  it('finds the commands', () => {
    expect(commands.map((item) => item.path)).toEqual(expect.arrayContaining(['init', 'codebook check', 'memo add', 'refi import', 'export all']));
  });

  it.each(commands.map((item) => [item.path, item.command] as const))('qcode %s has a description and examples in its help', (_, command) => {
    expect(command.description().length).toBeGreaterThan(10);
    expect(fullHelp(command)).toMatch(/Examples:\n\s+\$ qcode /);
  });

  it.each(commands.map((item) => [item.path] as const))('qcode %s appears in README.md or docs/', (path) => {
    expect(docs).toContain(`qcode ${path}`);
  });
});
