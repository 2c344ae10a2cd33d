/**
 * Golden scoring tests. Every expected value is hand-computed from the published rules in
 * docs/instrument-sources.md (cited per block), never taken from the code's output.
 */
import { describe, expect, it } from 'vitest';
import type { Instrument } from '../../../src/core/instrument/schema.js';
import { AnswerStatus } from '../../../src/core/response/dataset.js';
import {
  bandIndex,
  buildScoringPlan,
  keyedItemValues,
  planForInstrument,
  reverseValue,
  ScoreReason,
  scoreDataset,
  scoreRespondent,
  scoringAnswers,
} from '../../../src/core/scoring/index.js';
import { StudySchema } from '../../../src/core/study/schema.js';
import { getInstrument } from '../../../src/instruments/index.js';
import { bandLabel, type Cell, col, dataset, plan, scoreRows, spread } from './helpers.js';

const ins = (id: string) => {
  const i = getInstrument(id);
  if (!i) throw new Error(id);
  return i;
};
const dass = ins('dass21');
const phq = ins('phq9');
const gad = ins('gad7');
const bace = ins('bace3');
const cbi = ins('cbi');
const pss = ins('pss10');
const mbi = ins('mbiss');

const nums = (prefix: string, ns: readonly number[], pad = 2) =>
  ns.map((n) => `${prefix}_${String(n).padStart(pad, '0')}`);
/** Score one row per `[total, band]` (made by `row`) and check each row's total and band label. */
function expectTotals(
  instrument: Instrument,
  id: string,
  table: readonly [number, string][],
  row: (total: number) => Record<string, Cell>,
): void {
  const s = scoreRows(
    instrument,
    table.map(([t]) => row(t)),
  );
  table.forEach(([t, band], i) => {
    expect(col(s, id).values[i]).toBe(t);
    expect(bandLabel(s, id, i), `total ${t}`).toBe(band);
  });
}

// docs/instrument-sources.md §2.2
const D = nums('dass21', [3, 5, 10, 13, 16, 17, 21]);
const A = nums('dass21', [2, 4, 7, 9, 15, 19, 20]);
const S = nums('dass21', [1, 6, 8, 11, 12, 14, 18]);

describe('DASS-21 (§2.3: subscale sum × 2, bands on the doubled score)', () => {
  // [raw sum of the 7 items, doubled score, band]
  const depression: [number, number, string][] = [
    [0, 0, 'Normal'],
    [4, 8, 'Normal'],
    [5, 10, 'Mild'],
    [6, 12, 'Mild'],
    [7, 14, 'Moderate'],
    [10, 20, 'Moderate'],
    [11, 22, 'Severe'],
    [13, 26, 'Severe'],
    [14, 28, 'Extremely severe'],
    [21, 42, 'Extremely severe'],
  ];
  const anxiety: [number, number, string][] = [
    [3, 6, 'Normal'],
    [4, 8, 'Mild'],
    [5, 10, 'Moderate'],
    [7, 14, 'Moderate'],
    [8, 16, 'Severe'],
    [9, 18, 'Severe'],
    [10, 20, 'Extremely severe'],
    [21, 42, 'Extremely severe'],
  ];
  const stress: [number, number, string][] = [
    [7, 14, 'Normal'],
    [8, 16, 'Mild'],
    [9, 18, 'Mild'],
    [10, 20, 'Moderate'],
    [12, 24, 'Moderate'],
    [13, 26, 'Severe'],
    [16, 32, 'Severe'],
    [17, 34, 'Extremely severe'],
  ];
  const cases: [string, readonly string[], [number, number, string][]][] = [
    ['dass21_d', D, depression],
    ['dass21_a', A, anxiety],
    ['dass21_s', S, stress],
  ];
  for (const [id, items, table] of cases) {
    it(`${id}: band edges`, () => {
      const others = [D, A, S].filter((x) => x !== items).flat();
      const rows = table.map(([raw]) => ({ ...spread(raw, items, 3), ...spread(0, others, 3) }));
      const s = scoreRows(dass, rows);
      table.forEach(([, doubled, band], i) => {
        expect(col(s, id).values[i], `raw ${table[i]![0]}`).toBe(doubled);
        expect(bandLabel(s, id, i), `raw ${table[i]![0]} → ${doubled}`).toBe(band);
        expect(col(s, id).nAnswered[i]).toBe(7);
      });
    });
  }

  it('uses the published item keys, not the swapped depression/anxiety lists (measurely.com.au error)', () => {
    // Depression items all 3, everything else 0: depression 42, anxiety 0, stress 0.
    const s = scoreRows(dass, [{ ...spread(21, D, 3), ...spread(0, [...A, ...S], 3) }]);
    expect([
      col(s, 'dass21_d').values[0],
      col(s, 'dass21_a').values[0],
      col(s, 'dass21_s').values[0],
    ]).toEqual([42, 0, 0]);
    expect(new Set(col(s, 'dass21_d').def.items)).toEqual(new Set(D));
    expect(new Set(col(s, 'dass21_a').def.items)).toEqual(new Set(A));
  });

  it('item 1 is stress and item 12 is stress (not depression / anxiety as one app labels them)', () => {
    const row = { ...spread(0, [...D, ...A, ...S], 3), dass21_01: 3, dass21_12: 3 };
    const s = scoreRows(dass, [row]);
    expect([
      col(s, 'dass21_d').values[0],
      col(s, 'dass21_a').values[0],
      col(s, 'dass21_s').values[0],
    ]).toEqual([0, 0, 12]);
  });

  it('raw anxiety 5 is Moderate (doubled 10), not "Mild 4–5" of undoubled tables; raw 4 is Mild', () => {
    const s = scoreRows(dass, [
      { ...spread(5, A, 3), ...spread(0, [...D, ...S], 3) },
      { ...spread(4, A, 3), ...spread(0, [...D, ...S], 3) },
    ]);
    expect(bandLabel(s, 'dass21_a', 0)).toBe('Moderate');
    expect(bandLabel(s, 'dass21_a', 1)).toBe('Mild');
  });

  it('stress 14 is Normal (the "Mild 14-18" misprint overlaps Normal)', () => {
    const s = scoreRows(dass, [{ ...spread(7, S, 3), ...spread(0, [...D, ...A], 3) }]);
    expect(col(s, 'dass21_s').values[0]).toBe(14);
    expect(bandLabel(s, 'dass21_s', 0)).toBe('Normal');
  });

  it('prorates with 6 of 7 items answered and gives no score with 5 (§2.4, SECONDARY rule)', () => {
    const base = spread(0, [...A, ...S], 3);
    const rows: Record<string, Cell>[] = [
      // 6 answered, sum 6: 6 / 6 × 7 × 2 = 14 → Moderate
      { ...base, ...spread(6, D.slice(0, 6), 3), [D[6]!]: null },
      // 6 answered, sum 4: 4 / 6 × 7 × 2 = 28/3 = 9.333… → Normal (below 10)
      { ...base, ...spread(4, D.slice(1), 3), [D[0]!]: null },
      // 5 answered: no score
      { ...base, ...spread(5, D.slice(0, 5), 3) },
      // 6 answered, sum 12 (prorated 28) → Extremely severe
      { ...base, ...spread(12, D.slice(0, 6), 3), [D[6]!]: 'INV' },
    ];
    const s = scoreRows(dass, rows);
    const d = col(s, 'dass21_d');
    expect(d.values[0]).toBe(14);
    expect(bandLabel(s, 'dass21_d', 0)).toBe('Moderate');
    expect(d.values[1]).toBeCloseTo(28 / 3, 14);
    expect(bandLabel(s, 'dass21_d', 1)).toBe('Normal');
    expect(d.values[2]).toBeNaN();
    expect(d.reason[2]).toBe(ScoreReason.TOO_FEW_ANSWERED);
    expect(d.band[2]).toBe(-1);
    expect(d.nAnswered[2]).toBe(5);
    expect(d.values[3]).toBe(28);
    expect(d.minAnswered).toBe(6);
    expect(s.report.perScore.find((p) => p.id === 'dass21_d')).toMatchObject({
      computed: 3,
      tooFewAnswered: 1,
      withInvalid: 1,
    });
  });

  it('flags the extremely severe bands (score-based safety rules)', () => {
    const zero = spread(0, [...D, ...A, ...S], 3);
    const s = scoreRows(dass, [
      { ...zero, ...spread(14, D, 3) }, // d = 28
      { ...zero, ...spread(13, D, 3) }, // d = 26
      { ...zero, ...spread(10, A, 3) }, // a = 20
      { ...zero, ...spread(17, S, 3) }, // s = 34
      { ...zero, ...spread(16, S, 3) }, // s = 32
      {}, // nothing answered: unknown, not flagged
    ]);
    const flags = (id: string) => [...s.safety.find((r) => r.id === id)!.flags];
    expect(flags('dass21_d_extreme')).toEqual([1, 0, 0, 0, 0, 0]);
    expect(flags('dass21_a_extreme')).toEqual([0, 0, 1, 0, 0, 0]);
    expect(flags('dass21_s_extreme')).toEqual([0, 0, 0, 1, 0, 0]);
  });
});

describe('PHQ-9 (§5.1: sum of items 1–9, bands 0/5/10/15/20)', () => {
  const items = Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`);
  const table: [number, string][] = [
    [0, 'Minimal'],
    [4, 'Minimal'],
    [5, 'Mild'],
    [9, 'Mild'],
    [10, 'Moderate'],
    [14, 'Moderate'],
    [15, 'Moderately severe'],
    [19, 'Moderately severe'],
    [20, 'Severe'],
    [27, 'Severe'],
  ];
  it('band edges', () => {
    expectTotals(phq, 'phq9_total', table, (t) => ({ ...spread(t, items, 3), phq9_10: 3 }));
  });
  it('item 10 (function) is not scored; the maximum is 27, not 21', () => {
    const s = scoreRows(phq, [{ ...spread(27, items, 3), phq9_10: 3 }]);
    expect(col(s, 'phq9_total').values[0]).toBe(27);
    expect(col(s, 'phq9_total').nAnswered[0]).toBe(9);
  });
  it('needs all nine items by default; a value of 4 ("scored 0 to 4") is invalid', () => {
    const s = scoreRows(phq, [{ ...spread(9, items.slice(0, 8), 3) }, { ...spread(8, items, 3), phq9_9: 4 }]);
    const c = col(s, 'phq9_total');
    expect(c.values[0]).toBeNaN();
    expect(c.reason[0]).toBe(ScoreReason.TOO_FEW_ANSWERED);
    expect(c.values[1]).toBeNaN();
    expect(s.report.perScore[0]).toMatchObject({
      computed: 0,
      tooFewAnswered: 2,
      withInvalid: 1,
      minAnswered: 9,
    });
  });
  it('flags item 9 > 0, and not when item 9 is 0 or skipped', () => {
    const zero = spread(0, items, 3);
    const s = scoreRows(phq, [
      { ...zero, phq9_9: 1 },
      { ...zero, phq9_9: 3 },
      { ...zero },
      { ...zero, phq9_9: null },
      { ...zero, phq9_9: 'HIDDEN' },
    ]);
    expect([...s.safety[0]!.flags]).toEqual([1, 1, 0, 0, 0]);
    expect(s.safety[0]!.nFlagged).toBe(2);
  });
});

describe('GAD-7 (§5.2: sum of items 1–7, bands 0/5/10/15)', () => {
  const items = Array.from({ length: 7 }, (_, i) => `gad7_${i + 1}`);
  const table: [number, string][] = [
    [0, 'Minimal'],
    [4, 'Minimal'],
    [5, 'Mild'],
    [9, 'Mild'],
    [10, 'Moderate'],
    [14, 'Moderate'],
    [15, 'Severe'],
    [21, 'Severe'],
  ];
  it('band edges; the function item is not scored', () => {
    expectTotals(gad, 'gad7_total', table, (t) => ({ ...spread(t, items, 3), gad7_8: 2 }));
  });
});

describe('CBI (§4.1: 0/25/50/75/100, subscale means, WB7 reversed)', () => {
  it('reverses WB7 as 100 − value', () => {
    const s = scoreRows(cbi, [
      // WB1..6 = 100, 75, 50, 25, 0, 100 (sum 350); WB7 = 25 → 75: (350 + 75) / 7
      { cbi_wb1: 100, cbi_wb2: 75, cbi_wb3: 50, cbi_wb4: 25, cbi_wb5: 0, cbi_wb6: 100, cbi_wb7: 25 },
      // all 100 but WB7 = 100 → 0: 600 / 7
      { cbi_wb1: 100, cbi_wb2: 100, cbi_wb3: 100, cbi_wb4: 100, cbi_wb5: 100, cbi_wb6: 100, cbi_wb7: 100 },
      // WB7 = 0 → 100
      { cbi_wb1: 100, cbi_wb2: 100, cbi_wb3: 100, cbi_wb4: 100, cbi_wb5: 100, cbi_wb6: 100, cbi_wb7: 0 },
    ]);
    const w = col(s, 'cbi_work');
    expect(w.values[0]).toBeCloseTo(425 / 7, 13);
    expect(w.values[1]).toBeCloseTo(600 / 7, 13);
    expect(w.values[2]).toBe(100);
  });
  it('personal and client means use the answered items', () => {
    const s = scoreRows(cbi, [
      { cbi_pb1: 0, cbi_pb2: 25, cbi_pb3: 50, cbi_pb4: 75, cbi_pb5: 100, cbi_pb6: 50, cbi_cb1: 100 },
      { cbi_pb1: 25, cbi_pb2: 75 },
    ]);
    expect(col(s, 'cbi_personal').values[0]).toBe(50); // 300 / 6
    expect(col(s, 'cbi_client').values[0]).toBe(100); // one answered item
    expect(col(s, 'cbi_client').nAnswered[0]).toBe(1);
    expect(col(s, 'cbi_personal').values[1]).toBe(50); // (25 + 75) / 2
    expect(col(s, 'cbi_work').values[1]).toBeNaN();
    expect(col(s, 'cbi_work').reason[1]).toBe(ScoreReason.NONE_ANSWERED);
  });
  it('rejects the 0/2/3/4 coding seen in a public app (values that are not options)', () => {
    const s = scoreRows(cbi, [{ cbi_pb1: 2, cbi_pb2: 3, cbi_pb3: 4, cbi_pb4: 2, cbi_pb5: 3, cbi_pb6: 4 }]);
    expect(col(s, 'cbi_personal').values[0]).toBeNaN();
    expect(s.report.perScore.find((p) => p.id === 'cbi_personal')!.withInvalid).toBe(1);
  });
  it('has no bands (no official cut-offs)', () => {
    for (const sc of cbi.scores) expect(sc.bands).toBeUndefined();
  });
});

describe('PSS-10 (§6: reverse 4, 5, 7, 8; sum 0–40)', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `pss10_${String(i + 1).padStart(2, '0')}`);
  const row = (vals: number[]) => Object.fromEntries(vals.map((v, i) => [ids[i]!, v]));
  it('reverse-scores items 4, 5, 7, 8 (0↔4, 1↔3)', () => {
    const s = scoreRows(pss, [
      row([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // 4 reversed items give 4 each: 16
      row([4, 4, 4, 4, 4, 4, 4, 4, 4, 4]), // 6 × 4 + 4 × 0 = 24
      row([0, 0, 0, 4, 4, 0, 4, 4, 0, 0]), // 0 (unreversed would be 16)
      row([4, 4, 4, 0, 0, 4, 0, 0, 4, 4]), // 40 (maximum)
      row([2, 3, 1, 3, 1, 2, 2, 1, 0, 4]), // 2+3+1+1+3+2+2+3+0+4 = 21
    ]);
    expect([...col(s, 'pss10_total').values]).toEqual([16, 24, 0, 40, 21]);
  });
  it('data coded 1–5 are not accepted as 0–4 (5 is invalid)', () => {
    const s = scoreRows(pss, [row([5, 1, 1, 1, 1, 1, 1, 1, 1, 1])]);
    expect(col(s, 'pss10_total').values[0]).toBeNaN();
  });
  it('keyedItemValues: the values the total adds up (reversed; NA, skipped, invalid and hidden are NaN)', () => {
    const rows = [
      row([0, 1, 2, 0, 1, 2, 3, 4, 0, 1]),
      {
        ...row([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        pss10_01: null,
        pss10_04: 'NA',
        pss10_05: 5,
        pss10_07: 'INV',
      },
      { ...row([2, 2, 2, 2, 2, 2, 2, 2, 2, 2]), pss10_08: 'HIDDEN' },
    ];
    const ds = dataset(ids, rows);
    const p = plan(pss).scores.find((x) => x.id === 'pss10_total')!;
    const keyed = p.items.map((it) => [...keyedItemValues(ds, it)]);
    expect(keyed.map((c) => c[0])).toEqual([0, 1, 2, 4, 3, 2, 1, 0, 0, 1]);
    expect(keyed.map((c) => c[1])).toEqual([NaN, 1, 1, NaN, NaN, 1, NaN, 3, 1, 1]);
    expect(keyed.map((c) => c[2])).toEqual([2, 2, 2, 2, 2, 2, 2, NaN, 2, 2]);
    // Row 1 is complete: its keyed values sum to the PSS-10 total.
    expect(keyed.reduce((a, c) => a + c[0]!, 0)).toBe(
      col(scoreDataset(ds, plan(pss)), 'pss10_total').values[0],
    );
    // An item without a column in the data is all NaN.
    expect([...keyedItemValues(dataset([], [{}]), p.items[0]!)]).toEqual([NaN]);
  });
  it('reverseValue is min + max − value', () => {
    expect([
      reverseValue(0, 0, 4),
      reverseValue(1, 0, 4),
      reverseValue(25, 0, 100),
      reverseValue(2, 1, 5),
    ]).toEqual([4, 3, 75, 4]);
  });
});

describe('MBI-SS (§3: subscale means, 0–6)', () => {
  it('computes the three means', () => {
    const s = scoreRows(mbi, [
      {
        mbiss_ex1: 6,
        mbiss_ex2: 5,
        mbiss_ex3: 4,
        mbiss_ex4: 3,
        mbiss_ex5: 2,
        mbiss_cy1: 0,
        mbiss_cy2: 1,
        mbiss_cy3: 2,
        mbiss_cy4: 3,
        mbiss_ef1: 6,
        mbiss_ef2: 6,
        mbiss_ef3: 6,
        mbiss_ef4: 6,
        mbiss_ef5: 6,
        mbiss_ef6: 0,
      },
    ]);
    expect([
      col(s, 'mbiss_ex').values[0],
      col(s, 'mbiss_cy').values[0],
      col(s, 'mbiss_ef').values[0],
    ]).toEqual([4, 1.5, 5]);
  });
});

describe('BACE v3 (§1.5: N/A left out of the mean and the n)', () => {
  const b = (n: number) => `bace3_${String(n).padStart(2, '0')}`;
  const stigmaAnswers: Record<string, Cell> = {
    [b(3)]: 3,
    [b(5)]: 2,
    [b(8)]: 1,
    [b(9)]: 0,
    [b(12)]: 3,
    [b(14)]: 'NA',
    [b(17)]: 2,
    [b(19)]: 1,
    [b(21)]: 0,
    [b(24)]: 'NA',
    [b(26)]: 3,
    [b(28)]: 2,
  };
  const rest = [1, 2, 4, 6, 7, 10, 11, 13, 15, 16, 18, 20, 22, 23, 25, 30].map(b);
  const row1: Record<string, Cell> = {
    ...stigmaAnswers,
    ...Object.fromEntries(rest.map((id) => [id, 1])),
    [b(27)]: 'NA',
    [b(29)]: 'NA',
  };

  it('stigma subscale: mean of the 10 answered items, N/A not counted as 0', () => {
    const s = scoreRows(bace, [row1]);
    const st = col(s, 'bace3_stigma');
    expect(st.values[0]).toBe(1.7); // 17 / 10 (treating N/A as 0 would give 17 / 12)
    expect(st.nAnswered[0]).toBe(10);
    expect(st.nNotApplicable[0]).toBe(2);
    expect(st.official).toBe(true);
  });
  it('overall mean: 26 answered items, 4 N/A', () => {
    const s = scoreRows(bace, [row1]);
    const m = col(s, 'bace3_mean');
    expect(m.values[0]).toBeCloseTo(33 / 26, 15); // (17 + 16) / 26
    expect(m.nAnswered[0]).toBe(26);
    expect(m.nNotApplicable[0]).toBe(4);
    expect(m.official).toBe(false);
  });
  it('a respondent with only N/A and skipped items has no score (reason: none answered)', () => {
    const s = scoreRows(bace, [{ [b(14)]: 'NA', [b(24)]: 'NA', [b(28)]: 'NA' }]);
    const st = col(s, 'bace3_stigma');
    expect(st.values[0]).toBeNaN();
    expect(st.reason[0]).toBe(ScoreReason.NONE_ANSWERED);
    expect(st.nNotApplicable[0]).toBe(3);
    expect(s.report.perRespondent.missing[0]).toBe(2);
    expect(s.report.perRespondent.noneAnswered[0]).toBe(2);
    expect(s.report.complete).toBe(0);
  });

  it("expresses the seed study's own three domains beside the official subscale (§1.7)", () => {
    const study = StudySchema.parse({
      id: 's',
      title: 's',
      instruments: [
        {
          instrument: 'bace3',
          termsAcknowledged: { by: 'x', at: '2025-01-01' },
          domains: [
            {
              id: 'stigma',
              label: { en: 'Stigma' },
              items: [21, 12, 28, 3, 8, 5, 26, 14, 4, 24].map(b),
              method: 'mean',
              official: false,
            },
            {
              id: 'attitudinal',
              label: { en: 'Attitudinal' },
              items: [2, 7, 10, 23, 18, 25, 17, 13, 19, 9].map(b),
              method: 'mean',
              official: false,
            },
            {
              id: 'instrumental',
              label: { en: 'Instrumental' },
              items: [27, 15, 20, 29, 11, 6, 1, 30, 22, 16].map(b),
              method: 'mean',
              minAnswered: 8,
              official: true, // a study cannot make its own domain official
            },
          ],
        },
      ],
    });
    const p = buildScoringPlan(study, getInstrument);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.scores.map((x) => [x.id, x.official, x.source, x.minAnswered])).toEqual([
      ['bace3_stigma', true, 'instrument', 1],
      ['bace3_mean', false, 'instrument', 1],
      ['stigma', false, 'study', 1],
      ['attitudinal', false, 'study', 1],
      ['instrumental', false, 'study', 8],
    ]);
    const s = scoreDataset(
      dataset(
        bace.items.map((i) => i.id),
        [row1],
      ),
      p.value,
    );
    // stigma domain: 21→0, 12→3, 28→2, 3→3, 8→1, 5→2, 26→3, 14 N/A, 4→1, 24 N/A: 15 / 8
    expect(col(s, 'stigma').values[0]).toBe(15 / 8);
    expect(col(s, 'stigma').nAnswered[0]).toBe(8);
    // attitudinal: 2,7,10,23,18,25,13 → 1 each (7), 17→2, 19→1, 9→0: 10 / 10
    expect(col(s, 'attitudinal').values[0]).toBe(1);
    // instrumental: 27 N/A, 29 N/A, the other 8 → 1: 8 answered ≥ minAnswered 8 → 1
    expect(col(s, 'instrumental').values[0]).toBe(1);
    expect(col(s, 'instrumental').nNotApplicable[0]).toBe(2);
    // one more missing → 7 < 8: no score
    const s2 = scoreDataset(
      dataset(
        bace.items.map((i) => i.id),
        [{ ...row1, [b(30)]: null }],
      ),
      p.value,
    );
    expect(col(s2, 'instrumental').values[0]).toBeNaN();
    expect(col(s2, 'instrumental').reason[0]).toBe(ScoreReason.TOO_FEW_ANSWERED);
  });
});

describe('scoring plans', () => {
  const study = (instruments: unknown[]) => StudySchema.parse({ id: 's', title: 's', instruments });

  it('reports unknown instruments, unknown/unscored domain items, duplicate ids and bad minimums', () => {
    const p = buildScoringPlan(
      study([
        { instrument: 'nope' },
        {
          instrument: 'phq9',
          domains: [
            { id: 'd1', label: { en: 'x' }, items: ['phq9_1', 'gad7_1'], method: 'sum' },
            { id: 'd2', label: { en: 'x' }, items: ['phq9_10'], method: 'sum' },
            { id: 'phq9_total', label: { en: 'x' }, items: ['phq9_1'], method: 'sum' },
          ],
        },
      ]),
      getInstrument,
      { minAnswered: { d1: 5 } },
    );
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.issues.map((i) => i.code)).toEqual([
      'unknown_instrument',
      'unknown_item',
      'bad_min_answered',
      'unscored_item',
      'duplicate_score',
    ]);
    expect(p.issues[1]!.message).toMatch(/"gad7_1", which is not an item of phq9/);
  });

  it('warns about a version mismatch and unacknowledged terms, and unknown override ids', () => {
    const p = buildScoringPlan(study([{ instrument: 'bace3', version: '2' }]), getInstrument, {
      minAnswered: { zz: 2 },
    });
    expect(p.ok).toBe(true);
    if (p.ok)
      expect(p.value.warnings.map((w) => w.code)).toEqual([
        'version_mismatch',
        'terms_not_acknowledged',
        'unknown_score',
      ]);
  });

  it('applies a study-level minimum to an official score', () => {
    const p = buildScoringPlan(study([{ instrument: 'cbi' }]), getInstrument, {
      minAnswered: { cbi_personal: 3 },
    });
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const s = scoreDataset(
      dataset(
        cbi.items.map((i) => i.id),
        [{ cbi_pb1: 50, cbi_pb2: 50 }],
      ),
      p.value,
    );
    expect(col(s, 'cbi_personal').values[0]).toBeNaN();
    expect(col(s, 'cbi_personal').minAnswered).toBe(3);
  });

  it('computes scores needed by safety rules even when official scores are off, without reporting them', () => {
    const p = buildScoringPlan(study([{ instrument: 'dass21', officialScores: false }]), getInstrument);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const s = scoreDataset(
      dataset(
        dass.items.map((i) => i.id),
        [{ ...spread(0, [...A, ...S], 3), ...spread(21, D, 3) }],
      ),
      p.value,
    );
    expect(s.scores).toEqual([]);
    expect(s.safety.find((r) => r.id === 'dass21_d_extreme')!.flags[0]).toBe(1);
  });

  it('treats a column missing from the dataset as unanswered and names it', () => {
    const s = scoreDataset(dataset(['phq9_1'], [{ phq9_1: 2 }]), plan(phq));
    expect(col(s, 'phq9_total').values[0]).toBeNaN();
    expect(s.report.perScore[0]!.missingColumns).toHaveLength(8);
  });

  it('bandIndex', () => {
    const bands = [{ min: 0 }, { min: 5 }, { min: 10 }];
    expect([-1, 0, 4.999, 5, 9, 10, 100, Number.NaN].map((v) => bandIndex(v, bands))).toEqual([
      -1, 0, 0, 1, 1, 2, 2, -1,
    ]);
    expect(bandIndex(3, undefined)).toBe(-1);
  });
});

describe('scoreRespondent', () => {
  it('scores one submission with the same rules and reports safety flags', () => {
    const p = buildScoringPlan(
      StudySchema.parse({
        id: 's',
        title: 's',
        instruments: [
          { instrument: 'phq9' },
          { instrument: 'bace3', termsAcknowledged: { by: 'x', at: 'y' } },
        ],
      }),
      getInstrument,
    );
    if (!p.ok) throw new Error('plan');
    const answers = {
      ...spread(
        10,
        Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`),
        3,
      ),
      phq9_9: 1,
      phq9_8: 0,
      bace3_03: 3,
      bace3_14: { status: AnswerStatus.NOT_APPLICABLE },
      bace3_05: 0,
      bace3_08: null,
    } as const;
    // spread(10) gives items 1–4 = 3, 3, 3, 1 and the rest 0; phq9_9 = 1 → total 11
    const r = scoreRespondent(answers, p.value);
    const total = r.scores.find((x) => x.id === 'phq9_total')!;
    expect(total).toMatchObject({ value: 11, nAnswered: 9, bandIndex: 2, reason: 'OK' });
    expect(total.band?.label.en).toBe('Moderate');
    const st = r.scores.find((x) => x.id === 'bace3_stigma')!;
    expect(st).toMatchObject({ value: 1.5, nAnswered: 2, nNotApplicable: 1 });
    expect(r.flagged).toBe(true);
    expect(r.safety).toEqual([expect.objectContaining({ id: 'phq9_item9', flagged: true })]);
  });
  it('no answers: every score missing, nothing flagged', () => {
    const p = planForInstrument(phq);
    if (!p.ok) throw new Error('plan');
    const r = scoreRespondent({}, p.value);
    expect(r.scores[0]).toMatchObject({ value: null, reason: 'NONE_ANSWERED', band: null });
    expect(r.flagged).toBe(false);
  });
});

describe('scoringAnswers', () => {
  const stored = {
    a: { kind: 'value', value: 2 },
    b: { kind: 'na' },
    c: { kind: 'not_shown' },
    d: { kind: 'skipped' },
    e: { kind: 'text', text: 'x' },
    f: { kind: 'choices', values: [1] },
  } as const;

  it('maps each stored answer to what scoreRespondent takes', () => {
    expect(scoringAnswers(stored)).toEqual({
      a: 2,
      b: { status: AnswerStatus.NOT_APPLICABLE },
      c: { status: AnswerStatus.NOT_SHOWN },
      d: null,
      e: { status: AnswerStatus.INVALID },
      f: { status: AnswerStatus.INVALID },
    });
  });

  it('keeps only the ids asked for, leaving absent ones out', () => {
    expect(scoringAnswers(stored, ['b', 'zz', 'a'])).toEqual({
      b: { status: AnswerStatus.NOT_APPLICABLE },
      a: 2,
    });
  });
});
