import type { Command } from 'commander';

export function registerTeam(_program: Command): void {}
