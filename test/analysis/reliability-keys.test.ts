/**
 * Reliability through the whole study analysis (import → score → analyzeStudy) on an instrument with reverse-keyed
 * items: PSS-10 (items 4, 5, 7, 8 reversed as 4 − x). Alpha, corrected item–total r, alpha if deleted and the item
 * means must be those of the keyed items — the values the score adds up — as R psych::alpha(keys = …) computes them
 * (test/goldens/r/reliability_keys.R on test/goldens/pspp/pss10_sim.csv, 300 simulated respondents, ~4% missing).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textPackTemplate } from '../../src/core/instrument/textPack.js';
import type { Report } from '../../src/core/report/spec.js';
import { getInstrument } from '../../src/instruments/index.js';
import { expectDigits } from '../helpers/accuracy.js';
import { analyzeFile, dataRows as rows, table, value } from './helpers.js';

const root = join(__dirname, '..', '..');
const golden = JSON.parse(readFileSync(join(root, 'test/goldens/reliability_keys.json'), 'utf8')).pss10;
const csv = join(root, 'test/goldens/pspp/pss10_sim.csv');

async function analyze(alphaMissing: 'listwise' | 'pairwise'): Promise<Report> {
  const pss = getInstrument('pss10')!;
  const pack = textPackTemplate(pss, 'en', 'Test licensee');
  for (const id of Object.keys(pack.items)) pack.items[id] = `Statement ${id.slice(-2)}`;
  for (const sc of Object.keys(pack.scales))
    for (const v of Object.keys(pack.scales[sc]!)) pack.scales[sc]![v] = v;
  pack.instructions = 'In the last month…';
  const study = {
    id: 'pss',
    title: 'PSS',
    instruments: [
      { instrument: 'pss10', termsAcknowledged: { by: 'PI', at: '2026-01-01' }, textPacks: [pack] },
    ],
    analysis: { alphaMissing },
  };
  return (await analyzeFile(study, csv)).report;
}

describe('PSS-10 reliability on the keyed items (items 4, 5, 7, 8 reversed), as psych::alpha(keys)', () => {
  for (const missing of ['listwise', 'pairwise'] as const) {
    it(missing, async () => {
      const g = golden[missing];
      // Before keying, the raw items give a negative alpha: the data really need the keys.
      expect(g.unkeyedRaw).toBeLessThan(0);
      const report = await analyze(missing);
      const rel = rows(table(report, 'reliability'));
      const total = rel.find((c) => c.score?.kind === 'text' && /PSS-10/.test(c.score.text))!;
      expect(value(total.n)).toBe(g.n);
      expectDigits(value(total.alpha), g.raw, 12, `${missing} alpha`);
      const items = rows(table(report, 'pss10_total_item_total'));
      expect(items).toHaveLength(10);
      items.forEach((c, j) => {
        const what = `${missing} item ${j + 1}`;
        expectDigits(value(c.mean), g.itemMean[j], 12, `${what} mean (keyed)`);
        expectDigits(value(c.sd), g.itemSd[j], 12, `${what} SD`);
        expectDigits(value(c.r), g.rDrop[j], 12, `${what} corrected item-total r`);
        expectDigits(value(c.alpha), g.alphaDrop[j], 12, `${what} alpha if deleted`);
        // Reversed items say so.
        expect(c.item?.kind === 'text' && c.item.text.includes('(reversed)')).toBe(
          [4, 5, 7, 8].includes(j + 1),
        );
      });
    });
  }
});
