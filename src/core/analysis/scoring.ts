/** The scoring section: per score how many were computed and why others are missing. */
import { cellsToSuppress, isSmall, suppressionReason } from '../privacy/suppression.js';
import { col, INTEGER, num, suppressed, TEXT, text } from '../report/index.js';
import type { Row, Section } from '../report/spec.js';
import type { ScoredDataset } from '../scoring/score.js';
import type { AnalysisInput } from './input.js';
import { scoreLabel } from './labels.js';

/**
 * "k of n items present" for each score whose items the data lack (imported with `--allow-missing`);
 * empty when every score has all its item columns.
 */
export function itemsPresent(
  scored: ScoredDataset,
): { id: string; label: string; present: number; items: number; missing: readonly string[] }[] {
  const byId = new Map(scored.scores.map((s) => [s.id, s]));
  return scored.report.perScore.flatMap((p) => {
    const s = byId.get(p.id);
    if (!s || p.missingColumns.length === 0) return [];
    const items = s.def.items.length;
    return [
      {
        id: p.id,
        label: scoreLabel(s),
        present: items - p.missingColumns.length,
        items,
        missing: p.missingColumns,
      },
    ];
  });
}

export function scoringSection(input: AnalysisInput, k: number): Section {
  const { scored } = input;
  const why = suppressed(suppressionReason(k));
  const partial = new Map(itemsPresent(scored).map((x) => [x.id, x]));
  const byId = new Map(scored.scores.map((s) => [s.id, s]));
  const rows: Row[] = scored.report.perScore.map((p) => {
    // computed + none + too few = all respondents: suppress with a complement; the other two stand alone.
    const hide = cellsToSuppress([p.computed, p.noneAnswered, p.tooFewAnswered], k);
    const cell = (i: number, v: number) => (hide.has(i) ? why : num(v));
    return {
      kind: 'data' as const,
      cells: {
        score: text(p.id),
        computed: cell(0, p.computed),
        none: cell(1, p.noneAnswered),
        few: cell(2, p.tooFewAnswered),
        na: isSmall(p.withNotApplicable, k) ? why : num(p.withNotApplicable),
        invalid: isSmall(p.withInvalid, k) ? why : num(p.withInvalid),
        ...(partial.size > 0
          ? {
              present: text(
                `${partial.get(p.id)?.present ?? byId.get(p.id)?.def.items.length ?? 0} of ${byId.get(p.id)?.def.items.length ?? 0}`,
              ),
            }
          : {}),
      },
    };
  });
  return {
    id: 'scoring',
    title: 'Scoring and missing data',
    blocks: [
      {
        type: 'table',
        id: 'scoring',
        title: 'Scores computed and missing',
        columns: [
          col('score', 'Score', TEXT),
          col('computed', 'Computed', INTEGER),
          col('none', 'No item answered', INTEGER),
          col('few', 'Too few items', INTEGER),
          col('na', 'With "not applicable"', INTEGER),
          col('invalid', 'With invalid answers', INTEGER),
          ...(partial.size > 0 ? [col('present', 'Items present', TEXT)] : []),
        ],
        rows,
        denominator: `Counts of the ${scored.n} responses.`,
        notes: [
          '"Not applicable" answers are kept apart from skipped ones: they are left out of the score and of its number of items, never counted as 0.',
          ...(partial.size > 0
            ? [
                `Items present: of each score's items, those the data have a column for. The data have no column for ${[
                  ...new Set([...partial.values()].flatMap((x) => x.missing)),
                ].join(', ')}; each score uses the items present.`,
              ]
            : []),
        ],
      },
    ],
  };
}
