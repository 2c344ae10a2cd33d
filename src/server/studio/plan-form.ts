/**
 * What the analysis plan's forms share (plan.ts, plan-tests.ts): the sections, what a form can name (scores and
 * the study's questions), reading typed numbers and choices into issues, and the problems of a failed post put
 * back next to their fields — an issue's path (`analysis.associations[0].characteristics[1]`, as the core schema
 * and the study check name it, or `analysis.sampleSize.margin` from the form itself) names the form field
 * (`characteristics`, `margin`); the first field with a problem takes the focus.
 */
import type { z } from 'zod';
import type { Issue, Item } from '../../core/instrument/schema.js';
import { plainQuestions, shortLabel, singleChoiceQuestions } from '../../core/study/questions.js';
import type { ResolvedStudy } from '../../core/study/resolve.js';
import type { AnalysisPlan } from '../../core/study/schema.js';
import { type Html, html } from '../ui/html.js';
import { type Fields, field, fieldAll, type StudyDraft } from './definition.js';
import type { FieldState } from './forms.js';
import { issuesHtml } from './layout.js';

export const PLAN_SECTIONS = [
  'domains',
  'comparisons',
  'categories',
  'thresholds',
  'models',
  'associations',
  'correlations',
  'adjust',
  'samplesize',
  'options',
] as const;
export type PlanSection = (typeof PLAN_SECTIONS)[number];

export type Change =
  | { ok: true; change: string; detail: Record<string, unknown> }
  | { ok: false; issues: Issue[] };

/** What the plan's forms can name: scores (official and study domains) and the study's own questions. */
export interface Candidates {
  readonly scores: readonly string[];
  readonly singles: readonly Item[];
  readonly numbers: readonly Item[];
}

export function candidatesOf(resolved: ResolvedStudy): Candidates {
  return {
    scores: [...resolved.scoreIds],
    singles: singleChoiceQuestions(resolved.study),
    numbers: plainQuestions(resolved.study).filter((q) => q.type === 'number'),
  };
}

type DraftPlan = Partial<Record<keyof AnalysisPlan, unknown>> & Record<string, unknown>;

export function planOf(draft: StudyDraft): DraftPlan {
  const d = draft as { analysis?: DraftPlan };
  d.analysis ??= {};
  return d.analysis;
}

/** A number typed in a form: undefined when empty, an issue naming the field and the value when not a number. */
export function numberField(fields: Fields, name: string, path: string, issues: Issue[]): number | undefined {
  const s = field(fields, name);
  if (s === '') return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) {
    issues.push({
      path,
      code: 'not_a_number',
      message: `"${s}" is not a number; type a number such as 10 or 1.5`,
    });
    return undefined;
  }
  return n;
}

/**
 * Issues of `value` under a core schema, each under `<base>.<field>` with the value typed and the fix named:
 * "margin of error: Too big: expected number to be <1 (got 5); type a share such as 0.05 for ±5 points".
 */
export function schemaIssues(
  schema: z.ZodType,
  value: Record<string, unknown>,
  base: string,
  help: Readonly<Record<string, string>>,
): Issue[] {
  const r = schema.safeParse(value);
  if (r.success) return [];
  return r.error.issues.map((i) => {
    const name = String(i.path[0] ?? '');
    const got = name in value ? ` (got ${JSON.stringify(value[name])})` : '';
    return {
      path: name ? `${base}.${name}` : base,
      code: 'invalid',
      message: `${i.message}${got}${help[name] ? `; ${help[name]}` : ''}`,
    };
  });
}

/** The values of a list of checkboxes; an issue with `message` when none is ticked. */
export function ticked(
  fields: Fields,
  name: string,
  path: string,
  message: string,
  issues: Issue[],
): string[] {
  const values = fieldAll(fields, name);
  if (values.length === 0) issues.push({ path, code: 'required', message });
  return values;
}

/** One of the allowed values of a select; an issue naming the field and the value otherwise. */
export function choice(
  fields: Fields,
  name: string,
  allowed: readonly string[],
  path: string,
  issues: Issue[],
): string {
  const v = field(fields, name);
  if (!allowed.includes(v))
    issues.push({ path, code: 'invalid', message: `choose ${allowed.join(' or ')} (got "${v}")` });
  return v;
}

/**
 * A list of the plan whose entries have ids (models, associations), as a form posts to it: `action=remove` removes
 * the entry named by `id` (the change is done), otherwise the list, the new entry's id and an issue when that id
 * is taken.
 */
export function entriesOf(
  plan: DraftPlan,
  key: 'models' | 'associations',
  fields: Fields,
  what: { readonly name: 'model' | 'association'; readonly article: 'a' | 'an' },
): { done: Change } | { list: Record<string, unknown>[]; id: string; issues: Issue[] } {
  const list = (Array.isArray(plan[key]) ? plan[key] : []) as Record<string, unknown>[];
  plan[key] = list;
  const id = field(fields, 'id');
  const at = list.findIndex((m) => m.id === id);
  if (field(fields, 'action') === 'remove') {
    if (at < 0)
      return {
        done: {
          ok: false,
          issues: [{ path: 'id', code: 'unknown', message: `there is no ${what.name} "${id}"` }],
        },
      };
    list.splice(at, 1);
    return { done: { ok: true, change: `plan.${what.name}.remove`, detail: { [what.name]: id } } };
  }
  const issues: Issue[] =
    at < 0
      ? []
      : [
          {
            path: `analysis.${key}.id`,
            code: 'duplicate',
            message: `there is already ${what.article} ${what.name} "${id}"; choose another id or remove that one first`,
          },
        ];
  return { list, id, issues };
}

/** Failed form: its section, problems, and the posted fields. */
export interface PlanError {
  readonly section: PlanSection;
  readonly issues: readonly Issue[];
  readonly fields: Fields;
}

export function questionLabel(q: Item): string {
  return `${shortLabel(q)} (${q.id})`;
}

/**
 * The problems of a failed post of this section, listed above its form. When none of them belongs to a field
 * (e.g. removing an entry that is gone), the list itself takes the focus, so the page opens at it.
 */
export function errorsFor(err: PlanError | undefined, section: PlanSection): Html {
  if (err?.section !== section) return html``;
  return issuesHtml(err.issues, undefined, !err.issues.some((i) => fieldOfIssue(section, i.path) !== ''));
}

/** What was typed (after a failed post of this section) or the stored value. */
export function kept(err: PlanError | undefined, section: PlanSection, name: string, stored: string): string {
  return err?.section === section ? field(err.fields, name) : stored;
}

export function keptAll(
  err: PlanError | undefined,
  section: PlanSection,
  name: string,
  stored: readonly string[],
): string[] {
  return err?.section === section ? fieldAll(err.fields, name) : [...stored];
}

/** Where a section's entries live in `analysis` (the part of an issue's path before the form's field name). */
const PATH_OF: Record<PlanSection, string> = {
  comparisons: 'analysis',
  categories: 'analysis.categories',
  thresholds: 'analysis.thresholds',
  models: 'analysis.models',
  associations: 'analysis.associations',
  correlations: 'analysis.correlations',
  adjust: 'analysis',
  samplesize: 'analysis.sampleSize',
  domains: 'instruments.domains',
  options: 'analysis',
};

/**
 * The form field an issue of this section belongs to: its path without list indices, the section's place in
 * `analysis` dropped (`analysis.models[0].reference.gender` → `reference_gender`); '' when it names none.
 */
function fieldOfIssue(section: PlanSection, path: string | undefined): string {
  const bare = (path ?? '').replace(/\[\d+\]/g, '').replace(/\.\d+(?=\.|$)/g, '');
  const prefix = `${PATH_OF[section]}.`;
  if (!bare.startsWith(prefix)) return '';
  const [name = '', sub] = bare.slice(prefix.length).split('.');
  return name === 'reference' && sub ? `reference_${sub}` : name;
}

/**
 * The problem of each field of a failed post, asked for in the order the fields are drawn: the first field with
 * a problem gets `autofocus`. Other sections' forms get nothing.
 */
export function fieldStates(
  err: PlanError | undefined,
  section: PlanSection,
): (name: string) => FieldState | undefined {
  const byField = new Map<string, string[]>();
  if (err?.section === section)
    for (const i of err.issues) {
      const name = fieldOfIssue(section, i.path);
      if (name) byField.set(name, [...(byField.get(name) ?? []), i.message]);
    }
  let focused = false;
  return (name) => {
    const messages = byField.get(name);
    if (!messages) return undefined;
    const autofocus = !focused;
    focused = true;
    return { error: messages.join('; '), autofocus };
  };
}
