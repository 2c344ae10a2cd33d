/**
 * Parsing and validating what a respondent sends: one page's URL-encoded form fields, or a whole response.
 *
 * The server never trusts a page: `parsePageSubmission` checks one page's fields against the items the
 * respondent was shown, and `validateResponse` re-checks the whole response (types, ranges, required items,
 * skip-logic consistency, no unknown ids) before anything is stored.
 *
 * Form fields: an item's field name is its id. Radio and select values are option values (`"0"`…`"3"`),
 * `"na"` is "not applicable" (accepted only where the item allows it), a multiple-choice item is a repeated
 * field, numbers and text are typed. Names starting with `_` are control fields (`CONTROL_FIELDS`); any other
 * name that is not an item of the page is an error. Messages say what to fix, in the respondent's language.
 */
import type { Issue, Item, Validated } from '../instrument/schema.js';
import { at } from '../stats/at.js';
import { localize, type UiStrings, uiStrings } from '../study/i18n.js';
import {
  answerLookup,
  buildFlow,
  type Flow,
  type FlowItem,
  type FlowPage,
  findPage,
  isEligible,
  isVisible,
} from '../study/pages.js';
import type { ResolvedStudy } from '../study/resolve.js';
import type { Answer, Answers } from './answer.js';
import { NA_ANSWER, NOT_SHOWN_ANSWER, SKIPPED_ANSWER, sharedAnswer } from './answersJson.js';
import { AnswerStatus } from './dataset.js';
import { asciiDigits } from './normalize.js';

/** The answer shape is defined once, as a Zod schema, in answer.ts. */
export type { Answer, Answers } from './answer.js';

/** Form fields as a URL-encoded body parser gives them: repeated names become arrays. */
export type FormFields = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What the respondent asked for with the button they pressed (`_nav`). */
type NavAction =
  | { readonly kind: 'next' }
  | { readonly kind: 'back' }
  | { readonly kind: 'save' }
  | { readonly kind: 'submit' }
  | { readonly kind: 'goto'; readonly page: string }
  /** The language switch on a session's page (`lang:ur`): the page again in that language, what was typed kept. */
  | { readonly kind: 'lang'; readonly lang: string };

type FieldErrorCode =
  | 'required'
  | 'not_option'
  | 'na_not_allowed'
  | 'one_only'
  | 'not_number'
  | 'out_of_range'
  | 'too_long'
  | 'bad_characters'
  | 'not_shown'
  | 'unknown_field'
  | 'bad_control'
  | 'consent_choice';

/** A problem with one field; `field` is the item id (or the field name for unknown and control fields). */
export interface FieldError {
  readonly field: string;
  readonly code: FieldErrorCode;
  readonly message: string;
}

/**
 * Control fields a respondent form may carry besides items: CSRF token, idempotency key, navigation button,
 * page id, consent button, step, session tag, language. The renderer emits `_idem`, `_nav`, `_page`, `_consent`
 * and whatever hidden fields the route passes (e.g. `_csrf`, `_n`, `_t`).
 */
export const CONTROL_FIELDS: readonly string[] = [
  '_csrf',
  '_idem',
  '_nav',
  '_page',
  '_consent',
  '_n',
  '_t',
  '_lang',
];

/** Size limits, in characters (code points). */
export const LIMITS = {
  /** Default maximum length of a `text` answer when the item sets none. */
  text: 500,
  /** Default maximum length of a `longtext` answer when the item sets none. */
  longtext: 5000,
  /** Longest value of a control field. */
  control: 512,
} as const;

const PAGE_ID = /^(consent|e\d{1,4}|p\d{1,4})$/;
/** A language tag as `_nav=lang:<tag>` names it (the study's languages are checked by the adapter). */
const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/;

/** The dataset status of an answer (ANSWERED for values, choices and text). */
export function answerStatus(a: Answer | undefined): AnswerStatus {
  if (!a) return AnswerStatus.SKIPPED;
  switch (a.kind) {
    case 'value':
    case 'choices':
    case 'text':
      return AnswerStatus.ANSWERED;
    case 'na':
      return AnswerStatus.NOT_APPLICABLE;
    case 'skipped':
      return AnswerStatus.SKIPPED;
    case 'not_shown':
      return AnswerStatus.NOT_SHOWN;
  }
}

/**
 * How messages name an item: "item 3" for an instrument item (its number in the instrument), otherwise the
 * question's text in the respondent's language: a short label as is, without a trailing "(…)" ("Age (years)" →
 * "Age"); a question or long text in quotes, cut at a word after 57 characters.
 */
export function itemName(fi: FlowItem, lang: string): string {
  const s = uiStrings(lang);
  if (fi.number !== undefined) return s.itemName(fi.number);
  const t = localize(fi.item.text, lang)?.text.trim();
  if (!t) return fi.id;
  const bare = t.replace(/\s*\([^()]*\)$/, '').replace(/[\s:：]+$/u, '');
  if (bare && [...bare].length <= 30 && !/[.?!,;؟،۔]/u.test(bare)) return bare;
  let q = t.replace(/[\s:：]+$/u, '');
  if ([...q].length > 60) {
    const cut = [...q].slice(0, 57).join('');
    const space = cut.lastIndexOf(' ');
    q = `${(space > 30 ? cut.slice(0, space) : cut).replace(/[\s,;:،]+$/u, '')}…`;
  }
  return `“${q}”`;
}

/** Read `_nav`; a missing button value (e.g. Enter pressed in an old browser) means "next". */
export function parseNav(fields: FormFields): NavAction | undefined {
  const raw = fields._nav;
  if (raw === undefined || raw === '') return { kind: 'next' };
  if (typeof raw !== 'string') return undefined;
  if (raw === 'next' || raw === 'back' || raw === 'save' || raw === 'submit') return { kind: raw };
  if (raw.startsWith('goto:') && PAGE_ID.test(raw.slice(5))) return { kind: 'goto', page: raw.slice(5) };
  if (raw.startsWith('lang:') && LANGUAGE_TAG.test(raw.slice(5))) return { kind: 'lang', lang: raw.slice(5) };
  return undefined;
}

function values(raw: string | readonly string[] | undefined): string[] {
  if (raw === undefined) return [];
  return (typeof raw === 'string' ? [raw] : [...raw]).filter((v) => typeof v === 'string');
}

const NUMBER = /^[+-]?\d{1,15}(\.\d{1,15})?$/;
const OPTION_VALUE = /^-?\d{1,15}(\.\d{1,15})?$/;

function optionsOf(fi: FlowItem): readonly { value: number }[] {
  return fi.scale?.options ?? fi.item.options ?? [];
}

/**
 * Per item of a flow, built once: for each option value, the one frozen answer object that stands for it.
 * Answers are read-only, so every respondent who picks option 2 of an item shares one
 * `{ kind: 'value', value: 2 }` (and its stored text, see answersJson.ts).
 */
const optionAnswers = new WeakMap<FlowItem, ReadonlyMap<number, Answer>>();

/** The shared answer for option `value` of a scale or single-choice item, or undefined if it is not an option. */
function optionAnswer(fi: FlowItem, value: number): Answer | undefined {
  let m = optionAnswers.get(fi);
  if (!m) {
    m = new Map(
      optionsOf(fi).map((o) => [o.value, sharedAnswer({ kind: 'value', value: o.value } as const)]),
    );
    optionAnswers.set(fi, m);
  }
  return m.get(value);
}

function matchOption(fi: FlowItem, v: string): number | undefined {
  if (!OPTION_VALUE.test(v)) return undefined;
  const n = Number(v);
  return optionsOf(fi).find((o) => o.value === n)?.value;
}

/**
 * Characters no answer may hold: Unicode non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF, U+nFFFE/F) and lone
 * surrogates. No keyboard types them; XML 1.0 forbids U+FFFE/U+FFFF and surrogates, so one of them made the
 * study's XLSX export unreadable. Refused with a message rather than stripped, so what is stored is what was sent.
 */
export const FORBIDDEN_TEXT = /[\p{Noncharacter_Code_Point}\p{Cs}]/u;

/** Remove control characters other than tab and newline; normalise line ends. */
function cleanText(s: string, multiline: boolean): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const t = s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '');
  return (multiline ? t : t.replace(/\s*\n\s*/g, ' ')).trim();
}

function maxLengthOf(item: Item): number {
  return item.maxLength ?? (item.type === 'longtext' ? LIMITS.longtext : LIMITS.text);
}

type ItemResult = { readonly answer: Answer } | { readonly error: FieldError };

/**
 * Parse one item's raw field value(s). Empty input is "skipped" (an error when `required` is set).
 * Never throws.
 */
function parseItemValue(
  fi: FlowItem,
  raw: string | readonly string[] | undefined,
  lang: string,
  required: boolean,
): ItemResult {
  const s = uiStrings(lang);
  // The item's name is only worked out for a message: most answers have none.
  const name = () => itemName(fi, lang);
  const err = (code: FieldErrorCode, message: string): ItemResult => ({
    error: { field: fi.id, code, message },
  });
  const vals = values(raw);
  const nonEmpty = vals
    .map((v) => (fi.item.type === 'text' || fi.item.type === 'longtext' ? v : v.trim()))
    .filter((v) => v !== '');
  const skipped = (): ItemResult => {
    if (!required) return { answer: SKIPPED };
    const t = fi.item.type;
    if (t === 'multiple') return err('required', s.err.chooseAtLeastOne(name()));
    if (t === 'number' || t === 'text' || t === 'longtext') return err('required', s.err.fillIn(name()));
    return err('required', s.err.chooseAnswer(name()));
  };

  switch (fi.item.type) {
    case 'scale':
    case 'single': {
      if (nonEmpty.length === 0) return skipped();
      if (nonEmpty.length > 1) return err('one_only', s.err.oneOnly(name()));
      const v = at(nonEmpty, 0);
      if (v === 'na')
        return fi.item.notApplicable ? { answer: NA } : err('na_not_allowed', s.err.naNotAllowed(name()));
      const n = matchOption(fi, v);
      const answer = n === undefined ? undefined : optionAnswer(fi, n);
      return answer === undefined ? err('not_option', s.err.notOption(name())) : { answer };
    }
    case 'multiple': {
      const uniq = [...new Set(nonEmpty)];
      if (uniq.length === 0) return skipped();
      if (uniq.includes('na')) {
        if (!fi.item.notApplicable) return err('na_not_allowed', s.err.naNotAllowed(name()));
        return uniq.length === 1 ? { answer: NA } : err('not_option', s.err.notOption(name()));
      }
      const chosen = new Set<number>();
      for (const v of uniq) {
        const n = matchOption(fi, v);
        if (n === undefined) return err('not_option', s.err.notOption(name()));
        chosen.add(n);
      }
      const ordered = optionsOf(fi)
        .map((o) => o.value)
        .filter((v) => chosen.has(v));
      return { answer: { kind: 'choices', values: ordered } };
    }
    case 'number': {
      if (nonEmpty.length === 0) return skipped();
      if (nonEmpty.length > 1) return err('one_only', s.err.oneOnly(name()));
      const v = at(nonEmpty, 0);
      if (v === 'na' && fi.item.notApplicable) return { answer: NA };
      const t = asciiDigits(v);
      const { min, max } = fi.item;
      const integer = fi.item.integer === true;
      if (!NUMBER.test(t)) {
        return min !== undefined || max !== undefined || integer
          ? err('not_number', s.err.range(name(), min, max, integer))
          : err('not_number', s.err.notNumber(name()));
      }
      const n = Number(t);
      if (
        (integer && !Number.isInteger(n)) ||
        (min !== undefined && n < min) ||
        (max !== undefined && n > max)
      ) {
        return err('out_of_range', s.err.range(name(), min, max, integer));
      }
      return { answer: { kind: 'value', value: n === 0 ? 0 : n } };
    }
    case 'text':
    case 'longtext': {
      if (nonEmpty.length > 1) return err('one_only', s.err.oneOnly(name()));
      const text = cleanText(nonEmpty[0] ?? '', fi.item.type === 'longtext');
      if (text === '') return skipped();
      if (FORBIDDEN_TEXT.test(text)) return err('bad_characters', s.err.badCharacters(name()));
      const max = maxLengthOf(fi.item);
      const len = [...text].length;
      if (len > max) return err('too_long', s.err.tooLong(name(), max, len));
      return { answer: { kind: 'text', text } };
    }
  }
}

const SKIPPED: Answer = SKIPPED_ANSWER;
const NA: Answer = NA_ANSWER;
const NOT_SHOWN: Answer = NOT_SHOWN_ANSWER;

interface PageParseOptions {
  /** Language of the messages (default "en"). */
  readonly lang?: string;
  /**
   * Whether required items must be answered. Default: yes for "next" and "submit", no for "back", "save"
   * and "goto" (their answers are kept, checked for type and range, but may be incomplete).
   */
  readonly requireAnswers?: boolean;
  /** Allowed control field names (default `CONTROL_FIELDS`). */
  readonly controlFields?: readonly string[];
}

interface PageSubmission {
  /** True when there are no errors. */
  readonly ok: boolean;
  /**
   * Answers for the page's items: each visible item answered, "na" or "skipped"; each hidden item
   * "not_shown". When `ok` is false, only the items that parsed are present (re-render with `fields`).
   */
  readonly answers: Readonly<Record<string, Answer>>;
  /** In page order, then unknown and control fields. */
  readonly errors: readonly FieldError[];
  /** The button pressed; "next" when `_nav` is invalid (that is also reported as an error). */
  readonly nav: NavAction;
  /** On a consent page: the respondent's choice. */
  readonly consent?: 'agree' | 'decline';
  /** Control fields (single strings), e.g. `_csrf`, `_idem`, `_page`, for the route to check. */
  readonly controls: Readonly<Record<string, string>>;
}

/**
 * Parse and validate the form fields posted for one page (a page of `flow`, or its id; an unknown id gives
 * a `_page` error).
 *
 * Visibility is computed from `answersSoFar` (answers to earlier pages; skip logic never depends on the
 * page itself, see `buildFlow`). A field for an item the respondent was not shown is an error, as is any
 * field that is neither an item of this page nor an allowed control field, a control field sent twice or
 * too long, or an invalid `_nav`. The route should also compare `controls._page` with the page it expects.
 */
export function parsePageSubmission(
  flow: Flow,
  pageOrId: FlowPage | string,
  fields: FormFields,
  answersSoFar: Answers,
  opts: PageParseOptions = {},
): PageSubmission {
  const lang = opts.lang ?? 'en';
  const s: UiStrings = uiStrings(lang);
  const found = typeof pageOrId === 'string' ? findPage(flow, pageOrId) : pageOrId;
  if (!found) {
    const error: FieldError = { field: '_page', code: 'bad_control', message: s.err.badControl('_page') };
    return {
      ok: false,
      answers: {},
      errors: [error],
      nav: parseNav(fields) ?? { kind: 'next' },
      controls: {},
    };
  }
  const page = found;
  const allowed = new Set(opts.controlFields ?? CONTROL_FIELDS);
  const errors: FieldError[] = [];
  const controlErrors: FieldError[] = [];
  const controls: Record<string, string> = {};
  const answers: Record<string, Answer> = {};

  let nav = parseNav(fields);
  if (!nav) {
    controlErrors.push({ field: '_nav', code: 'bad_control', message: s.err.badControl('_nav') });
    nav = { kind: 'next' };
  }
  const required = opts.requireAnswers ?? (nav.kind === 'next' || nav.kind === 'submit');

  const onPage = new Map(page.items.map((fi) => [fi.id, fi]));
  for (const [name, raw] of Object.entries(fields)) {
    if (name.startsWith('_')) {
      if (!allowed.has(name)) {
        controlErrors.push({
          field: name,
          code: 'unknown_field',
          message: s.err.unknownField(name.slice(0, 64)),
        });
      } else if (typeof raw !== 'string' || raw.length > LIMITS.control) {
        if (raw !== undefined)
          controlErrors.push({ field: name, code: 'bad_control', message: s.err.badControl(name) });
      } else {
        controls[name] = raw;
      }
    } else if (!onPage.has(name)) {
      controlErrors.push({
        field: name,
        code: 'unknown_field',
        message: s.err.unknownField(name.slice(0, 64)),
      });
    }
  }

  let consent: 'agree' | 'decline' | undefined;
  if (page.kind === 'consent') {
    const c = controls._consent;
    if (c === 'agree' || c === 'decline') consent = c;
    else if (c !== undefined)
      controlErrors.push({ field: '_consent', code: 'bad_control', message: s.err.badControl('_consent') });
    else if (required)
      errors.push({ field: '_consent', code: 'consent_choice', message: s.err.consentChoice });
  }

  const lookup = answerLookup(answersSoFar);
  for (const fi of page.items) {
    const raw = fields[fi.id];
    if (!isVisible(fi, answersSoFar, lookup)) {
      if (values(raw).some((v) => v.trim() !== '')) {
        errors.push({ field: fi.id, code: 'not_shown', message: s.err.notShown(itemName(fi, lang)) });
      } else {
        answers[fi.id] = NOT_SHOWN;
      }
      continue;
    }
    const r = parseItemValue(fi, raw, lang, required && fi.item.required);
    if ('error' in r) errors.push(r.error);
    else answers[fi.id] = r.answer;
  }

  const all = [...errors, ...controlErrors];
  return { ok: all.length === 0, answers, errors: all, nav, ...(consent ? { consent } : {}), controls };
}

/**
 * Turn a JSON object of answers (`{ "bace3_01": 2, "bace3_14": "na", "age": 21, "hobbies": [1, 3] }`) into
 * typed answers, with the same checks and messages as form fields (required items are checked later by
 * `validateResponse`). Unknown ids, and values of the wrong JSON type, are errors.
 */
export function answersFromJson(
  flow: Flow,
  input: unknown,
  lang = 'en',
): {
  readonly ok: boolean;
  readonly answers: Record<string, Answer>;
  readonly errors: readonly FieldError[];
} {
  const s = uiStrings(lang);
  const errors: FieldError[] = [];
  const answers: Record<string, Answer> = {};
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return {
      ok: false,
      answers,
      errors: [
        { field: '', code: 'bad_control', message: 'answers must be a JSON object of item id → value' },
      ],
    };
  }
  const given = input as Record<string, unknown>;
  for (const id of Object.keys(given)) {
    const v = given[id];
    const fi = flow.items.get(id);
    if (!fi) {
      errors.push({ field: id, code: 'unknown_field', message: s.err.unknownField(id.slice(0, 64)) });
      continue;
    }
    // The usual case, an option value of a scale or single-choice item, without a detour through text.
    if (typeof v === 'number' && (fi.item.type === 'scale' || fi.item.type === 'single')) {
      const shared = optionAnswer(fi, v);
      if (shared !== undefined) {
        answers[id] = shared;
        continue;
      }
    }
    let raw: string | string[] | undefined;
    if (v === null) raw = undefined;
    else if (typeof v === 'number' && Number.isFinite(v)) raw = String(v);
    else if (typeof v === 'string') raw = v;
    else if (
      Array.isArray(v) &&
      v.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))
    ) {
      raw = v.map(String);
    } else {
      errors.push({ field: id, code: 'not_option', message: s.err.notOption(itemName(fi, lang)) });
      continue;
    }
    const r = parseItemValue(fi, raw, lang, false);
    if ('error' in r) errors.push(r.error);
    else answers[id] = r.answer;
  }
  return { ok: errors.length === 0, answers, errors };
}

interface ValidateOptions {
  /** Language of the messages (default "en"). */
  readonly lang?: string;
  /** A flow built earlier from the same study (saves rebuilding it). */
  readonly flow?: Flow;
  /** Whether the screening answers must meet `eligibleIf` (default true). */
  readonly requireEligible?: boolean;
}

/** Check one typed answer against its item; the normalised answer or an error. */
function normalizeAnswer(fi: FlowItem, a: unknown, lang: string): ItemResult {
  const s = uiStrings(lang);
  const name = () => itemName(fi, lang);
  const bad = (code: FieldErrorCode, message: string): ItemResult => ({
    error: { field: fi.id, code, message },
  });
  if (a === null || typeof a !== 'object') return bad('not_option', s.err.notOption(name()));
  const x = a as Record<string, unknown>;
  const t = fi.item.type;
  switch (x.kind) {
    case 'skipped':
      return { answer: SKIPPED };
    case 'not_shown':
      return { answer: NOT_SHOWN };
    case 'na':
      return fi.item.notApplicable ? { answer: NA } : bad('na_not_allowed', s.err.naNotAllowed(name()));
    case 'value': {
      if (
        typeof x.value !== 'number' ||
        !Number.isFinite(x.value) ||
        (t !== 'scale' && t !== 'single' && t !== 'number')
      ) {
        return bad('not_option', s.err.notOption(name()));
      }
      if (t === 'number') return parseItemValue(fi, String(x.value), lang, false);
      const answer = optionAnswer(fi, x.value);
      return answer === undefined ? bad('not_option', s.err.notOption(name())) : { answer };
    }
    case 'choices': {
      if (t !== 'multiple' || !Array.isArray(x.values) || x.values.length === 0)
        return bad('not_option', s.err.notOption(name()));
      const raw = (x.values as unknown[]).map((v) =>
        typeof v === 'number' && Number.isFinite(v) ? String(v) : 'x',
      );
      const r = parseItemValue(fi, raw, lang, false);
      if ('error' in r) return r;
      return r.answer.kind === 'choices' && r.answer.values.length === x.values.length
        ? r
        : bad('not_option', s.err.notOption(name()));
    }
    case 'text': {
      if ((t !== 'text' && t !== 'longtext') || typeof x.text !== 'string')
        return bad('not_option', s.err.notOption(name()));
      const r = parseItemValue(fi, x.text, lang, false);
      if ('error' in r) return r;
      return r.answer.kind === 'text' ? r : bad('required', s.err.fillIn(name()));
    }
    default:
      return bad('not_option', s.err.notOption(name()));
  }
}

/**
 * Validate a whole response before it is stored: every id is an item of the flow, every answer is valid
 * for its item, skip logic is consistent (items hidden by the answers are NOT_SHOWN and carry no answer;
 * shown items are not marked NOT_SHOWN), required shown items are answered (or "not applicable" where
 * allowed) and, unless turned off, the screening answers meet `eligibleIf`.
 *
 * Returns the complete answers: every item of the flow, shown items without an answer as "skipped".
 * Issues use the item id as `path`.
 */
export function validateResponse(
  resolved: ResolvedStudy,
  answers: unknown,
  opts: ValidateOptions = {},
): Validated<Record<string, Answer>> {
  const lang = opts.lang ?? 'en';
  const s = uiStrings(lang);
  let flow = opts.flow;
  if (!flow) {
    const f = buildFlow(resolved);
    if (!f.ok) return f;
    flow = f.value;
  }
  if (answers === null || typeof answers !== 'object' || Array.isArray(answers)) {
    return {
      ok: false,
      issues: [{ path: '', code: 'not_an_object', message: 'answers must be an object of item id → answer' }],
    };
  }
  const input = answers as Record<string, unknown>;
  const issues: Issue[] = [];
  for (const id of Object.keys(input)) {
    if (!flow.items.has(id))
      issues.push({ path: id, code: 'unknown_field', message: s.err.unknownField(id.slice(0, 64)) });
  }
  const out: Record<string, Answer> = {};
  const lookup = answerLookup(out);
  for (const fi of flow.items.values()) {
    const a = input[fi.id];
    const name = () => itemName(fi, lang);
    let given: Answer | undefined;
    if (a !== undefined) {
      const r = normalizeAnswer(fi, a, lang);
      if ('error' in r) {
        issues.push({ path: r.error.field, code: r.error.code, message: r.error.message });
        continue;
      }
      given = r.answer;
    }
    if (!isVisible(fi, out, lookup)) {
      if (given && given.kind !== 'not_shown' && given.kind !== 'skipped') {
        issues.push({
          path: fi.id,
          code: 'not_shown',
          message: `${name()} has an answer although the earlier answers hide it; it must be recorded as not shown`,
        });
      }
      out[fi.id] = NOT_SHOWN;
      continue;
    }
    if (given?.kind === 'not_shown') {
      issues.push({
        path: fi.id,
        code: 'shown_item_not_shown',
        message: `${name()} is recorded as not shown although the earlier answers show it`,
      });
      continue;
    }
    const answer = given ?? SKIPPED;
    if (answer.kind === 'skipped' && fi.item.required) {
      const t = fi.item.type;
      const message =
        t === 'multiple'
          ? s.err.chooseAtLeastOne(name())
          : t === 'number' || t === 'text' || t === 'longtext'
            ? s.err.fillIn(name())
            : s.err.chooseAnswer(name());
      issues.push({ path: fi.id, code: 'required', message });
    }
    out[fi.id] = answer;
  }
  if ((opts.requireEligible ?? true) && !isEligible(flow, out)) {
    issues.push({
      path: 'eligibility',
      code: 'ineligible',
      message: 'the screening answers do not meet the eligibility rule; nothing may be stored',
    });
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: out };
}

/** One item of a {@link compilePlainAnswers} validator: what the usual answers to it are, worked out once. */
interface PlainItem {
  /** The flow item when it has skip logic (`showIf`). */
  readonly fi: FlowItem | undefined;
  readonly id: string;
  readonly required: boolean;
  /** "na" is an answer (a non-text item that allows "not applicable"). */
  readonly na: boolean;
  /** Scale and single-choice items: option value → its shared answer. */
  readonly options: ReadonlyMap<number, Answer> | undefined;
  /** Number items: the bounds and whether the value must be whole. */
  readonly number: { readonly min: number; readonly max: number; readonly integer: boolean } | undefined;
}

/**
 * The whole-response validation of {@link answersFromJson} followed by {@link validateResponse}, precompiled for
 * one flow, for the answers nearly every JSON API client sends: an option value (a JSON number) for scale and
 * single-choice items, a whole number for number items, "na" where it is allowed. Gives the complete answers
 * those two would give (the same shared answer objects, in the same order), or undefined for anything else —
 * an unknown item, a missing required answer, a label, a list, a text, null, a number that is not an option or is
 * out of range, an answer to an item the earlier answers hide, screening answers that do not meet the rule — and
 * then those two functions judge the submission and name every problem. Skip logic is applied as there: in flow
 * order, each item's `showIf` on the answers before it (a hidden item sent nothing and is "not shown").
 * test/core/respond/plain.test.ts checks, on generated answers, that both ways agree whenever this one answers.
 */
export function compilePlainAnswers(
  flow: Flow,
): (given: Readonly<Record<string, unknown>>) => Record<string, Answer> | undefined {
  const items: PlainItem[] = [];
  for (const fi of flow.items.values()) {
    const t = fi.item.type;
    items.push({
      fi: fi.showIf ? fi : undefined,
      id: fi.id,
      required: fi.item.required === true,
      na: fi.item.notApplicable === true && t !== 'text' && t !== 'longtext',
      options:
        t === 'scale' || t === 'single'
          ? new Map(optionsOf(fi).map((o) => [o.value, optionAnswer(fi, o.value) as Answer]))
          : undefined,
      number:
        t === 'number'
          ? {
              min: fi.item.min ?? Number.NEGATIVE_INFINITY,
              max: fi.item.max ?? Number.POSITIVE_INFINITY,
              integer: fi.item.integer === true,
            }
          : undefined,
    });
  }
  const skipLogic = items.some((c) => c.fi !== undefined);
  return (given) => {
    let keys = 0;
    for (const _ in given) keys++;
    let found = 0;
    const out: Record<string, Answer> = {};
    const lookup = skipLogic ? answerLookup(out) : undefined;
    for (const c of items) {
      const v = given[c.id];
      if (c.fi && !isVisible(c.fi, out, lookup)) {
        if (v !== undefined) return undefined;
        out[c.id] = NOT_SHOWN;
        continue;
      }
      if (v === undefined) {
        if (c.required) return undefined;
        out[c.id] = SKIPPED;
        continue;
      }
      found++;
      let a: Answer | undefined;
      if (typeof v === 'number') {
        if (c.options) a = c.options.get(v);
        // A whole number of at most 15 digits reads as the form's text would ("-12"), so the rules are the same.
        else if (
          c.number &&
          Number.isSafeInteger(v) &&
          Math.abs(v) < 1e15 &&
          v >= c.number.min &&
          v <= c.number.max
        )
          a = { kind: 'value', value: v === 0 ? 0 : v };
      } else if (v === 'na' && c.na) a = NA;
      if (a === undefined) return undefined;
      out[c.id] = a;
    }
    // Every key sent is an item (an own key that is not one is an unknown field: the general path names it).
    if (found !== keys) return undefined;
    return flow.eligibleIf && !isEligible(flow, out) ? undefined : out;
  };
}
