/**
 * Expected failures of a command: bad arguments (exit 2) or bad input data (exit 1). The message names the
 * thing, the bad value and the fix. Anything else that escapes a command is a bug and prints a stack.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string, usage: string): CliError {
  return new CliError(`${message}\n\n${usage}`, 2);
}
