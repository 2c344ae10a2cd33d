import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { figureRows, tableNotes } from '../../../src/core/report/display.js';
import {
  assertValidReport,
  blockLabels,
  parseReport,
  REPORT_SCHEMA_VERSION,
  type Report,
  reportJsonSchema,
  type TableSpec,
} from '../../../src/core/report/spec.js';
import { fixtureReport } from '../../render/fixture.js';

function minimal(): Report {
  return {
    schemaVersion: 1,
    title: 'T',
    language: 'en',
    generatedBy: 'nabz test',
    scoringNote: 'Scoring: none.',
    sections: [
      {
        id: 's',
        title: 'S',
        blocks: [
          {
            type: 'table',
            id: 't1',
            title: 'A table',
            columns: [
              { key: 'label', label: 'Label', format: { kind: 'text' } },
              { key: 'p', label: 'p', format: { kind: 'pValue' } },
            ],
            rows: [
              {
                kind: 'data',
                cells: { label: { kind: 'text', text: 'a' }, p: { kind: 'number', value: 0.5 } },
              },
            ],
            notes: [],
          },
        ],
      },
    ],
  };
}

function issuesOf(input: unknown): string[] {
  const r = parseReport(input);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('ReportSchema', () => {
  it('accepts the fixture and a minimal report', () => {
    expect(issuesOf(fixtureReport())).toEqual([]);
    expect(issuesOf(minimal())).toEqual([]);
    expect(REPORT_SCHEMA_VERSION).toBe(1);
  });

  it('requires a scoring note and the current schema version', () => {
    const { scoringNote: _, ...noNote } = minimal();
    expect(issuesOf(noNote).join('\n')).toMatch(/scoringNote/);
    expect(issuesOf({ ...minimal(), scoringNote: '' }).join('\n')).toMatch(/scoringNote/);
    expect(issuesOf({ ...minimal(), schemaVersion: 2 }).join('\n')).toMatch(/schemaVersion/);
  });

  it('rejects NaN and Infinity (not computable values are cells with a reason)', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const r = minimal();
      const t = r.sections[0]!.blocks[0] as TableSpec;
      (t.rows[0] as { cells: Record<string, unknown> }).cells.p = { kind: 'number', value: bad };
      expect(issuesOf(r).join('\n')).toMatch(/sections\[0\]\.blocks\[0\]\.rows\[0\]\.cells\.p/);
    }
  });

  it('checks cross-field rules: unique ids, cells naming columns, count ≤ total, lower ≤ upper', () => {
    const r = minimal();
    const t = r.sections[0]!.blocks[0] as TableSpec;
    r.sections[0]!.blocks.push({ ...t });
    (t.rows[0] as { cells: Record<string, unknown> }).cells.typo = { kind: 'empty' };
    t.rows.push({ kind: 'data', cells: { p: { kind: 'proportion', count: 5, total: 4 } } });
    t.rows.push({ kind: 'data', cells: { p: { kind: 'interval', lower: 2, upper: 1 } } });
    const issues = issuesOf(r).join('\n');
    expect(issues).toMatch(/duplicate table and figure id "t1"/);
    expect(issues).toMatch(/cell "typo" is not a column \(columns: label, p\)/);
    expect(issues).toMatch(/count 5 exceeds total 4/);
    expect(issues).toMatch(/interval lower 2 exceeds upper 1/);
    expect(() => assertValidReport(r)).toThrow(/invalid report/);
  });

  it('rejects unknown keys, bad ids, duplicate figure categories and text value axes', () => {
    expect(issuesOf({ ...minimal(), extra: 1 }).join('\n')).toMatch(/extra|Unrecognized/i);
    const r = fixtureReport();
    r.sections[0]!.id = 'has space';
    const fig = r.sections[1]!.blocks[1]!;
    if (fig.type !== 'figure') throw new Error('fixture changed');
    fig.data.push({ ...fig.data[0]! });
    fig.x.format = { kind: 'text' };
    const issues = issuesOf(r).join('\n');
    expect(issues).toMatch(/sections\[0\]\.id: must start with a letter/);
    expect(issues).toMatch(/duplicate category "Difficulty taking time off work"/);
    expect(issues).toMatch(/value axis needs a number format/);
  });

  it('numbers tables and figures in report order', () => {
    expect([...blockLabels(fixtureReport())]).toEqual([
      ['sample', 'Table 1'],
      ['endorsement', 'Table 2'],
      ['top-barriers', 'Figure 1'],
      ['domains', 'Table 3'],
      ['thresholds', 'Table 4'],
      ['by-training', 'Table 5'],
    ]);
  });
});

describe('display helpers', () => {
  it('group header rows reset at their indent for note locations', () => {
    const t: TableSpec = {
      type: 'table',
      id: 't',
      title: 't',
      columns: [
        { key: 'a', label: 'A', format: { kind: 'text' } },
        { key: 'b', label: 'B', format: { kind: 'integer' } },
      ],
      rows: [
        { kind: 'group', label: 'G1' },
        { kind: 'group', label: 'G1.1', indent: 1 },
        {
          kind: 'data',
          cells: {
            a: { kind: 'text', text: 'x' },
            b: { kind: 'suppressed', reason: 'fewer than 5 respondents.' },
          },
        },
        { kind: 'group', label: 'G2' },
        {
          kind: 'data',
          cells: {
            a: { kind: 'text', text: 'y' },
            b: { kind: 'suppressed', reason: 'fewer than 5 respondents' },
          },
        },
      ],
      denominator: 'D.',
      notes: ['M.'],
    };
    expect(tableNotes(t)).toEqual([
      'D.',
      'M.',
      'Suppressed: fewer than 5 respondents (G1, G1.1, x: B).',
      'Suppressed: fewer than 5 respondents (G2, y: B).',
    ]);
  });

  it('sorts figure rows stably', () => {
    const base = fixtureReport().sections[1]!.blocks[1]!;
    if (base.type !== 'figure') throw new Error('fixture changed');
    const fig = {
      ...base,
      data: [
        { category: 'a', value: 0.1 },
        { category: 'b', value: 0.3 },
        { category: 'c', value: 0.1 },
        { category: 'd', value: 0.3 },
      ],
    };
    expect(figureRows(fig).map((d) => d.category)).toEqual(['b', 'd', 'a', 'c']);
    expect(figureRows({ ...fig, sort: 'ascending' }).map((d) => d.category)).toEqual(['a', 'c', 'b', 'd']);
    expect(figureRows({ ...fig, sort: 'data' }).map((d) => d.category)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('JSON Schema', () => {
  const schema = reportJsonSchema();

  it('is draft 2020-12 with named definitions and the schema version', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const defs = schema.$defs as Record<string, Record<string, unknown>>;
    expect(Object.keys(defs).sort()).toEqual(
      [
        'Report',
        'ReportCell',
        'ReportColumn',
        'ReportFigure',
        'ReportFigureDatum',
        'ReportFormat',
        'ReportRow',
        'ReportSection',
        'ReportTable',
        'ReportText',
      ].sort(),
    );
    const props = defs.Report!.properties as Record<string, Record<string, unknown>>;
    expect(props.schemaVersion!.const).toBe(1);
    expect(defs.Report!.required).toContain('scoringNote');
    expect(defs.Report!.additionalProperties).toBe(false);
  });

  it('is the one printed in docs/report-schema.md', () => {
    const docs = readFileSync(new URL('../../../docs/report-schema.md', import.meta.url), 'utf8');
    const m = /<!-- schema:start -->\n```json\n([\s\S]*?)\n```\n<!-- schema:end -->/.exec(docs);
    expect(m, 'docs/report-schema.md has no schema block').not.toBeNull();
    expect(
      JSON.parse(m![1]!),
      'docs/report-schema.md is out of date: regenerate the block with the command given in the file',
    ).toEqual(schema);
  });
});
