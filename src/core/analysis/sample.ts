/** The "Sample" section: single-choice questions (demographics) with n, percent, valid percent and Wilson CI. */
import { cellsToSuppress, extremeShown, suppressionNote } from '../privacy/suppression.js';
import {
  categoricalSentence,
  col,
  INTEGER,
  interval,
  meanSentence,
  notComputableCell,
  num,
  pct,
  sampleSizeSentence,
  suppressed,
  TEXT,
  text,
} from '../report/index.js';
import type { Block, Cell, Row, Section, TableSpec } from '../report/spec.js';
import { describe } from '../stats/descriptives.js';
import { wilsonInterval } from '../stats/proportion.js';
import { isNotComputable, notComputable } from '../stats/result.js';
import { plainQuestions, shortLabel } from '../study/questions.js';
import type { AnalysisInput } from './input.js';
import { categoryCounts, numericColumn } from './labels.js';
import { fmtLevel } from './questions.js';

/** The Wilson interval of a valid percent as a cell (empty when nobody answered). */
function validInterval(count: number, total: number, level: number): Cell {
  const w = wilsonInterval(count, total, { level });
  return isNotComputable(w) ? { kind: 'empty' } : interval(w.ci.lower, w.ci.upper);
}

export function sampleSection(input: AnalysisInput, k: number): Section {
  const { resolved, dataset } = input;
  const level = resolved.study.analysis.confidenceLevel;
  const blocks: Block[] = [];
  const sentences: string[] = [sampleSizeSentence(dataset.n)];
  const rows: Row[] = [];
  let anySuppressed = false;
  for (const q of plainQuestions(resolved.study)) {
    const c = numericColumn(dataset, q.id);
    if (!c) continue;
    if (q.type === 'single') {
      const { levels, skipped, notShown } = categoryCounts(q, c);
      const total = levels.reduce((s, l) => s + l.count, 0);
      // "No answer" and "Not asked" rows take part: with them the rows add up to all respondents.
      const hide = cellsToSuppress([...levels.map((l) => l.count), skipped, notShown], k);
      const hidden = (why: string): Record<string, Cell> => ({
        n: suppressed(why),
        percent: suppressed(why),
        valid: suppressed(why),
        ci: suppressed(why),
      });
      rows.push({ kind: 'group', label: shortLabel(q) });
      levels.forEach((l, i) => {
        anySuppressed ||= hide.has(i);
        rows.push({
          kind: 'data',
          indent: 1,
          cells: {
            characteristic: text(l.label),
            ...(hide.has(i)
              ? hidden(`fewer than ${k} respondents`)
              : {
                  n: num(l.count),
                  percent: num(l.count / dataset.n),
                  valid:
                    total > 0
                      ? num(l.count / total)
                      : notComputableCell('no respondent answered this question'),
                  ci: validInterval(l.count, total, level),
                }),
          },
        });
      });
      for (const [j, label, count] of [
        [levels.length, 'No answer', skipped],
        [levels.length + 1, 'Not asked (skip logic)', notShown],
      ] as const) {
        if (count > 0 && hide.has(j)) {
          anySuppressed = true;
          rows.push({
            kind: 'data',
            indent: 1,
            cells: {
              characteristic: text(label),
              ...hidden(`fewer than ${k} respondents`),
              valid: { kind: 'empty' },
              ci: { kind: 'empty' },
            },
          });
        } else if (count > 0) {
          rows.push({
            kind: 'data',
            indent: 1,
            cells: {
              characteristic: text(label),
              n: num(count),
              percent: num(count / dataset.n),
              valid: { kind: 'empty' },
            },
          });
        }
      }
      if (hide.size === 0 && total > 0) {
        sentences.push(
          categoricalSentence({
            label: shortLabel(q),
            levels: levels.map((l) => ({ label: l.label, count: l.count })),
          }),
        );
      }
    } else if (q.type === 'number') {
      const d = describe(c.values);
      if (!isNotComputable(d)) {
        sentences.push(
          meanSentence({
            label: shortLabel(q),
            n: d.n,
            mean: d.mean,
            sd: d.sd ?? notComputable('only one value'),
            // The range only when at least k respondents share each end (an age of 41 names its one owner).
            ...(extremeShown(c.values, d.min, k) && extremeShown(c.values, d.max, k)
              ? { min: d.min, max: d.max }
              : {}),
            integers: q.integer === true || c.values.every((v) => Number.isNaN(v) || Number.isInteger(v)),
          }),
        );
      }
    }
  }
  if (rows.length) {
    const table: TableSpec = {
      type: 'table',
      id: 'sample',
      title: 'Characteristics of the respondents',
      columns: [
        col('characteristic', 'Characteristic', TEXT),
        col('n', 'n', INTEGER),
        col('percent', 'Percent', pct(1)),
        col('valid', 'Valid percent', pct(1)),
        col('ci', `${fmtLevel(level)} CI`, pct(1)),
      ],
      rows,
      denominator: `Percent is of all ${dataset.n} responses; valid percent is of the respondents who answered the question (as SPSS FREQUENCIES: "no answer" and "not asked" are left out of the valid denominator).`,
      notes: [
        'The confidence interval is of the valid percent: Wilson score interval (R prop.test(x, n, correct = FALSE)).',
        ...(anySuppressed ? [suppressionNote(k)] : []),
      ],
    };
    blocks.push(table);
  }
  blocks.unshift({ type: 'text', sentences });
  return { id: 'sample', title: 'Sample', blocks };
}
