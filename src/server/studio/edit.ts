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
import type { Instrument, Issue, Item } from '../../core/instrument/schema.js';
import { at } from '../../core/stats/at.js';
import {
  classifyQuestionEdit,
  moveQuestion,
  parseIntroTarget,
  type QuestionEdit,
  questionVariables,
  replaceQuestion,
  setIntro,
  structuralEditIssue,
} from '../../core/study/editing.js';
import type { StudyText } from '../../core/study/schema.js';
import { getInstrument, listInstruments } from '../../instruments/index.js';
import type { Study, User } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm } from '../form.js';
import { parseParams, parseQuery, queryText, segment } from '../request.js';
import { html } from '../ui/html.js';
import { loadStudy, page, type StudioContext, saveDefinition, seeOther } from './common.js';
import {
  checkDefinition,
  checked,
  contactFromForm,
  type Fields,
  field,
  fieldAll,
  gridFromForm,
  localizedFrom,
  parseJsonObject,
  questionFromForm,
  STUDIO_LANGUAGES,
  type StudyDraft,
  setConsent,
  shortLabelIssues,
  studyInstrument,
  titleIssues,
} from './definition.js';
import {
  confirmView,
  type EditModel,
  editPage,
  type FormError,
  introLanguages,
  SECTIONS,
  type Section,
} from './editView.js';
import { ownSection } from './own.js';
import { textPacksSection } from './textpacks.js';

export { SECTIONS } from './editView.js';

type SectionResult =
  | {
      ok: true;
      /** What changed, for the audit log; `none` when the form changed nothing (nothing is saved). */
      change: string;
      detail?: Record<string, unknown>;
      acknowledge?: string[];
      /** An edited question and what the edit changes (for the rule on open studies). */
      edit?: { question: string; edit: QuestionEdit };
    }
  | { ok: false; issues: Issue[] };

interface SectionInput {
  readonly draft: StudyDraft;
  readonly fields: Fields;
  readonly study: Study;
  readonly user: User;
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

/**
 * The study's title per language from the Basics form (`title_en`, `title_ur`; a form with one `title` gives the
 * first language's): the study's first language is required, each at most 200 characters, titles of languages the
 * study does not offer are dropped. One title is kept as a plain string (as before titles per language), several
 * as a text per language.
 */
function basicsTitle(fields: Fields, languages: readonly string[]): { title?: StudyText; issues: Issue[] } {
  const first = languages[0] ?? 'en';
  const titles: Record<string, string> = {};
  const issues: Issue[] = [];
  for (const l of languages) {
    const t = field(fields, `title_${l}`) || (l === first ? field(fields, 'title') : '');
    const name = STUDIO_LANGUAGES.find((s) => s.code === l)?.name ?? l;
    const found = titleIssues(t).map((i) => ({
      ...i,
      path: `title_${l}`,
      message:
        i.code === 'required'
          ? `give the study a title in ${name}, its first language`
          : `${name}: ${i.message}`,
    }));
    if (t && !found.length) titles[l] = t;
    else if (t || l === first) issues.push(...found);
  }
  if (issues.length || !titles[first]) return { issues };
  const kept = Object.keys(titles);
  return { title: kept.length === 1 ? titles[first] : titles, issues };
}

function basics({ draft, fields }: SectionInput): SectionResult {
  const languages = STUDIO_LANGUAGES.map((s) => s.code).filter((c) =>
    fieldAll(fields, 'languages').includes(c),
  );
  const { title, issues } = basicsTitle(fields, languages.length ? languages : ['en']);
  if (languages.length === 0)
    issues.push({
      path: 'languages',
      code: 'required',
      message: 'choose at least one language (English, Urdu)',
    });
  if (issues.length || title === undefined) return { ok: false, issues };
  draft.title = title;
  const description = field(fields, 'description');
  if (description) draft.description = description;
  else delete draft.description;
  draft.languages = languages;
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

/** The form fields the question form manages; other keys of a stored question (e.g. `agreeing`) are kept. */
const QUESTION_KEYS = [
  'id',
  'type',
  'required',
  'text',
  'short',
  'options',
  'rows',
  'min',
  'max',
  'integer',
  'maxLength',
  'showIf',
];

/** Edit a question in place from the full question form (its variable name stays). */
function editQuestion(draft: StudyDraft, fields: Fields): SectionResult {
  const list = draft.questions ?? [];
  const id = field(fields, 'id');
  const before = list.find((q) => q.id === id);
  if (!before)
    return {
      ok: false,
      issues: [{ path: 'id', code: 'unknown', message: `there is no question "${id}" (reload the page)` }],
    };
  const own = new Set(questionVariables(before as { id: string }));
  const taken = new Set([...variableIds(draft)].filter((v) => !own.has(v)));
  const q = questionFromForm(fields, taken, { grid: true });
  if (!q.ok) return { ok: false, issues: [...q.issues] };
  const kept = Object.fromEntries(Object.entries(before).filter(([k]) => !QUESTION_KEYS.includes(k)));
  const next = { ...kept, ...q.value } as NonNullable<StudyDraft['questions']>[number];
  const edit = classifyQuestionEdit(before as { id: string }, next as { id: string });
  if (edit.kind === 'none') return { ok: true, change: 'none' };
  const r = replaceQuestion(list as { id: string }[], id, next as { id: string });
  if (!r.ok) return { ok: false, issues: [...r.issues] };
  draft.questions = r.value as NonNullable<StudyDraft['questions']>;
  return {
    ok: true,
    change: 'question.edit',
    detail: { question: id, kind: edit.kind, fields: edit.fields },
    edit: { question: id, edit },
  };
}

/** Where the page of the study's own questions goes: before the instruments (default) or after them. */
function placeQuestions(draft: StudyDraft, fields: Fields): SectionResult {
  const where = field(fields, 'placement');
  if (where !== 'before' && where !== 'after')
    return {
      ok: false,
      issues: [
        {
          path: 'placement',
          code: 'bad_choice',
          message: `"${where}" is not a place for the questions; choose before or after the instruments`,
        },
      ],
    };
  draft.collection ??= {};
  if (where === 'before') delete draft.collection.questionsPlacement;
  else draft.collection.questionsPlacement = 'after';
  return { ok: true, change: 'question.place', detail: { placement: where } };
}

function questions({ draft, fields }: SectionInput): SectionResult {
  const action = field(fields, 'action');
  draft.questions ??= [];
  const list = draft.questions;
  if (action === 'edit') return editQuestion(draft, fields);
  if (action === 'place') return placeQuestions(draft, fields);
  if (action === 'up' || action === 'down') {
    const id = field(fields, 'id');
    const r = moveQuestion(list as { id: string }[], id, action);
    if (!r.ok) return { ok: false, issues: [...r.issues] };
    draft.questions = r.value as typeof list;
    return { ok: true, change: `question.${action}`, detail: { question: id } };
  }
  if (['remove', 'short', 'grid'].includes(action)) {
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
      if (short) at(list, i).short = short;
      else delete at(list, i).short;
      return { ok: true, change: 'question.short', detail: { question: id, short: short || null } };
    }
    if (action === 'grid') {
      // A grid's shared scale and statements, edited in place (row ids, and so the variables, stay as written).
      const q = at(list, i);
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
    list.splice(i, 1);
    return { ok: true, change: 'question.remove', detail: { question: id } };
  }
  const r = addQuestion(list, draft, fields, true);
  if ('ok' in r) return r;
  return { ok: true, change: 'question.add', detail: { question: r.id, type: r.type } };
}

/**
 * One intro text (issue 14): `target` (`questions`, `page:<n>`, `instrument:<id>`) and `intro_<lang>` per
 * language; every study language is needed, and all empty removes the intro.
 */
function intros({ draft, fields }: SectionInput): SectionResult {
  const name = field(fields, 'target');
  const target = parseIntroTarget(name);
  if (!target)
    return {
      ok: false,
      issues: [
        {
          path: 'target',
          code: 'unknown',
          message: `"${name}" does not name an intro (questions, page:<number> or instrument:<id>); reload the page`,
        },
      ],
    };
  const text: Record<string, string> = {};
  for (const lang of introLanguages(draft, target)) {
    // Line breaks as \n (a browser sends \r\n): the stored text and its length are the same from any form.
    const v = field(fields, `intro_${lang}`).replace(/\r\n?/g, '\n');
    if (v) text[lang] = v;
  }
  const r = setIntro(draft, target, text, (id) => {
    const si = draft.instruments?.find((x) => x.instrument === id || x.definition?.id === id);
    return (si && studyInstrument(si)?.shortTitle) ?? id;
  });
  if (!r.ok)
    return {
      ok: false,
      issues: r.issues.map((i) => (i.path === 'target' ? i : { ...i, path: `intro_${i.path}` })),
    };
  if (!r.value.changed) return { ok: true, change: 'none' };
  const languages = Object.keys(text);
  return {
    ok: true,
    change: languages.length ? 'intro' : 'intro.remove',
    detail: { target: name, languages },
  };
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
  const schedule = scheduleFrom(fields);
  if (!schedule.ok) return { ok: false, issues: schedule.issues };
  col.anonymous = checked(fields, 'anonymous');
  col.collectTimes = checked(fields, 'collectTimes');
  col.referrals = checked(fields, 'referrals');
  col.supportForAll = checked(fields, 'supportForAll');
  const { closesOn, quota } = schedule.value;
  if (closesOn === undefined) delete col.closesOn;
  else col.closesOn = closesOn;
  if (quota === undefined) delete col.quota;
  else col.quota = quota;
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
      supportForAll: col.supportForAll,
      closesOn: col.closesOn ?? null,
      quota: col.quota ?? null,
      minCellSize: k,
    },
  };
}

/** The settings form's close date and quota: each optional; a bad one is named with its fix. */
function scheduleFrom(
  fields: SectionInput['fields'],
):
  | { ok: true; value: { closesOn: string | undefined; quota: number | undefined } }
  | { ok: false; issues: Issue[] } {
  const day = field(fields, 'closesOn').trim();
  const quotaText = field(fields, 'quota').trim();
  const issues: Issue[] = [];
  const real = /^\d{4}-\d{2}-\d{2}$/.test(day) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
  if (day && !real)
    issues.push({
      path: 'closesOn',
      code: 'invalid_format',
      message: `"${day}" is not a close date: give the last day that takes responses as YYYY-MM-DD (e.g. 2026-12-31), or leave it empty`,
    });
  const quota = Number(quotaText);
  if (quotaText && (!/^\d+$/.test(quotaText) || quota < 1 || quota > 1_000_000))
    issues.push({
      path: 'quota',
      code: 'range',
      message: `"${quotaText}" is not a response quota: use a whole number from 1 to 1000000, or leave it empty for no quota`,
    });
  if (issues.length) return { ok: false, issues };
  return { ok: true, value: { closesOn: day || undefined, quota: quotaText ? quota : undefined } };
}

function json({ draft, fields }: SectionInput): SectionResult {
  const parsed = parseJsonObject(field(fields, 'definition'), '(JSON)', 'the text');
  if (!parsed.ok) return { ok: false, issues: [...parsed.issues] };
  for (const k of Object.keys(draft)) Reflect.deleteProperty(draft, k);
  Object.assign(draft, parsed.value);
  return { ok: true, change: 'json' };
}

const HANDLERS: Record<Section, (input: SectionInput) => SectionResult> = {
  basics,
  instruments,
  textpacks: ({ draft, fields }) => textPacksSection(draft, fields),
  own: ({ draft, fields }) => ownSection(draft, fields, variableIds(draft)),
  questions,
  intros,
  consent,
  eligibility,
  contacts,
  settings,
  json,
};

/** The form a POST came from (its `_form` field), defaulting to the section. */
function formOf(section: Section, fields: Fields): string {
  const f = field(fields, '_form');
  if (f) return f;
  if (['remove', 'up', 'down', 'clear', 'short', 'grid'].includes(field(fields, 'action'))) return section;
  return section === 'questions' ? 'question' : section === 'eligibility' ? 'eligibility' : section;
}

/** The Design page's model: the study, who accepted which terms, its instruments as it resolves them. */
async function editModel(
  ctx: StudioContext,
  study: Study,
  csrf: string,
  opts: { err?: FormError; saved?: string | undefined },
): Promise<EditModel> {
  const acknowledgedBy = new Map<string, string>();
  for (const a of await ctx.store.acknowledgements.list(study.id)) {
    if (acknowledgedBy.has(a.instrumentId)) continue;
    const u = await ctx.store.users.byId(a.userId);
    acknowledgedBy.set(
      a.instrumentId,
      `${u?.displayName ?? `user ${a.userId}`} on ${a.acknowledgedAt.toISOString().slice(0, 10)}`,
    );
  }
  const draft = study.definition;
  const checkedDef = checkDefinition(draft);
  return {
    id: study.id,
    title: study.title,
    version: study.version,
    status: study.status,
    launched: study.openedAt !== null,
    minCellSize: study.minCellSize,
    definition: study.definition,
    draft,
    csrf,
    err: opts.err,
    saved: opts.saved,
    acknowledgedBy,
    resolved: new Map<string, Instrument>(
      checkedDef.ok ? checkedDef.value.resolved.instruments.map((i) => [i.id, i] as const) : [],
    ),
    library: listInstruments(),
  };
}

/** Record the acknowledgement of each instrument's terms accepted with this change (once per study). */
async function acknowledge(
  ctx: StudioContext,
  study: Study,
  user: User,
  ids: readonly string[],
): Promise<void> {
  for (const id of ids) {
    await ctx.store.audited(
      (tx) => tx.acknowledgements.record({ studyId: study.id, instrumentId: id, userId: user.id }),
      (rec) =>
        rec.created
          ? {
              action: 'instrument.acknowledge',
              studyId: study.id,
              actorUserId: user.id,
              detail: { instrument: id, terms: getInstrument(id)?.licence.name ?? id },
            }
          : undefined,
    );
  }
}

const EditQuery = z.object({ saved: queryText });
const SectionParams = z.object({ section: segment });

export function registerEdit(app: FastifyInstance, ctx: StudioContext): void {
  app.get('/studies/:id/edit', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const { saved } = parseQuery(req, EditQuery);
    const csrf = reply.generateCsrf();
    const m = await editModel(ctx, s.study, csrf, { saved });
    return page(reply, {
      title: `Design – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'edit',
      csrf,
      body: () => editPage(m),
    });
  });

  app.post('/studies/:id/edit/:section', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const asked = parseParams(req, SectionParams).section;
    const section = SECTIONS.find((x) => x === asked);
    if (!section) throw new HttpError(404, `There is no "${asked}" section to save.`, 'not_found');
    const fields = asForm(req.body);
    const draft = structuredClone(s.study.definition);
    const r = HANDLERS[section]({ draft, fields, study: s.study, user: s.user });
    if (r.ok && r.change === 'none') return seeOther(reply, `/studies/${s.study.id}/edit#${section}`);
    const guard = r.ok ? await destructiveChange(ctx, s.study, draft, fields, r.edit) : undefined;
    let issues: readonly Issue[];
    if (guard) issues = [guard.issue];
    else if (r.ok) {
      await acknowledge(ctx, s.study, s.user, r.acknowledge ?? []);
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
    const csrf = reply.generateCsrf();
    const m = await editModel(ctx, s.study, csrf, {
      err: { section, form: formOf(section, fields), issues, fields },
    });
    return page(reply, {
      title: `Error: Design – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'edit',
      status: 400,
      csrf,
      body: () => html`${guard?.name ? confirmView(m, section, fields, guard) : ''}${editPage(m)}`,
    });
  });
}

interface Guard {
  readonly issue: Issue;
  /** The confirmation field and value that let the same post through; empty when it cannot be confirmed. */
  readonly name: string;
  readonly value: string;
  readonly title: string;
  readonly button: string;
}

/**
 * A change that would orphan collected data (issue 12, finding 19): on an open study, a definition that asks
 * nothing (every response from then on would be empty) is refused outright; once there are responses, an edit
 * that changes what a question's answers mean (core/study/editing.ts) needs `confirm_change` naming the
 * question, and removing questions or instruments they answered needs `confirm_remove` naming the removed
 * variables, because new responses will not have them and the analysis of the new version leaves them out
 * (the stored answers keep the version they answered).
 */
async function destructiveChange(
  ctx: StudioContext,
  study: Study,
  draft: StudyDraft,
  fields: Fields,
  edit: { question: string; edit: QuestionEdit } | undefined,
): Promise<Guard | undefined> {
  const after = variableIds(draft);
  if (study.status === 'open' && after.size === 0)
    return {
      issue: {
        path: 'instruments',
        code: 'empty_open_study',
        message:
          'the study is open: it must keep at least one instrument or question, or every response from now on would be empty. Close the study first, or add something before removing the rest.',
      },
      name: '',
      value: '',
      title: '',
      button: '',
    };
  const removed = [...variableIds(study.definition)].filter((id) => !after.has(id)).sort();
  if (removed.length === 0 && edit?.edit.kind !== 'structure') return undefined;
  const n = await ctx.store.responses.count(study.id);
  if (edit) {
    const issue = structuralEditIssue({
      question: edit.question,
      edit: edit.edit,
      responses: n,
      version: study.version,
      confirmed: field(fields, 'confirm_change'),
    });
    if (issue)
      return {
        issue,
        name: 'confirm_change',
        value: edit.question,
        title: 'Confirm changing an answered question.',
        button: `Save the change to ${edit.question} as a new version`,
      };
    // A confirmed structural edit covers the statements it removes.
    if (removed.every((v) => edit.edit.removedVariables.includes(v))) return undefined;
  }
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
    name: 'confirm_remove',
    value: removed.join(','),
    title: 'Confirm removing answered questions.',
    button: 'Remove them and save a new version',
  };
}
