import { describe, expect, it } from 'vitest';
import { formatMappingReport, mapColumns } from '../../../src/core/response/mapping.js';
import { parseMappingFile } from '../../../src/core/response/mappingFile.js';
import { targets } from './fixtures.js';

const stem = 'How often have you been bothered by the following?';

function mapping(json: unknown) {
  const m = parseMappingFile(json);
  if (!m.ok) throw new Error(JSON.stringify(m.issues));
  return m.value;
}

describe('mapColumns: automatic', () => {
  it('maps ids (any case), item texts in any language, grid rows, and the timestamp; reports the rest', () => {
    const plan = mapColumns(
      [
        'Timestamp',
        'MINI_1',
        'فکر کو روک نہ پانا',
        `${stem} [Trouble with work or studies]`,
        '2. Age (years):',
        'Email Address',
        '',
        'coping__3',
        'demographics/gender',
      ],
      targets(['mini']),
    );
    expect(plan.errors).toEqual([]);
    const r = plan.report;
    expect(r.mapped.map((c) => [c.letter, c.variable, c.how])).toEqual([
      ['B', 'mini_1', 'id'],
      ['C', 'mini_2', 'text'],
      ['D', 'mini_3', 'grid-row'],
      ['E', 'age', 'text'],
      ['H', 'coping__3', 'id'],
      ['I', 'gender', 'id'],
    ]);
    expect(r.mapped[4]).toMatchObject({ item: 'coping', option: 3 });
    expect(r.timestamp).toMatchObject({ index: 0, header: 'Timestamp', status: 'timestamp' });
    expect(r.unmapped.map((c) => c.letter)).toEqual(['F', 'G']);
    expect(r.unmapped[1]!.note).toBe('no header');
    expect(r.ambiguous).toEqual([]);
    expect(r.missingTargets).toEqual(['coping__1', 'coping__2', 'coping__4', 'comments']);
  });

  it('reports an ambiguous header with its candidates as an error', () => {
    const plan = mapColumns(
      ['Feeling nervous, anxious or on edge', 'Feeling down or hopeless'],
      targets(['mini', 'twin']),
    );
    expect(plan.report.ambiguous).toHaveLength(1);
    expect(plan.report.ambiguous[0]).toMatchObject({
      letter: 'A',
      status: 'ambiguous',
      candidates: ['mini_1', 'twin_1'],
    });
    expect(plan.errors).toEqual([
      {
        code: 'ambiguous_column',
        row: null,
        column: 'Feeling nervous, anxious or on edge',
        value: null,
        item: null,
        message:
          'Column "Feeling nervous, anxious or on edge" matches several items: mini_1, twin_1. Say which in a mapping file ("columns": { "Feeling nervous, anxious or on edge": "mini_1" }).',
      },
    ]);
    expect(plan.assignments[0]).toBeNull();
  });

  it('settles an ambiguous grid row by the instrument of the other rows of its grid', () => {
    const plan = mapColumns(
      [
        `${stem} [Feeling nervous, anxious or on edge]`,
        `${stem} [Not being able to stop worrying]`,
        `Second grid [Feeling nervous, anxious or on edge]`,
        'Second grid [Feeling down or hopeless]',
      ],
      targets(['mini', 'twin']),
    );
    expect(plan.errors).toEqual([]);
    expect(plan.report.mapped.map((c) => [c.variable, c.how])).toEqual([
      ['mini_1', 'grid-context'],
      ['mini_2', 'grid-row'],
      ['twin_1', 'grid-context'],
      ['twin_2', 'grid-row'],
    ]);
  });

  it('never guesses short codes', () => {
    const plan = mapColumns(['Q1', 'MINI1', 'BACE1'], targets(['mini']));
    expect(plan.report.mapped).toEqual([]);
    expect(plan.report.unmapped.map((c) => c.header)).toEqual(['Q1', 'MINI1', 'BACE1']);
  });

  it('refuses duplicate headers, naming the columns', () => {
    const plan = mapColumns(['Age (years)', 'Gender', 'Age (years)'], targets(['mini']));
    expect(plan.errors.map((e) => e.message)).toEqual([
      'Columns A, C all have the header "Age (years)", so they cannot be told apart. Rename them in the file so that each header is used once, or ignore them with a mapping file ("columns": { "Age (years)": null }).',
    ]);
    expect(plan.report.columns.map((c) => c.status)).toEqual(['duplicate', 'mapped', 'duplicate']);
    // ignored by the mapping file: no error
    const ok = mapColumns(
      ['Age (years)', 'Gender', 'Age (years)'],
      targets(['mini']),
      mapping({ columns: { 'Age (years)': null } }),
    );
    expect(ok.errors).toEqual([]);
    expect(ok.report.columns.map((c) => c.status)).toEqual(['ignored', 'mapped', 'ignored']);
  });

  it('refuses two columns for one variable', () => {
    const plan = mapColumns(
      ['mini_1', 'Feeling nervous, anxious or on edge', 'Which of these help you cope?', 'coping__2'],
      targets(['mini']),
    );
    expect(plan.errors.map((e) => e.code)).toEqual(['conflicting_columns', 'conflicting_columns']);
    expect(plan.errors[0]!.message).toBe(
      'column A ("mini_1") and column B ("Feeling nervous, anxious or on edge") would all fill item mini_1. Keep one: ignore the others in a mapping file ("columns": { "Feeling nervous, anxious or on edge": null }).',
    );
    expect(plan.errors[1]!.message).toContain('would all fill coping__2 (item coping)');
    expect(plan.report.columns.map((c) => c.status)).toEqual([
      'conflict',
      'conflict',
      'conflict',
      'conflict',
    ]);
  });
});

describe('mapColumns: mapping file', () => {
  it('maps headers to items and options, ignores null columns, and names the timestamp', () => {
    const plan = mapColumns(
      ['Submitted', 'Q1', 'q2 ', 'SEX', 'Q5[SQ002]', 'Interviewer', 'Age (years)'],
      targets(['mini']),
      mapping({
        columns: {
          Q1: 'mini_1',
          Q2: 'mini_2',
          SEX: 'gender',
          'Q5[SQ002]': 'coping__2',
          Interviewer: null,
          Missing: 'age',
        },
        timestamp: 'Submitted',
      }),
    );
    expect(plan.errors).toEqual([]);
    expect(plan.report.columns.map((c) => [c.status, c.variable, c.how])).toEqual([
      ['timestamp', undefined, undefined],
      ['mapped', 'mini_1', 'mapping-file'],
      ['mapped', 'mini_2', 'mapping-file'],
      ['mapped', 'gender', 'mapping-file'],
      ['mapped', 'coping__2', 'mapping-file'],
      ['ignored', undefined, undefined],
      ['mapped', 'age', 'text'],
    ]);
    expect(plan.warnings).toEqual(['The mapping file names column "Missing", which is not in the file.']);
  });

  it('lets the mapping file win over an automatic match of the same item', () => {
    const plan = mapColumns(['Q1', 'mini_1'], targets(['mini']), mapping({ columns: { Q1: 'mini_1' } }));
    expect(plan.errors).toEqual([]);
    expect(plan.report.columns.map((c) => c.status)).toEqual(['mapped', 'unmapped']);
    expect(plan.report.columns[1]!.note).toBe('mini_1 is filled from column A ("Q1") by the mapping file');
  });

  it('reports unknown items in columns and values, and a missing timestamp column', () => {
    const plan = mapColumns(
      ['Q1', 'Q2'],
      targets(['mini']),
      mapping({
        columns: { Q1: 'bace3_01' },
        values: { sex: { F: 1 }, '*': { '-99': 'SKIP' } },
        timestamp: 'When',
      }),
    );
    expect(plan.errors.map((e) => e.code)).toEqual(['mapping_file', 'mapping_file', 'mapping_file']);
    expect(plan.errors[0]!.message).toBe(
      'The mapping file has "values" for "sex", which is not an item of this study. Use an item id (mini_1, mini_2, mini_3, age, gender, coping, comments) or "*".',
    );
    expect(plan.errors[1]!.message).toBe(
      'The mapping file names "When" as the timestamp column, but the file has no such column. Its headers are: "Q1", "Q2".',
    );
    expect(plan.errors[2]!.message).toBe(
      'The mapping file maps column "Q1" to "bace3_01", which is not an item of this study (nor <item>__<value> for an option of a multiple-choice item). Items: mini_1, mini_2, mini_3, age, gender, coping, comments.',
    );
  });

  it('turns automatic timestamp detection off with "timestamp": null', () => {
    const plan = mapColumns(['Timestamp', 'mini_1'], targets(['mini']), mapping({ timestamp: null }));
    expect(plan.report.timestamp).toBeNull();
    expect(plan.report.columns[0]!.status).toBe('unmapped');
  });

  it('rejects a malformed mapping file', () => {
    const r = parseMappingFile({ columns: { Q1: 3 }, values: { x: { a: 'maybe' } }, extra: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path).sort()).toEqual(['', 'columns.Q1', 'values.x.a']);
  });
});

describe('formatMappingReport', () => {
  it('lists every column and how it was mapped', () => {
    const plan = mapColumns(
      [
        'Timestamp',
        'mini_1',
        `${stem} [Not being able to stop worrying]`,
        'Email Address',
        'Feeling nervous, anxious or on edge',
      ],
      targets(['mini', 'twin']),
    );
    expect(formatMappingReport(plan.report)).toBe(
      [
        'Mapped 2 of 5 columns:',
        '  B  "mini_1" → mini_1 (item id)',
        '  C  "How often have you been bothered by the following? [Not being able to stop worrying]" → mini_2 (grid row text)',
        'Submission time: A  "Timestamp"',
        'Not mapped (1):',
        '  D  "Email Address"',
        'Ambiguous (1) — name the item in a mapping file:',
        '  E  "Feeling nervous, anxious or on edge" could be mini_1, twin_1',
        'Variables with no column (10): mini_3, twin_1, twin_2, age, gender, coping__1, coping__2, coping__3, coping__4, comments',
      ].join('\n'),
    );
  });
});
