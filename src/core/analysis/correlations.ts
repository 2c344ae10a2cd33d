/**
 * The correlation matrix of the plan (`analysis.correlations`): Pearson's r or Spearman's ρ of scores and number
 * questions, each pair with its n and two-sided p (pairwise complete cases by default), as R cor.test per pair and
 * SPSS CORRELATIONS / NONPAR CORR. The pairs' p-values are one family for the plan's `adjust`.
 * With k > 0, a pair over fewer than k respondents is suppressed.
 */
import { isSmall, suppressionReason } from '../privacy/suppression.js';
import {
  col,
  formatFixed,
  formatInteger,
  INTEGER,
  notComputableCell,
  num,
  pval,
  suppressed,
  TEXT,
  text,
} from '../report/index.js';
import { associationSentence } from '../report/sentences.js';
import type { Cell, Row, Section } from '../report/spec.js';
import type { ScoreColumn } from '../scoring/score.js';
import { at } from '../stats/at.js';
import { correlationMatrix } from '../stats/correlation.js';
import { adjustFamily, adjustName, adjustNote } from './adjust.js';
import type { AnalysisInput } from './input.js';
import { midSentence } from './labels.js';
import { variableOf } from './models.js';

/** The correlation section, or undefined when the plan has none. */
export function correlationSection(
  input: AnalysisInput,
  scores: ReadonlyMap<string, ScoreColumn>,
  k: number,
): Section | undefined {
  const plan = input.resolved.study.analysis;
  const spec = plan.correlations;
  if (!spec) return undefined;
  const vars = spec.variables.flatMap((id) => {
    const v = variableOf(input, scores, id);
    return typeof v === 'string' ? [] : [v];
  });
  const missing = spec.variables.filter((id) => !vars.some((v) => v.id === id));
  const m = correlationMatrix(
    vars.map((v) => v.values),
    { method: spec.method, missing: spec.missing, names: vars.map((v) => v.label) },
  );
  const pearson = spec.method === 'pearson';
  const sym = pearson ? 'r' : 'ρ';
  // The family: each pair once (upper triangle), in row order.
  const pairs: { i: number; j: number; p: number }[] = [];
  for (let i = 0; i < vars.length; i++)
    for (let j = i + 1; j < vars.length; j++) pairs.push({ i, j, p: at(at(m.pValue, i), j) ?? Number.NaN });
  const adjusted = adjustFamily(
    pairs.map((x) => x.p),
    plan.adjust,
  );
  const adjOf = new Map(pairs.map((x, q) => [`${x.i},${x.j}`, adjusted[q]]));
  const adj = plan.adjust !== 'none';
  const rows: Row[] = [];
  vars.forEach((v, i) => {
    rows.push({ kind: 'group', label: `${i + 1}. ${v.label}` });
    // A pair over fewer than k respondents is not shown (its r, p and n).
    const nRow = at(m.n, i);
    const hide = (j: number) => isSmall(at(nRow, j), k);
    const line = (what: string, cell: (j: number) => Cell): Row => ({
      kind: 'data',
      indent: 1,
      cells: {
        stat: text(what),
        ...Object.fromEntries(
          vars.map((_, j) => [
            `v${j}`,
            j === i && what !== 'n'
              ? { kind: 'empty' }
              : hide(j)
                ? suppressed(suppressionReason(k))
                : cell(j),
          ]),
        ),
      },
    });
    rows.push(
      line(sym, (j) => {
        const e = at(at(m.estimate, i), j);
        return e === null ? notComputableCell(at(at(m.reason, i), j) ?? 'not computable') : num(e);
      }),
      line('p', (j) => {
        const p = at(at(m.pValue, i), j);
        return p === null ? { kind: 'empty' } : num(p, pval(plan.alpha));
      }),
    );
    if (adj)
      rows.push(
        line(`p (${adjustName(plan.adjust)})`, (j) => {
          const a = adjOf.get(i < j ? `${i},${j}` : `${j},${i}`);
          return a ? num(a.pValue, pval(plan.alpha)) : { kind: 'empty' };
        }),
      );
    rows.push(line('n', (j) => num(at(nRow, j), INTEGER)));
  });
  const sentences: string[] = [];
  pairs.forEach((x, q) => {
    const e = at(at(m.estimate, x.i), x.j);
    const n = at(at(m.n, x.i), x.j);
    if (e === null || Number.isNaN(x.p) || isSmall(n, k)) return;
    const a = adjusted[q];
    sentences.push(
      associationSentence({
        characteristic: at(vars, x.i).label,
        outcome: midSentence(at(vars, x.j).label),
        statistic: `${pearson ? "Pearson's r" : "Spearman's ρ"} = ${formatFixed(e, 2, { leadingZero: false })} (n = ${formatInteger(n)})`,
        pValue: x.p,
        ...(a ? { adjusted: a } : {}),
        alpha: plan.alpha,
      }),
    );
  });
  return {
    id: 'correlations',
    title: 'Correlations',
    blocks: [
      {
        type: 'table',
        id: 'correlations',
        title: `${pearson ? 'Pearson' : 'Spearman rank'} correlations`,
        columns: [
          col('stat', '', TEXT),
          ...vars.map((v, j) =>
            col(`v${j}`, `${j + 1}. ${v.label}`, { kind: 'decimal', digits: 2, leadingZero: false }),
          ),
        ],
        rows,
        denominator:
          spec.missing === 'pairwise'
            ? 'Each pair uses the respondents with both values (pairwise deletion); n per pair; on the diagonal, the respondents with that value.'
            : 'Respondents with every variable (listwise deletion).',
        notes: [
          pearson
            ? "Pearson's r with the t test on n − 2 df (R cor.test; SPSS CORRELATIONS); two-sided p."
            : 'Spearman\'s ρ (Pearson\'s r of average ranks) with the t approximation on n − 2 df (R cor.test(method = "spearman", exact = FALSE); SPSS NONPAR CORR); two-sided p.',
          adjustNote(
            plan.adjust,
            pairs.map((x) => x.p),
            `the ${pairs.length} pairs of this matrix`,
          ),
          ...(missing.length ? [`Not in the data: ${missing.join(', ')}.`] : []),
        ],
      },
      { type: 'text', sentences },
    ],
  };
}
