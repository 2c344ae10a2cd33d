/**
 * One section per instrument: item endorsement by domain (and the top-N chart), score descriptives, score
 * distributions and severity bands.
 */
import type { Band, Instrument, Item } from '../instrument/schema.js';
import {
  cellsToSuppress,
  isSmall,
  smallShare,
  suppressionNote,
  suppressionReason,
} from '../privacy/suppression.js';
import {
  col,
  dec,
  descriptivesTable,
  type EndorsementDomain,
  endorsementSentence,
  endorsementTable,
  INTEGER,
  type ItemEndorsement,
  notComputableCell,
  num,
  pct,
  type ScoreDescriptives,
  suppressed,
  TEXT,
  text,
  topEndorsedFigure,
} from '../report/index.js';
import type { Block, Row, Section, TableSpec } from '../report/spec.js';
import { AnswerStatus, type NumericColumn } from '../response/dataset.js';
import type { ScoreColumn } from '../scoring/score.js';
import { at, atF64, mapAt } from '../stats/at.js';
import { describe } from '../stats/descriptives.js';
import { isNotComputable, notComputable } from '../stats/result.js';
import type { AnalysisInput } from './input.js';
import { itemText, LANG, midSentence, numericColumn, scoreLabel } from './labels.js';
import { cellNumber, suppressExtremes, suppressRows } from './suppress.js';

function endorsementOf(threshold: number, item: Item, col: NumericColumn | undefined): ItemEndorsement {
  let count = 0;
  let n = 0;
  if (col) {
    for (let i = 0; i < col.values.length; i++) {
      if (col.status[i] !== AnswerStatus.ANSWERED) continue;
      n++;
      if (atF64(col.values, i) >= threshold) count++;
    }
  }
  return { label: itemText(item), count, n };
}

/** The group of the item table that holds the items in no subscale or study domain. */
const OTHER_ITEMS = 'Other items';

/** The items an instrument's endorsement covers: its scored items. */
function itemsToEndorse(ins: Instrument): Item[] {
  return ins.items.filter((it) => it.scored);
}

export function instrumentSections(
  input: AnalysisInput,
  ins: Instrument,
  scores: readonly ScoreColumn[],
  k: number,
): Section[] {
  const { dataset, resolved } = input;
  const plan = resolved.study.analysis;
  const sections: Section[] = [];
  const itemById = new Map(ins.items.map((it) => [it.id, it]));
  const studyDomains = scores.filter((s) => s.source === 'study');

  // Item endorsement, grouped by the study's domains when it has them, else by official scores, else all items.
  if (ins.endorsement) {
    const grouping = studyDomains.filter((s) => s.def.items.length < ins.items.length);
    const groups = grouping.length
      ? grouping
      : scores.filter((s) => s.official && s.def.items.length < ins.items.length);
    // One pass over each item column; the domain grouping and the chart reuse the counts.
    const { threshold } = ins.endorsement;
    const endorsed = new Map(
      itemsToEndorse(ins).map((it) => [it.id, endorsementOf(threshold, it, numericColumn(dataset, it.id))]),
    );
    const of = (id: string) =>
      endorsed.get(id) ?? endorsementOf(threshold, mapAt(itemById, id), numericColumn(dataset, id));
    // Every item appears: those in no group (e.g. BACE's non-stigma items under the official subscale) as "Other items".
    const inGroup = new Set(groups.flatMap((s) => s.def.items));
    const others = [...endorsed].filter(([id]) => !inGroup.has(id)).map(([, e]) => e);
    const domains: EndorsementDomain[] = groups.length
      ? [
          ...groups.map((s) => ({ label: scoreLabel(s), items: s.def.items.map(of) })),
          ...(others.length ? [{ label: OTHER_ITEMS, items: others }] : []),
        ]
      : [{ label: ins.shortTitle, items: [...endorsed.values()] }];
    const endorseLabel = midSentence(
      ins.endorsement.label[LANG] ?? `at or above ${ins.endorsement.threshold}`,
    );
    const allItems = [...endorsed.values()];
    // Items whose counts could single out fewer than k respondents stay out of the chart and the sentence.
    const shareable = allItems.filter((i) => !smallShare(i.count, i.n, k));
    const blocks: Block[] = [
      suppressRows(
        endorsementTable({
          id: `${ins.id}_endorsement`,
          title: `${ins.shortTitle} items rated ${endorseLabel}`,
          domains,
          endorsementLabel: `rated ${endorseLabel}`,
          notes: [
            `Endorsement: an answer of ${ins.endorsement.threshold} or more. "Not applicable" and unanswered items are left out of each item's denominator (N).`,
            ...(groups.length && grouping.length
              ? ['Items are grouped by the study-defined domains, which are not official subscales.']
              : []),
            ...(groups.length && others.length
              ? [
                  `${OTHER_ITEMS}: the items in no ${grouping.length ? 'study-defined domain' : 'official subscale'} (${others.length} of ${endorsed.size}).`,
                ]
              : []),
          ],
        }),
        ['count', 'n', 'percent'],
        (c) => smallShare(cellNumber(c.count), cellNumber(c.n), k),
        k,
      ),
      topEndorsedFigure({
        id: `${ins.id}_top_endorsed`,
        title: `Top ${plan.topN} ${ins.shortTitle} items rated ${endorseLabel}`,
        items: shareable,
        top: plan.topN,
        caption: `Share of respondents who rated each item ${endorseLabel}; the denominator of each bar is the respondents who answered that item.`,
        xTitle: 'Respondents (%)',
      }),
      { type: 'text', sentences: [endorsementSentence({ items: shareable, noun: 'item' })] },
    ];
    sections.push({ id: `${ins.id}_items`, title: `${ins.shortTitle}: item endorsement`, blocks });
  }

  // Score descriptives: one pass (with quartiles, SPSS HAVERAGE) per score, shared by both tables.
  const described = scores.map((s) => describe(s.values, { quantileDefinition: 'spss' }));
  const rows: ScoreDescriptives[] = scores.map((s, i) => {
    const d = at(described, i);
    if (isNotComputable(d)) return { label: scoreLabel(s), n: 0, mean: d, sd: d, min: d, max: d };
    return {
      label: scoreLabel(s),
      n: d.n,
      mean: d.mean,
      sd: d.sd ?? notComputable('fewer than two scores'),
      min: d.min,
      max: d.max,
    };
  });
  const blocks: Block[] = [
    suppressExtremes(
      descriptivesTable({
        id: `${ins.id}_scores`,
        title: `${ins.shortTitle} scores`,
        rows,
        rowHeader: 'Score',
        notes: scores.map(
          (s) =>
            `${scoreLabel(s)}: ${s.def.description ?? `${s.def.method} of ${s.def.items.length} items`}; computed when at least ${s.minAnswered} item${s.minAnswered === 1 ? ' is' : 's are'} answered${s.official ? '' : ' (study-defined, not an official subscale)'}.`,
        ),
        denominator: 'n is the number of respondents with a score.',
      }),
      scores,
      k,
    ),
  ];
  blocks.push(
    suppressRows(
      distributionTable(ins, scores, described),
      ['n', 'mean', 'se', 'q1', 'median', 'q3'],
      (c) => isSmall(cellNumber(c.n), k),
      k,
    ),
  );
  const bandTables = scores.flatMap((s) => {
    const bands = s.def.bands;
    return bands?.length ? [bandTable(ins, s, bands, k)] : [];
  });
  blocks.push(...bandTables);
  sections.push({ id: `${ins.id}_score_section`, title: `${ins.shortTitle}: scores`, blocks });
  return sections;
}

/** n, mean, SE, median and quartiles of each score (quartiles as SPSS, weighted average HAVERAGE = R type 6). */
function distributionTable(
  ins: Instrument,
  scores: readonly ScoreColumn[],
  described: readonly ReturnType<typeof describe>[],
): TableSpec {
  const f = dec(2);
  const rows: Row[] = scores.map((s, i) => {
    const d = at(described, i);
    const label = text(scoreLabel(s));
    if (isNotComputable(d))
      return { kind: 'data' as const, cells: { label, n: num(0), se: notComputableCell(d.reason) } };
    return {
      kind: 'data' as const,
      cells: {
        label,
        n: num(d.n),
        mean: num(d.mean),
        se: d.se === null ? notComputableCell('fewer than two scores') : num(d.se, dec(3)),
        q1: num(d.q1),
        median: num(d.median),
        q3: num(d.q3),
      },
    };
  });
  return {
    type: 'table',
    id: `${ins.id}_distribution`,
    title: `${ins.shortTitle} score distributions`,
    columns: [
      col('label', 'Score', TEXT),
      col('n', 'n', INTEGER),
      col('mean', 'Mean', f),
      col('se', 'SE of mean', dec(3)),
      col('q1', '25th percentile', f),
      col('median', 'Median', f),
      col('q3', '75th percentile', f),
    ],
    rows,
    notes: ['Percentiles by the weighted average at (n + 1)p (SPSS HAVERAGE, R quantile type 6).'],
  };
}

function bandTable(ins: Instrument, s: ScoreColumn, bands: readonly Band[], k: number): TableSpec {
  const counts = new Array<number>(bands.length).fill(0);
  let n = 0;
  for (const b of s.band) {
    if (b >= 0) {
      counts[b] = at(counts, b) + 1;
      n++;
    }
  }
  const hide = cellsToSuppress(counts, k);
  return {
    type: 'table',
    id: `${s.id}_bands`,
    title: `${ins.shortTitle}: ${scoreLabel(s)} by band`,
    columns: [
      col('band', 'Band', TEXT),
      col('from', 'From', dec(0)),
      col('n', 'n', INTEGER),
      col('percent', '%', pct(1)),
    ],
    rows: bands.map((b, i) => ({
      kind: 'data' as const,
      cells: {
        band: text(b.label[LANG] ?? String(b.min)),
        from: num(b.min, Number.isInteger(b.min) ? dec(0) : dec(2)),
        n: hide.has(i) ? suppressed(suppressionReason(k)) : num(at(counts, i)),
        percent: hide.has(i)
          ? suppressed(suppressionReason(k))
          : n > 0
            ? num(at(counts, i) / n)
            : notComputableCell('no respondent has this score'),
      },
    })),
    denominator: `Percentages are of the ${n} respondents with a ${scoreLabel(s)} score.`,
    notes: hide.size ? [suppressionNote(k)] : [],
  };
}
