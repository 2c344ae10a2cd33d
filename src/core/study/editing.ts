/**
 * Editing a study's own questions in place (issue 14; issue 13: the definition editing logic in core). Pure
 * functions over the loosely typed stored definition: the variables a question contributes, what an edit of a
 * question changes, replacing and moving a question.
 *
 * The rule for an open study (issue 12, finding 19): an edit that changes only wording (question text, short
 * label, option and statement labels, hints) is saved as a new version like any change and recorded in the
 * audit log with the fields it touched; an edit that changes what an answer means or where it is stored
 * (type, option values, statements added or removed, number range, required, condition) is a *structural*
 * change: once there are responses it needs the owner's explicit confirmation, because the stored answers keep
 * the version they answered and the analysis of the new version reads them under the new structure.
 */
import type { Issue, Validated } from '../issue.js';
import { gridRowId } from './schema.js';

/** A study question as stored (only the parts these functions read). */
export interface QuestionLike {
  readonly id: string;
  readonly type?: string;
  readonly rows?: readonly { readonly id: string }[];
  readonly options?: readonly { readonly value: number }[];
  readonly [k: string]: unknown;
}

/** The variables a question contributes: its id, or `<id>_<row>` for each statement of a grid. */
export function questionVariables(q: QuestionLike): string[] {
  return q.type === 'grid' && q.rows ? q.rows.map((r) => gridRowId(q.id, r.id)) : [q.id];
}

/** Fields whose change is wording only. */
const WORDING = new Set(['text', 'short', 'hint', 'description', 'instructions']);

/** What an edit of a question changes. */
export interface QuestionEdit {
  /** `none`: nothing changed; `wording`: only text; `structure`: what answers mean or where they are kept. */
  readonly kind: 'none' | 'wording' | 'structure';
  /** The top-level fields that differ (`options` also when only their labels changed), sorted. */
  readonly fields: readonly string[];
  /** Variables of the question before that it no longer has (grid statements removed, or a new id). */
  readonly removedVariables: readonly string[];
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether two lists of options or rows differ in more than their labels (values or ids, their order). */
function keysDiffer(a: unknown, b: unknown, key: 'value' | 'id'): boolean {
  const ka = Array.isArray(a) ? a.map((x) => (x as Record<string, unknown>)[key]) : undefined;
  const kb = Array.isArray(b) ? b.map((x) => (x as Record<string, unknown>)[key]) : undefined;
  return !same(ka, kb);
}

/** Classify an edit of a question (`before` → `after`). */
export function classifyQuestionEdit(before: QuestionLike, after: QuestionLike): QuestionEdit {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const fields = [...keys].filter((k) => !same(before[k], after[k])).sort();
  const afterVars = new Set(questionVariables(after));
  const removedVariables = questionVariables(before).filter((v) => !afterVars.has(v));
  const structural = fields.some((f) => {
    if (WORDING.has(f)) return false;
    if (f === 'options') return keysDiffer(before.options, after.options, 'value');
    if (f === 'rows') return keysDiffer(before.rows, after.rows, 'id');
    return true;
  });
  return {
    kind: fields.length === 0 ? 'none' : structural || removedVariables.length ? 'structure' : 'wording',
    fields,
    removedVariables,
  };
}

/**
 * The issue that asks for confirmation of a structural edit of a question once `responses` answered the study,
 * or undefined when none is needed (a wording edit, no responses yet, or `confirmed` names the question).
 */
export function structuralEditIssue(input: {
  readonly question: string;
  readonly edit: QuestionEdit;
  readonly responses: number;
  readonly version: number;
  readonly confirmed: string;
}): Issue | undefined {
  const { edit, responses } = input;
  if (edit.kind !== 'structure' || responses === 0 || input.confirmed === input.question) return undefined;
  const removed = edit.removedVariables.length
    ? ` It removes ${edit.removedVariables.join(', ')}: those answers stay stored with version ${input.version} but the new version does not have them.`
    : '';
  return {
    path: 'confirm_change',
    code: 'confirm_change',
    message: `this edit of "${input.question}" changes ${edit.fields.join(', ')}, which ${responses} stored response(s) answered under version ${input.version}: their answers are kept as given, and the analysis of version ${input.version + 1} reads them under the new ${edit.fields.join(', ')}.${removed} Confirm below to save it as version ${input.version + 1}, or fix only the wording.`,
  };
}

/** Replace the question `id` of `list` by `next` in the same place; an issue when there is no such question. */
export function replaceQuestion<Q extends QuestionLike>(
  list: readonly Q[],
  id: string,
  next: Q,
): Validated<Q[]> {
  const i = list.findIndex((q) => q.id === id);
  if (i < 0) return { ok: false, issues: [unknownQuestion(id)] };
  const out = [...list];
  out[i] = next;
  return { ok: true, value: out };
}

/** Move the question `id` one place up or down (unchanged at either end); an issue when there is no such question. */
export function moveQuestion<Q extends QuestionLike>(
  list: readonly Q[],
  id: string,
  direction: 'up' | 'down',
): Validated<Q[]> {
  const i = list.findIndex((q) => q.id === id);
  if (i < 0) return { ok: false, issues: [unknownQuestion(id)] };
  const j = direction === 'up' ? i - 1 : i + 1;
  const out = [...list];
  if (j >= 0 && j < out.length) [out[i], out[j]] = [out[j]!, out[i]!];
  return { ok: true, value: out };
}

function unknownQuestion(id: string): Issue {
  return { path: 'id', code: 'unknown', message: `there is no question "${id}" (reload the page)` };
}
