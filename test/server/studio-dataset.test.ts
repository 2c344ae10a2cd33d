import { describe, expect, it } from 'vitest';
import { AnswerStatus } from '../../src/core/response/dataset.js';
import { datasetFromAnswers } from '../../src/server/studio/dataset.js';
import { checkDefinition } from '../../src/server/studio/definition.js';

const def = {
  id: 'ds',
  title: 'Dataset test',
  instruments: [{ instrument: 'phq9' }],
  questions: [
    {
      id: 'year',
      type: 'single',
      text: { en: 'Year' },
      options: [
        { value: 1, label: { en: 'First' } },
        { value: 2, label: { en: 'Second' } },
      ],
    },
    {
      id: 'coping',
      type: 'multiple',
      text: { en: 'Coping' },
      options: [
        { value: 1, label: { en: 'Sport' } },
        { value: 2, label: { en: 'Friends' } },
        { value: -1, label: { en: 'Other' } },
      ],
    },
    { id: 'age', type: 'number', text: { en: 'Age' }, min: 16, max: 80 },
    { id: 'note', type: 'longtext', text: { en: 'Anything else?' } },
  ],
};

const resolved = (() => {
  const c = checkDefinition(def);
  if (!c.ok) throw new Error(JSON.stringify(c.issues));
  return c.value.resolved;
})();

const A = AnswerStatus;

describe('datasetFromAnswers', () => {
  it('turns stored answers into columns, multiple choice into <id>__<value> 0/1 columns, statuses kept apart', async () => {
    const records = [
      {
        phq9_1: { kind: 'value', value: 2 },
        phq9_9: { kind: 'value', value: 0 },
        year: { kind: 'value', value: 2 },
        coping: { kind: 'choices', values: [1, -1] },
        age: { kind: 'value', value: 21 },
        note: { kind: 'text', text: 'fine' },
      },
      {
        phq9_1: { kind: 'skipped' },
        phq9_9: { kind: 'na' },
        year: { kind: 'value', value: 1 },
        coping: { kind: 'skipped' },
        age: { kind: 'not_shown' },
      },
      {
        // Wrong kinds and values that are not options: INVALID, never a number.
        phq9_1: { kind: 'value', value: 7 },
        year: { kind: 'text', text: 'two' },
        coping: { kind: 'value', value: 1 },
        age: { kind: 'value', value: 30 },
        note: { kind: 'choices', values: [1] },
      },
    ];
    const ds = await datasetFromAnswers(resolved, records);
    expect(ds.n).toBe(3);
    // Columns: PHQ-9 items, then the study's questions; coping as three option columns; no "coping" column.
    const ids = [...ds.columns.keys()];
    expect(ids.slice(0, 10)).toEqual([
      'phq9_1',
      'phq9_2',
      'phq9_3',
      'phq9_4',
      'phq9_5',
      'phq9_6',
      'phq9_7',
      'phq9_8',
      'phq9_9',
      'phq9_10',
    ]);
    expect(ids.slice(10)).toEqual(['year', 'coping__1', 'coping__2', 'coping__m1', 'age', 'note']);

    const num = (id: string) => {
      const c = ds.columns.get(id);
      if (c?.kind !== 'numeric') throw new Error(id);
      return { values: [...c.values], status: [...c.status] };
    };
    expect(num('phq9_1')).toEqual({
      values: [2, Number.NaN, Number.NaN],
      status: [A.ANSWERED, A.SKIPPED, A.INVALID],
    });
    expect(num('phq9_9')).toEqual({
      values: [0, Number.NaN, Number.NaN],
      status: [A.ANSWERED, A.NOT_APPLICABLE, A.NOT_SHOWN],
    });
    // Not in the answers at all: never asked (e.g. added in a later version).
    expect(num('phq9_2').status).toEqual([A.NOT_SHOWN, A.NOT_SHOWN, A.NOT_SHOWN]);
    expect(num('year')).toEqual({ values: [2, 1, Number.NaN], status: [A.ANSWERED, A.ANSWERED, A.INVALID] });
    expect(num('coping__1')).toEqual({
      values: [1, Number.NaN, Number.NaN],
      status: [A.ANSWERED, A.SKIPPED, A.INVALID],
    });
    expect(num('coping__2')).toEqual({
      values: [0, Number.NaN, Number.NaN],
      status: [A.ANSWERED, A.SKIPPED, A.INVALID],
    });
    expect(num('coping__m1')).toEqual({
      values: [1, Number.NaN, Number.NaN],
      status: [A.ANSWERED, A.SKIPPED, A.INVALID],
    });
    expect(num('age')).toEqual({
      values: [21, Number.NaN, 30],
      status: [A.ANSWERED, A.NOT_SHOWN, A.ANSWERED],
    });
    const note = ds.columns.get('note');
    expect(note).toEqual({ kind: 'text', id: 'note', values: ['fine', null, null] });
  });

  it('reads an async iterable and grows past its initial capacity', async () => {
    async function* gen() {
      for (let i = 0; i < 100; i++) yield { year: { kind: 'value', value: (i % 2) + 1 } };
    }
    const ds = await datasetFromAnswers(resolved, gen(), 3);
    expect(ds.n).toBe(100);
    const c = ds.columns.get('year');
    if (c?.kind !== 'numeric') throw new Error('year');
    expect(c.values.length).toBe(100);
    expect(c.values.filter((v) => v === 1).length).toBe(50);
  });

  it('treats an empty record as answering nothing', async () => {
    const ds = await datasetFromAnswers(resolved, [{}, {}]);
    expect(ds.n).toBe(2);
    const c = ds.columns.get('year');
    if (c?.kind !== 'numeric') throw new Error('year');
    expect([...c.status]).toEqual([A.NOT_SHOWN, A.NOT_SHOWN]);
  });
});
