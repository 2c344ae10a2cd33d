import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fisherExact2x2, fisherExactRxC } from '../../../src/core/stats/crosstab.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { ok } from './pspp.js';

// Goldens: test/goldens/r/fisher_rxc.R -> test/goldens/fisher_rxc.json (R fisher.test, network algorithm)
const golden = JSON.parse(
  readFileSync(new URL('../../goldens/fisher_rxc.json', import.meta.url), 'utf8'),
) as Record<string, { counts: number[][]; p: number }>;

describe('fisherExactRxC against R fisher.test', () => {
  for (const name of ['t2x3', 't3x3', 't3x4', 'ties', 'zero_row']) {
    it(name, () => {
      const g = golden[name]!;
      const r = ok(fisherExactRxC(g.counts));
      expectDigits(r.pValue, g.p, 13, `${name} p`);
    });
  }
  it('drops an empty row, as R does', () => {
    expect(ok(fisherExactRxC(golden.zero_row!.counts)).rows).toBe(2);
  });
  it('agrees with the 2 x 2 test on a 2 x 2 table', () => {
    const t = [
      [7, 2],
      [3, 9],
    ];
    expectDigits(ok(fisherExactRxC(t)).pValue, ok(fisherExact2x2(t)).pValueTwoSided, 14, '2x2 p');
  });
  it('stops with a reason when the margins allow too many tables (Job satisfaction, 4 x 4, N = 96)', () => {
    const r = fisherExactRxC(golden.job!.counts, { maxTables: 100_000 });
    expect(r).toEqual({
      kind: 'not_computable',
      reason:
        'More than 100,000 tables have these margins (N = 96, 4 × 4), too many to enumerate: merge categories or use the chi-square test.',
    });
  });
  it('needs two non-empty rows and columns; rejects non-integer counts', () => {
    expect(isNotComputable(fisherExactRxC([[1, 2, 3]]))).toBe(true);
    expect(() =>
      fisherExactRxC([
        [1.5, 2],
        [1, 1],
      ]),
    ).toThrow(/count 1.5 is not an integer/);
  });
});
