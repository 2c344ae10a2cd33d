import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dunnTest } from '../../../src/core/stats/dunn.js';
import { kruskalWallis } from '../../../src/core/stats/kruskal.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { ok, readPsppCsv, readPsppCsvText } from './pspp.js';

// Goldens: test/goldens/r/dunn.R -> test/goldens/dunn.json (Dunn's z from the formula in base R, p.adjust)
const golden = JSON.parse(readFileSync(new URL('../../goldens/dunn.json', import.meta.url), 'utf8'));
const STAT = 12;
const PVAL = 11;

const files: Record<string, [string, string, string]> = {
  plantgrowth: ['plantgrowth.csv', 'weight', 'group'],
  warpbreaks: ['warpbreaks.csv', 'breaks', 'tension'],
  toothgrowth: ['toothgrowth.csv', 'len', 'dose'],
  bfi_age_education: ['bfi.csv', 'age', 'education'],
  sim: ['posthoc_sim.csv', 'score', 'group'],
  dunn_sim: ['dunn_sim.csv', 'score', 'group'],
};

function groupsOf(name: string): { labels: string[]; samples: number[][] } {
  const [file, y, g] = files[name]!;
  const values = readPsppCsv(file)[y]!;
  const groups = readPsppCsvText(file)[g]!;
  const labels = golden[name].levels as string[];
  return { labels, samples: labels.map((l) => values.filter((_, i) => groups[i] === l)) };
}

describe("Dunn's test against the formula in R (test/goldens/r/dunn.R)", () => {
  for (const name of Object.keys(files)) {
    it(name, () => {
      const g = golden[name];
      const { labels, samples } = groupsOf(name);
      const r = ok(dunnTest(samples, { labels, adjust: 'none' }));
      expect(r.n).toBe(g.n);
      expect(r.sumT3MinusT).toBe(g.ties);
      expect(r.groups.map((x) => x.n)).toEqual(g.group_n);
      r.groups.forEach((x, j) => {
        expectDigits(x.meanRank, g.mean_ranks[j], STAT, `${name} mean rank ${x.label}`);
      });
      expect(r.comparisons.map((c) => c.comparison.replace(' − ', ' - '))).toEqual(g.comparisons);
      r.comparisons.forEach((c, i) => {
        expectDigits(c.estimate, g.estimate[i], STAT, `${name} ${c.comparison} estimate`);
        expectDigits(c.se, g.se[i], STAT, `${name} ${c.comparison} SE`);
        expectDigits(c.statistic, g.z[i], STAT, `${name} ${c.comparison} z`);
        expectDigits(c.pValue, g.p[i], PVAL, `${name} ${c.comparison} p`);
        expect(c.pUnadjusted).toBe(c.pValue);
      });
      for (const method of ['holm', 'bonferroni', 'BH'] as const) {
        const a = ok(dunnTest(samples, { labels, adjust: method }));
        a.comparisons.forEach((c, i) => {
          expectDigits(c.pValue, g[`p_${method}`][i], PVAL, `${name} ${c.comparison} p (${method})`);
        });
      }
      // the same ranks as Kruskal–Wallis
      const kw = ok(kruskalWallis(samples, { labels }));
      kw.groups.forEach((x, j) => {
        expect(x.meanRank).toBe(r.groups[j]!.meanRank);
      });
    });
  }

  it('defaults to Holm and drops empty groups', () => {
    const r = ok(dunnTest([[1, 2, 3], [], [4, 5, 6.5], [2, 7]], { labels: ['a', 'b', 'c', 'd'] }));
    expect(r.adjust).toBe('holm');
    expect(r.k).toBe(3);
    expect(r.comparisons.map((c) => c.comparison)).toEqual(['c − a', 'd − a', 'd − c']);
  });

  it('needs two groups with data and some untied values', () => {
    expect(isNotComputable(dunnTest([[1, 2], [Number.NaN]]))).toBe(true);
    expect(
      isNotComputable(
        dunnTest([
          [3, 3],
          [3, 3, 3],
        ]),
      ),
    ).toBe(true);
    expect(() => dunnTest([[1], [2]], { labels: ['a'] })).toThrow(/1 labels for 2 groups/);
  });
});
