/**
 * The library against the facts in docs/instrument-sources.md (expected values copied from there).
 */
import { describe, expect, it } from 'vitest';
import { parseInstrument } from '../../src/core/instrument/schema.js';
import {
  getInstrument,
  instrumentIds,
  listInstruments,
  OMITTED_INSTRUMENTS,
} from '../../src/instruments/index.js';

const get = (id: string) => {
  const i = getInstrument(id);
  if (!i) throw new Error(id);
  return i;
};
const scoreItems = (insId: string, scoreId: string) => get(insId).scores.find((s) => s.id === scoreId)?.items;
const pad = (p: string, ns: number[]) => ns.map((n) => `${p}_${String(n).padStart(2, '0')}`);

describe('library', () => {
  it('lists the shipped instruments', () => {
    expect(instrumentIds()).toEqual(['bace3', 'dass21', 'phq9', 'gad7', 'cbi', 'mbiss', 'pss10']);
    expect(listInstruments().map((i) => i.id)).toEqual(instrumentIds());
    expect(getInstrument('nope')).toBeUndefined();
  });

  for (const ins of listInstruments()) {
    describe(ins.id, () => {
      it('re-validates with parseInstrument (the data is plain and complete)', () => {
        const r = parseInstrument(JSON.parse(JSON.stringify(ins)));
        expect(r.ok ? [] : r.issues).toEqual([]);
      });
      it('prefixes every item and score id with the instrument id', () => {
        for (const it of ins.items) expect(it.id.startsWith(`${ins.id}_`), it.id).toBe(true);
        for (const s of ins.scores) expect(s.id.startsWith(`${ins.id}_`), s.id).toBe(true);
      });
      it('ships item text exactly when the licence allows it', () => {
        for (const it of ins.items) expect(it.text !== undefined, it.id).toBe(ins.licence.textIncluded);
      });
      it('is frozen', () => {
        expect(Object.isFrozen(ins)).toBe(true);
        expect(Object.isFrozen(ins.items[0])).toBe(true);
        expect(() => {
          (ins.items as unknown[]).push({});
        }).toThrow();
      });
      it('has citation, licence terms and attribution', () => {
        expect(ins.citation.length).toBeGreaterThan(20);
        expect(ins.licence.attribution.length).toBeGreaterThan(10);
        expect(ins.notes.length).toBeGreaterThan(0);
      });
    });
  }

  it('documents the instruments left out (OLBI, BAT) and why', () => {
    expect(OMITTED_INSTRUMENTS.map((o) => o.id)).toEqual(['olbi', 'bat']);
    for (const o of OMITTED_INSTRUMENTS) expect(o.reason).toMatch(/Not shipped/);
  });
});

describe('BACE v3 (§1)', () => {
  const bace = get('bace3');
  it('has 30 items bace3_01 … bace3_30 on the 0–3 scale', () => {
    expect(bace.items.map((i) => i.id)).toEqual(
      pad(
        'bace3',
        Array.from({ length: 30 }, (_, i) => i + 1),
      ),
    );
    expect(bace.scales[0]!.options.map((o) => [o.value, o.label.en])).toEqual([
      [0, 'Not at all'],
      [1, 'A little'],
      [2, 'Quite a lot'],
      [3, 'A lot'],
    ]);
    expect(bace.items.every((i) => !i.reverse)).toBe(true);
  });
  it('allows "not applicable" on items 14, 24, 27, 28, 29 only', () => {
    expect(bace.items.filter((i) => i.notApplicable).map((i) => i.id)).toEqual(
      pad('bace3', [14, 24, 27, 28, 29]),
    );
    expect(bace.scales[0]!.notApplicableLabel?.en).toBe('Not applicable');
  });
  it('marks items 14, 24, 29 unverified, with notes; 24 and 29 as placeholders', () => {
    expect(bace.items.filter((i) => !i.verified).map((i) => i.id)).toEqual(pad('bace3', [14, 24, 29]));
    expect(get('bace3').items[23]!.note).toMatch(/PLACEHOLDER/);
    expect(get('bace3').items[28]!.note).toMatch(/PLACEHOLDER/);
    expect(get('bace3').items[13]!.note).toMatch(/v2 wording/);
  });
  it("keeps the owner's spelling of item 9", () => {
    expect(bace.items[8]!.text?.en).toBe('Feeing embarrassed or ashamed');
    expect(bace.items[0]!.text?.en).toBe('Being unsure where to go to get professional care');
    expect(bace.items[11]!.text?.en).toBe("Concern that I might be seen as 'crazy'");
  });
  it('ships the official 12-item treatment-stigma subscale as a mean, and the overall mean as non-official', () => {
    const st = bace.scores.find((s) => s.id === 'bace3_stigma')!;
    expect(st.items).toEqual(pad('bace3', [3, 5, 8, 9, 12, 14, 17, 19, 21, 24, 26, 28]));
    expect([st.method, st.official]).toEqual(['mean', true]);
    const m = bace.scores.find((s) => s.id === 'bace3_mean')!;
    expect(m.items).toHaveLength(30);
    expect([m.method, m.official]).toEqual(['mean', false]);
  });
  it('does not ship the unverified attitudinal / instrumental subscales, and says why', () => {
    expect(bace.scores.map((s) => s.id)).toEqual(['bace3_stigma', 'bace3_mean']);
    expect(bace.notes.join(' ')).toMatch(/attitudinal and instrumental subscales .* NOT shipped/);
  });
  it('requires acknowledgement of the KCL terms; endorsement threshold 2', () => {
    expect(bace.licence.textIncluded).toBe(true);
    expect(bace.licence.requiresAcknowledgement).toBe(true);
    expect(bace.licence.terms).toMatch(/do not change or modify the scale/);
    expect(bace.licence.terms).toMatch(/registration/);
    expect(bace.endorsement).toEqual({ threshold: 2, label: { en: 'Quite a lot or a lot' } });
  });
});

describe('DASS-21 (§2)', () => {
  const dass = get('dass21');
  it('keys the subscales as published', () => {
    expect(scoreItems('dass21', 'dass21_d')).toEqual(pad('dass21', [3, 5, 10, 13, 16, 17, 21]));
    expect(scoreItems('dass21', 'dass21_a')).toEqual(pad('dass21', [2, 4, 7, 9, 15, 19, 20]));
    expect(scoreItems('dass21', 'dass21_s')).toEqual(pad('dass21', [1, 6, 8, 11, 12, 14, 18]));
  });
  it('doubles, prorates with 6 of 7, and bands per the manual', () => {
    for (const s of dass.scores)
      expect([s.method, s.minAnswered, s.multiplier]).toEqual(['prorated_sum', 6, 2]);
    const mins = (id: string) => dass.scores.find((s) => s.id === id)!.bands!.map((b) => b.min);
    expect(mins('dass21_d')).toEqual([0, 10, 14, 21, 28]);
    expect(mins('dass21_a')).toEqual([0, 8, 10, 15, 20]);
    expect(mins('dass21_s')).toEqual([0, 15, 19, 26, 34]);
    expect(dass.scores[0]!.bands!.map((b) => b.label.en)).toEqual([
      'Normal',
      'Mild',
      'Moderate',
      'Severe',
      'Extremely severe',
    ]);
    expect(dass.notes.join(' ')).toMatch(/SECONDARY/);
  });
  it('ships the text, attributed to the DASS website', () => {
    expect(dass.items[2]!.text?.en).toBe("I couldn't seem to experience any positive feeling at all");
    expect(dass.items[20]!.text?.en).toBe('I felt that life was meaningless');
    expect(dass.licence.attribution).toMatch(/psy\.unsw\.edu\.au\/dass/);
    expect(dass.recallPeriod).toBe('past week');
  });
  it('has safety rules for the extremely severe bands', () => {
    expect(dass.safety.map((r) => r.when)).toEqual([
      'score.dass21_d >= 28',
      'score.dass21_a >= 20',
      'score.dass21_s >= 34',
    ]);
  });
});

describe('PHQ-9 and GAD-7 (§5)', () => {
  const phq = get('phq9');
  const gad = get('gad7');
  it('PHQ-9: items 1–9 scored, item 10 shown only if any item > 0 and not scored', () => {
    expect(phq.items.map((i) => i.id)).toEqual(Array.from({ length: 10 }, (_, i) => `phq9_${i + 1}`));
    expect(scoreItems('phq9', 'phq9_total')).toEqual(Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`));
    const ten = phq.items[9]!;
    expect(ten.scored).toBe(false);
    expect(ten.showIf).toBe(
      'any(phq9_1 > 0, phq9_2 > 0, phq9_3 > 0, phq9_4 > 0, phq9_5 > 0, phq9_6 > 0, phq9_7 > 0, phq9_8 > 0, phq9_9 > 0)',
    );
    expect(phq.scores[0]!.bands!.map((b) => [b.min, b.label.en])).toEqual([
      [0, 'Minimal'],
      [5, 'Mild'],
      [10, 'Moderate'],
      [15, 'Moderately severe'],
      [20, 'Severe'],
    ]);
    expect(phq.safety).toEqual([expect.objectContaining({ when: 'phq9_9 > 0' })]);
  });
  it('GAD-7: 7 scored items, optional function item, bands 0/5/10/15', () => {
    expect(scoreItems('gad7', 'gad7_total')).toEqual(Array.from({ length: 7 }, (_, i) => `gad7_${i + 1}`));
    expect(gad.items.find((i) => i.id === 'gad7_8')?.scored).toBe(false);
    expect(gad.scores[0]!.bands!.map((b) => b.min)).toEqual([0, 5, 10, 15]);
    expect(gad.items[0]!.text?.en).toBe('Feeling nervous, anxious or on edge');
  });
  it('carry the Pfizer licence line, not "public domain"', () => {
    for (const i of [phq, gad]) {
      expect(i.licence.attribution).toBe(
        'Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute.',
      );
      expect(i.licence.name).not.toMatch(/public domain/i);
    }
    expect(phq.scales[0]!.options.map((o) => [o.value, o.label.en])).toEqual([
      [0, 'Not at all'],
      [1, 'Several days'],
      [2, 'More than half the days'],
      [3, 'Nearly every day'],
    ]);
  });
});

describe('CBI (§4.1)', () => {
  const cbi = get('cbi');
  it('19 items; only WB7 reversed; options 0/25/50/75/100', () => {
    expect(cbi.items).toHaveLength(19);
    expect(cbi.items.filter((i) => i.reverse).map((i) => i.id)).toEqual(['cbi_wb7']);
    for (const sc of cbi.scales)
      expect(sc.options.map((o) => o.value).sort((a, b) => a - b)).toEqual([0, 25, 50, 75, 100]);
    expect(cbi.items.find((i) => i.id === 'cbi_wb1')!.scale).toBe('cbi_degree');
    expect(cbi.items.find((i) => i.id === 'cbi_wb4')!.scale).toBe('cbi_frequency');
  });
  it('subscale means over PB 6 / WB 7 / CB 6, no bands, the ≥ 50 convention noted as unverified', () => {
    expect(cbi.scores.map((s) => [s.id, s.items.length, s.method, s.bands])).toEqual([
      ['cbi_personal', 6, 'mean', undefined],
      ['cbi_work', 7, 'mean', undefined],
      ['cbi_client', 6, 'mean', undefined],
    ]);
    expect(cbi.notes.join(' ')).toMatch(/≥ 50.*(SECONDARY|UNVERIFIED)/);
  });
});

describe('structure-only instruments (§3, §6)', () => {
  it('MBI-SS: 15 items EX 5 / CY 4 / EF 6 on 0–6, means, no text, licence acknowledgement', () => {
    const m = get('mbiss');
    expect(m.scores.map((s) => [s.id, s.items.length, s.method])).toEqual([
      ['mbiss_ex', 5, 'mean'],
      ['mbiss_cy', 4, 'mean'],
      ['mbiss_ef', 6, 'mean'],
    ]);
    expect(m.scales[0]!.options.map((o) => o.value)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(m.licence).toMatchObject({ textIncluded: false, requiresAcknowledgement: true });
    expect(m.notes.join(' ')).toMatch(/UNVERIFIED/);
  });
  it('PSS-10: reverse items 4, 5, 7, 8; sum of 10 items on 0–4; no bands', () => {
    const p = get('pss10');
    expect(p.items.filter((i) => i.reverse).map((i) => i.id)).toEqual(pad('pss10', [4, 5, 7, 8]));
    expect(p.scores).toEqual([expect.objectContaining({ id: 'pss10_total', method: 'sum' })]);
    expect(p.scores[0]!.bands).toBeUndefined();
    expect(p.scales[0]!.options.map((o) => o.value)).toEqual([0, 1, 2, 3, 4]);
    expect(p.licence.textIncluded).toBe(false);
  });
});
