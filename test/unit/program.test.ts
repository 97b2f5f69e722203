import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandWord, COMMAND_GROUPS } from '../../src/cli/program.js';

describe('loading only the command group a run names', () => {
  it.each(COMMAND_GROUPS.map((group) => [group.commands.join(' '), group] as const))('the group of %s registers exactly those commands', async (_, group) => {
    const program = new Command('qcode');
    (await group.load())(program);
    expect(program.commands.map((command) => command.name())).toEqual(group.commands);
  });

  it('names every command once', () => {
    const names = COMMAND_GROUPS.flatMap((group) => group.commands);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([
    [['stats', '--json'], 'stats'],
    [['--project', 'study', 'cooccur'], 'cooccur'],
    [['--quiet', '--debug', 'tag', 'r01:1', 'forms.protest'], 'tag'],
    [['--help'], undefined],
    [[], undefined],
  ])('finds the command word of %j', (args, word) => {
    expect(commandWord(args)).toBe(word);
  });

  it('loads one group for a named command and all of them otherwise', async () => {
    expect((await buildProgram(['stats'])).commands.map((command) => command.name())).toEqual(['retrieve', 'search', 'stats', 'cooccur']);
    // An unknown word loads every group, to say so with a suggestion from all of them.
    await expect(buildProgram(['stat'])).rejects.toThrow("error: unknown command 'stat'\n(Did you mean stats?)");
    expect((await buildProgram([])).commands).toHaveLength(COMMAND_GROUPS.flatMap((group) => group.commands).length);
  });
});
