import type { Command } from 'commander';

export function registerAnalysis(_program: Command): void {}
