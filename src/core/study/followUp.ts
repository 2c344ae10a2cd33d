/**
 * Follow-up eligibility after the survey (issue 14): the study's `followUp.eligibleIf`, an expression over
 * scores (`score.<id>`), their bands (`band.<id>`, the band's English label) and item answers, checked against
 * the study's scoring plan when the study is prepared, and judged on one respondent's answers after
 * submission. What a volunteer carries to the owner is only the bands of the scores the rule uses (never
 * the answers, never the exact scores): `FollowUpOffer.bands`.
 *
 * @example
 * const rule = buildFollowUp(resolved, plan);   // issues name an unknown score, band or label and the valid ones
 * if (rule.ok && rule.value) judgeFollowUp(rule.value, plan, answers); // → { bands: { dass21_d: "Moderate" } } or null
 */
import {
  type CompiledExpression,
  compileExpression,
  type ExpressionScope,
  expressionRefs,
  truth,
  validateExpression,
} from '../instrument/expression.js';
import type { Issue, Validated } from '../issue.js';
import type { Answer } from '../response/submission.js';
import {
  bandName,
  type RespondentResult,
  type ScoringPlan,
  scoreRespondent,
  scoringAnswers,
} from '../scoring/index.js';
import { codePoint } from '../stats/at.js';
import { answerLookup } from './pages.js';
import type { ResolvedStudy } from './resolve.js';

/** A study's compiled follow-up rule. */
export interface FollowUpRule {
  readonly source: string;
  readonly compiled: CompiledExpression;
  /** The scores with bands the rule refers to (by `score.` or `band.`), in source order: what a volunteer carries. */
  readonly bandScores: readonly { readonly id: string; readonly label: string }[];
}

/** An eligible respondent's offer: the band of each score the rule uses (null: the score could not be computed). */
export interface FollowUpOffer {
  readonly bands: Readonly<Record<string, string | null>>;
}

/** What a follow-up rule may refer to: the study's variables, its scores, and the bands of scores that have them. */
export function followUpScope(resolved: ResolvedStudy, plan: ScoringPlan): ExpressionScope {
  const bands = new Map<string, readonly string[]>();
  for (const s of plan.scores) if (s.def.bands?.length) bands.set(s.id, s.def.bands.map(bandName));
  return {
    items: new Set(resolved.variables.keys()),
    scores: new Set(plan.scores.map((s) => s.id)),
    bands,
  };
}

/**
 * The study's follow-up rule, checked and compiled; `undefined` when the study has no follow-up. Issues (path
 * `followUp.eligibleIf`): syntax, an unknown item, score or band (with the valid ones), a band label that is
 * not one of the score's bands, a band compared with `<`/`>`.
 */
export function buildFollowUp(
  resolved: ResolvedStudy,
  plan: ScoringPlan,
): Validated<FollowUpRule | undefined> {
  const fu = resolved.study.followUp;
  if (!fu) return { ok: true, value: undefined };
  const path = 'followUp.eligibleIf';
  const scope = followUpScope(resolved, plan);
  const v = validateExpression(fu.eligibleIf, scope, path);
  if (!v.ok) return v;
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const bandScores: { id: string; label: string }[] = [];
  for (const ref of expressionRefs(v.value)) {
    if (ref.scope === 'item' || seen.has(ref.id) || !scope.bands?.has(ref.id)) continue;
    seen.add(ref.id);
    const ps = plan.scores.find((s) => s.id === ref.id);
    bandScores.push({
      id: ref.id,
      label: ps?.def.label.en ?? Object.values(ps?.def.label ?? {})[0] ?? ref.id,
    });
  }
  if (!expressionRefs(v.value).some((r) => r.scope !== 'item'))
    issues.push({
      path,
      code: 'no_score',
      message: `"${fu.eligibleIf}" uses no score or band; a follow-up is decided on scores after the survey (e.g. band.${[...(scope.bands?.keys() ?? [])][0] ?? '<score id>'} != "…"); screening on answers before the survey is collection.eligibility`,
    });
  if (issues.length) return { ok: false, issues };
  return { ok: true, value: { source: fu.eligibleIf, compiled: compileExpression(v.value), bandScores } };
}

/**
 * Judge one respondent's complete answers: an offer (the bands the rule uses) when the rule is definitely
 * true, else null — a score that could not be computed makes a comparison unknown, and unknown is not
 * eligible. `result` is the answers already scored with `plan`, when the caller has it (the end page scores
 * once for the safety flag and the offer).
 */
export function judgeFollowUp(
  rule: FollowUpRule,
  plan: ScoringPlan,
  answers: Readonly<Record<string, Answer>>,
  result: RespondentResult = scoreRespondent(scoringAnswers(answers), plan),
): FollowUpOffer | null {
  const byId = new Map(result.scores.map((s) => [s.id, s]));
  const items = answerLookup(answers);
  const value = rule.compiled((scope, id) => {
    if (scope === 'score') return byId.get(id)?.value ?? null;
    if (scope === 'band') {
      const b = byId.get(id)?.band;
      return b ? bandName(b) : null;
    }
    return items(scope, id);
  });
  if (truth(value) !== true) return null;
  const bands: Record<string, string | null> = {};
  for (const s of rule.bandScores) {
    const b = byId.get(s.id)?.band;
    bands[s.id] = b ? bandName(b) : null;
  }
  return { bands };
}

/** How a volunteer can be reached, as typed on the volunteer page (trimmed; phone digits normalised). */
interface VolunteerContactInput {
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
}

/** A problem with the volunteer form, by field: the page shows the message for it in the page's language. */
export type VolunteerFormError = 'contact' | 'email' | 'phone' | 'agree';
export const VOLUNTEER_FORM_ERRORS: readonly VolunteerFormError[] = ['contact', 'email', 'phone', 'agree'];

const EMAIL = /^[^\s@<>"(),;:]+@[^\s@<>"(),;:]+\.[^\s@<>"(),;:.]{2,}$/;
/** Urdu (Extended Arabic-Indic) and Arabic-Indic digits as Western ones. */
const toWesternDigits = (s: string) =>
  s.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => String((codePoint(d) - 0x0660) % 0x90));

/**
 * Read the volunteer form: an optional name (at most 80 characters), an e-mail address or a phone number (at
 * least one; a phone has 7 to 15 digits, spaces, dashes, dots and brackets allowed, a leading +), and the
 * agreement to be contacted. Returns the contact or every problem.
 */
export function parseVolunteerContact(fields: {
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly agree?: string | undefined;
}): { ok: true; contact: VolunteerContactInput } | { ok: false; errors: VolunteerFormError[] } {
  const name = (fields.name ?? '').trim().slice(0, 80);
  const email = (fields.email ?? '').trim();
  const phoneRaw = toWesternDigits((fields.phone ?? '').trim());
  const errors: VolunteerFormError[] = [];
  if (!email && !phoneRaw) errors.push('contact');
  if (email && (email.length > 254 || !EMAIL.test(email))) errors.push('email');
  let phone = '';
  if (phoneRaw) {
    const digits = phoneRaw.replace(/[\s\-.()]/g, '');
    if (!/^\+?\d{7,15}$/.test(digits)) errors.push('phone');
    else phone = digits;
  }
  if (fields.agree !== '1') errors.push('agree');
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    contact: { ...(name ? { name } : {}), ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
  };
}

/**
 * Which volunteers' bands the owner may see (k-safe): a volunteer's bands are shown only when at least `k`
 * volunteers of the same release batch carry exactly the same bands. Volunteers are released in batches of at
 * least k (src/store/volunteers.ts), so an owner can place a volunteer only among the eligible responses since
 * the previous batch; among those, a band profile shared by k volunteers is shared by at least k responses,
 * while a rarer profile could single out one response. Waiting volunteers (no batch) show nothing.
 */
export function bandsShown(
  volunteers: readonly {
    readonly batch: number | null;
    readonly bands: Readonly<Record<string, string | null>>;
  }[],
  k: number,
): boolean[] {
  const key = (v: (typeof volunteers)[number]) =>
    `${v.batch}\u0000${JSON.stringify(Object.entries(v.bands).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
  const counts = new Map<string, number>();
  for (const v of volunteers) if (v.batch !== null) counts.set(key(v), (counts.get(key(v)) ?? 0) + 1);
  return volunteers.map((v) => v.batch !== null && (counts.get(key(v)) ?? 0) >= Math.max(1, k));
}

/** The default invitation: `{name}` and `{link}` are replaced per volunteer. */
export const DEFAULT_INVITATION =
  'Hello {name}, thank you for volunteering for the follow-up of our study. We would like to invite you to take part. Please reply to this message; you can see or withdraw your details at {link}';

/**
 * One volunteer's invitation text: the owner's message with `{name}` (the volunteer's name, or "there") and
 * `{link}` (their personal link) filled in; the link is appended when the message has no `{link}`.
 */
export function invitationText(
  template: string,
  v: { readonly name?: string | undefined; readonly link: string },
): string {
  const t = template.trim() || DEFAULT_INVITATION;
  const filled = t.replaceAll('{name}', v.name?.trim() || 'there').replaceAll('{link}', v.link);
  return t.includes('{link}') ? filled : `${filled}\n${v.link}`;
}

/**
 * A qualitative participant made from a volunteer who attended: the next free pseudonym ("P<n>") and as
 * attributes the bands the owner may see (`"<score label>": band`) and `"follow-up volunteer": true`. Withheld
 * bands (fewer than k share them) are not carried: the attribute says so instead. Nothing of the volunteer's
 * contact details is carried, not even the name they gave: contacts are for owners only (issue 14), while the
 * participants page is the whole qualitative team's. An owner who wants speaker labels linked by name types the
 * name or alias on the participants page, knowingly.
 */
export function volunteerParticipant(input: {
  readonly id: string;
  readonly takenPseudonyms: readonly string[];
  readonly bands: Readonly<Record<string, string | null>> | null;
  readonly labels: ReadonlyMap<string, string>;
}): {
  id: string;
  pseudonym: string;
  aliases: string[];
  attributes: Record<string, string | boolean>;
} {
  const taken = new Set(input.takenPseudonyms);
  let n = 1;
  while (taken.has(`P${n}`)) n++;
  const attributes: Record<string, string | boolean> = { 'follow-up volunteer': true };
  if (input.bands === null) attributes['screening bands'] = 'withheld (fewer than k volunteers share them)';
  else
    for (const [id, band] of Object.entries(input.bands))
      attributes[`${input.labels.get(id) ?? id} band`] = band ?? 'not computed';
  return { id: input.id, pseudonym: `P${n}`, aliases: [], attributes };
}
