/** An error the user can fix: printed as one line (plus an optional hint), never with a stack trace. */
export class UserError extends Error {
  readonly hint: string | undefined;
  /** 1 for a failed command, 2 for a usage error (a flag or argument is wrong or missing). */
  readonly exitCode: 1 | 2;

  constructor(message: string, options: { hint?: string; exitCode?: 1 | 2; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A usage error: exit code 2. */
export function usageError(message: string, hint?: string): UserError {
  return new UserError(message, hint === undefined ? { exitCode: 2 } : { hint, exitCode: 2 });
}

/** One problem found while validating a file, with its place. Validators gather these, then throw once. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatProblem(problem: Problem): string {
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`;
}

/** Thrown when a whole file or batch has problems; the CLI prints every one of them. */
export class ProblemsError extends UserError {
  readonly problems: readonly Problem[];

  constructor(summary: string, problems: readonly Problem[], hint?: string) {
    super(summary, hint === undefined ? {} : { hint });
    this.name = 'ProblemsError';
    this.problems = problems;
  }
}
