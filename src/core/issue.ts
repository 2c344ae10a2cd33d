/**
 * The one problem shape of nabz: every validator (instrument, study, report, qualitative project, studio forms,
 * route parameters) reports `Issue { path, code, message }`; import errors (core/response/importErrors.ts) carry
 * the same `code` and `message` with the row, column and value in place of a path.
 *
 * - `path`: where, readable — `items[3].scale`, `collection.eligibility.eligibleIf`, '' for the whole input.
 * - `code`: one convention — lower-case snake_case words (`unknown_item`, `duplicate_variable`, `too_long`,
 *   `unknown_label`); Zod's own codes (`invalid_type`, `too_small`, `custom` for refinements) follow it already.
 * - `message`: a sentence for people naming the thing, the bad value and the fix.
 */
import type { z } from 'zod';

/** A validation problem, as every validator in nabz reports it. */
export interface Issue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** A value, or the issues that stopped it. */
export type Validated<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly Issue[] };

/** The convention of `Issue.code`: lower-case snake_case. */
export const ISSUE_CODE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** Turns Zod issues into nabz issues with a readable path like `items[3].scale`. */
export function toIssues(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({
    path: issuePath(i.path),
    code: i.code,
    message: i.message,
  }));
}

/** A Zod path as nabz writes it: `items[3].scale`. */
function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p, k) => (typeof p === 'number' ? `[${p}]` : k === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
