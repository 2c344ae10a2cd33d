/**
 * The study's design page (owner only): basics and languages, instruments (with their licences and the
 * acknowledgement of terms where the owner requires it), the study's own questions, consent, eligibility
 * screening, support contacts, collection settings, and the whole definition as JSON.
 *
 * Every form posts to `/studies/:id/edit/<section>`; a valid change is saved as a new definition version with
 * an audit entry and answered with 303 back to the page, an invalid one re-renders the page (400) with the
 * problems listed by field and what was typed kept.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Instrument, Issue, Item, LocalizedText } from '../../core/instrument/schema.js';
import { getInstrument, listInstruments } from '../../instruments/index.js';
import type { Study, User } from '../../store/index.js';
import { HttpError } from '../errors.js';
import { parseParams, parseQuery, queryText, segment } from '../request.js';
import {
  loadStudy,
  page,
  ROLES,
  type StudioContext,
  type StudyRequest,
  saveDefinition,
  seeOther,
} from './common.js';
import {
  checkDefinition,
  checked,
  contactFromForm,
  type Fields,
  field,
  fieldAll,
  gridFromForm,
  localizedFrom,
  needsTextPack,
  optionsText,
  parseJsonObject,
  questionFromForm,
  rowsText,
  STUDIO_LANGUAGES,
  type StudyDraft,
  setConsent,
  shortLabelIssues,
  studyInstrument,
  titleIssues,
} from './definition.js';
import { checkbox, input, select, textarea } from './forms.js';
import { csrfField, esc, issuesHtml, postButton } from './layout.js';
import { ownForm, ownSection } from './own.js';
import { textPackForm, textPacksSection, textPanel } from './textpacks.js';

type SectionResult =
  | { ok: true; change: string; detail?: Record<string, unknown>; acknowledge?: string[] }
  | { ok: false; issues: Issue[] };

interface SectionInput {
  readonly draft: StudyDraft;
  readonly fields: Fields;
  readonly study: Study;
  readonly user: User;
}

/** The sections of the Design page, each posted to `/studies/:id/edit/<section>`. */
export const SECTIONS = [
  'basics',
  'instruments',
  'textpacks',
  'own',
  'questions',
  'consent',
  'eligibility',
  'contacts',
  'settings',
  'json',
] as const;
type Section = (typeof SECTIONS)[number];

const SECTION_TITLES: Record<Section, string> = {
  basics: 'Basics',
  instruments: 'Instruments',
  textpacks: 'Instruments (text)',
  own: 'Own instrument',
  questions: 'Questions',
  consent: 'Consent',
  eligibility: 'Eligibility screening',
  contacts: 'Support contacts',
  settings: 'Collection settings',
  json: 'Edit the definition as JSON',
};

/** Failed form: which section, its problems and the posted fields (to keep what was typed). */
interface FormError {
  readonly section: Section;
  readonly form: string;
  readonly issues: readonly Issue[];
  readonly fields: Fields;
}

// ------------------------------------------------------------------------------------------ change handlers

function variableIds(draft: StudyDraft): Set<string> {
  const ids = new Set<string>();
  for (const si of draft.instruments ?? []) {
    if (typeof si.instrument === 'string') ids.add(si.instrument);
    for (const it of studyInstrument(si)?.items ?? []) ids.add(it.id);
  }
  for (const q of draft.questions ?? []) ids.add(q.id);
  for (const q of draft.collection?.eligibility?.questions ?? []) ids.add(q.id);
  return ids;
}

function basics({ draft, fields }: SectionInput): SectionResult {
  const title = field(fields, 'title');
  const issues = titleIssues(title);
  const languages = fieldAll(fields, 'languages').filter((l) => STUDIO_LANGUAGES.some((s) => s.code === l));
  if (languages.length === 0)
    issues.push({
      path: 'languages',
      code: 'required',
      message: 'choose at least one language (English, Urdu)',
    });
  if (issues.length) return { ok: false, issues };
  draft.title = title;
  const description = field(fields, 'description');
  if (description) draft.description = description;
  else delete draft.description;
  draft.languages = STUDIO_LANGUAGES.map((l) => l.code).filter((c) => languages.includes(c));
  return { ok: true, change: 'basics', detail: { languages: draft.languages } };
}

function instruments({ draft, fields }: SectionInput): SectionResult {
  const action = field(fields, 'action');
  const id = field(fields, 'instrument');
  // An own instrument (inline definition) is removed like a library one.
  if (action === 'remove' && draft.instruments?.some((si) => si.instrument === id && si.definition)) {
    draft.instruments = draft.instruments.filter((si) => si.instrument !== id);
    return { ok: true, change: 'instrument.remove', detail: { instrument: id } };
  }
  const ins = getInstrument(id);
  if (!ins)
    return {
      ok: false,
      issues: [
        { path: 'instrument', code: 'unknown', message: `"${id}" is not an instrument of the library` },
      ],
    };
  draft.instruments ??= [];
  const list = draft.instruments;
  if (action === 'remove') {
    draft.instruments = list.filter((si) => si.instrument !== id);
    return { ok: true, change: 'instrument.remove', detail: { instrument: id } };
  }
  if (list.some((si) => si.instrument === id)) {
    return {
      ok: false,
      issues: [
        { path: 'instrument', code: 'duplicate', message: `${ins.shortTitle} is already part of the study` },
      ],
    };
  }
  if (ins.licence.requiresAcknowledgement && !checked(fields, 'acknowledge')) {
    return {
      ok: false,
      issues: [
        {
          path: 'acknowledge',
          code: 'terms_not_acknowledged',
          message: `${ins.shortTitle}'s owner requires you to accept their terms: read them and tick "I have read and accept the terms" to add it.`,
        },
      ],
    };
  }
  list.push({ instrument: id, version: ins.version });
  return {
    ok: true,
    change: 'instrument.add',
    detail: { instrument: id },
    ...(ins.licence.requiresAcknowledgement ? { acknowledge: [id] } : {}),
  };
}

function addQuestion(
  list: NonNullable<StudyDraft['questions']>,
  draft: StudyDraft,
  fields: Fields,
  grid = false,
): SectionResult | Item {
  const q = questionFromForm(fields, variableIds(draft), { grid });
  if (!q.ok) return { ok: false, issues: [...q.issues] };
  list.push(q.value as NonNullable<StudyDraft['questions']>[number]);
  return q.value as Item;
}

function questions({ draft, fields }: SectionInput): SectionResult {
  const action = field(fields, 'action');
  draft.questions ??= [];
  const list = draft.questions;
  if (['remove', 'up', 'down', 'short', 'grid'].includes(action)) {
    const id = field(fields, 'id');
    const i = list.findIndex((q) => q.id === id);
    if (i < 0)
      return {
        ok: false,
        issues: [{ path: 'id', code: 'unknown', message: `there is no question "${id}"` }],
      };
    if (action === 'short') {
      const short = field(fields, 'short');
      const issues = shortLabelIssues(short);
      if (issues.length) return { ok: false, issues };
      if (short) list[i]!.short = short;
      else delete list[i]!.short;
      return { ok: true, change: 'question.short', detail: { question: id, short: short || null } };
    }
    if (action === 'grid') {
      // A grid's shared scale and statements, edited in place (row ids, and so the variables, stay as written).
      const q = list[i]!;
      if ((q as { type?: string }).type !== 'grid')
        return {
          ok: false,
          issues: [{ path: 'id', code: 'not_grid', message: `"${id}" is not a grid question` }],
        };
      const r = gridFromForm(fields);
      if (!r.ok) return { ok: false, issues: [...r.issues] };
      q.options = r.value.options;
      (q as Record<string, unknown>).rows = r.value.rows;
      return {
        ok: true,
        change: 'question.grid',
        detail: { question: id, rows: r.value.rows.map((x) => x.id) },
      };
    }
    if (action === 'remove') list.splice(i, 1);
    else {
      const j = action === 'up' ? i - 1 : i + 1;
      if (j >= 0 && j < list.length) [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return { ok: true, change: `question.${action}`, detail: { question: id } };
  }
  const r = addQuestion(list, draft, fields, true);
  if ('ok' in r) return r;
  return { ok: true, change: 'question.add', detail: { question: r.id, type: r.type } };
}

function consent({ draft, fields, study }: SectionInput): SectionResult {
  const r = setConsent(draft, {
    text: localizedFrom(fields, 'text'),
    agreeLabel: localizedFrom(fields, 'agree'),
    launched: study.openedAt !== null,
  });
  return { ok: true, change: 'consent', detail: { consentVersion: r.version } };
}

function eligibility({ draft, fields }: SectionInput): SectionResult {
  const action = field(fields, 'action');
  draft.collection ??= {};
  const col = draft.collection;
  if (action === 'clear') {
    delete col.eligibility;
    return { ok: true, change: 'eligibility.clear' };
  }
  if (action === 'remove') {
    const id = field(fields, 'id');
    const el = col.eligibility;
    if (!el)
      return {
        ok: false,
        issues: [{ path: 'id', code: 'unknown', message: 'there are no screening questions' }],
      };
    el.questions = el.questions.filter((q) => q.id !== id);
    if (el.questions.length === 0) delete col.eligibility;
    return { ok: true, change: 'eligibility.remove', detail: { question: id } };
  }
  const rule = field(fields, 'eligibleIf');
  const message = localizedFrom(fields, 'ineligible');
  if (action === 'rule') {
    if (!col.eligibility) {
      return {
        ok: false,
        issues: [{ path: 'eligibleIf', code: 'no_questions', message: 'add a screening question first' }],
      };
    }
    if (!rule)
      return {
        ok: false,
        issues: [
          {
            path: 'eligibleIf',
            code: 'required',
            message: 'write the rule, e.g. age >= 18 and consent_student = 1',
          },
        ],
      };
    col.eligibility.eligibleIf = rule;
    if (message) col.eligibility.ineligibleMessage = message;
    else delete col.eligibility.ineligibleMessage;
    return { ok: true, change: 'eligibility.rule' };
  }
  // Add a screening question (with the rule, required when it is the first one).
  const existing = col.eligibility;
  if (!existing && !rule) {
    return {
      ok: false,
      issues: [
        {
          path: 'eligibleIf',
          code: 'required',
          message: 'the first screening question needs the eligibility rule too, e.g. age >= 18',
        },
      ],
    };
  }
  const el = existing ?? { questions: [], eligibleIf: rule };
  const r = addQuestion(el.questions, draft, fields);
  if ('ok' in r) return r;
  if (rule) el.eligibleIf = rule;
  if (message) el.ineligibleMessage = message;
  col.eligibility = el;
  return { ok: true, change: 'eligibility.add', detail: { question: r.id } };
}

function contacts({ draft, fields }: SectionInput): SectionResult {
  const action = field(fields, 'action');
  draft.collection ??= {};
  const col = draft.collection;
  col.supportContacts ??= [];
  const list = col.supportContacts;
  if (action === 'remove') {
    const i = Number(field(fields, 'index'));
    if (!Number.isInteger(i) || i < 0 || i >= list.length) {
      return {
        ok: false,
        issues: [
          { path: 'index', code: 'unknown', message: 'that contact no longer exists; reload the page' },
        ],
      };
    }
    list.splice(i, 1);
    return { ok: true, change: 'contact.remove' };
  }
  const c = contactFromForm(fields);
  if (!c.ok) return { ok: false, issues: [...c.issues] };
  list.push(c.value as (typeof list)[number]);
  return { ok: true, change: 'contact.add' };
}

function settings({ draft, fields }: SectionInput): SectionResult {
  draft.collection ??= {};
  const col = draft.collection;
  const kText = field(fields, 'minCellSize');
  const k = Number(kText);
  if (!/^\d+$/.test(kText) || k < 1 || k > 1000) {
    return {
      ok: false,
      issues: [
        {
          path: 'minCellSize',
          code: 'range',
          message: `"${kText}" is not a valid k: use a whole number from 1 to 1000 (5 is the usual minimum; 10 is safer for small classes)`,
        },
      ],
    };
  }
  col.anonymous = checked(fields, 'anonymous');
  col.collectTimes = checked(fields, 'collectTimes');
  col.referrals = checked(fields, 'referrals');
  col.minCellSize = k;
  const thankYou = localizedFrom(fields, 'thankYou');
  if (thankYou) col.thankYou = thankYou;
  else delete col.thankYou;
  return {
    ok: true,
    change: 'settings',
    detail: {
      anonymous: col.anonymous,
      collectTimes: col.collectTimes,
      referrals: col.referrals,
      minCellSize: k,
    },
  };
}

function json({ draft, fields }: SectionInput): SectionResult {
  const parsed = parseJsonObject(field(fields, 'definition'), '(JSON)', 'the text');
  if (!parsed.ok) return { ok: false, issues: [...parsed.issues] };
  for (const k of Object.keys(draft)) delete draft[k];
  Object.assign(draft, parsed.value);
  return { ok: true, change: 'json' };
}

const HANDLERS: Record<Section, (input: SectionInput) => SectionResult> = {
  basics,
  instruments,
  textpacks: ({ draft, fields }) => textPacksSection(draft, fields),
  own: ({ draft, fields }) => ownSection(draft, fields, variableIds(draft)),
  questions,
  consent,
  eligibility,
  contacts,
  settings,
  json,
};

// ------------------------------------------------------------------------------------------ page

function lt(t: unknown, lang: string): string {
  return t && typeof t === 'object' ? ((t as Record<string, string>)[lang] ?? '') : '';
}

function enText(t: LocalizedText | undefined): string {
  if (!t) return '';
  return t.en ?? Object.values(t)[0] ?? '';
}

/** Value of a field: the posted one when this form failed, else the stored one. */
function valueFor(err: FormError | undefined, form: string, name: string, stored: string): string {
  if (err && err.form === form) {
    const v = err.fields[name];
    return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
  }
  return stored;
}

/** A collapsible block, open when one of its forms failed (so the problems and typed values are visible). */
function fold(summary: string, content: string, open: boolean): string {
  return `<details${open ? ' open' : ''}><summary>${esc(summary)}</summary>${content}</details>`;
}

function errorsFor(err: FormError | undefined, form: string): string {
  return err && err.form === form ? issuesHtml(err.issues) : '';
}

function questionTable(
  list: readonly (Item | Record<string, unknown>)[],
  base: string,
  csrf: string,
  section: 'questions' | 'eligibility',
): string {
  if (list.length === 0) return '<p class="muted">None yet.</p>';
  const rows = list
    .map((raw, i) => {
      const q = raw as Item;
      const opts = q.options
        ? `<br><span class="hint">${esc(q.options.map((o) => `${o.value} = ${enText(o.label)}`).join('; '))}</span>`
        : '';
      const rows = (raw as { rows?: { id: string; text: LocalizedText }[] }).rows;
      const rowList = rows
        ? `<br><span class="hint">Statements: ${esc(rows.map((r) => `${q.id}_${r.id} ${enText(r.text)}`).join('; '))}</span>`
        : '';
      const gridEdit =
        section === 'questions' && rows
          ? `<details><summary>Edit the scale and statements</summary><form method="post" action="${base}/edit/questions#questions" class="stack">${csrfField(csrf)}<input type="hidden" name="action" value="grid"><input type="hidden" name="id" value="${esc(q.id)}">` +
            textarea(`grid-${q.id}`, 'options', 'Response scale, lowest first', optionsText(q.options), {
              rows: 5,
            }) +
            textarea(`grid-${q.id}`, 'rows', 'Statements', rowsText(rows), {
              rows: Math.min(12, rows.length + 1),
              hint: 'Keep each statement’s id (before =) to keep its variable; a new line adds a statement.',
            }) +
            '<div><button>Save the grid</button></div></form></details>'
          : '';
      const short =
        section === 'questions'
          ? `<form method="post" action="${base}/edit/questions#questions" class="row">${csrfField(csrf)}<input type="hidden" name="action" value="short"><input type="hidden" name="id" value="${esc(q.id)}">` +
            `<label for="short-${esc(q.id)}" class="hint">Short label</label><input id="short-${esc(q.id)}" name="short" value="${esc(q.short ?? '')}" maxlength="60" placeholder="derived from the question"><button>Save label</button></form>`
          : '';
      const moves =
        section === 'questions'
          ? (i > 0
              ? postButton(`${base}/edit/questions#questions`, csrf, '↑', {
                  hidden: { action: 'up', id: q.id },
                })
              : '') +
            (i < list.length - 1
              ? postButton(`${base}/edit/questions#questions`, csrf, '↓', {
                  hidden: { action: 'down', id: q.id },
                })
              : '')
          : '';
      return (
        `<tr><td><code>${esc(q.id)}</code></td><td>${esc(q.type ?? 'scale')}${q.required ? ' · required' : ''}</td>` +
        `<td dir="auto">${esc(enText(q.text))}${q.text?.ur ? `<br><span lang="ur" dir="rtl">${esc(q.text.ur)}</span>` : ''}${opts}${rowList}${gridEdit}${short}` +
        `${q.showIf ? `<br><span class="hint">shown if <code>${esc(q.showIf)}</code></span>` : ''}</td>` +
        `<td><div class="row">${moves}${postButton(`${base}/edit/${section}#${section}`, csrf, 'Remove', { className: 'danger', hidden: { action: 'remove', id: q.id } })}</div></td></tr>`
      );
    })
    .join('');
  return `<div class="wrap"><table><thead><tr><th>Variable</th><th>Type</th><th>Question</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function questionForm(
  base: string,
  csrf: string,
  err: FormError | undefined,
  form: 'question' | 'screening',
  extra = '',
): string {
  const p = form === 'question' ? 'q' : 'sq';
  const v = (name: string, d = '') => valueFor(err, form, name, d);
  const type = v('type', 'single');
  const required = err && err.form === form ? checked(err.fields, 'required') : false;
  const integer = err && err.form === form ? checked(err.fields, 'integer') : false;
  return (
    `<form method="post" action="${base}/edit/${form === 'question' ? 'questions#questions' : 'eligibility#eligibility'}" class="stack card">${csrfField(csrf)}` +
    `<input type="hidden" name="action" value="add"><input type="hidden" name="_form" value="${form}">` +
    errorsFor(err, form) +
    input(p, 'id', 'Variable name', v('id'), {
      hint: 'Used in exports and conditions: letters, digits and _, starting with a letter (e.g. year_of_study).',
      required: true,
      maxlength: 64,
    }) +
    textarea(p, 'text_en', 'Question (English)', v('text_en'), { rows: 2 }) +
    textarea(p, 'text_ur', 'Question (Urdu)', v('text_ur'), { rows: 2, lang: 'ur' }) +
    select(p, 'type', 'Answer type', type, [
      { value: 'single', label: 'Single choice' },
      { value: 'multiple', label: 'Multiple choice (select all that apply)' },
      ...(form === 'question'
        ? [{ value: 'grid', label: 'Grid: statements sharing one response scale (e.g. Likert)' }]
        : []),
      { value: 'number', label: 'Number' },
      { value: 'text', label: 'Short text' },
      { value: 'longtext', label: 'Long text' },
    ]) +
    textarea(p, 'options', 'Options (choice questions; the shared scale of a grid)', v('options'), {
      rows: 4,
      hint: 'One per line: "Female | خاتون". Values are 1, 2, 3… unless you write them: "0 = No | نہیں". For a grid, lowest first: "1 = Strongly disagree".',
    }) +
    (form === 'question'
      ? textarea(p, 'rows', 'Statements (grid rows)', v('rows'), {
          rows: 4,
          hint: 'One per line: "Exams | امتحانات". Each becomes a variable <variable name>_1, _2, … unless you name it: "exams = Exams".',
        })
      : '') +
    input(p, 'short', 'Short label (optional)', v('short'), {
      hint: 'For report headings, tables and exports, e.g. "Level of training"; at most 60 characters. Derived from the question when empty.',
      maxlength: 60,
    }) +
    `<div class="row">${input(p, 'min', 'Minimum (numbers)', v('min'), { type: 'number' })}${input(p, 'max', 'Maximum (numbers)', v('max'), { type: 'number' })}${input(p, 'maxLength', 'Maximum length (text)', v('maxLength'), { type: 'number', min: 1 })}</div>` +
    checkbox(p, 'integer', 'Whole numbers only', integer) +
    checkbox(p, 'required', 'Required', required) +
    input(p, 'showIf', 'Show only if (optional)', v('showIf'), {
      hint: 'A condition on earlier answers, e.g. year_of_study >= 3, or gender = 2 and age < 25. Leave empty to always show.',
    }) +
    extra +
    `<div><button class="primary">Add ${form === 'question' ? 'question' : 'screening question'}</button></div></form>`
  );
}

function instrumentCard(
  ins: Instrument,
  base: string,
  csrf: string,
  err: FormError | undefined,
  used: boolean,
  acknowledgedBy?: string,
  text = '',
): string {
  const textPack =
    !used && needsTextPack(ins)
      ? `<p class="notice">${esc(ins.shortTitle)} is licensed without its item text: nabz has only its item ids and scoring. After adding it, paste the licensed wording (a <em>text pack</em>, per language) under its Text; the study launches once every language has it.</p>`
      : '';
  const safety = ins.safety.length
    ? `<p class="hint">Safety rules: ${esc(ins.safety.map((s) => s.description).join('; '))}. Respondents who meet them are shown your support contacts, so the study needs at least one.</p>`
    : '';
  const head =
    `<h3>${esc(ins.shortTitle)} <span class="muted">— ${esc(enText(ins.title))}, ${ins.items.length} items, version ${esc(ins.version)}</span></h3>` +
    `<p><strong>Licence:</strong> ${esc(ins.licence.name)}${ins.licence.url ? ` (<a href="${esc(ins.licence.url)}" rel="noopener noreferrer">${esc(ins.licence.url)}</a>)` : ''}</p>` +
    `<details><summary>Terms of use</summary><div class="terms">${esc(ins.licence.terms)}</div></details>` +
    safety +
    textPack;
  if (used) {
    return `<div class="card">${head}${acknowledgedBy ? `<p class="ok">Terms accepted by ${esc(acknowledgedBy)}.</p>` : ''}${text}${postButton(
      `${base}/edit/instruments#instruments`,
      csrf,
      `Remove ${ins.shortTitle}`,
      {
        className: 'danger',
        hidden: { action: 'remove', instrument: ins.id },
      },
    )}</div>`;
  }
  const form = `instrument:${ins.id}`;
  const ack = ins.licence.requiresAcknowledgement
    ? checkbox(
        `ack-${ins.id}`,
        'acknowledge',
        `I have read and accept the terms of ${ins.shortTitle}`,
        false,
        {
          hint: 'Required by the instrument’s owner; recorded with your name and the time.',
        },
      )
    : '';
  return `<div class="card">${head}<form method="post" action="${base}/edit/instruments#instruments" class="stack">${csrfField(csrf)}<input type="hidden" name="_form" value="${esc(form)}"><input type="hidden" name="action" value="add"><input type="hidden" name="instrument" value="${esc(ins.id)}">${errorsFor(err, form)}${ack}<div><button>Add ${esc(ins.shortTitle)}</button></div></form></div>`;
}

/** The design page. */
export async function renderEdit(
  ctx: StudioContext,
  s: StudyRequest,
  csrf: string,
  opts: { err?: FormError; saved?: string | undefined },
): Promise<string> {
  const { study } = s;
  const base = `/studies/${study.id}`;
  const draft = study.definition as StudyDraft;
  const err = opts.err;
  const col = draft.collection ?? {};
  const acks = new Map<string, string>();
  for (const a of await ctx.store.acknowledgements.list(study.id)) {
    if (acks.has(a.instrumentId)) continue;
    const u = await ctx.store.users.byId(a.userId);
    acks.set(
      a.instrumentId,
      `${u?.displayName ?? `user ${a.userId}`} on ${a.acknowledgedAt.toISOString().slice(0, 10)}`,
    );
  }
  const out: string[] = [];
  out.push('<h1>Design</h1>');
  if (opts.saved) out.push(`<p class="ok" role="status">Saved as version ${esc(String(study.version))}.</p>`);
  if (err) {
    out.push(
      `<div class="errors" role="alert"><p><strong>Not saved.</strong> <a href="#${err.section}">See the problem${err.issues.length === 1 ? '' : 's'} under ${esc(SECTION_TITLES[err.section])}</a>.</p></div>`,
    );
  }
  if (study.status === 'open') {
    out.push(
      '<p class="notice">The study is open: each change is saved as a new version; responses keep the version they answered. A change to the consent text gets a new consent version.</p>',
    );
  }
  out.push(
    '<nav aria-label="Sections"><p class="row"><a href="#basics">Basics</a> <a href="#instruments">Instruments</a> <a href="#questions">Questions</a> <a href="#consent">Consent</a> <a href="#eligibility">Eligibility</a> <a href="#contacts">Support contacts</a> <a href="#settings">Settings</a> <a href="#json">JSON</a></p></nav>',
  );

  // Basics
  const langs = err?.form === 'basics' ? fieldAll(err.fields, 'languages') : (draft.languages ?? ['en']);
  out.push(
    `<section id="basics"><h2>Basics</h2><form method="post" action="${base}/edit/basics#basics" class="stack">${csrfField(csrf)}<input type="hidden" name="_form" value="basics">` +
      errorsFor(err, 'basics') +
      input('b', 'title', 'Title', valueFor(err, 'basics', 'title', draft.title ?? study.title), {
        required: true,
        maxlength: 200,
      }) +
      textarea(
        'b',
        'description',
        'Description (for you; not shown to respondents)',
        valueFor(err, 'basics', 'description', draft.description ?? ''),
        { rows: 2 },
      ) +
      `<fieldset><legend>Languages respondents can choose</legend>${STUDIO_LANGUAGES.map((l) => checkbox('b', 'languages', l.name, langs.includes(l.code), { value: l.code })).join('')}</fieldset>` +
      '<div><button class="primary">Save basics</button></div></form></section>',
  );

  // Instruments
  const used = new Set((draft.instruments ?? []).map((si) => si.instrument));
  // The instruments as the study resolves them (text packs applied), for what their text still lacks.
  const checkedDef = checkDefinition(draft);
  const resolvedIns = new Map(
    checkedDef.ok ? checkedDef.value.resolved.instruments.map((i) => [i.id, i] as const) : [],
  );
  const usedCards = [...used]
    .map((id) => getInstrument(id))
    .filter((x): x is Instrument => x !== undefined)
    .map((ins) => {
      const tf = textPackForm(ins.id);
      const text = textPanel({
        resolved: resolvedIns.get(ins.id) ?? ins,
        draft,
        base,
        csrf,
        err:
          err &&
          (err.form === tf || (err.section === 'textpacks' && field(err.fields, 'instrument') === ins.id))
            ? err
            : undefined,
      });
      return instrumentCard(ins, base, csrf, err, true, acks.get(ins.id), text);
    })
    .join('');
  const ownErr = (form: string) => (err && err.form === form ? err : undefined);
  const ownCards = (draft.instruments ?? [])
    .filter((si) => si.definition !== undefined)
    .map((si) => {
      const ins = studyInstrument(si);
      const head = ins
        ? `<h3>${esc(ins.shortTitle)} <span class="muted">— ${esc(enText(ins.title))}, own instrument, ${ins.items.length} statements</span></h3>`
        : `<h3>${esc(si.instrument)} <span class="muted">— own instrument (its definition has problems; fix them in the JSON editor)</span></h3>`;
      return (
        `<div class="card" id="own-${esc(si.instrument)}">${head}` +
        (ins
          ? fold(
              `Edit ${ins.shortTitle}: statements, reverse keys, score`,
              ownForm({ base, csrf, instrument: ins, err: ownErr(`own:${ins.id}`) }),
              ownErr(`own:${ins.id}`) !== undefined,
            )
          : '') +
        postButton(
          `${base}/edit/instruments#instruments`,
          csrf,
          `Remove ${ins?.shortTitle ?? si.instrument}`,
          {
            className: 'danger',
            hidden: { action: 'remove', instrument: si.instrument },
          },
        ) +
        '</div>'
      );
    })
    .join('');
  const available = listInstruments()
    .filter((ins) => !used.has(ins.id))
    .map((ins) => instrumentCard(ins, base, csrf, err, false))
    .join('');
  out.push(
    `<section id="instruments"><h2>Instruments</h2><div id="textpacks">${usedCards + ownCards || '<p class="muted">No instrument yet.</p>'}</div>` +
      `<h3 id="own">Your own instrument</h3>${fold(
        'Create a Likert grid: statements sharing one response scale, reverse keys, a score',
        ownForm({ base, csrf, err: ownErr('own') }),
        ownErr('own') !== undefined,
      )}` +
      `<h3>Add from the library</h3>${errorsFor(err, 'instruments')}${
        available
          ? fold(
              'Show the library: licences and terms',
              available,
              err?.section === 'instruments' || used.size === 0,
            )
          : '<p class="muted">Every library instrument is in the study.</p>'
      }</section>`,
  );

  // Questions
  out.push(
    `<section id="questions"><h2>Demographics and your own questions</h2>${errorsFor(err, 'questions')}${questionTable(draft.questions ?? [], base, csrf, 'questions')}` +
      `<h3>Add a question</h3>${fold('Question form', questionForm(base, csrf, err, 'question'), err?.form === 'question')}</section>`,
  );

  // Consent
  const c = col.consent;
  out.push(
    `<section id="consent"><h2>Consent</h2>${c ? `<p class="muted">Current consent version: ${esc(String(c.version ?? 1))}.</p>` : '<p class="muted">No consent page yet.</p>'}` +
      `<form method="post" action="${base}/edit/consent#consent" class="stack">${csrfField(csrf)}<input type="hidden" name="_form" value="consent">${errorsFor(err, 'consent')}` +
      textarea(
        'c',
        'text_en',
        'Consent text (English)',
        valueFor(err, 'consent', 'text_en', lt(c?.text, 'en')),
        {
          rows: 6,
          hint: 'Blank lines separate paragraphs. Leave both languages empty to remove the consent page.',
        },
      ) +
      textarea(
        'c',
        'text_ur',
        'Consent text (Urdu)',
        valueFor(err, 'consent', 'text_ur', lt(c?.text, 'ur')),
        { rows: 6, lang: 'ur' },
      ) +
      input(
        'c',
        'agree_en',
        'Agree button (English, optional)',
        valueFor(err, 'consent', 'agree_en', lt(c?.agreeLabel, 'en')),
      ) +
      input(
        'c',
        'agree_ur',
        'Agree button (Urdu, optional)',
        valueFor(err, 'consent', 'agree_ur', lt(c?.agreeLabel, 'ur')),
        { lang: 'ur' },
      ) +
      `<p class="hint">${study.openedAt ? 'The study has been launched: changing the text creates a new consent version.' : 'Before launch the consent stays version 1; after launch each change of the text gets a new version.'}</p>` +
      '<div><button class="primary">Save consent</button></div></form></section>',
  );

  // Eligibility
  const el = col.eligibility;
  const ruleExtra =
    input('sq', 'eligibleIf', 'Eligible if', valueFor(err, 'screening', 'eligibleIf', el?.eligibleIf ?? ''), {
      hint: 'A rule over the screening answers, e.g. age >= 18 and student = 1. Respondents who do not meet it see a polite end page; their answers are not kept (only a count).',
    }) +
    textarea(
      'sq',
      'ineligible_en',
      'Message for ineligible respondents (English, optional)',
      valueFor(err, 'screening', 'ineligible_en', lt(el?.ineligibleMessage, 'en')),
      { rows: 2 },
    ) +
    textarea(
      'sq',
      'ineligible_ur',
      'Message for ineligible respondents (Urdu, optional)',
      valueFor(err, 'screening', 'ineligible_ur', lt(el?.ineligibleMessage, 'ur')),
      { rows: 2, lang: 'ur' },
    );
  const ruleForm = el
    ? `<form method="post" action="${base}/edit/eligibility#eligibility" class="stack card">${csrfField(csrf)}<input type="hidden" name="_form" value="rule"><input type="hidden" name="action" value="rule">${errorsFor(err, 'rule')}` +
      input('er', 'eligibleIf', 'Eligible if', valueFor(err, 'rule', 'eligibleIf', el.eligibleIf), {
        required: true,
      }) +
      textarea(
        'er',
        'ineligible_en',
        'Message for ineligible respondents (English, optional)',
        valueFor(err, 'rule', 'ineligible_en', lt(el.ineligibleMessage, 'en')),
        { rows: 2 },
      ) +
      textarea(
        'er',
        'ineligible_ur',
        'Message for ineligible respondents (Urdu, optional)',
        valueFor(err, 'rule', 'ineligible_ur', lt(el.ineligibleMessage, 'ur')),
        { rows: 2, lang: 'ur' },
      ) +
      `<div class="row"><button class="primary">Save rule</button></div></form>${postButton(`${base}/edit/eligibility#eligibility`, csrf, 'Remove all screening', { className: 'danger', hidden: { action: 'clear' } })}`
    : '';
  out.push(
    `<section id="eligibility"><h2>Eligibility screening</h2>${errorsFor(err, 'eligibility')}${questionTable(el?.questions ?? [], base, csrf, 'eligibility')}${ruleForm}` +
      `<h3>Add a screening question</h3>${fold('Screening question form', questionForm(base, csrf, err, 'screening', el ? '' : ruleExtra), err?.form === 'screening')}</section>`,
  );

  // Support contacts
  const contactsList = col.supportContacts ?? [];
  const contactRows = contactsList
    .map(
      (sc, i) =>
        `<tr><td dir="auto">${esc(enText(sc.name))}${sc.name.ur ? `<br><span lang="ur" dir="rtl">${esc(sc.name.ur)}</span>` : ''}</td><td dir="ltr">${esc(sc.phone ?? '')}</td><td>${esc(sc.url ?? '')}</td><td>${esc(enText(sc.hours))}</td><td>${postButton(`${base}/edit/contacts#contacts`, csrf, 'Remove', { className: 'danger', hidden: { action: 'remove', index: String(i) } })}</td></tr>`,
    )
    .join('');
  const v = (name: string) => valueFor(err, 'contacts', name, '');
  out.push(
    `<section id="contacts"><h2>Support contacts</h2><p class="hint">Shown after submission to a respondent whose answers meet an instrument's safety rule (e.g. PHQ-9 item 9 above 0) — to that respondent only; nothing that identifies them is stored.</p>` +
      (contactRows
        ? `<div class="wrap"><table><thead><tr><th>Service</th><th>Phone</th><th>Web</th><th>Hours</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${contactRows}</tbody></table></div>`
        : '<p class="muted">No support contact yet.</p>') +
      `<details${err?.section === 'contacts' || contactsList.length === 0 ? ' open' : ''}><summary>Add a support contact</summary><form method="post" action="${base}/edit/contacts#contacts" class="stack card">${csrfField(csrf)}<input type="hidden" name="_form" value="contacts"><input type="hidden" name="action" value="add">${errorsFor(err, 'contacts')}` +
      input('sc', 'name_en', 'Service (English)', v('name_en'), {
        placeholder: 'College counselling service',
      }) +
      input('sc', 'name_ur', 'Service (Urdu)', v('name_ur'), { lang: 'ur' }) +
      input('sc', 'phone', 'Phone', v('phone'), { type: 'tel', placeholder: '+92 51 111 222 333' }) +
      input('sc', 'url', 'Web address', v('url'), { type: 'url', placeholder: 'https://' }) +
      input('sc', 'hours_en', 'Hours (English)', v('hours_en'), { placeholder: 'Mon–Fri 9:00–17:00' }) +
      input('sc', 'hours_ur', 'Hours (Urdu)', v('hours_ur'), { lang: 'ur' }) +
      textarea('sc', 'description_en', 'Description (English, optional)', v('description_en'), { rows: 2 }) +
      textarea('sc', 'description_ur', 'Description (Urdu, optional)', v('description_ur'), {
        rows: 2,
        lang: 'ur',
      }) +
      '<div><button class="primary">Add contact</button></div></form></details></section>',
  );

  // Settings
  const sf = err?.form === 'settings' ? err.fields : undefined;
  const on = (name: string, stored: boolean) => (sf ? checked(sf, name) : stored);
  out.push(
    `<section id="settings"><h2>Collection settings</h2><form method="post" action="${base}/edit/settings#settings" class="stack">${csrfField(csrf)}<input type="hidden" name="_form" value="settings">${errorsFor(err, 'settings')}` +
      checkbox('s', 'anonymous', 'Anonymous', on('anonymous', col.anonymous ?? true), {
        hint: 'No IP address, no user agent and no time of day is stored (recommended; on by default).',
      }) +
      checkbox(
        's',
        'collectTimes',
        'Record the time of submission',
        on('collectTimes', col.collectTimes ?? false),
        {
          hint: 'Off by default: only the date is kept. Exports give times only when this is on and chosen at export.',
        },
      ) +
      checkbox(
        's',
        'referrals',
        'Referral links (snowball sampling)',
        on('referrals', col.referrals ?? false),
        {
          hint: 'Each respondent may pass on a link; recruitment waves are counted without identifying anyone.',
        },
      ) +
      input(
        's',
        'minCellSize',
        'k: smallest group shown in aggregates',
        valueFor(err, 'settings', 'minCellSize', String(col.minCellSize ?? study.minCellSize)),
        {
          type: 'number',
          min: 1,
          hint: 'Cells and group comparisons with fewer respondents are suppressed in every aggregate view (default 5).',
        },
      ) +
      textarea(
        's',
        'thankYou_en',
        'Thank-you text (English, optional)',
        valueFor(err, 'settings', 'thankYou_en', lt(col.thankYou, 'en')),
        { rows: 2 },
      ) +
      textarea(
        's',
        'thankYou_ur',
        'Thank-you text (Urdu, optional)',
        valueFor(err, 'settings', 'thankYou_ur', lt(col.thankYou, 'ur')),
        { rows: 2, lang: 'ur' },
      ) +
      '<div><button class="primary">Save settings</button></div></form></section>',
  );

  // JSON
  out.push(
    `<section id="json"><h2>Edit the definition as JSON</h2><p class="hint">For what the forms do not cover (pages, sections). The analysis plan, with the study domains, has its own forms: <a href="${base}/plan">Analysis plan</a>. The whole definition is checked before it is saved; problems are listed by path.</p>` +
      `<details${err?.section === 'json' ? ' open' : ''}><summary>Open the JSON editor</summary><form method="post" action="${base}/edit/json#json" class="stack">${csrfField(csrf)}<input type="hidden" name="_form" value="json">${errorsFor(err, 'json')}` +
      textarea(
        'j',
        'definition',
        'Definition',
        valueFor(err, 'json', 'definition', JSON.stringify(study.definition, null, 2)),
        { rows: 24, className: 'json' },
      ) +
      '<div><button class="primary">Save JSON</button></div></form></details></section>',
  );
  return out.join('');
}

/** The form a POST came from (its `_form` field), defaulting to the section. */
function formOf(section: Section, fields: Fields): string {
  const f = field(fields, '_form');
  if (f) return f;
  if (['remove', 'up', 'down', 'clear', 'short', 'grid'].includes(field(fields, 'action'))) return section;
  return section === 'questions' ? 'question' : section === 'eligibility' ? 'eligibility' : section;
}

const EditQuery = z.object({ saved: queryText });
const SectionParams = z.object({ section: segment });

export function registerEdit(app: FastifyInstance, ctx: StudioContext): void {
  app.get('/studies/:id/edit', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const { saved } = parseQuery(req, EditQuery);
    const csrf = reply.generateCsrf();
    const body = await renderEdit(ctx, s, csrf, { saved });
    return page(reply, {
      title: `Design – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'edit',
      csrf,
      body: () => body,
    });
  });

  app.post('/studies/:id/edit/:section', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const asked = parseParams(req, SectionParams).section;
    const section = SECTIONS.find((x) => x === asked);
    if (!section) throw new HttpError(404, `There is no "${asked}" section to save.`, 'not_found');
    const fields = (req.body ?? {}) as Fields;
    const draft = structuredClone((s.study.definition ?? {}) as StudyDraft);
    const r = HANDLERS[section]({ draft, fields, study: s.study, user: s.user });
    let issues: readonly Issue[];
    const guard = r.ok ? await destructiveChange(ctx, s.study, draft, fields) : undefined;
    if (guard) {
      issues = [guard.issue];
    } else if (r.ok) {
      for (const id of r.acknowledge ?? []) {
        await ctx.store.audited(
          (tx) => tx.acknowledgements.record({ studyId: s.study.id, instrumentId: id, userId: s.user.id }),
          (rec) =>
            rec.created
              ? {
                  action: 'instrument.acknowledge',
                  studyId: s.study.id,
                  actorUserId: s.user.id,
                  detail: { instrument: id, terms: getInstrument(id)?.licence.name ?? id },
                }
              : undefined,
        );
      }
      const saved = await saveDefinition(ctx, {
        study: s.study,
        user: s.user,
        draft,
        change: r.change,
        ...(r.detail ? { detail: r.detail } : {}),
      });
      if (saved.ok) return seeOther(reply, `/studies/${s.study.id}/edit?saved=${section}#${section}`);
      issues = saved.issues;
    } else issues = r.issues;
    const err: FormError = { section, form: formOf(section, fields), issues, fields };
    const csrf = reply.generateCsrf();
    const body = await renderEdit(ctx, s, csrf, { err });
    return page(reply, {
      title: `Design – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'edit',
      status: 400,
      csrf,
      body: () => (guard?.removed.length ? confirmForm(s.study, section, fields, guard, csrf) : '') + body,
    });
  });
}

/**
 * A change that would orphan collected data (issue 12, finding 19): on an open study, a definition that asks
 * nothing (every response from then on would be empty) is refused outright; once there are responses, removing
 * questions or instruments they answered needs the owner's explicit confirmation (`confirm_remove` naming the
 * removed variables), because new responses will not have them and the analysis of the new version leaves them
 * out (the stored answers keep the version they answered).
 */
async function destructiveChange(
  ctx: StudioContext,
  study: Study,
  draft: StudyDraft,
  fields: Fields,
): Promise<{ issue: Issue; removed: string[] } | undefined> {
  const after = variableIds(draft);
  if (study.status === 'open' && after.size === 0)
    return {
      issue: {
        path: 'instruments',
        code: 'empty_open_study',
        message:
          'the study is open: it must keep at least one instrument or question, or every response from now on would be empty. Close the study first, or add something before removing the rest.',
      },
      removed: [],
    };
  const removed = [...variableIds(study.definition as StudyDraft)].filter((id) => !after.has(id)).sort();
  if (removed.length === 0) return undefined;
  const n = await ctx.store.responses.count(study.id);
  if (n === 0 || field(fields, 'confirm_remove') === removed.join(',')) return undefined;
  const shown =
    removed.length > 8
      ? `${removed.slice(0, 8).join(', ')} and ${removed.length - 8} more`
      : removed.join(', ');
  return {
    issue: {
      path: 'confirm_remove',
      code: 'confirm_remove',
      message: `this change removes ${removed.length} question(s) that ${n} stored response(s) answered (${shown}). Those answers stay stored with version ${study.version}, but new responses will not have them and the analysis of the new version leaves them out. Confirm below to save it as version ${study.version + 1}, or go back.`,
    },
    removed,
  };
}

/** The same form posted again with the confirmation of the removed variables. */
function confirmForm(
  study: Study,
  section: Section,
  fields: Fields,
  guard: { issue: Issue; removed: readonly string[] },
  csrf: string,
): string {
  const hidden: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (k === '_csrf' || k === 'confirm_remove' || v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v])
      hidden.push(`<input type="hidden" name="${esc(k)}" value="${esc(String(x))}">`);
  }
  return (
    `<div class="notice" role="alert"><p><strong>Confirm removing answered questions.</strong> ${esc(guard.issue.message)}</p>` +
    `<form method="post" action="/studies/${study.id}/edit/${section}">${csrfField(csrf)}${hidden.join('')}` +
    `<input type="hidden" name="confirm_remove" value="${esc(guard.removed.join(','))}">` +
    '<button class="danger">Remove them and save a new version</button></form></div>'
  );
}
