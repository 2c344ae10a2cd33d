/** The threshold section: the share of respondents at or above a score threshold, with Wilson intervals. */
import { smallShare } from '../privacy/suppression.js';
import { type ThresholdRow, thresholdSentence, thresholdTable } from '../report/index.js';
import type { Section } from '../report/spec.js';
import type { ScoreColumn } from '../scoring/score.js';
import { proportionAtOrAbove } from '../stats/proportion.js';
import { isNotComputable } from '../stats/result.js';
import type { AnalysisInput } from './input.js';
import { article, midSentence, scoreLabel } from './labels.js';
import { cellNumber, suppressRows } from './suppress.js';

export function thresholdSection(
  input: AnalysisInput,
  byId: ReadonlyMap<string, ScoreColumn>,
  k: number,
): Section | undefined {
  const plan = input.resolved.study.analysis;
  if (!plan.thresholds.length) return undefined;
  const rows: ThresholdRow[] = [];
  const sentences: string[] = [];
  for (const t of plan.thresholds) {
    const s = byId.get(t.score);
    if (!s) continue;
    const lbl = t.label ?? `${scoreLabel(s)} ≥ ${t.atLeast}`;
    const r = proportionAtOrAbove(s.values, t.atLeast, { level: plan.confidenceLevel });
    if (isNotComputable(r)) {
      rows.push({ label: lbl, atLeast: t.atLeast, count: 0, n: 0, ci: r });
      continue;
    }
    rows.push({ label: lbl, atLeast: t.atLeast, count: r.count, n: r.n, ci: r.ci });
    if (smallShare(r.count, r.n, k)) continue;
    sentences.push(
      thresholdSentence({
        populationLabel: 'respondents with a score',
        scoreLabel: `${article(midSentence(scoreLabel(s)))} ${midSentence(scoreLabel(s))} score`,
        atLeast: t.atLeast,
        count: r.count,
        n: r.n,
        ci: r.ci,
      }),
    );
  }
  return {
    id: 'thresholds',
    title: 'Respondents at or above score thresholds',
    blocks: [
      suppressRows(
        thresholdTable({
          id: 'thresholds',
          title: 'Respondents at or above score thresholds',
          rows,
          notes: [
            'Interval: Wilson score interval without continuity correction (as R prop.test(correct = FALSE)).',
          ],
        }),
        ['count', 'n', 'percent', 'ci'],
        (c) => smallShare(cellNumber(c.count), cellNumber(c.n), k),
        k,
      ),
      { type: 'text', sentences },
    ],
  };
}
