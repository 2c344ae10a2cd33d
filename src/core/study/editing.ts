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
import { at } from '../stats/at.js';
import { introTextIssues } from './intros.js';
import { draftInstrumentId, gridRowId, type StudyDraft } from './schema.js';

/** A study question as stored (only the parts these functions read). */
interface QuestionLike {
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
  if (j >= 0 && j < out.length) [out[i], out[j]] = [at(out, j), at(out, i)];
  return { ok: true, value: out };
}

function unknownQuestion(id: string): Issue {
  return { path: 'id', code: 'unknown', message: `there is no question "${id}" (reload the page)` };
}

// ------------------------------------------------------------------------------------------ intro texts

/** Which intro the studio's intro form edits: the own-questions page's, a page's (0-based) or an instrument's. */
export type IntroTarget =
  | { readonly kind: 'questions' }
  | { readonly kind: 'page'; readonly index: number }
  | { readonly kind: 'instrument'; readonly id: string };

/** An intro target as the form names it: `questions`, `page:<1-based number>` or `instrument:<id>`. */
export function parseIntroTarget(text: string): IntroTarget | undefined {
  if (text === 'questions') return { kind: 'questions' };
  const page = /^page:([1-9]\d{0,3})$/.exec(text);
  if (page) return { kind: 'page', index: Number(page[1]) - 1 };
  const id = /^instrument:([A-Za-z][A-Za-z0-9_]{0,63})$/.exec(text)?.[1];
  return id === undefined ? undefined : { kind: 'instrument', id };
}

/** The form's name of a target (`parseIntroTarget` reads it back). */
export function introTargetName(t: IntroTarget): string {
  return t.kind === 'questions'
    ? 'questions'
    : t.kind === 'page'
      ? `page:${t.index + 1}`
      : `instrument:${t.id}`;
}

/** Where an intro is kept in a draft: its current value and how to change it. */
interface IntroSlot {
  readonly what: string;
  readonly current: unknown;
  set(next: Record<string, string> | undefined): void;
}

function introSlot(draft: StudyDraft, target: IntroTarget, name: (id: string) => string): IntroSlot | Issue {
  const pages = draft.collection?.pages ?? [];
  const unknown = (message: string): Issue => ({ path: 'target', code: 'unknown', message });
  const slot = (what: string, holder: { intro?: Record<string, string> | undefined }): IntroSlot => ({
    what,
    current: holder.intro,
    set: (next) => {
      if (next) holder.intro = next;
      else delete holder.intro;
    },
  });
  if (target.kind === 'instrument') {
    const si = (draft.instruments ?? []).find((x) => draftInstrumentId(x) === target.id);
    return si
      ? slot(`the intro before ${name(target.id)}`, si)
      : unknown(`the study has no instrument "${target.id}" (any more); reload the page`);
  }
  if (target.kind === 'page') {
    const p = pages[target.index];
    return p
      ? slot(`the intro of page ${target.index + 1}`, p)
      : unknown(`the study has no page ${target.index + 1} (any more); reload the page`);
  }
  if (pages.length > 0)
    return unknown('the study has its own pages: give the page that holds the questions its intro instead');
  if ((draft.questions ?? []).length === 0)
    return unknown('the study has no questions of its own yet; add one first');
  draft.collection ??= {};
  const col = draft.collection;
  return {
    what: "the intro of the own questions' page",
    current: col.questionsIntro,
    set: (next) => {
      if (next) col.questionsIntro = next;
      else delete col.questionsIntro;
    },
  };
}

/**
 * Set (or, with no text in any language, remove) one intro of a draft in place. Issues: an unknown target
 * (path `target`), and per language (path = the language code) text over the length limit or a study language
 * without text. `changed` is false when the intro was already so. `instrumentName` names an instrument in
 * messages (its short title; default its id).
 */
export function setIntro(
  draft: StudyDraft,
  target: IntroTarget,
  text: Readonly<Record<string, string>>,
  instrumentName: (id: string) => string = (id) => id,
): Validated<{ changed: boolean }> {
  const languages = draft.languages?.length ? draft.languages : ['en'];
  const slot = introSlot(draft, target, instrumentName);
  if (!('set' in slot)) return { ok: false, issues: [slot] };
  const problems = introTextIssues(text, languages, slot.what);
  if (problems.length)
    return { ok: false, issues: problems.map((p) => ({ path: p.lang, code: p.code, message: p.message })) };
  const next = Object.keys(text).length ? { ...text } : undefined;
  if (same(slot.current, next)) return { ok: true, value: { changed: false } };
  slot.set(next);
  return { ok: true, value: { changed: true } };
}

/** A draft's intro at `target`, if it has one. */
export function introOf(
  draft: StudyDraft,
  target: IntroTarget,
): Readonly<Record<string, string>> | undefined {
  if (target.kind === 'instrument')
    return (draft.instruments ?? []).find((x) => draftInstrumentId(x) === target.id)?.intro;
  if (target.kind === 'page') return draft.collection?.pages?.[target.index]?.intro;
  return draft.collection?.questionsIntro;
}
