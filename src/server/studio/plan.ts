/**
 * The analysis plan page (owner only): the study's `analysis` edited with forms, not JSON — group comparisons
 * (the group variables, which t-test the text reports, α), categories for the analysis (options merged, group
 * order chosen; the stored answers unchanged), thresholds (a score at or above a cut-off) and
 * regression models (linear or logistic; outcome, `atLeast`, predictors, the reference category of each
 * single-choice predictor); the study's own domains (plan-domains.ts) and the tests — associations, correlations,
 * the multiple-comparison adjustment, the sample size calculation (plan-tests.ts); the reporting options
 * (plan-options.ts).
 *
 * Load → change → save, like the Design page: every form posts to `/studies/:id/plan/<section>` with the CSRF
 * token; a valid change is saved as a new definition version with an audit entry (`study.update`, change
 * `plan.<section>`) and answered with 303 back to the page; an invalid one re-renders the page (400) with the
 * problems listed by path (e.g. `analysis.models[0].atLeast`) above the form and shown next to their fields (the
 * first one focused; plan-form.ts), what was typed kept. The whole definition is checked before saving
 * (saveDefinition), so a model naming an unknown score is refused, never stored.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Issue } from '../../core/instrument/schema.js';
import type { ResolvedStudy } from '../../core/study/resolve.js';
import type { Model } from '../../core/study/schema.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm } from '../form.js';
import { parseQuery, queryText, segments } from '../request.js';
import { type Html, html } from '../ui/html.js';
import {
  checkedOf,
  draftOf,
  loadStudy,
  page,
  type StudioContext,
  saveDefinition,
  seeOther,
} from './common.js';
import { type Fields, field, fieldAll, type StudyDraft } from './definition.js';
import { checkGroup, input, select, textarea } from './forms.js';
import { csrfField, issuesHtml } from './layout.js';
import { domains, renderDomains } from './plan-domains.js';
import {
  type Candidates,
  type Change,
  candidatesOf,
  choice,
  entriesOf,
  errorsFor,
  fieldStates,
  kept,
  keptAll,
  questionLabel as label,
  numberField,
  PLAN_SECTIONS,
  type PlanError,
  type PlanSection,
  planOf,
  ticked,
} from './plan-form.js';
import { options, renderOptions } from './plan-options.js';
import { adjust, associations, correlations, renderTests, sampleSize } from './plan-tests.js';

const PlanQuery = z.object({ saved: queryText });

function comparisons(draft: StudyDraft, fields: Fields, c: Candidates): Change {
  const plan = planOf(draft);
  const known = new Set(c.singles.map((q) => q.id));
  const issues: Issue[] = [];
  const groupBy = fieldAll(fields, 'groupBy');
  for (const g of groupBy)
    if (!known.has(g))
      issues.push({
        path: 'analysis.groupBy',
        code: 'unknown',
        message: `"${g}" is not a single-choice question of the study; groups come from single-choice questions`,
      });
  const ttest = choice(fields, 'ttest', ['welch', 'student'], 'analysis.ttest', issues);
  const alpha = numberField(fields, 'alpha', 'analysis.alpha', issues);
  if (alpha !== undefined && !(alpha > 0 && alpha < 1))
    issues.push({
      path: 'analysis.alpha',
      code: 'out_of_range',
      message: `α must be between 0 and 1, e.g. 0.05 (got ${alpha})`,
    });
  if (issues.length) return { ok: false, issues };
  plan.groupBy = [...new Set(groupBy)];
  plan.ttest = ttest;
  if (alpha !== undefined) plan.alpha = alpha;
  return {
    ok: true,
    change: 'plan.comparisons',
    detail: { groupBy: plan.groupBy, ttest, alpha: alpha ?? null },
  };
}

/**
 * Categories of one single-choice question: one group per line, "label = values" ("Pre-clinical = 1, 2"), in the
 * order the analysis shows them; a line of values alone keeps the options' labels. Empty text removes them.
 */
function categories(draft: StudyDraft, fields: Fields, c: Candidates): Change {
  const plan = planOf(draft);
  const list = (Array.isArray(plan.categories) ? plan.categories : []) as Record<string, unknown>[];
  const question = field(fields, 'question');
  const q = c.singles.find((x) => x.id === question);
  if (!q)
    return {
      ok: false,
      issues: [
        {
          path: 'analysis.categories.question',
          code: 'unknown',
          message: `choose a single-choice question (got "${question}")`,
        },
      ],
    };
  const rest = list.filter((x) => x.question !== question);
  const text = field(fields, 'groups');
  if (text === '') {
    plan.categories = rest;
    return { ok: true, change: 'plan.categories.remove', detail: { question } };
  }
  const issues: Issue[] = [];
  const groups = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line, i) => {
      const eq = line.lastIndexOf('=');
      const label = eq >= 0 ? line.slice(0, eq).trim() : '';
      const values = (eq >= 0 ? line.slice(eq + 1) : line).split(/[,\s]+/).filter((x) => x !== '');
      const numbers = values.map(Number);
      if (values.length === 0 || numbers.some((n) => !Number.isFinite(n)))
        issues.push({
          path: `analysis.categories.groups[${i}]`,
          code: 'not_a_number',
          message: `line ${i + 1} "${line}": after "=" list the option values of the group, e.g. "Pre-clinical = 1, 2"`,
        });
      return { ...(label ? { label } : {}), values: numbers };
    });
  if (issues.length) return { ok: false, issues };
  // where the question had categories, they stay at that place in the list
  const at = list.findIndex((x) => x.question === question);
  const entry = { question, groups };
  plan.categories = at >= 0 ? list.map((x, i) => (i === at ? entry : x)) : [...list, entry];
  return { ok: true, change: 'plan.categories', detail: { question, groups: groups.length } };
}

function thresholds(draft: StudyDraft, fields: Fields): Change {
  const plan = planOf(draft);
  const list = (Array.isArray(plan.thresholds) ? plan.thresholds : []) as Record<string, unknown>[];
  if (field(fields, 'action') === 'remove') {
    const i = Number(field(fields, 'index'));
    if (!Number.isInteger(i) || i < 0 || i >= list.length)
      return {
        ok: false,
        issues: [
          {
            path: 'index',
            code: 'unknown',
            message: `there is no threshold number ${field(fields, 'index')}`,
          },
        ],
      };
    const [gone] = list.splice(i, 1);
    plan.thresholds = list;
    return { ok: true, change: 'plan.threshold.remove', detail: { score: gone?.score ?? null } };
  }
  const issues: Issue[] = [];
  const score = field(fields, 'score');
  if (!score) issues.push({ path: 'analysis.thresholds.score', code: 'required', message: 'choose a score' });
  const atLeast = numberField(fields, 'atLeast', 'analysis.thresholds.atLeast', issues);
  if (atLeast === undefined && !issues.some((i) => i.path.endsWith('atLeast')))
    issues.push({
      path: 'analysis.thresholds.atLeast',
      code: 'required',
      message: 'type the cut-off: respondents with a score ≥ this are counted (e.g. 10)',
    });
  if (issues.length) return { ok: false, issues };
  const label = field(fields, 'label');
  list.push({ score, atLeast, ...(label ? { label } : {}) });
  plan.thresholds = list;
  return { ok: true, change: 'plan.threshold.add', detail: { score, atLeast } };
}

function models(draft: StudyDraft, fields: Fields, c: Candidates): Change {
  const entries = entriesOf(planOf(draft), 'models', fields, { name: 'model', article: 'a' });
  if ('done' in entries) return entries.done;
  const { list, id, issues } = entries;
  const type = choice(fields, 'type', ['linear', 'logistic'], 'analysis.models.type', issues);
  const outcome = field(fields, 'outcome');
  const atLeast = numberField(fields, 'atLeast', 'analysis.models.atLeast', issues);
  const predictors = ticked(
    fields,
    'predictors',
    'analysis.models.predictors',
    'tick at least one predictor',
    issues,
  );
  const reference: Record<string, number> = {};
  for (const p of predictors) {
    const q = c.singles.find((s) => s.id === p);
    const r = field(fields, `reference_${p}`);
    if (!q || r === '') continue;
    const v = Number(r);
    if (!q.options?.some((o) => o.value === v))
      issues.push({
        path: `analysis.models.reference.${p}`,
        code: 'unknown',
        message: `"${r}" is not an option value of ${p}`,
      });
    else if (v !== q.options[0]?.value) reference[p] = v; // the first option is the default reference
  }
  if (issues.length) return { ok: false, issues };
  const title = field(fields, 'title');
  const model: Record<string, unknown> = {
    id,
    type,
    ...(title ? { title } : {}),
    outcome,
    ...(atLeast !== undefined ? { atLeast } : {}),
    predictors,
    ...(Object.keys(reference).length ? { reference } : {}),
  };
  list.push(model);
  return { ok: true, change: 'plan.model.add', detail: { model: id, type, outcome, predictors } };
}

function describeModel(m: Model): string {
  const event = m.type === 'logistic' ? ` ≥ ${m.atLeast}` : '';
  const refs = Object.entries(m.reference).map(([p, v]) => `${p}: reference ${v}`);
  return `${m.type} regression of ${m.outcome}${event} on ${m.predictors.join(', ')}${refs.length ? ` (${refs.join('; ')})` : ''}`;
}

function renderPlan(
  studyId: number,
  resolved: ResolvedStudy,
  c: Candidates,
  csrf: string,
  err?: PlanError,
  saved?: string,
): Html {
  const plan = resolved.study.analysis;
  const base = `/studies/${studyId}/plan`;
  const token = csrfField(csrf);
  const scoreOptions = c.scores.map((s) => ({ value: s, label: s }));
  const outcomeOptions = [...scoreOptions, ...c.numbers.map((q) => ({ value: q.id, label: label(q) }))];
  const predictorChoices = [
    ...c.scores.map((s) => ({ id: s, label: `${s} (score)` })),
    ...c.numbers.map((q) => ({ id: q.id, label: `${label(q)} — number` })),
    ...c.singles.map((q) => ({ id: q.id, label: `${label(q)} — categories, dummy coded` })),
  ];
  const chosen = keptAll(err, 'models', 'predictors', []);
  const fc = fieldStates(err, 'comparisons');
  const grouped = keptAll(err, 'comparisons', 'groupBy', plan.groupBy);
  const comparisonsForm = html`<section id="comparisons" class="card"><h2>Group comparisons</h2>
<form method="post" action="${base}/comparisons" class="stack">${token}${errorsFor(err, 'comparisons')}
${
  c.singles.length
    ? checkGroup(
        'pc',
        'groupBy',
        'Compare scores by',
        c.singles.map((q) => ({ value: q.id, label: label(q), on: grouped.includes(q.id) })),
        fc('groupBy'),
      )
    : html`<fieldset><legend>Compare scores by</legend><p class="muted">Add a single-choice question (e.g. year of study) under Design to compare groups.</p></fieldset>`
}
${select(
  'pc',
  'ttest',
  'The t-test the result sentences report',
  kept(err, 'comparisons', 'ttest', plan.ttest),
  [
    { value: 'welch', label: 'Welch (does not assume equal variances; recommended)' },
    { value: 'student', label: "Student (equal variances, as SPSS's first row)" },
  ],
  'Tables always show both rows.',
  fc('ttest'),
)}
${input('pc', 'alpha', 'Significance level α', kept(err, 'comparisons', 'alpha', String(plan.alpha)), { hint: 'e.g. 0.05', state: fc('alpha') })}
<div><button class="primary">Save group comparisons</button></div></form></section>`;

  const categoryForms = c.singles.map((q) => {
    const stored = plan.categories.find((x) => x.question === q.id);
    const optionText = (v: number) => {
      const o = q.options?.find((x) => x.value === v);
      return o ? (o.label.en ?? Object.values(o.label)[0] ?? String(v)) : String(v);
    };
    const text = stored
      ? stored.groups
          .map((g) => `${g.label ?? g.values.map(optionText).join(' / ')} = ${g.values.join(', ')}`)
          .join('\n')
      : '';
    const mine = err?.section === 'categories' && field(err.fields, 'question') === q.id ? err : undefined;
    const state = fieldStates(mine, 'categories')('groups');
    const options = (q.options ?? []).map((o) => `${o.value} = ${optionText(o.value)}`).join('; ');
    return html`<form method="post" action="${base}/categories" class="stack">${token}<input type="hidden" name="question" value="${q.id}">${errorsFor(mine, 'categories')}
${textarea(`pk-${q.id}`, 'groups', `${label(q)}: groups for the analysis`, mine ? field(mine.fields, 'groups') : text, { rows: 3, hint: `Options: ${options}. One group per line in the order the tables show them, e.g. "Pre-clinical = 1, 2". Empty: the options as asked.`, state })}
<div><button>Save categories of ${q.id}</button></div></form>`;
  });
  // a post naming no single-choice question has no form to show its problem at
  const strayCategories =
    err?.section === 'categories' && !c.singles.some((q) => q.id === field(err.fields, 'question'))
      ? err
      : undefined;
  const categoriesForm = html`<section id="categories" class="card"><h2>Categories for the analysis</h2>${errorsFor(strayCategories, 'categories')}
<p class="hint">Merge answer options (e.g. years 1–2 = pre-clinical) and choose the order of the groups (e.g. postgraduates first) for every table, comparison and model. The stored answers are not changed.</p>
${categoryForms.length ? categoryForms : html`<p class="muted">No single-choice questions.</p>`}</section>`;

  const thresholdRows = plan.thresholds.map(
    (t, i) => html`<li>${t.label ? `${t.label}: ` : ''}${t.score} ≥ ${t.atLeast}
<form method="post" action="${base}/thresholds" class="inline">${token}<input type="hidden" name="action" value="remove"><input type="hidden" name="index" value="${i}"><button class="link">Remove</button></form></li>`,
  );
  const ft = fieldStates(err, 'thresholds');
  const thresholdsForm = html`<section id="thresholds" class="card"><h2>Thresholds</h2>
<p class="hint">The share of respondents at or above a score, with a Wilson interval (e.g. PHQ-9 total ≥ 10).</p>
${thresholdRows.length ? html`<ul>${thresholdRows}</ul>` : html`<p class="muted">No thresholds yet.</p>`}
<form method="post" action="${base}/thresholds" class="stack">${token}${errorsFor(err, 'thresholds')}
${select('pt', 'score', 'Score', kept(err, 'thresholds', 'score', ''), [{ value: '', label: 'Choose a score' }, ...scoreOptions], undefined, ft('score'))}
${input('pt', 'atLeast', 'At least', kept(err, 'thresholds', 'atLeast', ''), { hint: 'Respondents with a score ≥ this value are counted.', state: ft('atLeast') })}
${input('pt', 'label', 'Label (optional)', kept(err, 'thresholds', 'label', ''), { placeholder: 'e.g. Moderate depression or worse', state: ft('label') })}
<div><button class="primary">Add threshold</button></div></form></section>`;

  const modelRows = plan.models.map(
    (m) => html`<li><strong>${m.id}</strong>: ${describeModel(m)}
<form method="post" action="${base}/models" class="inline">${token}<input type="hidden" name="action" value="remove"><input type="hidden" name="id" value="${m.id}"><button class="link">Remove</button></form></li>`,
  );
  const fm = fieldStates(err, 'models');
  const referenceSelects = c.singles.map((q) =>
    select(
      'pm',
      `reference_${q.id}`,
      `Reference category of ${label(q)} (when it is a predictor)`,
      kept(err, 'models', `reference_${q.id}`, ''),
      [
        {
          value: '',
          label: `First option (${q.options?.[0] ? (q.options[0].label.en ?? Object.values(q.options[0].label)[0] ?? '') : ''})`,
        },
        ...(q.options ?? []).map((o) => ({
          value: String(o.value),
          label: `${o.label.en ?? Object.values(o.label)[0] ?? o.value} (${o.value})`,
        })),
      ],
      undefined,
      fm(`reference_${q.id}`),
    ),
  );
  const modelsForm = html`<section id="models" class="card"><h2>Regression models</h2>
<p class="hint">Each model is a table of the report ("Table 4"): linear (B, SE, β, t, p, CI, VIF, R²) or logistic of outcome ≥ a cut-off (B, SE, Wald, OR with CI, crude ORs, fit). Complete cases; the table note gives the n used and excluded.</p>
${modelRows.length ? html`<ul>${modelRows}</ul>` : html`<p class="muted">No models yet.</p>`}
<form method="post" action="${base}/models" class="stack">${token}${errorsFor(err, 'models')}
${input('pm', 'id', 'Model id', kept(err, 'models', 'id', ''), { hint: 'Letters, digits and _, e.g. high_phq9. Names the model table.', required: true, state: fm('id') })}
${select(
  'pm',
  'type',
  'Type',
  kept(err, 'models', 'type', 'logistic'),
  [
    { value: 'logistic', label: 'Logistic: outcome at or above a cut-off' },
    { value: 'linear', label: 'Linear: the outcome as a number' },
  ],
  undefined,
  fm('type'),
)}
${select('pm', 'outcome', 'Outcome', kept(err, 'models', 'outcome', ''), [{ value: '', label: 'Choose the outcome' }, ...outcomeOptions], undefined, fm('outcome'))}
${input('pm', 'atLeast', 'Event: outcome at least (logistic only)', kept(err, 'models', 'atLeast', ''), { hint: 'e.g. 10 for a PHQ-9 total of 10 or more; leave empty for a linear model.', state: fm('atLeast') })}
${input('pm', 'title', 'Table title (optional)', kept(err, 'models', 'title', ''), { state: fm('title') })}
${checkGroup(
  'pm',
  'predictors',
  'Predictors',
  predictorChoices.map((p) => ({ value: p.id, label: p.label, on: chosen.includes(p.id) })),
  fm('predictors'),
)}
${referenceSelects.length ? html`<fieldset><legend>Reference categories</legend>${referenceSelects}</fieldset>` : html``}
<div><button class="primary">Add model</button></div></form></section>`;

  return html`<h1>Analysis plan</h1>
${saved ? html`<p class="notice" role="status">Saved (${saved}). The analysis and the reports use it from now on.</p>` : html``}
<p class="muted">What the analysis reports: study domains, group comparisons, thresholds, regression models, associations with an outcome, correlations, the multiple-comparison adjustment, the sample size calculation and the reporting options. Each change is saved as a new version of the definition and recorded in the audit log. <a href="/studies/${studyId}/analysis">Open the analysis</a>.</p>
<nav aria-label="Parts of the plan"><p class="row">${PLAN_SECTIONS.map((x) => html`<a href="#${x}">${SECTION_TITLES[x]}</a> `)}</p></nav>
${renderDomains(base, resolved, token, err)}${comparisonsForm}${categoriesForm}${thresholdsForm}${modelsForm}${renderTests(base, resolved, c, token, err)}${renderOptions(base, resolved, token, err)}`;
}

/** What each form's post changes in the draft (plan-tests.ts holds the tests' forms). */
const CHANGES: Record<
  PlanSection,
  (draft: StudyDraft, fields: Fields, c: Candidates, resolved: ResolvedStudy) => Change
> = {
  comparisons,
  categories,
  thresholds: (d, f) => thresholds(d, f),
  models,
  associations: (d, f) => associations(d, f),
  correlations: (d, f) => correlations(d, f),
  adjust: (d, f) => adjust(d, f),
  samplesize: (d, f) => sampleSize(d, f),
  domains: (d, f, _c, r) => domains(d, f, r),
  options: (d, f) => options(d, f),
};

const SECTION_TITLES: Record<PlanSection, string> = {
  comparisons: 'Group comparisons',
  categories: 'Categories',
  thresholds: 'Thresholds',
  models: 'Regression models',
  associations: 'Associations',
  correlations: 'Correlations',
  adjust: 'Multiple comparisons',
  samplesize: 'Sample size',
  domains: 'Study domains',
  options: 'Reporting options',
};

export function registerPlan(app: FastifyInstance, ctx: StudioContext): void {
  const show = async (
    reply: Parameters<typeof page>[0],
    s: Awaited<ReturnType<typeof loadStudy>>,
    o: { err?: PlanError; saved?: string; status?: number },
  ) => {
    const checked = checkedOf(s.study);
    if ('issues' in checked)
      return page(reply, {
        title: `Analysis plan – ${s.study.title}`,
        user: s.user,
        study: s.layoutStudy,
        active: 'edit',
        status: 409,
        body: () =>
          html`<h1>Analysis plan</h1>${issuesHtml(checked.issues, 'The definition has problems; fix them under Design:')}`,
      });
    const c = candidatesOf(checked.resolved);
    return page(reply, {
      title: `Analysis plan – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'edit',
      ...(o.status ? { status: o.status } : {}),
      body: (csrf) => renderPlan(s.study.id, checked.resolved, c, csrf, o.err, o.saved),
    });
  };

  app.get('/studies/:id/plan', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const saved = PLAN_SECTIONS.find((x) => x === parseQuery(req, PlanQuery).saved);
    return show(reply, s, saved ? { saved } : {});
  });

  app.post('/studies/:id/plan/:section', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const asked = segments(req, 'section').section;
    const section = PLAN_SECTIONS.find((x) => x === asked);
    if (!section)
      throw new HttpError(404, `There is no "${asked}" part of the analysis plan to save.`, 'not_found');
    const checked = checkedOf(s.study);
    if ('issues' in checked)
      throw new HttpError(
        409,
        'The study definition has problems; fix them under Design first.',
        'invalid_study',
      );
    const fields = asForm(req.body);
    const draft = draftOf(s.study);
    const r = CHANGES[section](draft, fields, candidatesOf(checked.resolved), checked.resolved);
    let issues: readonly Issue[];
    if (r.ok) {
      const saved = await saveDefinition(ctx, {
        study: s.study,
        user: s.user,
        draft,
        change: r.change,
        detail: r.detail,
      });
      if (saved.ok) return seeOther(reply, `/studies/${s.study.id}/plan?saved=${section}#${section}`);
      issues = saved.issues;
    } else issues = r.issues;
    return show(reply, s, { err: { section, issues, fields }, status: 400 });
  });
}
