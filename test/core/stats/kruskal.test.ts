import { describe, expect, it } from 'vitest';
import { kruskalWallis } from '../../../src/core/stats/kruskal.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { posthocGolden as golden, groupsOf, sets } from './posthoc-data.js';
import { ok } from './pspp.js';

// Goldens: test/goldens/r/posthoc.R -> test/goldens/posthoc.json (kruskal.test; epsilon2 and eta2[H] from H)
const STAT = 12;
const PVAL = 11;

describe('Kruskal–Wallis against R kruskal.test', () => {
  for (const name of sets) {
    it(name, () => {
      const { labels, samples } = groupsOf(name);
      const g = golden.kruskal[name];
      const r = ok(kruskalWallis(samples, { labels }));
      expect(r.n).toBe(g.n);
      expect(r.df).toBe(g.df);
      expectDigits(r.statistic, g.statistic, STAT, `${name} H`);
      expectDigits(r.pValue, g.p, PVAL, `${name} p`);
      expectDigits(r.epsilonSquared, g.epsilon2, STAT, `${name} epsilon2`);
      expectDigits(r.etaSquaredH, g.eta2h, STAT, `${name} eta2H`);
      for (const [j, x] of r.groups.entries()) {
        expectDigits(x.meanRank, g.mean_ranks[j], STAT, `${name} mean rank ${x.label}`);
      }
    });
  }
  it('needs two groups with data and some untied values', () => {
    expect(isNotComputable(kruskalWallis([[1, 2], [Number.NaN]]))).toBe(true);
    expect(
      isNotComputable(
        kruskalWallis([
          [3, 3],
          [3, 3, 3],
        ]),
      ),
    ).toBe(true);
  });
});
