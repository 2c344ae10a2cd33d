import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISSUE_CODE } from '../../src/core/issue.js';

const root = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `code: '…'` literals that are not problem codes: a resume-code placeholder and an entity's display label. */
const NOT_ISSUE_CODES = new Set(['src/server/studio/preview.ts: PREVIEW', 'src/store/qual.ts: Code']);

describe('one code convention for every problem (core/issue.ts: lower-case snake_case)', () => {
  const found: { where: string; code: string }[] = [];
  for (const f of files(join(root, 'src'))) {
    const text = readFileSync(f, 'utf8');
    const where = relative(root, f);
    const patterns = [
      /\bcode: '([^']*)'/g, // Issue, ImportError, Refused and HttpIssue literals
      /\brefused\(\s*'([^']*)'/g, // store refusals
      /new HttpError\(\s*\d+,[^;]*?,\s*'([A-Za-z][\w-]*)'\s*[,)]/g, // HttpError codes (the third argument)
      /\bproblem: '([^']*)'/g, // coding problems (become ImportError codes)
    ];
    for (const re of patterns)
      for (const m of text.matchAll(re))
        if (!NOT_ISSUE_CODES.has(`${where}: ${m[1]}`)) found.push({ where, code: m[1] ?? '' });
  }
  const unionText = readFileSync(join(root, 'src', 'core', 'response', 'importErrors.ts'), 'utf8');
  const union = /export type ImportErrorCode =([^;]*);/.exec(unionText)?.[1] ?? '';
  for (const m of union.matchAll(/\|\s*'([^']*)'/g))
    found.push({ where: 'ImportErrorCode', code: m[1] ?? '' });

  it('finds the codes it checks (import errors, validators, store refusals, HTTP errors)', () => {
    expect(found.length).toBeGreaterThan(100);
    expect(found.filter((f) => f.where === 'ImportErrorCode').length).toBeGreaterThan(10);
  });

  it('every code is lower-case snake_case', () => {
    expect(found.filter((f) => !ISSUE_CODE.test(f.code))).toEqual([]);
  });
});
