import { createRequire } from 'node:module';

// commander is CommonJS. Required rather than imported, it never starts Node's CommonJS export lexer, which
// every run would otherwise pay for (together with better-sqlite3, required likewise in store/db.ts: about
// 14 ms of start-up).
const commander = createRequire(import.meta.url)('commander') as typeof import('commander');

export const { Command, CommanderError, InvalidArgumentError, Option } = commander;
export type Command = import('commander').Command;
export type Option = import('commander').Option;
