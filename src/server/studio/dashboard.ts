/**
 * The start page (the signed-in user's studies with their role and status) and creating a study: a title,
 * languages and instruments picked from the library, each shown with its licence and terms; instruments whose
 * owner requires it need an explicit acknowledgement, recorded in the store and in the definition.
 */
import type { FastifyInstance } from 'fastify';
import type { Instrument, Issue } from '../../core/instrument/schema.js';
import { audienceOf, coarseCount } from '../../core/privacy/suppression.js';
import { getInstrument, listInstruments } from '../../instruments/index.js';
import {
  normalizeEmail,
  type Store,
  type StudyInvitation,
  type StudyStatus,
  type User,
} from '../../store/index.js';
import { requireUser } from '../auth/guard.js';
import { asForm } from '../form.js';
import { EMPTY, type Html, html, raw } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { page, type StudioContext, seeOther } from './common.js';
import {
  checkDefinition,
  type Fields,
  field,
  fieldAll,
  needsTextPack,
  newDefinition,
  STUDIO_LANGUAGES,
  type StudyDraft,
  titleIssues,
} from './definition.js';
import { checkbox, input, textarea } from './forms.js';
import { csrfField, esc, issuesHtml, postButton, statusBadge } from './layout.js';

function enText(t: Readonly<Record<string, string>> | undefined): string {
  return t ? (t.en ?? Object.values(t)[0] ?? '') : '';
}

/** The "new study" form; `fields` keeps what was typed after an error. */
function newStudyForm(csrf: string, k: number, fields?: Fields, issues: readonly Issue[] = []): string {
  const chosen = new Set(fields ? fieldAll(fields, 'instruments') : []);
  const acked = new Set(fields ? fieldAll(fields, 'acknowledge') : []);
  const langs = fields ? fieldAll(fields, 'languages') : ['en'];
  const cards = listInstruments()
    .map((ins) => {
      const safety = ins.safety.length
        ? `<p class="hint">Has safety rules (${esc(ins.safety.map((r) => r.description).join('; '))}): you will need support contacts before launch.</p>`
        : '';
      const textPack = needsTextPack(ins)
        ? `<p class="notice">Licensed without its item text: nabz ships only its ids and scoring, and the licensee supplies the wording as a text pack. Once the study is created, paste the licensed wording (per language) under Design → Instruments → ${esc(ins.shortTitle)} → Text; the study launches once every language has it.</p>`
        : '';
      const ack = ins.licence.requiresAcknowledgement
        ? checkbox(
            'n',
            'acknowledge',
            `I have read and accept the terms of ${ins.shortTitle}`,
            acked.has(ins.id),
            {
              value: ins.id,
              hint: 'Required by the instrument’s owner to use it; recorded with your name and the time.',
            },
          )
        : '';
      return (
        `<div class="card">${checkbox('n', 'instruments', `${ins.shortTitle} — ${enText(ins.title)} (${ins.items.length} items)`, chosen.has(ins.id), { value: ins.id })}` +
        `<p><strong>Licence:</strong> ${esc(ins.licence.name)}</p><details><summary>Terms of use</summary><div class="terms">${esc(ins.licence.terms)}</div></details>${safety}${textPack}${ack}</div>`
      );
    })
    .join('');
  return (
    `<h1>New study</h1>${issuesHtml(issues)}<form method="post" action="/studies" class="stack">${csrfField(csrf)}` +
    input('n', 'title', 'Title', fields ? field(fields, 'title') : '', {
      required: true,
      maxlength: 200,
      placeholder: 'Barriers to care among medical students, 2025',
    }) +
    textarea(
      'n',
      'description',
      'Description (for you; not shown to respondents)',
      fields ? field(fields, 'description') : '',
      { rows: 2 },
    ) +
    `<fieldset><legend>Languages</legend>${STUDIO_LANGUAGES.map((l) => checkbox('n', 'languages', l.name, langs.includes(l.code), { value: l.code })).join('')}</fieldset>` +
    `<fieldset><legend>Instruments from the library</legend><p class="hint">You can add your own questions, demographics, consent and screening on the next page.</p>${cards}</fieldset>` +
    `<p class="hint">New studies are anonymous (no IP address, no user agent, no time of day) and suppress groups smaller than k = ${k} in every aggregate; change this under Settings.</p>` +
    '<div><button class="primary">Create study</button></div></form>'
  );
}

/** The invitations waiting for the signed-in user (to their account's address), with Accept and Decline. */
function invitationsHtml(invitations: readonly StudyInvitation[], csrf: string): Html {
  if (!invitations.length) return EMPTY;
  // Each button names the study it answers for ("Accept “Burnout 2025”").
  const rows = invitations.map((i) => [
    html`<span dir="auto">${i.studyTitle}</span>`,
    i.role,
    html`<div class="row">${raw(
      postButton(`/invitations/${i.studyId}/accept`, csrf, `Accept “${i.studyTitle}”`, {
        className: 'primary',
      }),
    )}${raw(postButton(`/invitations/${i.studyId}/decline`, csrf, `Decline “${i.studyTitle}”`))}</div>`,
  ]);
  return html`<h2>Invitations</h2>${dataTable(['Study', 'Role offered', html`<span class="muted">Your answer</span>`], rows, { label: 'Invitations' })}`;
}

/** One row of the start page's table of studies. */
export interface StudyRow {
  readonly id: number;
  readonly title: string;
  readonly role: string;
  readonly status: StudyStatus;
  /** Responses as this user may see them (coarsened for a viewer). */
  readonly responses: string;
  readonly updated: string;
}

/** The start page: invitations, the "New study" button and the user's studies. */
export function dashboardView(
  m: { readonly studies: readonly StudyRow[]; readonly invitations: readonly StudyInvitation[] },
  csrf: string,
): Html {
  const rows = m.studies.map((s) => [
    html`<a href="/studies/${s.id}" dir="auto">${s.title}</a>`,
    s.role,
    raw(statusBadge(s.status)),
    s.responses,
    s.updated,
  ]);
  return html`<h1>Your studies</h1>${invitationsHtml(m.invitations, csrf)}<p class="row"><a class="button primary" href="/studies/new">New study</a> <a href="/archive">Archived studies</a></p>${
    rows.length
      ? dataTable(['Study', 'Your role', 'Status', 'Responses', 'Updated'], rows, {
          numeric: [3],
          label: 'Your studies',
        })
      : html`<p class="muted">You have no studies yet. Create one, or ask a study owner to add you.</p>`
  }`;
}

/** A new study as the form describes it: its definition and the library instruments chosen. */
export interface NewStudy {
  readonly title: string;
  readonly languages: readonly string[];
  readonly chosen: readonly Instrument[];
  readonly definition: StudyDraft;
}

/**
 * Read and check the new-study form: a title, at least one studio language, library instruments (each
 * licence that asks for it acknowledged), and a definition that resolves. Every problem is named.
 */
export function readNewStudy(
  fields: Fields,
  user: Pick<User, 'displayName' | 'email'>,
  k: number,
  now: Date,
): { ok: true; value: NewStudy } | { ok: false; issues: Issue[] } {
  const title = field(fields, 'title');
  const issues = titleIssues(title);
  const languages = STUDIO_LANGUAGES.map((l) => l.code).filter((c) =>
    fieldAll(fields, 'languages').includes(c),
  );
  if (languages.length === 0)
    issues.push({ path: 'languages', code: 'required', message: 'choose at least one language' });
  const acked = new Set(fieldAll(fields, 'acknowledge'));
  const chosen: Instrument[] = [];
  for (const id of fieldAll(fields, 'instruments')) {
    const ins = getInstrument(id);
    if (!ins) {
      issues.push({
        path: 'instruments',
        code: 'unknown',
        message: `"${id}" is not an instrument of the library`,
      });
      continue;
    }
    if (ins.licence.requiresAcknowledgement && !acked.has(id))
      issues.push({
        path: 'acknowledge',
        code: 'terms_not_acknowledged',
        message: `${ins.shortTitle}'s owner requires you to accept their terms: read them and tick "I have read and accept the terms of ${ins.shortTitle}", or leave ${ins.shortTitle} out.`,
      });
    chosen.push(ins);
  }
  const definition = newDefinition({
    title: title || 'Untitled',
    languages,
    minCellSize: k,
    description: field(fields, 'description'),
  });
  definition.instruments = chosen.map((ins) => ({
    instrument: ins.id,
    version: ins.version,
    ...(ins.licence.requiresAcknowledgement
      ? { termsAcknowledged: { by: `${user.displayName} <${user.email}>`, at: now.toISOString() } }
      : {}),
  }));
  if (!issues.length) {
    const c = checkDefinition(definition);
    if (!c.ok) issues.push(...c.issues);
  }
  return issues.length
    ? { ok: false, issues }
    : { ok: true, value: { title, languages, chosen, definition } };
}

/** Store a new study with its acknowledgements, audited in one transaction (each acknowledgement first). */
async function storeNewStudy(
  store: Store,
  user: User,
  n: NewStudy,
  k: number,
  now: Date,
): Promise<{ id: number }> {
  return store.audited(
    async (tx) => {
      const created = await tx.studies.create({
        title: n.title,
        ownerId: user.id,
        definition: n.definition,
        minCellSize: k,
        now,
      });
      for (const ins of n.chosen) {
        if (!ins.licence.requiresAcknowledgement) continue;
        await tx.acknowledgements.record({ studyId: created.id, instrumentId: ins.id, userId: user.id, now });
        // A second entry in the same transaction: the acknowledgement, before the creation's own entry.
        await tx.audit.append({
          action: 'instrument.acknowledge',
          studyId: created.id,
          actorUserId: user.id,
          detail: { instrument: ins.id, terms: ins.licence.name },
          now,
        });
      }
      return created;
    },
    (created) => ({
      action: 'study.create',
      studyId: created.id,
      actorUserId: user.id,
      detail: { version: 1, instruments: n.chosen.map((i) => i.id), languages: n.languages },
      now,
    }),
  );
}

export function registerDashboard(app: FastifyInstance, ctx: StudioContext): void {
  const { store, config } = ctx;

  app.get('/', async (req, reply) => {
    const user = requireUser(req);
    const invitations = await store.roles.invitationsFor(normalizeEmail(user.email));
    // The counts in parallel, not one study after another.
    const studies: StudyRow[] = await Promise.all(
      (await store.studies.listForUser(user.id)).map(async (s) => ({
        ...s,
        responses: coarseCount(await store.responses.count(s.id), s.minCellSize, audienceOf(s.role)),
        updated: s.updatedAt.toISOString().slice(0, 10),
      })),
    );
    return page(reply, {
      title: 'Your studies',
      user,
      body: (csrf) => dashboardView({ studies, invitations }, csrf).text,
    });
  });

  app.get('/studies/new', async (req, reply) => {
    const user = requireUser(req);
    return page(reply, {
      title: 'New study',
      user,
      body: (csrf) => newStudyForm(csrf, config.minCellSizeDefault),
    });
  });

  app.post('/studies', async (req, reply) => {
    const user = requireUser(req);
    const fields = asForm(req.body);
    const now = new Date();
    const k = config.minCellSizeDefault;
    const read = readNewStudy(fields, user, k, now);
    if (!read.ok)
      return page(reply, {
        title: 'New study',
        user,
        status: 400,
        body: (csrf) => newStudyForm(csrf, k, fields, read.issues),
      });
    const study = await storeNewStudy(store, user, read.value, k, now);
    return seeOther(reply, `/studies/${study.id}`);
  });
}
