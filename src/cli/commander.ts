import { createRequire } from 'node:module';

// commander and better-sqlite3 are CommonJS. Required rather than imported, they never start Node's
// CommonJS export lexer, which every run would otherwise pay for (about 14 ms of start-up).
const commander = createRequire(import.meta.url)('commander') as typeof import('commander');

export const { Command, CommanderError, InvalidArgumentError, Option } = commander;
export type Command = import('commander').Command;
export type Option = import('commander').Option;
