import type { Command } from 'commander';

export function registerRefi(_program: Command): void {}
