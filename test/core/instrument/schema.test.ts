import { describe, expect, it } from 'vitest';
import { defineInstrument } from '../../../src/core/instrument/define.js';
import { type InstrumentInput, parseInstrument } from '../../../src/core/instrument/schema.js';

const base = (): InstrumentInput => ({
  id: 'demo',
  version: '1',
  title: { en: 'Demo' },
  shortTitle: 'Demo',
  citation: 'nobody',
  licence: { name: 'test', textIncluded: true, terms: 'none', attribution: 'none' },
  languages: ['en'],
  scales: [
    {
      id: 'yn',
      options: [
        { value: 0, label: { en: 'No' } },
        { value: 1, label: { en: 'Yes' } },
      ],
    },
  ],
  items: [
    { id: 'demo_1', scale: 'yn', text: { en: 'One' } },
    { id: 'demo_2', scale: 'yn', text: { en: 'Two' }, showIf: 'demo_1 = 1' },
  ],
  scores: [{ id: 'demo_sum', label: { en: 'Sum' }, items: ['demo_1', 'demo_2'], method: 'sum' }],
  safety: [{ id: 'demo_flag', when: 'score.demo_sum >= 2', description: 'both yes' }],
});

describe('InstrumentSchema expression checks', () => {
  it('accepts valid skip logic and safety rules', () => {
    expect(parseInstrument(base()).ok).toBe(true);
  });
  it('rejects showIf with a syntax error, an unknown item or a self-reference', () => {
    const i = base();
    i.items[1]!.showIf = 'demo_1 =';
    i.items.push({ id: 'demo_3', scale: 'yn', text: { en: 'Three' }, showIf: 'demo_9 = 1' });
    i.items.push({ id: 'demo_4', scale: 'yn', text: { en: 'Four' }, showIf: 'demo_4 = 1' });
    const r = parseInstrument(i);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((x) => x.path)).toEqual(['items[1].showIf', 'items[2].showIf', 'items[3].showIf']);
    expect(r.issues[0]!.message).toMatch(/at position 9.*expected a value/);
    expect(r.issues[1]!.message).toMatch(/"demo_9" is not a known item/);
    expect(r.issues[2]!.message).toMatch(/refers to the item itself/);
  });
  it('rejects safety rules that name unknown scores', () => {
    const i = base();
    i.safety![0]!.when = 'score.demo_total >= 2';
    const r = parseInstrument(i);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ path: 'safety[0].when' });
  });
  it('allows text on a structure-only instrument only after a text pack was applied', () => {
    const i = base();
    i.licence.textIncluded = false;
    expect(parseInstrument(i).ok).toBe(false);
    i.appliedTextPacks = [
      {
        language: 'en',
        version: '1',
        licensee: 'x',
        fingerprint: '0123456789abcdef',
        matchesKnownText: null,
      },
    ];
    expect(parseInstrument(i).ok).toBe(true);
  });
  it('defineInstrument throws with every issue listed', () => {
    const i = base();
    i.items[1]!.scale = 'nope';
    expect(() => defineInstrument(i)).toThrow(
      /instrument "demo" is invalid:\n {2}- items\[1\]\.scale: item "demo_2" refers to scale "nope"/,
    );
  });
});
