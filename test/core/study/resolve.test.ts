import { describe, expect, it } from 'vitest';
import { textPackTemplate } from '../../../src/core/instrument/textPack.js';
import { mapColumns } from '../../../src/core/response/mapping.js';
import { targetsFromStudy } from '../../../src/core/response/targets.js';
import { buildScoringPlan } from '../../../src/core/scoring/plan.js';
import { resolvedLookup, resolveStudy } from '../../../src/core/study/resolve.js';
import { getInstrument, instrumentIds } from '../../../src/instruments/index.js';

const resolve = (s: unknown) => resolveStudy(s, getInstrument, instrumentIds());
const base = { id: 's', title: 'S' };

describe('resolveStudy', () => {
  it('names unknown instruments, missing acknowledgements, bad domains and group variables with their fix', () => {
    const r = resolve({
      ...base,
      instruments: [
        { instrument: 'nope' },
        {
          instrument: 'bace3',
          domains: [{ id: 'd', label: { en: 'D' }, items: ['bace3_99'], method: 'mean' }],
        },
      ],
      questions: [{ id: 'age', type: 'number', text: { en: 'Age' } }],
      analysis: { groupBy: ['age', 'missing'], thresholds: [{ score: 'zzz', atLeast: 1 }] },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const msgs = r.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    expect(msgs).toMatch(
      /instruments\[0\]\.instrument: "nope" is not an instrument in the library; use one of: bace3/,
    );
    expect(msgs).toMatch(
      /instruments\[1\]\.termsAcknowledged: BACE v3 requires its owner's terms to be acknowledged/,
    );
    expect(msgs).toMatch(
      /domains\[0\]\.items\[0\]: domain "d" uses "bace3_99", which is not an item of bace3/,
    );
    expect(msgs).toMatch(
      /analysis\.groupBy\[0\]: group variable "age" must be a single-choice question \(it is number\)/,
    );
    expect(msgs).toMatch(/analysis\.groupBy\[1\]: group variable "missing" is not a question of this study/);
    expect(msgs).toMatch(/threshold refers to score "zzz"/);
  });

  it("applies a licensed user's text pack to a structure-only instrument (PSS-10)", () => {
    const pss = getInstrument('pss10')!;
    expect(pss.items.every((i) => !i.text)).toBe(true);
    const pack = textPackTemplate(pss, 'en', 'Example University (licence 123)');
    for (const id of Object.keys(pack.items)) pack.items[id] = `Text of ${id}`;
    for (const sc of Object.keys(pack.scales))
      for (const v of Object.keys(pack.scales[sc]!)) pack.scales[sc]![v] = `Option ${v}`;
    pack.instructions = 'In the last month…';
    const ack = { by: 'PI', at: '2026-01-01' };
    const r = resolve({
      ...base,
      instruments: [{ instrument: 'pss10', termsAcknowledged: ack, textPacks: [pack] }],
    });
    expect(r.ok, JSON.stringify(!r.ok && r.issues)).toBe(true);
    if (!r.ok) return;
    const ins = r.value.instruments[0]!;
    expect(ins.items[0]!.text?.en).toBe(`Text of ${ins.items[0]!.id}`);
    expect(r.value.variables.get('pss10_01')!.item.text?.en).toBe('Text of pss10_01');
    // A pack naming an item the instrument does not have is refused with the path to the bad entry.
    const bad = { ...pack, items: { ...pack.items, pss10_99: 'x' } };
    const r2 = resolve({
      ...base,
      instruments: [{ instrument: 'pss10', termsAcknowledged: ack, textPacks: [bad] }],
    });
    expect(r2.ok).toBe(false);
    if (!r2.ok)
      expect(r2.issues.map((i) => i.path).join(' ')).toMatch(
        /instruments\[0\]\.textPacks\[0\]\.items\.pss10_99/,
      );
  });

  it('resolvedLookup gives every consumer the packed instrument: import targets match the pack wording', () => {
    const pss = getInstrument('pss10')!;
    // Test-only wording, obviously not the licensed text.
    const pack = {
      instrument: 'pss10',
      version: pss.version,
      language: 'en',
      licensee: 'Test licensee',
      items: Object.fromEntries(pss.items.map((it) => [it.id, `Fake statement for ${it.id}`])),
    };
    const r = resolve({
      ...base,
      instruments: [{ instrument: 'pss10', termsAcknowledged: { by: 'PI', at: 'n/a' }, textPacks: [pack] }],
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const lookup = resolvedLookup(r.value);
    expect(lookup('pss10')).toBe(r.value.instruments[0]);
    expect(lookup('bace3')).toBeUndefined();
    const headers = ['Stem [Fake statement for pss10_01]', 'Stem [Fake statement for pss10_04]'];
    const packed = targetsFromStudy(r.value.study, lookup);
    const library = targetsFromStudy(r.value.study, getInstrument);
    if (!packed.ok || !library.ok) throw new Error('targets');
    expect(mapColumns(headers, packed.value).report.mapped.map((c) => c.variable)).toEqual([
      'pss10_01',
      'pss10_04',
    ]);
    // The library's copy has no text: nothing would match (the bug this lookup fixes).
    expect(mapColumns(headers, library.value).report.mapped).toEqual([]);
    const plan = buildScoringPlan(r.value.study, lookup);
    expect(plan.ok && plan.value.scores.map((s) => s.id)).toEqual(['pss10_total']);
  });
});

describe('resolveStudy with own instruments', () => {
  const def = () => ({
    id: 'att',
    title: { en: 'Attitudes' },
    scales: [{ id: 'agree', options: [1, 2, 3].map((value) => ({ value, label: { en: `A${value}` } })) }],
    items: [
      { id: 'att_1', scale: 'agree', text: { en: 'One' } },
      { id: 'att_2', scale: 'agree', text: { en: 'Two' }, reverse: true },
    ],
    scores: [{ id: 'att_sum', label: { en: 'Sum' }, items: ['att_1', 'att_2'], method: 'sum' }],
  });

  it('accepts an inline definition: its items become variables and its scores the study scores', () => {
    const r = resolve({ ...base, instruments: [{ definition: def() }, { instrument: 'phq9' }] });
    expect(r.ok, JSON.stringify(!r.ok && r.issues)).toBe(true);
    if (!r.ok) return;
    expect(r.value.study.instruments[0]!.instrument).toBe('att');
    expect(r.value.instruments.map((i) => i.id)).toEqual(['att', 'phq9']);
    expect(r.value.variables.get('att_2')!.item.reverse).toBe(true);
    expect(r.value.variables.get('att_2')!.instrument!.id).toBe('att');
    expect([...r.value.scoreIds]).toContain('att_sum');
    // "instrument" may repeat the definition's id (the studio stores both)…
    expect(resolve({ ...base, instruments: [{ instrument: 'att', definition: def() }] }).ok).toBe(true);
  });

  it('refuses a definition whose id is a library id, a mismatched id, a file reference and a typo', () => {
    const phq = { ...def(), id: 'phq9' };
    const r = resolve({
      ...base,
      instruments: [
        { definition: phq },
        { instrument: 'other', definition: def() },
        { file: 'att.instrument.json' },
        {},
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const msgs = r.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    expect(msgs).toMatch(
      /instruments\[1\]\.instrument: "instrument" is "other" but the definition's id is "att"/,
    );
    expect(msgs).toMatch(
      /instruments\[2\]\.file: instrument files \("att.instrument.json"\) are read by the nabz command/,
    );
    expect(msgs).toMatch(/instruments\[3\]: give "instrument" \(a library id/);
    const r2 = resolve({ ...base, instruments: [{ definition: phq }] });
    expect(r2.ok).toBe(false);
    if (!r2.ok)
      expect(r2.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toMatch(
        /instruments\[0\]\.definition\.id: own instrument id "phq9" is the id of the library instrument PHQ-9; rename your instrument/,
      );
    const typo = def() as ReturnType<typeof def> & { items: Record<string, unknown>[] };
    typo.items[1] = { id: 'att_2', scale: 'agree', text: { en: 'Two' }, Reverse: true };
    const r3 = resolve({ ...base, instruments: [{ definition: typo }] });
    expect(r3.ok).toBe(false);
    if (!r3.ok)
      expect(r3.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toMatch(
        /instruments\[0\]\.definition\.items\[1\]\.Reverse: "Reverse" is not a field here; did you mean "reverse"\?/,
      );
  });
});
