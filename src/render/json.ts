/**
 * JSON renderer: the report spec itself, validated against `ReportSchema`, with object keys sorted
 * (recursively, by UTF-16 code unit order) so the same report always gives the same bytes, whatever order the
 * code built its objects in. Two-space indentation, trailing newline. Read it back with `parseReport`.
 */
import { assertValidReport, type Report } from '../core/report/spec.js';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Stable JSON text of a report. Throws when the report does not satisfy the schema (a programming error). */
export function renderJson(report: Report): string {
  assertValidReport(report);
  return `${JSON.stringify(sortKeys(report), null, 2)}\n`;
}
