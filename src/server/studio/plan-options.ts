/**
 * The plan's reporting options edited with a form (plan.ts routes it): the confidence level of intervals, Levene's
 * centre (mean as SPSS, median as car::leveneTest), Cronbach's α missing-data handling (listwise as SPSS, pairwise
 * as psych::alpha), how many items the top-N chart shows, and a bar chart per multiple-choice question. Checked
 * with the core AnalysisPlanSchema's fields before the whole definition is checked and saved.
 */
import type { Issue } from '../../core/instrument/schema.js';
import type { ResolvedStudy } from '../../core/study/resolve.js';
import { AnalysisPlanSchema } from '../../core/study/schema.js';
import { type Html, html } from '../ui/html.js';
import { type Fields, field, type StudyDraft } from './definition.js';
import { checkbox, input, select } from './forms.js';
import {
  type Change,
  errorsFor,
  fieldStates,
  kept,
  numberField,
  type PlanError,
  planOf,
  schemaIssues,
} from './plan-form.js';

const OptionsSchema = AnalysisPlanSchema.pick({
  confidenceLevel: true,
  leveneCenter: true,
  alphaMissing: true,
  topN: true,
  questionFigures: true,
});

export function options(draft: StudyDraft, fields: Fields): Change {
  const plan = planOf(draft);
  const issues: Issue[] = [];
  const confidenceLevel = numberField(fields, 'confidenceLevel', 'analysis.confidenceLevel', issues);
  const topN = numberField(fields, 'topN', 'analysis.topN', issues);
  const entry = {
    confidenceLevel: confidenceLevel ?? 0.95,
    leveneCenter: field(fields, 'leveneCenter'),
    alphaMissing: field(fields, 'alphaMissing'),
    topN: topN ?? 10,
    questionFigures: field(fields, 'questionFigures') === 'on',
  };
  if (!issues.length)
    issues.push(
      ...schemaIssues(OptionsSchema, entry, 'analysis', {
        confidenceLevel: 'type a share above 0 and below 1, e.g. 0.95',
        leveneCenter: 'choose mean or median',
        alphaMissing: 'choose listwise or pairwise',
        topN: 'type a whole number of items, at least 1, e.g. 10',
      }),
    );
  if (issues.length) return { ok: false, issues };
  Object.assign(plan, entry);
  return { ok: true, change: 'plan.options', detail: entry };
}

export function renderOptions(base: string, resolved: ResolvedStudy, token: Html, err?: PlanError): Html {
  const plan = resolved.study.analysis;
  const fo = fieldStates(err, 'options');
  const figures =
    err?.section === 'options' ? field(err.fields, 'questionFigures') === 'on' : plan.questionFigures;
  return html`<section id="options" class="card"><h2>Reporting options</h2>
<form method="post" action="${base}/options" class="stack">${token}${errorsFor(err, 'options')}
${input('po', 'confidenceLevel', 'Confidence level of intervals', kept(err, 'options', 'confidenceLevel', String(plan.confidenceLevel)), { hint: 'e.g. 0.95 for 95% intervals.', state: fo('confidenceLevel') })}
${select(
  'po',
  'leveneCenter',
  "Levene's test of equal variances",
  kept(err, 'options', 'leveneCenter', plan.leveneCenter),
  [
    { value: 'mean', label: 'Centred on the mean (as SPSS)' },
    { value: 'median', label: 'Centred on the median, Brown–Forsythe (as R car::leveneTest)' },
  ],
  undefined,
  fo('leveneCenter'),
)}
${select(
  'po',
  'alphaMissing',
  "Cronbach's α with missing items",
  kept(err, 'options', 'alphaMissing', plan.alphaMissing),
  [
    { value: 'listwise', label: 'Listwise: respondents with every item (as SPSS)' },
    { value: 'pairwise', label: 'Pairwise (as R psych::alpha)' },
  ],
  undefined,
  fo('alphaMissing'),
)}
${input('po', 'topN', 'Items in the most-endorsed chart', kept(err, 'options', 'topN', String(plan.topN)), { hint: 'e.g. 10.', state: fo('topN') })}
${checkbox('po', 'questionFigures', 'A bar chart beside each multiple-choice question', figures)}
<div><button class="primary">Save reporting options</button></div></form></section>`;
}
