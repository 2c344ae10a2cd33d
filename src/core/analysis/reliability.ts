/** The reliability section: Cronbach's α per score (all items, and the answerable ones) and item-total tables. */
import { isSmall } from '../privacy/suppression.js';
import {
  col,
  dec,
  INTEGER,
  notComputableCell,
  num,
  reliabilitySentence,
  suppressed,
  TEXT,
  text,
} from '../report/index.js';
import type { Row, Section, TableSpec } from '../report/spec.js';
import type { PlannedItem } from '../scoring/plan.js';
import { keyedItemValues, type ScoreColumn } from '../scoring/score.js';
import { atF64 } from '../stats/at.js';
import {
  cronbachAlpha,
  type ItemMatrix,
  itemMatrixFromColumns,
  type ReliabilityResult,
} from '../stats/reliability.js';
import { isNotComputable } from '../stats/result.js';
import type { ResolvedStudy } from '../study/resolve.js';
import type { AnalysisInput } from './input.js';
import { itemText, midSentence, scoreLabel } from './labels.js';

/**
 * The respondents × items matrix of the rows with every item answered: what listwise deletion keeps anyway,
 * built without first copying the incomplete rows (a 30-item scale over 1,000,000 respondents is 240 MB).
 */
function completeRowsMatrix(cols: readonly Float64Array[], names: readonly string[]): ItemMatrix {
  const k = cols.length;
  const n = cols[0]?.length ?? 0;
  const keep = new Uint8Array(n).fill(1);
  let nKeep = n;
  for (const c of cols) {
    for (let i = 0; i < n; i++) {
      if (keep[i] && Number.isNaN(atF64(c, i))) {
        keep[i] = 0;
        nKeep--;
      }
    }
  }
  const data = new Float64Array(nKeep * k);
  for (const [j, c] of cols.entries()) {
    for (let i = 0, r = 0; i < n; i++) if (keep[i]) data[r++ * k + j] = atF64(c, i);
  }
  return { data, nRows: nKeep, nItems: k, names };
}

/**
 * The item sets alpha is reported over for one score: all its items, and — when some of them offer "not
 * applicable" (BACE's parent and work items), which listwise deletion turns into a handful of respondents — also
 * the items everyone can answer (at least 2 of them).
 */
interface AlphaItemSet {
  readonly key: 'all' | 'answerable';
  readonly items: readonly PlannedItem[];
  /** The rule as a row of the table says it: `listwise, all 30 items` or `listwise, items without "not applicable"`. */
  readonly rule: string;
}

function alphaItemSets(s: ScoreColumn, resolved: ResolvedStudy, missing: string): AlphaItemSet[] {
  const sets: AlphaItemSet[] = [
    { key: 'all', items: s.items, rule: `${missing}, all ${s.items.length} items` },
  ];
  const answerable = s.items.filter((it) => !resolved.variables.get(it.id)?.item.notApplicable);
  if (answerable.length < s.items.length && answerable.length >= 2) {
    sets.push({
      key: 'answerable',
      items: answerable,
      rule: `${missing}, items without "not applicable"`,
    });
  }
  return sets;
}

export function reliabilitySection(
  input: AnalysisInput,
  scores: readonly ScoreColumn[],
  k: number,
): Section | undefined {
  const { dataset, resolved } = input;
  const missing = resolved.study.analysis.alphaMissing;
  const rows: Row[] = [];
  const sentences: string[] = [];
  const itemTables: TableSpec[] = [];
  let anyAnswerable = false;
  for (const s of scores) {
    if (s.def.items.length < 2) continue;
    const lbl = scoreLabel(s);
    for (const set of alphaItemSets(s, resolved, missing)) {
      if (set.key === 'answerable') anyAnswerable = true;
      const ids = set.items.map((it) => it.id);
      // The keyed values the score adds up (reverse-keyed items reversed, invalid answers left out).
      const cols = set.items.map((it) => keyedItemValues(dataset, it));
      const r = cronbachAlpha(
        missing === 'listwise' ? completeRowsMatrix(cols, ids) : itemMatrixFromColumns(cols, ids),
        { missing },
      );
      const head = { score: text(lbl), rule: text(set.rule), items: num(set.items.length) };
      if (isNotComputable(r)) {
        const why = notComputableCell(r.reason);
        rows.push({ kind: 'data', cells: { ...head, n: why, alpha: why } });
        continue;
      }
      if (isSmall(r.n, k)) {
        const why = suppressed(`fewer than ${k} respondents answered every item`);
        rows.push({ kind: 'data', cells: { ...head, n: why, alpha: why } });
        continue;
      }
      rows.push({ kind: 'data', cells: { ...head, n: num(r.n), alpha: num(r.alpha) } });
      itemTables.push(itemTotalTable(s, set, r, resolved));
      sentences.push(
        reliabilitySentence({
          scaleLabel:
            set.key === 'all'
              ? `the ${midSentence(lbl)} score`
              : `the ${midSentence(lbl)} score over its ${set.items.length} items without "not applicable"`,
          alpha: r.alpha,
          items: set.items.length,
          n: r.n,
          missing,
        }),
      );
    }
  }
  if (!rows.length) return undefined;
  return {
    id: 'reliability',
    title: 'Reliability',
    blocks: [
      {
        type: 'table',
        id: 'reliability',
        title: "Internal consistency (Cronbach's α)",
        columns: [
          col('score', 'Score', TEXT),
          col('rule', 'Items used', TEXT),
          col('items', 'Items', INTEGER),
          col('n', 'n', INTEGER),
          col('alpha', 'α', dec(2, false)),
        ],
        rows,
        denominator:
          missing === 'listwise'
            ? 'n: respondents who answered every item used (listwise deletion, as SPSS RELIABILITY); "not applicable" counts as unanswered here.'
            : 'Pairwise-complete covariances (as R psych::alpha); n is the number of respondents with at least one answered item.',
        notes: anyAnswerable
          ? [
              'A score with items that offer "not applicable" (e.g. items only for parents or for people in work) has a second row over the items every respondent can answer, since answers of "not applicable" leave few respondents with every item answered.',
            ]
          : [],
      },
      { type: 'text', sentences },
      ...itemTables,
    ],
  };
}

/** SPSS "Item-Total Statistics": per item its mean, SD, corrected item–total r and alpha if deleted. */
function itemTotalTable(
  s: ScoreColumn,
  set: AlphaItemSet,
  r: ReliabilityResult,
  resolved: ResolvedStudy,
): TableSpec {
  const f = dec(2);
  const label = scoreLabel(s);
  return {
    type: 'table',
    id: set.key === 'all' ? `${s.id}_item_total` : `${s.id}_answerable_item_total`,
    title:
      set.key === 'all'
        ? `Item-total statistics: ${label}`
        : `Item-total statistics: ${label}, the ${set.items.length} items without "not applicable"`,
    columns: [
      col('item', 'Item', TEXT),
      col('mean', 'Mean', f),
      col('sd', 'SD', f),
      col('r', 'Corrected item–total r', dec(2, false)),
      col('alpha', 'α if item deleted', dec(2, false)),
    ],
    rows: r.items.map((it, j) => {
      const v = resolved.variables.get(it.name);
      const label = v ? itemText(v.item) : it.name;
      return {
        kind: 'data' as const,
        cells: {
          item: text(set.items[j]?.reverse ? `${label} (reversed)` : label),
          mean: num(it.mean),
          sd: num(it.sd),
          r:
            it.correctedItemTotalCorrelation === null
              ? notComputableCell('the item or the rest of the scale has no variance')
              : num(it.correctedItemTotalCorrelation),
          alpha:
            it.alphaIfDeleted === null
              ? notComputableCell('alpha needs at least two remaining items')
              : num(it.alphaIfDeleted),
        },
      };
    }),
    denominator: `n = ${r.n} respondents (${set.rule}, ${set.items.length} items).`,
    notes: set.items.some((it) => it.reverse)
      ? [
          'Items marked (reversed) are reverse keyed (minimum + maximum − answer), as the score uses them; means, correlations and alpha are of the keyed values.',
        ]
      : [],
  };
}
