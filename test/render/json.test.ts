import { describe, expect, it } from 'vitest';
import { parseReport, type Report } from '../../src/core/report/spec.js';
import { renderJson } from '../../src/render/json.js';
import { fixtureReport } from './fixture.js';

/** Rebuild every object with its keys in reverse order. */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reverseKeys(x)]),
    );
  }
  return v;
}

describe('renderJson', () => {
  const json = renderJson(fixtureReport());

  it('sorts keys at every level, whatever order the report was built in', () => {
    expect(Object.keys(JSON.parse(json))).toEqual([
      'generatedBy',
      'language',
      'schemaVersion',
      'scoringNote',
      'sections',
      'title',
    ]);
    expect(renderJson(reverseKeys(fixtureReport()) as Report)).toBe(json);
    expect(json).toMatch(/^\{\n {2}"generatedBy": "nabz 0\.1\.0",\n/);
    expect(json.endsWith('}\n')).toBe(true);
    const cell = /"count": 116,\n\s+"kind": "number"|"kind": "number",\n\s+"value": 116/;
    expect(json).toMatch(cell);
  });

  it('reads back to the same report', () => {
    const r = parseReport(JSON.parse(json));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(fixtureReport());
  });

  it('keeps raw numbers and their formats', () => {
    const parsed = JSON.parse(json);
    const table = parsed.sections[2].blocks[2];
    expect(table.id).toBe('by-training');
    const p = table.columns.find((c: { key: string }) => c.key === 'p');
    expect(p.format).toEqual({ alpha: 0.05, kind: 'pValue' });
    expect(table.rows[0].cells.p).toEqual({ kind: 'number', value: 0.0246 });
    expect(table.rows[2].cells.t).toEqual({
      kind: 'not_computable',
      reason: 'fewer than 2 respondents in a group',
    });
  });

  it('refuses an invalid report', () => {
    const r = fixtureReport();
    r.scoringNote = '';
    expect(() => renderJson(r)).toThrow(/scoringNote/);
  });
});
