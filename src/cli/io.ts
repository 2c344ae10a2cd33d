/** Small I/O helpers shared by commands: reading JSON files with clear errors, writing outputs. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Issue } from '../core/instrument/schema.js';
import { parseJsonSafe } from '../core/json.js';
import { CliError } from './errors.js';

export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(
      `Cannot read ${what} "${path}": ${(e as NodeJS.ErrnoException).code ?? String(e)}. Check the path.`,
    );
  }
  try {
    return parseJsonSafe(text);
  } catch (e) {
    throw new CliError(
      `${what} "${path}" is not valid JSON: ${(e as Error).message}. Fix the file (a JSON validator shows where).`,
    );
  }
}

export function issuesError(what: string, issues: readonly Issue[]): CliError {
  const lines = issues.slice(0, 50).map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`);
  if (issues.length > 50) lines.push(`  … and ${issues.length - 50} more`);
  return new CliError(
    `${what} is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
  );
}

export function writeOut(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
