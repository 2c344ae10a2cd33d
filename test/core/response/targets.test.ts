import { describe, expect, it } from 'vitest';
import { optionColumnId, targetsFromStudy } from '../../../src/core/response/targets.js';
import { StudySchema } from '../../../src/core/study/schema.js';
import { library } from './fixtures.js';

describe('targetsFromStudy', () => {
  it('lists instrument items with their scale options, then study questions', () => {
    const study = StudySchema.parse({
      id: 's',
      title: 'S',
      instruments: [{ instrument: 'mini' }],
      questions: [
        {
          id: 'gender',
          type: 'single',
          text: { en: 'Gender' },
          options: [{ value: 1, label: { en: 'Female' } }],
        },
      ],
    });
    const r = targetsFromStudy(study, (id) => library.get(id));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map((t) => [t.id, t.group, t.type, t.options.length, t.notApplicable])).toEqual([
      ['mini_1', 'mini', 'scale', 4, false],
      ['mini_2', 'mini', 'scale', 4, false],
      ['mini_3', 'mini', 'scale', 4, true],
      ['gender', 'study', 'single', 1, false],
    ]);
    expect(r.value[0]!.notApplicableLabel).toEqual({ en: 'Not applicable', ur: 'لاگو نہیں' });
    expect(r.value[0]!.texts).toEqual([
      { en: 'Feeling nervous, anxious or on edge', ur: 'گھبراہٹ، بے چینی یا تناؤ محسوس کرنا' },
    ]);
  });

  it('reports unknown instruments, scale questions without a scale and variables defined twice', () => {
    const study = StudySchema.parse({
      id: 's',
      title: 'S',
      instruments: [{ instrument: 'mini' }, { instrument: 'nope' }],
      questions: [
        { id: 'q1', text: { en: 'A scale question' } },
        { id: 'mini_2', type: 'number', text: { en: 'Clash' } },
      ],
    });
    const r = targetsFromStudy(study, (id) => library.get(id));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.message)).toEqual([
      'instrument "nope" is not in the library',
      'item "q1" is a scale item but its scale "" is not defined (study questions have no scales: use type "single" with options)',
      'variable "mini_2" of study is also defined by mini',
    ]);
  });
});

describe('optionColumnId', () => {
  it('names option variables <id>__<value>', () => {
    expect([optionColumnId('coping', 3), optionColumnId('x', -1), optionColumnId('x', 0.5)]).toEqual([
      'coping__3',
      'x__m1',
      'x__0_5',
    ]);
  });
});
