/**
 * The analysis plan's tests, edited with forms (plan.ts routes them): bivariate associations of characteristics
 * with an outcome (`analysis.associations`; the test follows the variables' types — χ² or Fisher's exact for two
 * categorical variables, the t test / ANOVA / Pearson for numbers, or their rank-based counterparts), the
 * correlation matrix (`analysis.correlations`, Pearson or Spearman), the multiple-comparison adjustment
 * (`analysis.adjust`) and the protocol's sample-size calculation (`analysis.sampleSize`).
 *
 * Each form's entry is built from the posted fields and checked with the core schema the CLI reads the study with
 * (AssociationSchema, CorrelationsSchema, SampleSizeSchema, AnalysisPlanSchema's `adjust`); the caller then checks
 * the whole definition (unknown ids, an outcome that is also a characteristic) before it is saved.
 */
import { adjustName } from '../../core/analysis/adjust.js';
import { sampleSizeSentenceOf } from '../../core/analysis/methods.js';
import type { Issue } from '../../core/instrument/schema.js';
import type { ResolvedStudy } from '../../core/study/resolve.js';
import {
  AnalysisPlanSchema,
  type Association,
  AssociationSchema,
  CorrelationsSchema,
  SampleSizeSchema,
} from '../../core/study/schema.js';
import { type Html, html } from '../ui/html.js';
import { type Fields, field, fieldAll, type StudyDraft } from './definition.js';
import { checkGroup, input, select } from './forms.js';
import {
  type Candidates,
  type Change,
  entriesOf,
  errorsFor,
  fieldStates,
  kept,
  keptAll,
  numberField,
  type PlanError,
  planOf,
  questionLabel,
  schemaIssues,
  ticked,
} from './plan-form.js';

const NUMERIC_TESTS = {
  parametric:
    'By variable type: t test (two groups), ANOVA with Tukey / Games–Howell (more groups), Pearson (two numbers)',
  nonparametric:
    'Rank-based: Mann–Whitney (two groups), Kruskal–Wallis (more groups), Spearman (two numbers)',
} as const;

export function associations(draft: StudyDraft, fields: Fields): Change {
  const entries = entriesOf(planOf(draft), 'associations', fields, { name: 'association', article: 'an' });
  if ('done' in entries) return entries.done;
  const { list, id, issues } = entries;
  const atLeast = numberField(fields, 'atLeast', 'analysis.associations.atLeast', issues);
  const characteristics = ticked(
    fields,
    'characteristics',
    'analysis.associations.characteristics',
    'tick at least one characteristic to test against the outcome',
    issues,
  );
  const title = field(fields, 'title');
  const entry: Record<string, unknown> = {
    id,
    ...(title ? { title } : {}),
    outcome: field(fields, 'outcome'),
    ...(atLeast !== undefined ? { atLeast } : {}),
    characteristics,
    numeric: field(fields, 'numeric'),
  };
  if (!issues.length)
    issues.push(
      ...schemaIssues(AssociationSchema, entry, 'analysis.associations', {
        id: 'letters, digits and _, starting with a letter, e.g. phq9_factors',
        outcome: 'choose the outcome',
        numeric: `choose ${Object.keys(NUMERIC_TESTS).join(' or ')}`,
      }),
    );
  if (issues.length) return { ok: false, issues };
  list.push(entry);
  return {
    ok: true,
    change: 'plan.association.add',
    detail: { association: id, outcome: entry.outcome, characteristics, numeric: entry.numeric },
  };
}

export function correlations(draft: StudyDraft, fields: Fields): Change {
  const plan = planOf(draft);
  if (field(fields, 'action') === 'remove') {
    delete plan.correlations;
    return { ok: true, change: 'plan.correlations.remove', detail: {} };
  }
  const variables = fieldAll(fields, 'variables');
  const entry = { variables, method: field(fields, 'method'), missing: field(fields, 'missing') };
  const issues =
    variables.length < 2
      ? [
          {
            path: 'analysis.correlations.variables',
            code: 'required',
            message: `tick at least two scores or number questions to correlate (${variables.length} ticked)`,
          },
        ]
      : schemaIssues(CorrelationsSchema, entry, 'analysis.correlations', {
          method: 'choose pearson or spearman',
          missing: 'choose pairwise or listwise',
        });
  if (issues.length) return { ok: false, issues };
  plan.correlations = entry;
  return { ok: true, change: 'plan.correlations', detail: entry };
}

export function adjust(draft: StudyDraft, fields: Fields): Change {
  const plan = planOf(draft);
  const method = field(fields, 'adjust');
  const issues = schemaIssues(AnalysisPlanSchema.pick({ adjust: true }), { adjust: method }, 'analysis', {
    adjust: 'choose none, holm, bonferroni or BH',
  });
  if (issues.length) return { ok: false, issues };
  plan.adjust = method;
  return { ok: true, change: 'plan.adjust', detail: { adjust: method } };
}

export function sampleSize(draft: StudyDraft, fields: Fields): Change {
  const plan = planOf(draft);
  if (field(fields, 'action') === 'remove') {
    delete plan.sampleSize;
    return { ok: true, change: 'plan.sampleSize.remove', detail: {} };
  }
  const issues: Issue[] = [];
  const at = (name: string) => `analysis.sampleSize.${name}`;
  const proportion = numberField(fields, 'proportion', at('proportion'), issues);
  const margin = numberField(fields, 'margin', at('margin'), issues);
  const confidence = numberField(fields, 'confidence', at('confidence'), issues);
  const population = numberField(fields, 'population', at('population'), issues);
  for (const [name, v] of [
    ['proportion', proportion],
    ['margin', margin],
  ] as const)
    if (v === undefined && !issues.some((i) => i.path === at(name)))
      issues.push({
        path: at(name),
        code: 'required',
        message: `type the ${name === 'margin' ? 'margin of error, e.g. 0.05 for ±5 percentage points' : 'expected proportion, e.g. 0.3 (0.5 when unknown)'}`,
      });
  const source = field(fields, 'source');
  const entry: Record<string, unknown> = {
    proportion,
    margin,
    confidence: confidence ?? 0.95,
    ...(population !== undefined ? { population } : {}),
    ...(source ? { source } : {}),
  };
  if (!issues.length)
    issues.push(
      ...schemaIssues(SampleSizeSchema, entry, 'analysis.sampleSize', {
        proportion: 'type a share between 0 and 1, e.g. 0.3',
        margin: 'type a share above 0 and below 1, e.g. 0.05 for ±5 percentage points',
        confidence: 'type a share above 0 and below 1, e.g. 0.95',
        population: 'type a whole number of people, or leave it empty',
      }),
    );
  if (issues.length) return { ok: false, issues };
  plan.sampleSize = entry;
  return { ok: true, change: 'plan.sampleSize', detail: entry };
}

function describeAssociation(a: Association): string {
  const outcome = a.atLeast !== undefined ? `${a.outcome} ≥ ${a.atLeast}` : a.outcome;
  const tests = a.numeric === 'nonparametric' ? 'rank-based tests' : 'tests by variable type';
  return `${outcome} by ${a.characteristics.join(', ')} (${tests})`;
}

/** The forms of the tests: associations, correlations, adjustment, sample size. */
export function renderTests(
  base: string,
  resolved: ResolvedStudy,
  c: Candidates,
  token: Html,
  err?: PlanError,
): Html {
  const plan = resolved.study.analysis;
  const removeForm = (section: string, id?: string) =>
    html`<form method="post" action="${base}/${section}" class="inline">${token}<input type="hidden" name="action" value="remove">${id === undefined ? '' : html`<input type="hidden" name="id" value="${id}">`}<button class="link">Remove</button></form>`;
  const numbers = c.numbers.map((q) => ({ value: q.id, label: `${questionLabel(q)} — number` }));
  const scores = c.scores.map((s) => ({ value: s, label: `${s} (score)` }));
  const singles = c.singles.map((q) => ({ value: q.id, label: `${questionLabel(q)} — categories` }));

  const fa = fieldStates(err, 'associations');
  const chosen = keptAll(err, 'associations', 'characteristics', []);
  const assocRows = plan.associations.map(
    (a) =>
      html`<li><strong>${a.id}</strong>: ${describeAssociation(a)} ${removeForm('associations', a.id)}</li>`,
  );
  const associationsForm = html`<section id="associations" class="card"><h2>Associations with an outcome</h2>
<p class="hint">One table ("Table 3"): every ticked characteristic tested against the outcome, the test chosen by the variables' types — two categorical variables: Pearson's χ², or Fisher's exact test when an expected count is below 5; a number by groups: the choice below, with effect sizes and post-hoc tests for more than two groups.</p>
${assocRows.length ? html`<ul>${assocRows}</ul>` : html`<p class="muted">No associations yet.</p>`}
<form method="post" action="${base}/associations" class="stack">${token}${errorsFor(err, 'associations')}
${input('pa', 'id', 'Association id', kept(err, 'associations', 'id', ''), { hint: 'Letters, digits and _, e.g. phq9_factors. Names the table.', required: true, state: fa('id') })}
${select('pa', 'outcome', 'Outcome', kept(err, 'associations', 'outcome', ''), [{ value: '', label: 'Choose the outcome' }, ...scores, ...numbers, ...singles], undefined, fa('outcome'))}
${input('pa', 'atLeast', 'Outcome as yes/no: at least (optional)', kept(err, 'associations', 'atLeast', ''), { hint: 'e.g. 10 for a PHQ-9 total of 10 or more (categorical tests); empty: the outcome as it is.', state: fa('atLeast') })}
${checkGroup(
  'pa',
  'characteristics',
  'Characteristics',
  [...singles, ...numbers, ...scores].map((x) => ({ ...x, on: chosen.includes(x.value) })),
  fa('characteristics'),
)}
${select(
  'pa',
  'numeric',
  'Tests of numeric variables',
  kept(err, 'associations', 'numeric', 'parametric'),
  Object.entries(NUMERIC_TESTS).map(([value, label]) => ({ value, label })),
  'Categorical pairs always get χ² or Fisher by the expected counts.',
  fa('numeric'),
)}
${input('pa', 'title', 'Table title (optional)', kept(err, 'associations', 'title', ''), { state: fa('title') })}
<div><button class="primary">Add association</button></div></form></section>`;

  const fc = fieldStates(err, 'correlations');
  const corr = plan.correlations;
  const ticked = keptAll(err, 'correlations', 'variables', corr?.variables ?? []);
  const correlationsForm = html`<section id="correlations" class="card"><h2>Correlations</h2>
<p class="hint">A matrix of the ticked scores and number questions with n and p for every pair.</p>
${corr ? html`<p>${corr.method === 'pearson' ? 'Pearson' : 'Spearman'} correlations of ${corr.variables.join(', ')} (${corr.missing} deletion) ${removeForm('correlations')}</p>` : html`<p class="muted">No correlation matrix.</p>`}
<form method="post" action="${base}/correlations" class="stack">${token}${errorsFor(err, 'correlations')}
${checkGroup(
  'pr',
  'variables',
  'Variables',
  [...scores, ...numbers].map((x) => ({ ...x, on: ticked.includes(x.value) })),
  fc('variables'),
)}
${select(
  'pr',
  'method',
  'Coefficient',
  kept(err, 'correlations', 'method', corr?.method ?? 'pearson'),
  [
    { value: 'pearson', label: "Pearson's r" },
    { value: 'spearman', label: "Spearman's ρ (ranks)" },
  ],
  undefined,
  fc('method'),
)}
${select(
  'pr',
  'missing',
  'Missing values',
  kept(err, 'correlations', 'missing', corr?.missing ?? 'pairwise'),
  [
    { value: 'pairwise', label: "Pairwise: each pair's complete cases (SPSS default)" },
    { value: 'listwise', label: 'Listwise: respondents with every variable' },
  ],
  undefined,
  fc('missing'),
)}
<div><button class="primary">Save correlations</button></div></form></section>`;

  const adjustForm = html`<section id="adjust" class="card"><h2>Multiple comparisons</h2>
<p class="hint">Applied to each family of tests: one association table, one group comparison across scores, one correlation matrix. Result sentences call a difference significant only when its adjusted p is below α. Currently: ${plan.adjust === 'none' ? 'no adjustment' : adjustName(plan.adjust)}.</p>
<form method="post" action="${base}/adjust" class="stack">${token}${errorsFor(err, 'adjust')}
${select(
  'pj',
  'adjust',
  'Adjustment of p-values',
  kept(err, 'adjust', 'adjust', plan.adjust),
  [
    { value: 'none', label: 'None' },
    { value: 'holm', label: 'Holm (step-down; controls the family-wise error)' },
    { value: 'bonferroni', label: 'Bonferroni' },
    { value: 'BH', label: 'Benjamini–Hochberg (false discovery rate)' },
  ],
  undefined,
  fieldStates(err, 'adjust')('adjust'),
)}
<div><button class="primary">Save adjustment</button></div></form></section>`;

  const fs = fieldStates(err, 'samplesize');
  const ss = plan.sampleSize;
  const ssKept = (name: string, stored: unknown) =>
    kept(err, 'samplesize', name, stored === undefined ? '' : String(stored));
  const sampleSizeForm = html`<section id="samplesize" class="card"><h2>Sample size calculation</h2>
<p class="hint">Printed in the methods paragraph: Cochran's n₀ = z²p(1 − p)/d², with the finite population correction when the population is given.</p>
${ss ? html`<p>${sampleSizeSentenceOf(ss)} ${removeForm('samplesize')}</p>` : html`<p class="muted">No sample size calculation.</p>`}
<form method="post" action="${base}/samplesize" class="stack">${token}${errorsFor(err, 'samplesize')}
${input('ps', 'proportion', 'Expected proportion p', ssKept('proportion', ss?.proportion), { hint: 'e.g. 0.3 from an earlier study; 0.5 when unknown (the largest n).', state: fs('proportion') })}
${input('ps', 'margin', 'Margin of error d', ssKept('margin', ss?.margin), { hint: 'e.g. 0.05 for ±5 percentage points.', state: fs('margin') })}
${input('ps', 'confidence', 'Confidence level', ssKept('confidence', ss?.confidence ?? 0.95), { hint: 'e.g. 0.95.', state: fs('confidence') })}
${input('ps', 'population', 'Population size N (optional)', ssKept('population', ss?.population), { hint: 'e.g. 1200 students; empty: no finite population correction.', state: fs('population') })}
${input('ps', 'source', 'Source of p (optional)', ssKept('source', ss?.source), { placeholder: 'e.g. Mekonnen et al. 2021', state: fs('source') })}
<div><button class="primary">Save sample size</button></div></form></section>`;

  return html`${associationsForm}${correlationsForm}${adjustForm}${sampleSizeForm}`;
}
