import type { Command } from 'commander';

export function registerCoding(_program: Command): void {}
