/** Own instruments as data: defaults for licence and titles, and misspelt keys refused with their path. */
import { describe, expect, it } from 'vitest';
import { parseOwnInstrument } from '../../../src/core/instrument/own.js';
import { OWN_INSTRUMENT_LICENCE } from '../../../src/core/instrument/schema.js';
import { listInstruments } from '../../../src/instruments/index.js';

const ownScale = () => ({
  $schema: '../../schemas/instrument.schema.json',
  id: 'att',
  title: { en: 'Attitudes to help-seeking', ur: 'مدد لینے کے بارے میں رویے' },
  scales: [
    {
      id: 'agree',
      options: [1, 2, 3, 4, 5].map((value) => ({ value, label: { en: `A${value}` } })),
    },
  ],
  items: [1, 2, 3, 4].map((k) => ({
    id: `att_${k}`,
    scale: 'agree',
    text: { en: `Statement ${k}` },
    ...(k === 4 ? { reverse: true } : {}),
  })),
  scores: [
    {
      id: 'att_mean',
      label: { en: 'Attitude' },
      items: ['att_1', 'att_2', 'att_3', 'att_4'],
      method: 'mean',
    },
  ],
});

describe('parseOwnInstrument', () => {
  it('fills licence, citation, version, short title and languages for an own instrument', () => {
    const r = parseOwnInstrument(ownScale());
    expect(r.ok, JSON.stringify(!r.ok && r.issues)).toBe(true);
    if (!r.ok) return;
    expect(r.value.licence).toEqual(OWN_INSTRUMENT_LICENCE);
    expect(r.value.licence.textIncluded).toBe(true);
    expect(r.value.licence.requiresAcknowledgement).toBe(false);
    expect(r.value.citation).toMatch(/Own instrument of the study team/);
    expect(r.value.version).toBe('1');
    expect(r.value.shortTitle).toBe('Attitudes to help-seeking');
    expect(r.value.languages).toEqual(['en', 'ur']);
    expect('$schema' in r.value).toBe(false);
    expect(r.value.items[3]!.reverse).toBe(true);
  });

  it('keeps what the author states (a published scale used with permission)', () => {
    const licence = {
      name: 'Used with permission',
      textIncluded: true,
      terms: 'By letter',
      attribution: '© X',
    };
    const r = parseOwnInstrument({ ...ownScale(), shortTitle: 'ATT', languages: ['en'], licence });
    expect(r.ok && r.value.shortTitle).toBe('ATT');
    expect(r.ok && r.value.languages).toEqual(['en']);
    expect(r.ok && r.value.licence.name).toBe('Used with permission');
  });

  it('refuses a misspelt key with its path and the likely fix, instead of dropping it', () => {
    const def = ownScale() as Record<string, unknown> & { items: Record<string, unknown>[] };
    def.items[3] = { id: 'att_4', scale: 'agree', text: { en: 'S4' }, reversed: true };
    (def.scores as Record<string, unknown>[])[0]!.minAnswerd = 3;
    def.licence = { ...OWN_INSTRUMENT_LICENCE, textIncluded: true, url2: 'x' };
    const r = parseOwnInstrument(def);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const msgs = r.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    expect(msgs).toMatch(/items\[3\]\.reversed: "reversed" is not a field here; did you mean "reverse"\?/);
    expect(msgs).toMatch(/scores\[0\]\.minAnswerd: .*did you mean "minAnswered"\?/);
    expect(msgs).toMatch(/licence\.url2: "url2" is not a field here/);
    // Without the typos the same definition is valid: the refusal came from the unknown keys alone.
    def.items[3] = { id: 'att_4', scale: 'agree', text: { en: 'S4' }, reverse: true };
    delete (def.scores as Record<string, unknown>[])[0]!.minAnswerd;
    def.licence = OWN_INSTRUMENT_LICENCE;
    expect(parseOwnInstrument(def).ok).toBe(true);
  });

  it('reports schema errors with the JSON path inside the definition', () => {
    const def = ownScale();
    def.items[1]!.scale = 'agre';
    const r = parseOwnInstrument(def, 'instruments[0].definition');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toMatch(
        /instruments\[0\]\.definition\.items\[1\]\.scale: item "att_2" refers to scale "agre", which is not one of: agree/,
      );
  });

  it('library instruments state their own licence (none relies on the own-instrument default)', () => {
    for (const ins of listInstruments()) {
      expect(ins.licence.name, ins.id).not.toBe(OWN_INSTRUMENT_LICENCE.name);
      expect(ins.citation, ins.id).not.toMatch(/Own instrument/);
    }
  });
});
