/**
 * Editing a study definition from the studio's forms: pure functions from (definition, form fields) to a new
 * definition or a list of problems, each naming the field, the bad value and the fix. The routes save the
 * result with `store.studies.updateDefinition` only when the whole definition still resolves against the
 * library and its respondent flow builds (`checkDefinition`), so a saved definition can always be previewed.
 */

import { parseExpression } from '../../core/instrument/expression.js';
import { parseOwnInstrument } from '../../core/instrument/own.js';
import {
  IdSchema,
  type Instrument,
  type Issue,
  type ItemInput,
  type LocalizedText,
  type Validated,
} from '../../core/instrument/schema.js';
import { parseJsonSafe, UnsafeJsonError } from '../../core/json.js';
import { buildScoringPlan } from '../../core/scoring/index.js';
import { at } from '../../core/stats/at.js';
import { buildFollowUp } from '../../core/study/followUp.js';
import { buildFlow, type Flow } from '../../core/study/pages.js';
import { type ResolvedStudy, resolvedLookup, resolveStudy } from '../../core/study/resolve.js';
import { draftInstrumentId, type StudyDraft, type SupportContact } from '../../core/study/schema.js';
import { getInstrument, instrumentIds } from '../../instruments/index.js';
import { type FormBody as Fields, field, fieldAll } from '../form.js';

/** Languages the studio offers (the respondent pages have UI strings for both). */
export const STUDIO_LANGUAGES: readonly { readonly code: string; readonly name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'ur', name: 'Urdu (اردو)' },
];

/** Form fields: the server's one form type (src/server/form.ts), under the name the studio uses. */
export { type Fields, field, fieldAll };

/** Whether a checkbox was ticked. */
export function checked(fields: Fields | undefined, name: string): boolean {
  const v = field(fields, name);
  return v === 'on' || v === '1' || v === 'true' || v === 'yes';
}

/** The problem with a study title (none, or too long), for the new-study form and the Basics section. */
export function titleIssues(title: string): Issue[] {
  if (!title) return [{ path: 'title', code: 'required', message: 'give the study a title' }];
  if (title.length > 200)
    return [
      {
        path: 'title',
        code: 'too_long',
        message: `the title has ${title.length} characters; keep it under 200`,
      },
    ];
  return [];
}

/** A deep copy of a stored definition, to edit. */
export function cloneDefinition(def: StudyDraft): StudyDraft {
  return structuredClone(def);
}

/** The stored definition the studio edits: one type, inferred from core/study/schema.ts `StudyDraftSchema`. */
export type { StudyDraft };

/** A definition id (IdSchema) derived from a title: `bace_survey_2025`. */
export function slugId(title: string): string {
  let s = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 48)
    .replace(/_+$/, '');
  if (!/^[a-z]/.test(s)) s = `study${s ? `_${s}` : ''}`;
  return s;
}

/** A new study's definition: anonymous, no times, k = `minCellSize`, English. */
export function newDefinition(input: {
  title: string;
  description?: string;
  languages?: readonly string[];
  minCellSize: number;
}): StudyDraft {
  return {
    id: slugId(input.title),
    title: input.title,
    ...(input.description ? { description: input.description } : {}),
    languages: [...(input.languages?.length ? input.languages : ['en'])],
    instruments: [],
    questions: [],
    collection: {
      anonymous: true,
      collectTimes: false,
      minCellSize: input.minCellSize,
      supportContacts: [],
      referrals: false,
    },
  };
}

export interface CheckedDefinition {
  readonly resolved: ResolvedStudy;
  readonly flow: Flow;
}

const ACK_MESSAGE = (ins: Instrument) =>
  `${ins.shortTitle} requires its owner's terms to be acknowledged: tick "I have read and accept the terms" for ${ins.shortTitle} under Instruments (the acknowledgement is recorded with your name).`;

/**
 * Resolve a definition against the instrument library and build its respondent flow. Issues are listed by
 * path (`questions[2].options`, `collection.eligibility.eligibleIf`, …) with a message that says what to fix.
 */
export function checkDefinition(def: StudyDraft): Validated<CheckedDefinition> {
  const r = resolveStudy(def, getInstrument, instrumentIds());
  if (!r.ok) {
    return {
      ok: false,
      issues: r.issues.map((i) => {
        if (i.code !== 'terms_not_acknowledged') return i;
        const m = /^instruments\[(\d+)\]/.exec(i.path);
        const entry = m ? def.instruments?.[Number(m[1])] : undefined;
        const id = entry && draftInstrumentId(entry);
        const ins = id ? getInstrument(id) : undefined;
        return ins ? { ...i, message: ACK_MESSAGE(ins) } : i;
      }),
    };
  }
  const f = buildFlow(r.value);
  if (!f.ok) return f;
  if (r.value.study.followUp) {
    const p = buildScoringPlan(r.value.study, resolvedLookup(r.value));
    const fu = p.ok ? buildFollowUp(r.value, p.value) : p;
    if (!fu.ok) return fu;
  }
  return { ok: true, value: { resolved: r.value, flow: f.value } };
}

/**
 * Set each acknowledgement-requiring instrument's `termsAcknowledged` from the store's record (who accepted
 * the terms, and when), and remove it where nobody has: a definition can only claim an acknowledgement that
 * was actually given in the studio.
 */
export function applyAcknowledgements(
  def: StudyDraft,
  acks: ReadonlyMap<string, { readonly by: string; readonly at: string }>,
): StudyDraft {
  // Runs before validation: leave anything that is not a list of objects for the schema to report.
  if (!Array.isArray(def.instruments)) return def;
  for (const si of def.instruments) {
    if (si === null || typeof si !== 'object' || typeof si.instrument !== 'string') continue;
    const ins = getInstrument(si.instrument);
    if (!ins?.licence.requiresAcknowledgement) continue;
    const ack = acks.get(si.instrument);
    if (ack) si.termsAcknowledged = { by: ack.by, at: ack.at };
    else delete si.termsAcknowledged;
  }
  return def;
}

/**
 * The instrument of a definition's `instruments[i]` entry: its own definition (inline), parsed, or the library
 * instrument it names; undefined when neither (or the definition does not parse — `checkDefinition` says why).
 */
export function studyInstrument(si: { instrument?: unknown; definition?: unknown }): Instrument | undefined {
  if (si.definition !== undefined) {
    const r = parseOwnInstrument(si.definition);
    return r.ok ? r.value : undefined;
  }
  return typeof si.instrument === 'string' ? getInstrument(si.instrument) : undefined;
}

/** Whether an instrument ships without its item text (the licensee supplies it as a text pack). */
export function needsTextPack(ins: Instrument): boolean {
  return !ins.licence.textIncluded && ins.items.some((it) => !it.text) && !ins.appliedTextPacks?.length;
}

/** What a (resolved) instrument's wording lacks for a study's languages, for the studio and the launch check. */
interface InstrumentTextStatus {
  readonly instrument: Instrument;
  /** Per study language: the ids of items with no text in that language (shown in another one, or nothing). */
  readonly missing: readonly { readonly lang: string; readonly items: readonly string[] }[];
  /** Items with no text in any language: nothing to show a respondent. */
  readonly noText: readonly string[];
  /** Items whose wording was not checked against a primary source (placeholders), with their note. */
  readonly unverified: readonly { readonly id: string; readonly text: string; readonly note?: string }[];
  /** Study languages in which the instrument has no instructions (stem). */
  readonly noInstructions: readonly string[];
}

export function instrumentTextStatus(ins: Instrument, languages: readonly string[]): InstrumentTextStatus {
  return {
    instrument: ins,
    missing: languages
      .map((lang) => ({ lang, items: ins.items.filter((it) => !it.text?.[lang]).map((it) => it.id) }))
      .filter((m) => m.items.length > 0),
    noText: ins.items.filter((it) => !it.text || Object.keys(it.text).length === 0).map((it) => it.id),
    unverified: ins.items
      .filter((it) => !it.verified)
      .map((it) => ({
        id: it.id,
        text: it.text ? (it.text.en ?? Object.values(it.text)[0] ?? '') : '',
        ...(it.note ? { note: it.note } : {}),
      })),
    noInstructions: languages.filter((l) => !ins.instructions?.[l]),
  };
}

/** A short list of ids: all of them up to 8, else the first 6 and how many more. */
export function idList(ids: readonly string[]): string {
  return ids.length <= 8 ? ids.join(', ') : `${ids.slice(0, 6).join(', ')} and ${ids.length - 6} more`;
}

/** The studio's name of a language code. */
export function languageName(code: string): string {
  const l = STUDIO_LANGUAGES.find((x) => x.code === code);
  return l ? l.name.replace(/ \(.*\)$/, '') : code;
}

/**
 * One JSON object from a textarea, or the problem at `path`: a syntax error with its position, or not an
 * object, or a `__proto__` key (src/core/json.ts). `what` names the thing in messages ("the definition", "the pasted
 * text pack").
 */
export function parseJsonObject(
  text: string,
  path: string,
  what: string,
): Validated<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = parseJsonSafe(text);
  } catch (e) {
    if (e instanceof UnsafeJsonError)
      return { ok: false, issues: [{ path: e.path, code: 'json_proto', message: e.message }] };
    return {
      ok: false,
      issues: [
        {
          path,
          code: 'json_syntax',
          message: `${what} is not valid JSON: ${(e as Error).message}. Check for a missing comma or quote near that position.`,
        },
      ],
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return {
      ok: false,
      issues: [{ path, code: 'not_object', message: `${what} must be one JSON object { … }` }],
    };
  return { ok: true, value: parsed as Record<string, unknown> };
}

/** Localized text from `<prefix>_en` and `<prefix>_ur` fields; undefined when both are empty. */
export function localizedFrom(fields: Fields, prefix: string): LocalizedText | undefined {
  const t: Record<string, string> = {};
  for (const { code } of STUDIO_LANGUAGES) {
    const v = field(fields, `${prefix}_${code}`);
    if (v) t[code] = v;
  }
  return Object.keys(t).length ? t : undefined;
}

const QUESTION_TYPES = ['single', 'multiple', 'grid', 'number', 'text', 'longtext'] as const;
type QuestionType = (typeof QUESTION_TYPES)[number];

/** The non-empty lines of a textarea, trimmed. */
export function textLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/**
 * The lines of a bilingual list (`English | اردو`, either side optional), each with the key written before
 * ` = ` when it matches `key` (an option value, a row id).
 */
function bilingualLines(
  text: string,
  key: RegExp,
): { line: string; key?: string; text: Record<string, string> }[] {
  return textLines(text).map((line) => {
    const m = new RegExp(`^(${key.source})\\s*=\\s*(.*)$`).exec(line);
    const [en, ur] = (m ? at(m, 2) : line).split('|').map((x) => x.trim());
    const t: Record<string, string> = {};
    if (en) t.en = en;
    if (ur) t.ur = ur;
    return { line, ...(m ? { key: at(m, 1) } : {}), text: t };
  });
}

/**
 * Options from a textarea, one per line: `Label`, `Label | اردو لیبل`, optionally starting with a value
 * (`2 = Label | لیبل`). Values default to 1, 2, 3, … in order.
 */
function parseOptions(text: string, path = 'options'): Validated<{ value: number; label: LocalizedText }[]> {
  const issues: Issue[] = [];
  const out: { value: number; label: LocalizedText }[] = [];
  const seen = new Set<number>();
  bilingualLines(text, /-?\d{1,9}/).forEach(({ line, key, text: label }, i) => {
    const value = key === undefined ? i + 1 : Number(key);
    if (!label.en && !label.ur) {
      issues.push({
        path,
        code: 'empty_option',
        message: `line ${i + 1} ("${line}") has a value but no label; write it as "2 = Label"`,
      });
      return;
    }
    if (seen.has(value)) {
      issues.push({
        path,
        code: 'duplicate_value',
        message: `line ${i + 1} ("${line}") repeats the value ${value}; give each option its own value`,
      });
      return;
    }
    seen.add(value);
    out.push({ value, label });
  });
  if (!issues.length && out.length < 1) {
    issues.push({
      path,
      code: 'no_options',
      message: 'a choice question needs options: write one per line, e.g. "Female | خاتون"',
    });
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: out };
}

/**
 * Grid rows (statements) from a textarea, one per line: `Statement`, `Statement | اردو`, optionally starting with
 * a row id (`exams = Exams | امتحانات`). Row ids default to 1, 2, 3, … (variables `<question>_1`, …).
 */
function parseRows(
  text: string,
  path = 'rows',
): Validated<{ id: string; text: LocalizedText; short?: string }[]> {
  const issues: Issue[] = [];
  const out: { id: string; text: LocalizedText }[] = [];
  const seen = new Set<string>();
  bilingualLines(text, /[A-Za-z0-9][A-Za-z0-9_]{0,62}/).forEach(({ line, key, text: t }, i) => {
    const id = key ?? String(i + 1);
    if (!t.en && !t.ur) {
      issues.push({
        path,
        code: 'empty_row',
        message: `line ${i + 1} ("${line}") has an id but no statement`,
      });
      return;
    }
    if (seen.has(id.toLowerCase())) {
      issues.push({
        path,
        code: 'duplicate_row',
        message: `line ${i + 1} ("${line}") repeats the row id "${id}"; give each statement its own id`,
      });
      return;
    }
    seen.add(id.toLowerCase());
    out.push({ id, text: t });
  });
  if (!issues.length && out.length < 1)
    issues.push({
      path,
      code: 'no_rows',
      message: 'a grid needs its statements: write one per line, e.g. "Exams | امتحانات"',
    });
  return issues.length ? { ok: false, issues } : { ok: true, value: out };
}

/** A response scale shared by statements (a grid, an own Likert instrument): options, at least two, lowest first. */
export function parseScale(
  text: string,
  path = 'options',
): Validated<{ value: number; label: LocalizedText }[]> {
  const o = parseOptions(text, path);
  if (o.ok && o.value.length < 2)
    return {
      ok: false,
      issues: [
        {
          path,
          code: 'no_options',
          message:
            'the response scale needs at least two options, lowest first, e.g. "1 = Strongly disagree"',
        },
      ],
    };
  return o;
}

/** A grid's shared scale (`options`, at least two, lowest first) and statements (`rows`) from a form. */
export function gridFromForm(fields: Fields): Validated<{
  options: { value: number; label: LocalizedText }[];
  rows: { id: string; text: LocalizedText }[];
}> {
  const issues: Issue[] = [];
  const o = parseScale(field(fields, 'options'));
  if (!o.ok) issues.push(...o.issues);
  const r = parseRows(field(fields, 'rows'));
  if (!r.ok) issues.push(...r.issues);
  if (issues.length || !o.ok || !r.ok) return { ok: false, issues };
  return { ok: true, value: { options: o.value, rows: r.value } };
}

/** Grid rows back as the textarea text `parseRows` reads. */
export function rowsText(rows: readonly { id: string; text: LocalizedText }[] | undefined): string {
  return (rows ?? [])
    .map((r) => `${r.id} = ${r.text.en ?? ''}${r.text.ur ? ` | ${r.text.ur}` : ''}`)
    .join('\n');
}

/** A short label from a form field: empty, or one line of at most 60 characters. */
export function shortLabelIssues(short: string, path = 'short'): Issue[] {
  if (short.length > 60)
    return [
      {
        path,
        code: 'too_long',
        message: `the short label has ${short.length} characters; keep it to 60 (e.g. "Level of training")`,
      },
    ];
  return [];
}

/** Options back as the textarea text `parseOptions` reads. */
export function optionsText(options: readonly { value: number; label: LocalizedText }[] | undefined): string {
  return (options ?? [])
    .map((o) => `${o.value} = ${o.label.en ?? ''}${o.label.ur ? ` | ${o.label.ur}` : ''}`)
    .join('\n');
}

function numberField(fields: Fields, name: string, issues: Issue[], integer = false): number | undefined {
  const t = field(fields, name);
  if (t === '') return undefined;
  const n = Number(t);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    issues.push({
      path: name,
      code: 'not_number',
      message: `"${t}" is not a ${integer ? 'whole ' : ''}number; write e.g. ${integer ? '100' : '18'}, or leave it empty`,
    });
    return undefined;
  }
  return n;
}

/**
 * A question from the question form: `id`, `text_en`, `text_ur`, `type`, `options` (textarea), `required`,
 * `showIf`, `min`, `max`, `integer`, `maxLength`. The expression is parsed here for a precise syntax message;
 * its references (to earlier questions only) are checked with the whole definition by `checkDefinition`.
 */
export function questionFromForm(
  fields: Fields,
  takenIds: ReadonlySet<string>,
  opts: { grid?: boolean } = {},
): Validated<ItemInput> {
  const issues: Issue[] = [];
  const id = field(fields, 'id');
  const idCheck = IdSchema.safeParse(id);
  if (!idCheck.success) {
    issues.push({
      path: 'id',
      code: 'bad_id',
      message: `"${id}" cannot be a variable name: it must start with a letter and use only letters, digits and _ (e.g. year_of_study)`,
    });
  } else if ([...takenIds].some((t) => t.toLowerCase() === id.toLowerCase())) {
    issues.push({
      path: 'id',
      code: 'duplicate_id',
      message: `"${id}" is already a variable of this study; choose another name`,
    });
  }
  const text = localizedFrom(fields, 'text');
  if (!text)
    issues.push({
      path: 'text_en',
      code: 'no_text',
      message: 'write the question (in English, Urdu or both)',
    });
  const type = field(fields, 'type') as QuestionType;
  const types = QUESTION_TYPES.filter((t) => t !== 'grid' || opts.grid);
  if (!types.includes(type)) {
    issues.push({
      path: 'type',
      code: 'bad_type',
      message: `"${type}" is not a question type${type === 'grid' ? ' for screening' : ''}; choose one of ${types.join(', ')}`,
    });
  }
  const short = field(fields, 'short');
  issues.push(...shortLabelIssues(short));
  const item: Record<string, unknown> = { id, type, required: checked(fields, 'required') };
  if (text) item.text = text;
  if (short) item.short = short;
  if (type === 'single' || type === 'multiple') {
    const o = parseOptions(field(fields, 'options'));
    if (!o.ok) issues.push(...o.issues);
    else item.options = o.value;
  }
  if (type === 'grid') {
    const g = gridFromForm(fields);
    if (!g.ok) issues.push(...g.issues);
    else Object.assign(item, g.value);
  }
  if (type === 'number') {
    const min = numberField(fields, 'min', issues);
    const max = numberField(fields, 'max', issues);
    if (min !== undefined) item.min = min;
    if (max !== undefined) item.max = max;
    if (min !== undefined && max !== undefined && min > max) {
      issues.push({
        path: 'max',
        code: 'range',
        message: `the maximum (${max}) is below the minimum (${min}); swap them`,
      });
    }
    if (checked(fields, 'integer')) item.integer = true;
  }
  if (type === 'text' || type === 'longtext') {
    const maxLength = numberField(fields, 'maxLength', issues, true);
    if (maxLength !== undefined) {
      if (maxLength < 1)
        issues.push({
          path: 'maxLength',
          code: 'range',
          message: 'the maximum length must be at least 1 character',
        });
      else item.maxLength = maxLength;
    }
  }
  const showIf = field(fields, 'showIf');
  if (showIf) {
    const p = parseExpression(showIf);
    if (!p.ok) {
      issues.push({
        path: 'showIf',
        code: 'expression_syntax',
        message: `the condition "${showIf}" cannot be read: ${p.error.message}. Write e.g. year_of_study >= 3, or gender = 2 and age < 25`,
      });
    } else item.showIf = showIf;
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: item as ItemInput };
}

/** A support contact from the contact form (`name_en`, `name_ur`, `phone`, `url`, `hours_en`, `description_en`, …). */
export function contactFromForm(fields: Fields): Validated<SupportContact> {
  const issues: Issue[] = [];
  const name = localizedFrom(fields, 'name');
  if (!name)
    issues.push({
      path: 'name_en',
      code: 'no_name',
      message: 'give the service a name, e.g. "College counselling service"',
    });
  const phone = field(fields, 'phone');
  if (phone && !/^[+\d][\d\s()-]{2,30}$/.test(phone)) {
    issues.push({
      path: 'phone',
      code: 'bad_phone',
      message: `"${phone}" is not a phone number; use digits, spaces, - and a leading + (e.g. +92 51 111 222 333)`,
    });
  }
  const url = field(fields, 'url');
  if (url) {
    let ok = false;
    try {
      const u = new URL(url);
      ok = u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      ok = false;
    }
    if (!ok)
      issues.push({
        path: 'url',
        code: 'bad_url',
        message: `"${url}" is not a web address; write it in full, e.g. https://example.org/help`,
      });
  }
  if (!phone && !url)
    issues.push({
      path: 'phone',
      code: 'no_way',
      message: 'give a phone number or a web address so respondents can reach the service',
    });
  const hours = localizedFrom(fields, 'hours');
  const description = localizedFrom(fields, 'description');
  if (issues.length || !name) return { ok: false, issues };
  return {
    ok: true,
    value: {
      name,
      ...(phone ? { phone } : {}),
      ...(url ? { url } : {}),
      ...(hours ? { hours } : {}),
      ...(description ? { description } : {}),
    },
  };
}

/**
 * Set the consent text. Before the study was first launched the version stays as it is (1); after, any change
 * of the text bumps the version, so each response records which text its respondent agreed to.
 */
export function setConsent(
  def: StudyDraft,
  input: { text: LocalizedText | undefined; agreeLabel: LocalizedText | undefined; launched: boolean },
): { changed: boolean; version: number | null } {
  def.collection ??= {};
  const col = def.collection;
  const before = col.consent;
  if (!input.text) {
    const changed = before !== undefined;
    delete col.consent;
    return { changed, version: null };
  }
  const same = before !== undefined && JSON.stringify(before.text) === JSON.stringify(input.text);
  const prevVersion = before?.version ?? 1;
  const version = before === undefined ? 1 : !same && input.launched ? prevVersion + 1 : prevVersion;
  col.consent = { version, text: input.text, ...(input.agreeLabel ? { agreeLabel: input.agreeLabel } : {}) };
  return {
    changed: !same || JSON.stringify(before?.agreeLabel) !== JSON.stringify(input.agreeLabel),
    version,
  };
}

/** The consent text as one string (all languages), for the store's consent hash. */
export function consentTextOf(def: StudyDraft): string | null {
  const c = def.collection?.consent;
  if (!c) return null;
  return JSON.stringify({ version: c.version ?? 1, text: c.text });
}

interface LaunchCheck {
  /** Reasons the study cannot launch; empty when it can. */
  readonly problems: readonly Issue[];
  /**
   * Things the owner should know but that do not block the launch, each with its code
   * (core/study/launch.ts `WARNING_CODES` groups them into the launch checklist).
   */
  readonly warnings: readonly Issue[];
}

/**
 * Whether a study may launch (or reopen):
 * - the definition resolves and its flow builds;
 * - it asks at least one question;
 * - every instrument with safety rules (PHQ-9 item 9, DASS-21 extremely severe bands) has support contacts to
 *   show a respondent in distress;
 * - every instrument whose owner requires it has its terms acknowledged (recorded in the store);
 * - no instrument lacks its item text (text-pack instruments need their licensed text in every language of the
 *   study first), judged on the resolved study, with its text packs applied.
 * Warnings: library wording missing in a study language (shown in another language), unverified or
 * placeholder wording (BACE items 14, 24, 29), instruments without instructions in a study language.
 */
export function launchCheck(def: StudyDraft, acknowledged: ReadonlySet<string>): LaunchCheck {
  const problems: Issue[] = [];
  const warnings: Issue[] = [];
  const draft = def;
  const checkedDef = checkDefinition(def);
  if (!checkedDef.ok) {
    problems.push(...checkedDef.issues);
  }
  // The resolved study's instruments (text packs applied); the library's when the definition does not resolve.
  const instruments = checkedDef.ok
    ? checkedDef.value.resolved.instruments
    : (draft.instruments ?? [])
        .map((si) => studyInstrument(si))
        .filter((x): x is Instrument => x !== undefined);
  if (instruments.length === 0 && (draft.questions ?? []).length === 0) {
    problems.push({
      path: 'instruments',
      code: 'empty',
      message: 'the study asks nothing yet: add an instrument or a question',
    });
  }
  const contacts = draft.collection?.supportContacts ?? [];
  const langs = draft.languages?.length ? draft.languages : ['en'];
  for (const ins of instruments) {
    if (ins.safety.length > 0 && contacts.length === 0) {
      problems.push({
        path: 'collection.supportContacts',
        code: 'no_support_contacts',
        message: `${ins.shortTitle} has safety rules (${ins.safety.map((r) => r.description).join('; ')}): add at least one support contact (e.g. the college counselling service or a national helpline) under Support contacts, so a respondent in distress is shown where to get help.`,
      });
    }
    if (ins.licence.requiresAcknowledgement && !acknowledged.has(ins.id)) {
      if (!problems.some((p) => p.code === 'terms_not_acknowledged' && p.message === ACK_MESSAGE(ins)))
        problems.push({ path: 'instruments', code: 'terms_not_acknowledged', message: ACK_MESSAGE(ins) });
    }
    const st = instrumentTextStatus(ins, langs);
    if (!ins.licence.textIncluded) {
      // Licensed wording: every language the study offers needs the licensee's text for every item.
      for (const m of st.missing) {
        problems.push({
          path: 'instruments',
          code: 'needs_text_pack',
          message: `${ins.shortTitle} is licensed without its item text (${ins.licence.name}): nabz ships only its ids and scoring. Add the licensed ${languageName(m.lang)} wording as a text pack under Design → Instruments → ${ins.shortTitle} → Text (${m.items.length} of ${ins.items.length} items lack ${languageName(m.lang)} text: ${idList(m.items)}).`,
        });
      }
    } else {
      if (st.noText.length) {
        problems.push({
          path: 'instruments',
          code: 'needs_text_pack',
          message: `${ins.shortTitle} items ${idList(st.noText)} have no text in any language: add a text pack with their wording under Design → Instruments → ${ins.shortTitle} → Text.`,
        });
      }
      for (const m of st.missing) {
        warnings.push(
          warning(
            'instruments',
            'missing_translation',
          )(
            `${ins.shortTitle} has no ${languageName(m.lang)} wording for ${m.items.length === ins.items.length ? 'any of its' : `${m.items.length} of its ${ins.items.length}`} items (${idList(m.items)}): ${languageName(m.lang)} respondents see them in ${ins.languages[0] === 'en' ? 'English' : ins.languages[0]}, laid out in that language. ${getInstrument(ins.id) ? `Add a translation as a text pack under Design → Instruments → ${ins.shortTitle} → Text.` : `Add the ${languageName(m.lang)} wording after a | in each of its statements (Design → Instruments → ${ins.shortTitle}).`}`,
          ),
        );
      }
    }
    if (st.unverified.length) {
      warnings.push(
        warning(
          'instruments',
          'unverified_wording',
        )(
          `${ins.shortTitle} items ${st.unverified.map((u) => u.id).join(', ')} have unverified or placeholder wording (not checked against the owner's form): ${st.unverified.map((u) => `${u.id} "${u.text}"`).join('; ')}. Replace it with the official wording in a text pack before collecting data.`,
        ),
      );
    }
    if (st.noInstructions.length) {
      warnings.push(
        warning(
          'instruments',
          'missing_stem',
        )(
          `${ins.shortTitle} has no instructions (stem) in ${st.noInstructions.map(languageName).join(', ')}: respondents see its items without the introduction of the official form. Add the instructions from the official form in a text pack.`,
        ),
      );
    }
  }
  if (langs.includes('ur')) {
    const untranslated = (draft.questions ?? [])
      .filter((q) => q.text && !(q.text as LocalizedText).ur)
      .map((q) => q.id);
    if (untranslated.length)
      warnings.push(
        warning(
          'questions',
          'missing_translation',
        )(`Questions without Urdu text (shown in English): ${untranslated.join(', ')}.`),
      );
  }
  // A title per language without one of the study's languages: those respondents see the first language's.
  const title = draft.title;
  if (title && typeof title === 'object') {
    const lacking = langs.filter((l) => !title[l]);
    if (lacking.length)
      warnings.push(
        warning(
          'title',
          'missing_translation',
        )(
          `The study's title has no ${lacking.map(languageName).join(' or ')} text: those respondents see it in ${languageName(langs.find((l) => title[l]) ?? 'en')}. Add it under Design → Basics.`,
        ),
      );
  }
  if (!draft.collection?.consent)
    warnings.push(
      warning(
        'collection.consent',
        'no_consent',
      )('There is no consent text: respondents start with the questions.'),
    );
  return { problems: dedupe(problems), warnings };
}

/** A launch warning with its path and code. */
function warning(path: string, code: string): (message: string) => Issue {
  return (message) => ({ path, code, message });
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
