/**
 * The Design page as a pure function of its view model (issue 13: load → core → view(model)): `editPage(model)`
 * composes one view per section (basics, instruments, questions, consent, eligibility, contacts, settings,
 * JSON). edit.ts loads the model (the study, who accepted which terms, the instruments as the study resolves
 * them) and handles the posts.
 *
 * A failed form (issue 14, accessibility) is shown again with what was typed, its problems listed at the top of
 * the form (a link to each field) and under each field's visible label (`aria-describedby`, `aria-invalid`);
 * the first field with a problem takes the focus (`autofocus`, no script), or the list when no field matches.
 * Buttons name what they act on ("Move age down", "Remove age").
 */
import type { Instrument, Issue, Item, LocalizedText } from '../../core/instrument/schema.js';
import { type IntroTarget, introOf, introTargetName } from '../../core/study/editing.js';
import { draftInstrumentId, INTRO_MAX_LENGTH } from '../../core/study/schema.js';
import { type Html, html, raw } from '../ui/html.js';
import { scrollBox } from '../ui/table.js';
import {
  checked,
  type Fields,
  field,
  fieldAll,
  needsTextPack,
  optionsText,
  rowsText,
  STUDIO_LANGUAGES,
  type StudyDraft,
  studyInstrument,
} from './definition.js';
import { checkbox, type FieldState, input, select, textarea } from './forms.js';
import { csrfField, postButton } from './layout.js';
import { ownForm } from './own.js';
import { textPackForm, textPanel } from './textpacks.js';

/** The sections of the Design page, each posted to `/studies/:id/edit/<section>`. */
export const SECTIONS = [
  'basics',
  'instruments',
  'textpacks',
  'own',
  'questions',
  'intros',
  'consent',
  'eligibility',
  'contacts',
  'settings',
  'json',
] as const;
export type Section = (typeof SECTIONS)[number];

export const SECTION_TITLES: Record<Section, string> = {
  basics: 'Basics',
  instruments: 'Instruments',
  textpacks: 'Instruments (text)',
  own: 'Own instrument',
  questions: 'Questions',
  intros: 'Intro texts',
  consent: 'Consent',
  eligibility: 'Eligibility screening',
  contacts: 'Support contacts',
  settings: 'Collection settings',
  json: 'Edit the definition as JSON',
};

/** Failed form: which section, its problems and the posted fields (to keep what was typed). */
export interface FormError {
  readonly section: Section;
  readonly form: string;
  readonly issues: readonly Issue[];
  readonly fields: Fields;
}

/** Everything the Design page shows. */
export interface EditModel {
  readonly id: number;
  readonly title: string;
  readonly version: number;
  readonly status: 'draft' | 'open' | 'closed';
  readonly launched: boolean;
  readonly minCellSize: number;
  /** The stored definition (for the JSON editor) and the same as a draft. */
  readonly definition: unknown;
  readonly draft: StudyDraft;
  readonly csrf: string;
  readonly err?: FormError | undefined;
  readonly saved?: string | undefined;
  /** Instrument id → "who on which day" accepted its terms. */
  readonly acknowledgedBy: ReadonlyMap<string, string>;
  /** The study's instruments as it resolves them (text packs applied). */
  readonly resolved: ReadonlyMap<string, Instrument>;
  /** The library's instruments and whether the study uses each. */
  readonly library: readonly Instrument[];
}

// ------------------------------------------------------------------------------------------ form state

function lt(t: unknown, lang: string): string {
  return t && typeof t === 'object' ? ((t as Record<string, string>)[lang] ?? '') : '';
}

function enText(t: LocalizedText | undefined): string {
  if (!t) return '';
  return t.en ?? Object.values(t)[0] ?? '';
}

/** One form of the page: its values (posted after a failure, else stored), field problems and error list. */
interface FormState {
  readonly failed: boolean;
  value(name: string, stored: string): string;
  on(name: string, stored: boolean): boolean;
  state(name: string): FieldState | undefined;
  errors(): Html;
}

function formState(m: EditModel, form: string, prefix: string, names: readonly string[]): FormState {
  const err = m.err && m.err.form === form ? m.err : undefined;
  const byField = (name: string) => err?.issues.filter((i) => i.path === name) ?? [];
  const first = err?.issues.find((i) => names.includes(i.path))?.path;
  return {
    failed: err !== undefined,
    value: (name, stored) => (err ? (fieldAll(err.fields, name)[0] ?? field(err.fields, name)) : stored),
    on: (name, stored) => (err ? checked(err.fields, name) : stored),
    state: (name) => {
      const found = byField(name);
      return found.length
        ? { error: found.map((i) => i.message).join(' '), autofocus: name === first }
        : undefined;
    },
    errors: () =>
      err
        ? html`<div class="errors" role="alert" id="${prefix}-errors" tabindex="-1"${first === undefined ? raw(' autofocus') : ''}><p><strong>Please fix ${err.issues.length === 1 ? 'this problem' : 'these problems'}:</strong></p><ul>${err.issues.map(
            (i) =>
              html`<li>${names.includes(i.path) ? html`<a href="#${prefix}-${i.path}">${i.path}</a>: ` : i.path ? html`<code>${i.path}</code>: ` : ''}${i.message}</li>`,
          )}</ul></div>`
        : html``,
  };
}

/** The raw value of a form field after a failed post (textareas keep their line breaks). */
function typed(fields: Fields, name: string): string {
  const v = fields[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
}

function hidden(name: string, value: string): Html {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

function formOpen(m: EditModel, section: Section, form: string, className = 'stack'): Html {
  // No #fragment in the action: a page whose address names a fragment ignores `autofocus`, and a failed post
  // must put the focus on its first problem (a successful one is sent back to the section by its 303).
  return html`<form method="post" action="/studies/${m.id}/edit/${section}" class="${className}">${csrfField(m.csrf)}${hidden('_form', form)}`;
}

function fold(summary: string, content: Html, open: boolean): Html {
  return html`<details${open ? raw(' open') : ''}><summary>${summary}</summary>${content}</details>`;
}

// ------------------------------------------------------------------------------------------ page

/** The Design page. */
export function editPage(m: EditModel): Html {
  const err = m.err;
  return html`<h1>Design</h1>${
    m.saved
      ? html`<p class="ok" role="status">${m.saved === 'duplicate' ? `This is a copy, saved as a new draft study (version ${m.version}); accept the instruments' terms again if they ask for it.` : `Saved as version ${m.version}.`}</p>`
      : ''
  }${
    err
      ? html`<div class="errors" role="alert"><p><strong>Not saved.</strong> <a href="#${err.section}">See the problem${err.issues.length === 1 ? '' : 's'} under ${SECTION_TITLES[err.section]}</a>.</p></div>`
      : ''
  }${
    m.status === 'open'
      ? html`<p class="notice">The study is open: each change is saved as a new version; responses keep the version they answered. A change to the consent text gets a new consent version; a change to what a question's answers mean asks for confirmation once there are responses.</p>`
      : ''
  }<nav aria-label="Sections"><p class="row"><a href="#basics">Basics</a> <a href="#instruments">Instruments</a> <a href="#questions">Questions</a> <a href="#intros">Intro texts</a> <a href="#consent">Consent</a> <a href="#eligibility">Eligibility</a> <a href="#contacts">Support contacts</a> <a href="#settings">Settings</a> <a href="#json">JSON</a></p></nav>${[
    basicsView(m),
    instrumentsView(m),
    questionsView(m),
    introsView(m),
    consentView(m),
    eligibilityView(m),
    contactsView(m),
    settingsView(m),
    jsonView(m),
  ]}`;
}

function basicsView(m: EditModel): Html {
  const titleNames = STUDIO_LANGUAGES.map((l) => `title_${l.code}`);
  const f = formState(m, 'basics', 'b', [...titleNames, 'description', 'languages']);
  const langs = f.failed && m.err ? fieldAll(m.err.fields, 'languages') : (m.draft.languages ?? ['en']);
  const langState = f.state('languages');
  // A plain-string title (written before titles per language) is the study's first language's.
  const stored = m.draft.title ?? m.title;
  const storedTitle = (code: string) =>
    typeof stored === 'string' ? (code === (m.draft.languages?.[0] ?? 'en') ? stored : '') : lt(stored, code);
  return html`<section id="basics"><h2>Basics</h2>${formOpen(m, 'basics', 'basics')}${f.errors()}<p class="hint">Respondents see the title in their language (the study's first language when it has no title in theirs); the first language's title is required.</p>${[
    STUDIO_LANGUAGES.map((l) =>
      input('b', `title_${l.code}`, `Title (${l.name})`, f.value(`title_${l.code}`, storedTitle(l.code)), {
        maxlength: 200,
        lang: l.code,
        state: f.state(`title_${l.code}`),
      }),
    ),
    textarea(
      'b',
      'description',
      'Description (for you; not shown to respondents)',
      f.value('description', m.draft.description ?? ''),
      { rows: 2, state: f.state('description') },
    ),
  ]}<fieldset><legend>Languages respondents can choose</legend>${
    langState?.error ? html`<span class="field-error" id="b-languages-e">${langState.error}</span>` : ''
  }${STUDIO_LANGUAGES.map((l, i) =>
    checkbox('b', 'languages', l.name, langs.includes(l.code), {
      value: l.code,
      ...(langState ? { state: { ...langState, autofocus: i === 0 && langState.autofocus === true } } : {}),
      describedBy: langState ? 'b-languages-e' : '',
    }),
  )}</fieldset><div><button class="primary">Save basics</button></div></form></section>`;
}

// ------------------------------------------------------------------------------------------ instruments

function instrumentHead(ins: Instrument): Html {
  return html`<h3>${ins.shortTitle} <span class="muted">— ${enText(ins.title)}, ${ins.items.length} items, version ${ins.version}</span></h3><p><strong>Licence:</strong> ${ins.licence.name}${
    ins.licence.url
      ? html` (<a href="${ins.licence.url}" rel="noopener noreferrer">${ins.licence.url}</a>)`
      : ''
  }</p><details><summary>Terms of use</summary><div class="terms">${ins.licence.terms}</div></details>${
    ins.safety.length
      ? html`<p class="hint">Safety rules: ${ins.safety.map((s) => s.description).join('; ')}. Respondents who meet them are shown your support contacts, so the study needs at least one.</p>`
      : ''
  }`;
}

/** A library instrument the study uses: its licence, who accepted its terms, its text panel, Remove. */
function usedInstrumentCard(m: EditModel, ins: Instrument): Html {
  const err = m.err;
  const tf = textPackForm(ins.id);
  const text = textPanel({
    resolved: m.resolved.get(ins.id) ?? ins,
    draft: m.draft,
    base: `/studies/${m.id}`,
    csrf: m.csrf,
    err:
      err && (err.form === tf || (err.section === 'textpacks' && field(err.fields, 'instrument') === ins.id))
        ? err
        : undefined,
  });
  const by = m.acknowledgedBy.get(ins.id);
  return html`<div class="card">${instrumentHead(ins)}${by ? html`<p class="ok">Terms accepted by ${by}.</p>` : ''}${text}${postButton(
    `/studies/${m.id}/edit/instruments#instruments`,
    m.csrf,
    `Remove ${ins.shortTitle}`,
    {
      className: 'danger',
      hidden: { action: 'remove', instrument: ins.id },
    },
  )}</div>`;
}

/** A library instrument the study does not use: licence, terms to accept when required, Add. */
function availableInstrumentCard(m: EditModel, ins: Instrument): Html {
  const form = `instrument:${ins.id}`;
  const f = formState(m, form, `ack-${ins.id}`, ['acknowledge']);
  return html`<div class="card">${instrumentHead(ins)}${
    needsTextPack(ins)
      ? html`<p class="notice">${ins.shortTitle} is licensed without its item text: nabz has only its item ids and scoring. After adding it, paste the licensed wording (a <em>text pack</em>, per language) under its Text; the study launches once every language has it.</p>`
      : ''
  }${formOpen(m, 'instruments', form)}${hidden('action', 'add')}${hidden('instrument', ins.id)}${f.errors()}${
    ins.licence.requiresAcknowledgement
      ? checkbox(
          'ack-' + ins.id,
          'acknowledge',
          `I have read and accept the terms of ${ins.shortTitle}`,
          false,
          {
            hint: 'Required by the instrument’s owner; recorded with your name and the time.',
            state: f.state('acknowledge'),
          },
        )
      : ''
  }<div><button>Add ${ins.shortTitle}</button></div></form></div>`;
}

function ownInstrumentCard(m: EditModel, si: NonNullable<StudyDraft['instruments']>[number]): Html {
  const id = draftInstrumentId(si);
  const ins = studyInstrument(si);
  const err = ins && m.err?.form === `own:${ins.id}` ? m.err : undefined;
  return html`<div class="card" id="own-${id}">${
    ins
      ? html`<h3>${ins.shortTitle} <span class="muted">— ${enText(ins.title)}, own instrument, ${ins.items.length} statements</span></h3>${fold(
          `Edit ${ins.shortTitle}: statements, reverse keys, score`,
          ownForm({ base: `/studies/${m.id}`, csrf: m.csrf, instrument: ins, err }),
          err !== undefined,
        )}`
      : html`<h3>${id} <span class="muted">— own instrument (its definition has problems; fix them in the JSON editor)</span></h3>`
  }${postButton(`/studies/${m.id}/edit/instruments#instruments`, m.csrf, `Remove ${ins?.shortTitle ?? id}`, {
    className: 'danger',
    hidden: { action: 'remove', instrument: id },
  })}</div>`;
}

function instrumentsView(m: EditModel): Html {
  const used = new Set((m.draft.instruments ?? []).map((si) => si.instrument));
  const usedCards = m.library.filter((ins) => used.has(ins.id)).map((ins) => usedInstrumentCard(m, ins));
  const ownCards = (m.draft.instruments ?? [])
    .filter((si) => si.definition !== undefined)
    .map((si) => ownInstrumentCard(m, si));
  const available = m.library
    .filter((ins) => !used.has(ins.id))
    .map((ins) => availableInstrumentCard(m, ins));
  const ownErr = m.err?.form === 'own' ? m.err : undefined;
  const libErr = m.err?.form === 'instruments' ? m.err : undefined;
  return html`<section id="instruments"><h2>Instruments</h2><div id="textpacks">${
    usedCards.length + ownCards.length ? [usedCards, ownCards] : html`<p class="muted">No instrument yet.</p>`
  }</div><h3 id="own">Your own instrument</h3>${fold(
    'Create a Likert grid: statements sharing one response scale, reverse keys, a score',
    ownForm({ base: `/studies/${m.id}`, csrf: m.csrf, err: ownErr }),
    ownErr !== undefined,
  )}<h3>Add from the library</h3>${libErr ? formState(m, 'instruments', 'lib', []).errors() : ''}${
    available.length
      ? fold(
          'Show the library: licences and terms',
          html`${available}`,
          m.err?.section === 'instruments' || used.size === 0,
        )
      : html`<p class="muted">Every library instrument is in the study.</p>`
  }</section>`;
}

// ------------------------------------------------------------------------------------------ questions

const QUESTION_FIELDS = [
  'id',
  'text_en',
  'text_ur',
  'type',
  'options',
  'rows',
  'short',
  'min',
  'max',
  'maxLength',
  'integer',
  'required',
  'showIf',
];

/** The form's values of a stored question (the edit form starts from them). */
function questionValues(q: Item & { rows?: { id: string; text: LocalizedText }[] }): Record<string, string> {
  return {
    id: q.id,
    text_en: lt(q.text, 'en'),
    text_ur: lt(q.text, 'ur'),
    type: q.type ?? 'single',
    options: optionsText(q.options),
    rows: rowsText(q.rows),
    short: q.short ?? '',
    min: q.min === undefined ? '' : String(q.min),
    max: q.max === undefined ? '' : String(q.max),
    maxLength: q.maxLength === undefined ? '' : String(q.maxLength),
    showIf: q.showIf ?? '',
    integer: q.integer ? 'on' : '',
    required: q.required ? 'on' : '',
  };
}

interface QuestionFormSpec {
  readonly section: 'questions' | 'eligibility';
  readonly form: string;
  readonly prefix: string;
  /** The stored question being edited (its variable name stays), or undefined for a new one. */
  readonly editing?: (Item & { rows?: { id: string; text: LocalizedText }[] }) | undefined;
  readonly extra?: Html | undefined;
}

/** The form adding a question (or a screening question), or editing one in place. */
function questionForm(m: EditModel, spec: QuestionFormSpec): Html {
  const { prefix: p, editing } = spec;
  const f = formState(m, spec.form, p, QUESTION_FIELDS);
  const stored = editing ? questionValues(editing) : {};
  const v = (name: string, d = '') => (f.failed && m.err ? typed(m.err.fields, name) : (stored[name] ?? d));
  const grid = spec.section === 'questions';
  const o = (name: string, extra: object = {}) => ({ state: f.state(name), ...extra });
  return html`${formOpen(m, spec.section, spec.form, 'stack card')}${hidden('action', editing ? 'edit' : 'add')}${f.errors()}${
    editing
      ? html`${hidden('id', editing.id)}<p>Variable <code>${editing.id}</code> <span class="hint">(the name stays: it is how stored answers are found)</span></p>`
      : input(
          p,
          'id',
          'Variable name',
          v('id'),
          o('id', {
            hint: 'Used in exports and conditions: letters, digits and _, starting with a letter (e.g. year_of_study).',
            required: true,
            maxlength: 64,
          }),
        )
  }${[
    textarea(p, 'text_en', 'Question (English)', v('text_en'), o('text_en', { rows: 2 })),
    textarea(p, 'text_ur', 'Question (Urdu)', v('text_ur'), o('text_ur', { rows: 2, lang: 'ur' })),
    select(
      p,
      'type',
      'Answer type',
      v('type', 'single'),
      [
        { value: 'single', label: 'Single choice' },
        { value: 'multiple', label: 'Multiple choice (select all that apply)' },
        ...(grid
          ? [{ value: 'grid', label: 'Grid: statements sharing one response scale (e.g. Likert)' }]
          : []),
        { value: 'number', label: 'Number' },
        { value: 'text', label: 'Short text' },
        { value: 'longtext', label: 'Long text' },
      ],
      undefined,
      f.state('type'),
    ),
    textarea(
      p,
      'options',
      'Options (choice questions; the shared scale of a grid)',
      v('options'),
      o('options', {
        rows: 4,
        hint: 'One per line: "Female | خاتون". Values are 1, 2, 3… unless you write them: "0 = No | نہیں". For a grid, lowest first: "1 = Strongly disagree".',
      }),
    ),
    (
      grid
        ? textarea(
            p,
            'rows',
            'Statements (grid rows)',
            v('rows'),
            o('rows', {
              rows: 4,
              hint: 'One per line: "Exams | امتحانات". Each becomes a variable <variable name>_1, _2, … unless you name it: "exams = Exams". Keep a statement’s id (before =) to keep its variable.',
            }),
          )
        : ''
    ),
    input(
      p,
      'short',
      'Short label (optional)',
      v('short'),
      o('short', {
        hint: 'For report headings, tables and exports, e.g. "Level of training"; at most 60 characters. Derived from the question when empty.',
        maxlength: 60,
      }),
    ),
    html`<div class="row">${input(p, 'min', 'Minimum (numbers)', v('min'), o('min', { type: 'number' }))}${input(p, 'max', 'Maximum (numbers)', v('max'), o('max', { type: 'number' }))}${input(p, 'maxLength', 'Maximum length (text)', v('maxLength'), o('maxLength', { type: 'number', min: 1 }))}</div>`,
    checkbox(p, 'integer', 'Whole numbers only', f.on('integer', stored.integer === 'on')),
    checkbox(p, 'required', 'Required', f.on('required', stored.required === 'on')),
    input(
      p,
      'showIf',
      'Show only if (optional)',
      v('showIf'),
      o('showIf', {
        hint: 'A condition on earlier answers, e.g. year_of_study >= 3, or gender = 2 and age < 25. Leave empty to always show.',
      }),
    ),
  ]}${spec.extra ?? ''}<div><button class="primary">${
    editing ? `Save ${editing.id}` : spec.section === 'questions' ? 'Add question' : 'Add screening question'
  }</button></div></form>`;
}

/** One row of the questions table: what it asks, and its actions named after it. */
function questionRow(
  m: EditModel,
  raw0: Item | Record<string, unknown>,
  i: number,
  count: number,
  section: 'questions' | 'eligibility',
): Html {
  const q = raw0 as Item & { rows?: { id: string; text: LocalizedText }[] };
  const url = `/studies/${m.id}/edit/${section}#${section}`;
  const button = (label: string, action: string, className?: string) =>
    postButton(url, m.csrf, label, { ...(className ? { className } : {}), hidden: { action, id: q.id } });
  const editForm = `edit:${q.id}`;
  const mine = section === 'questions';
  return html`<tr id="question-${q.id}"><td><code>${q.id}</code></td><td>${q.type ?? 'scale'}${q.required ? ' · required' : ''}</td><td dir="auto">${enText(q.text)}${
    q.text?.ur ? html`<br><span lang="ur" dir="rtl">${q.text.ur}</span>` : ''
  }${q.options ? html`<br><span class="hint">${q.options.map((o) => `${o.value} = ${enText(o.label)}`).join('; ')}</span>` : ''}${
    q.rows
      ? html`<br><span class="hint">Statements: ${q.rows.map((r) => `${q.id}_${r.id} ${enText(r.text)}`).join('; ')}</span>`
      : ''
  }${q.showIf ? html`<br><span class="hint">shown if <code>${q.showIf}</code></span>` : ''}${
    mine
      ? fold(
          `Edit ${q.id}`,
          questionForm(m, { section, form: editForm, prefix: `e-${q.id}`, editing: q }),
          m.err?.form === editForm,
        )
      : ''
  }</td><td><div class="row">${mine && i > 0 ? button(`Move ${q.id} up`, 'up') : ''}${mine && i < count - 1 ? button(`Move ${q.id} down`, 'down') : ''}${button(`Remove ${q.id}`, 'remove', 'danger')}</div></td></tr>`;
}

function questionTable(
  m: EditModel,
  list: readonly (Item | Record<string, unknown>)[],
  section: 'questions' | 'eligibility',
): Html {
  if (list.length === 0) return html`<p class="muted">None yet.</p>`;
  return scrollBox(
    section === 'questions' ? 'Questions' : 'Screening questions',
    html`<table><thead><tr><th>Variable</th><th>Type</th><th>Question</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${list.map(
      (q, i) => questionRow(m, q, i, list.length, section),
    )}</tbody></table>`,
  );
}

/** Where the page of the own questions goes, before or after the instruments (without `collection.pages`). */
function placementForm(m: EditModel): Html {
  const col = m.draft.collection ?? {};
  const f = formState(m, 'placement', 'qp', ['placement']);
  const current = f.value('placement', col.questionsPlacement === 'after' ? 'after' : 'before');
  const paged = Array.isArray(col.pages) && col.pages.length > 0;
  return html`${formOpen(m, 'questions', 'placement', 'row')}${hidden('action', 'place')}${f.errors()}${select(
    'qp',
    'placement',
    'Respondents answer these questions',
    current,
    [
      { value: 'before', label: 'before the instruments' },
      { value: 'after', label: 'after the instruments' },
    ],
    paged
      ? 'The study has its own pages (collection.pages in the JSON editor): their order decides, not this choice.'
      : 'On one page of their own, first or last.',
    f.state('placement'),
  )}<button>Save where the questions go</button></form>`;
}

function questionsView(m: EditModel): Html {
  const list = m.draft.questions ?? [];
  const listErr = m.err?.form === 'questions' ? formState(m, 'questions', 'ql', []).errors() : '';
  return html`<section id="questions"><h2>Demographics and your own questions</h2><p class="hint">Edit a question in place under its text. On a study with responses, a wording fix is saved as a new version and recorded in the audit log; a change to what answers mean (type, option values, statements, range, condition) asks for confirmation first.</p>${listErr}${questionTable(m, list, 'questions')}${placementForm(m)}<h3>Add a question</h3>${fold(
    'Question form',
    questionForm(m, { section: 'questions', form: 'question', prefix: 'q' }),
    m.err?.form === 'question',
  )}</section>`;
}

// ------------------------------------------------------------------------------------------ intro texts

/**
 * The languages an intro form offers: the studio's, the study's and any the intro already has (so a save
 * never drops a language the form did not show).
 */
export function introLanguages(draft: StudyDraft, target: IntroTarget): string[] {
  const codes = [
    ...STUDIO_LANGUAGES.map((l) => l.code),
    ...(draft.languages ?? []),
    ...Object.keys(introOf(draft, target) ?? {}),
  ];
  return [...new Set(codes)];
}

/** One intro's form: a textarea per language (the study's marked as needed), Save. */
function introForm(m: EditModel, target: IntroTarget, label: string, hint: string): Html {
  const name = introTargetName(target);
  const form = `intro:${name}`;
  const prefix = `in-${name.replace(/[^A-Za-z0-9_]/g, '-')}`;
  const languages = introLanguages(m.draft, target);
  const studyLangs = m.draft.languages?.length ? m.draft.languages : ['en'];
  const f = formState(
    m,
    form,
    prefix,
    languages.map((l) => `intro_${l}`),
  );
  const stored = introOf(m.draft, target);
  const fieldsHtml = languages.map((l) => {
    const lname = STUDIO_LANGUAGES.find((x) => x.code === l)?.name.replace(/ \(.*\)$/, '') ?? l;
    const needed = studyLangs.includes(l);
    return textarea(
      prefix,
      `intro_${l}`,
      `${label} (${lname}${needed ? '' : ', not a language of this study: optional'})`,
      f.failed && m.err ? typed(m.err.fields, `intro_${l}`) : (stored?.[l] ?? ''),
      { rows: 3, lang: l === 'en' ? '' : l, state: f.state(`intro_${l}`) },
    );
  });
  return fold(
    `${label}${stored ? '' : ' (none)'}`,
    html`${formOpen(m, 'intros', form)}${hidden('target', name)}${f.errors()}<p class="hint">${hint}</p>${fieldsHtml}<div><button class="primary">Save: ${label}</button></div></form>`,
    f.failed,
  );
}

/** Intro texts: the pages' (or the own questions' page's) and the instruments'. */
function introsView(m: EditModel): Html {
  const col = m.draft.collection ?? {};
  const pages = Array.isArray(col.pages) ? col.pages : [];
  const common = `Plain text shown to respondents; a blank line starts a new paragraph. Needed in every language of the study (at most ${INTRO_MAX_LENGTH} characters each); empty every language to remove it.`;
  const pageForms = pages.length
    ? pages.map((p, i) =>
        introForm(
          m,
          { kind: 'page', index: i },
          `Intro of page ${i + 1}${p.title ? ` (${enText(p.title)})` : ''}`,
          `Shown under the page's title, above its questions. ${common}`,
        ),
      )
    : (m.draft.questions ?? []).length
      ? [
          introForm(
            m,
            { kind: 'questions' },
            'Intro of the page of your own questions',
            `Shown under the page's title, above your questions (${col.questionsPlacement === 'after' ? 'after' : 'before'} the instruments). ${common}`,
          ),
        ]
      : [];
  const instrumentForms = (m.draft.instruments ?? []).map((si) => {
    const id = draftInstrumentId(si);
    const name = m.resolved.get(id)?.shortTitle ?? studyInstrument(si)?.shortTitle ?? id;
    return introForm(
      m,
      { kind: 'instrument', id },
      `Intro before ${name}`,
      `Shown before ${name}'s items and before its own instructions, e.g. "The next questions are about your last month on the wards". ${common}`,
    );
  });
  const listErr =
    m.err?.section === 'intros' && !m.err.form.startsWith('intro:')
      ? formState(m, m.err.form, 'il', []).errors()
      : '';
  const all = [...pageForms, ...instrumentForms];
  return html`<section id="intros"><h2>Intro texts</h2><p class="hint">Your own text for respondents, per page and before each instrument, in each language of the study.</p>${listErr}${
    all.length ? all : html`<p class="muted">Add a question or an instrument first.</p>`
  }</section>`;
}

// ------------------------------------------------------------------------------------------ consent, eligibility

function consentView(m: EditModel): Html {
  const c = m.draft.collection?.consent;
  const f = formState(m, 'consent', 'c', ['text_en', 'text_ur', 'agree_en', 'agree_ur']);
  return html`<section id="consent"><h2>Consent</h2>${
    c
      ? html`<p class="muted">Current consent version: ${String(c.version ?? 1)}.</p>`
      : html`<p class="muted">No consent page yet.</p>`
  }${formOpen(m, 'consent', 'consent')}${f.errors()}${[
    textarea('c', 'text_en', 'Consent text (English)', f.value('text_en', lt(c?.text, 'en')), {
      rows: 6,
      hint: 'Blank lines separate paragraphs. Leave both languages empty to remove the consent page.',
      state: f.state('text_en'),
    }),
    textarea('c', 'text_ur', 'Consent text (Urdu)', f.value('text_ur', lt(c?.text, 'ur')), {
      rows: 6,
      lang: 'ur',
      state: f.state('text_ur'),
    }),
    input('c', 'agree_en', 'Agree button (English, optional)', f.value('agree_en', lt(c?.agreeLabel, 'en')), {
      state: f.state('agree_en'),
    }),
    input('c', 'agree_ur', 'Agree button (Urdu, optional)', f.value('agree_ur', lt(c?.agreeLabel, 'ur')), {
      lang: 'ur',
      state: f.state('agree_ur'),
    }),
  ]}<p class="hint">${
    m.launched
      ? 'The study has been launched: changing the text creates a new consent version.'
      : 'Before launch the consent stays version 1; after launch each change of the text gets a new version.'
  }</p><div><button class="primary">Save consent</button></div></form></section>`;
}

const RULE_FIELDS = ['eligibleIf', 'ineligible_en', 'ineligible_ur'];

function ruleFields(m: EditModel, form: string, prefix: string, required: boolean): Html {
  const el = m.draft.collection?.eligibility;
  const f = formState(m, form, prefix, RULE_FIELDS);
  return html`${[
    input(prefix, 'eligibleIf', 'Eligible if', f.value('eligibleIf', el?.eligibleIf ?? ''), {
      hint: 'A rule over the screening answers, e.g. age >= 18 and student = 1. Respondents who do not meet it see a polite end page; their answers are not kept (only a count).',
      required,
      state: f.state('eligibleIf'),
    }),
    textarea(
      prefix,
      'ineligible_en',
      'Message for ineligible respondents (English, optional)',
      f.value('ineligible_en', lt(el?.ineligibleMessage, 'en')),
      { rows: 2, state: f.state('ineligible_en') },
    ),
    textarea(
      prefix,
      'ineligible_ur',
      'Message for ineligible respondents (Urdu, optional)',
      f.value('ineligible_ur', lt(el?.ineligibleMessage, 'ur')),
      { rows: 2, lang: 'ur', state: f.state('ineligible_ur') },
    ),
  ]}`;
}

function eligibilityView(m: EditModel): Html {
  const el = m.draft.collection?.eligibility;
  const ruleForm = el
    ? html`${formOpen(m, 'eligibility', 'rule', 'stack card')}${hidden('action', 'rule')}${formState(m, 'rule', 'er', RULE_FIELDS).errors()}${ruleFields(m, 'rule', 'er', true)}<div class="row"><button class="primary">Save rule</button></div></form>${postButton(
        `/studies/${m.id}/edit/eligibility#eligibility`,
        m.csrf,
        'Remove all screening',
        {
          className: 'danger',
          hidden: { action: 'clear' },
        },
      )}`
    : '';
  const listErr = m.err?.form === 'eligibility' ? formState(m, 'eligibility', 'el', []).errors() : '';
  return html`<section id="eligibility"><h2>Eligibility screening</h2>${listErr}${questionTable(m, el?.questions ?? [], 'eligibility')}${ruleForm}<h3>Add a screening question</h3>${fold(
    'Screening question form',
    questionForm(m, {
      section: 'eligibility',
      form: 'screening',
      prefix: 'sq',
      extra: el ? undefined : ruleFields(m, 'screening', 'sq', false),
    }),
    m.err?.form === 'screening',
  )}</section>`;
}

// ------------------------------------------------------------------------------------------ contacts, settings, JSON

const CONTACT_FIELDS = [
  'name_en',
  'name_ur',
  'phone',
  'url',
  'hours_en',
  'hours_ur',
  'description_en',
  'description_ur',
];

function contactsView(m: EditModel): Html {
  const list = m.draft.collection?.supportContacts ?? [];
  const f = formState(m, 'contacts', 'sc', CONTACT_FIELDS);
  const v = (name: string) => f.value(name, '');
  const s = (name: string) => f.state(name);
  const rows = list.map(
    (sc, i) =>
      html`<tr><td dir="auto">${enText(sc.name)}${sc.name.ur ? html`<br><span lang="ur" dir="rtl">${sc.name.ur}</span>` : ''}</td><td dir="ltr">${sc.phone ?? ''}</td><td>${sc.url ?? ''}</td><td>${enText(sc.hours)}</td><td>${postButton(
        `/studies/${m.id}/edit/contacts#contacts`,
        m.csrf,
        `Remove ${enText(sc.name)}`,
        {
          className: 'danger',
          hidden: { action: 'remove', index: String(i) },
        },
      )}</td></tr>`,
  );
  return html`<section id="contacts"><h2>Support contacts</h2><p class="hint">Shown after submission to a respondent whose answers meet an instrument's safety rule (e.g. PHQ-9 item 9 above 0) — to that respondent only; nothing that identifies them is stored.</p>${
    rows.length
      ? scrollBox(
          'Support contacts',
          html`<table><thead><tr><th>Service</th><th>Phone</th><th>Web</th><th>Hours</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${rows}</tbody></table>`,
        )
      : html`<p class="muted">No support contact yet.</p>`
  }<details${m.err?.section === 'contacts' || list.length === 0 ? raw(' open') : ''}><summary>Add a support contact</summary>${formOpen(m, 'contacts', 'contacts', 'stack card')}${hidden('action', 'add')}${f.errors()}${[
    input('sc', 'name_en', 'Service (English)', v('name_en'), {
      placeholder: 'College counselling service',
      state: s('name_en'),
    }),
    input('sc', 'name_ur', 'Service (Urdu)', v('name_ur'), { lang: 'ur', state: s('name_ur') }),
    input('sc', 'phone', 'Phone', v('phone'), {
      type: 'tel',
      placeholder: '+92 51 111 222 333',
      state: s('phone'),
    }),
    input('sc', 'url', 'Web address', v('url'), { type: 'url', placeholder: 'https://', state: s('url') }),
    input('sc', 'hours_en', 'Hours (English)', v('hours_en'), {
      placeholder: 'Mon–Fri 9:00–17:00',
      state: s('hours_en'),
    }),
    input('sc', 'hours_ur', 'Hours (Urdu)', v('hours_ur'), { lang: 'ur', state: s('hours_ur') }),
    textarea('sc', 'description_en', 'Description (English, optional)', v('description_en'), {
      rows: 2,
      state: s('description_en'),
    }),
    textarea('sc', 'description_ur', 'Description (Urdu, optional)', v('description_ur'), {
      rows: 2,
      lang: 'ur',
      state: s('description_ur'),
    }),
  ]}<div><button class="primary">Add contact</button></div></form></details></section>`;
}

function settingsView(m: EditModel): Html {
  const col = m.draft.collection ?? {};
  const f = formState(m, 'settings', 's', ['minCellSize', 'thankYou_en', 'thankYou_ur']);
  return html`<section id="settings"><h2>Collection settings</h2>${formOpen(m, 'settings', 'settings')}${f.errors()}${[
    checkbox('s', 'anonymous', 'Anonymous', f.on('anonymous', col.anonymous ?? true), {
      hint: 'No IP address, no user agent and no time of day is stored (recommended; on by default).',
    }),
    checkbox(
      's',
      'collectTimes',
      'Record the time of submission',
      f.on('collectTimes', col.collectTimes ?? false),
      {
        hint: 'Off by default: only the date is kept. Exports give times only when this is on and chosen at export.',
      },
    ),
    checkbox(
      's',
      'referrals',
      'Referral links (snowball sampling)',
      f.on('referrals', col.referrals ?? false),
      {
        hint: 'Each respondent may pass on a link; recruitment waves are counted without identifying anyone.',
      },
    ),
    checkbox(
      's',
      'supportForAll',
      'Show the support contacts to every respondent at the end',
      f.on('supportForAll', col.supportForAll === true),
      {
        hint: 'Off: only a respondent whose answers meet a safety rule sees them (on the support page). On: every thank-you page lists them too.',
      },
    ),
    input('s', 'closesOn', 'Close date (optional)', f.value('closesOn', String(col.closesOn ?? '')), {
      type: 'date',
      hint: 'The last day (UTC) the study takes responses; from the next day the link politely says the study is closed and the API refuses.',
      state: f.state('closesOn'),
    }),
    input(
      's',
      'quota',
      'Response quota (optional)',
      f.value('quota', col.quota === undefined ? '' : String(col.quota)),
      {
        type: 'number',
        min: 1,
        hint: 'The study stops taking responses once this many are stored (checked at each request; two sent at the same moment may both be stored).',
        state: f.state('quota'),
      },
    ),
    input(
      's',
      'minCellSize',
      'k: smallest group shown in aggregates',
      f.value('minCellSize', String(col.minCellSize ?? m.minCellSize)),
      {
        type: 'number',
        min: 1,
        hint: 'Cells and group comparisons with fewer respondents are suppressed in every aggregate view (default 5).',
        state: f.state('minCellSize'),
      },
    ),
    textarea(
      's',
      'thankYou_en',
      'Thank-you text (English, optional)',
      f.value('thankYou_en', lt(col.thankYou, 'en')),
      { rows: 2, state: f.state('thankYou_en') },
    ),
    textarea(
      's',
      'thankYou_ur',
      'Thank-you text (Urdu, optional)',
      f.value('thankYou_ur', lt(col.thankYou, 'ur')),
      { rows: 2, lang: 'ur', state: f.state('thankYou_ur') },
    ),
  ]}<div><button class="primary">Save settings</button></div></form></section>`;
}

function jsonView(m: EditModel): Html {
  const f = formState(m, 'json', 'j', ['definition']);
  const text = f.failed && m.err ? typed(m.err.fields, 'definition') : JSON.stringify(m.definition, null, 2);
  return html`<section id="json"><h2>Edit the definition as JSON</h2><p class="hint">For what the forms do not cover (pages, sections). The analysis plan, with the study domains, has its own forms: <a href="/studies/${m.id}/plan">Analysis plan</a>. The whole definition is checked before it is saved; problems are listed by path.</p><details${
    m.err?.section === 'json' ? raw(' open') : ''
  }><summary>Open the JSON editor</summary>${formOpen(m, 'json', 'json')}${f.errors()}${textarea(
    'j',
    'definition',
    'Definition',
    text,
    {
      rows: 24,
      className: 'json',
      state: f.state('definition'),
    },
  )}<div><button class="primary">Save JSON</button></div></form></details></section>`;
}

/** The same form posted again with a confirmation (`name` = `value`), e.g. of removing answered questions. */
export function confirmView(
  m: Pick<EditModel, 'id' | 'csrf'>,
  section: Section,
  fields: Fields,
  guard: { issue: Issue; name: string; value: string; title: string; button: string },
): Html {
  const kept = Object.entries(fields).flatMap(([k, v]) =>
    k === '_csrf' || k === guard.name || v === undefined
      ? []
      : (Array.isArray(v) ? v : [v]).map((x) => hidden(k, String(x))),
  );
  return html`<div class="notice" role="alert"><p><strong>${guard.title}</strong> ${guard.issue.message}</p><form method="post" action="/studies/${m.id}/edit/${section}">${csrfField(m.csrf)}${kept}${hidden(guard.name, guard.value)}<button class="danger">${guard.button}</button></form></div>`;
}
