/** Argument parsing over node:util parseArgs, turning its errors into usage errors that show the usage. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { usageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    const r = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if ((r.values as { help?: boolean }).help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    return r;
  } catch (e) {
    throw usageError((e as Error).message, usage);
  }
}

/** A number option: absent → undefined; not a finite number → usage error naming the option and value. */
export function num(value: string | undefined, name: string, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x))
    throw usageError(`--${name} must be a number, got "${value}"`, usage);
  return x;
}

export function requireNum(value: string | undefined, name: string, usage: string): number {
  const x = num(value, name, usage);
  if (x === undefined) throw usageError(`--${name} is required`, usage);
  return x;
}
