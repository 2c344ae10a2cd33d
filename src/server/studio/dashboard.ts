/**
 * The start page (the signed-in user's studies with their role and status) and creating a study: a title,
 * languages and instruments picked from the library, each shown with its licence and terms; instruments whose
 * owner requires it need an explicit acknowledgement, recorded in the store and in the definition.
 */
import type { FastifyInstance } from 'fastify';
import type { Instrument, Issue } from '../../core/instrument/schema.js';
import { audienceOf, coarseCount } from '../../core/privacy/suppression.js';
import { getInstrument, listInstruments } from '../../instruments/index.js';
import { normalizeEmail, type StudyInvitation } from '../../store/index.js';
import { requireUser } from '../auth/guard.js';
import { page, type StudioContext, seeOther } from './common.js';
import {
  checkDefinition,
  type Fields,
  field,
  fieldAll,
  needsTextPack,
  newDefinition,
  STUDIO_LANGUAGES,
  titleIssues,
} from './definition.js';
import { checkbox, input, textarea } from './forms.js';
import { csrfField, esc, issuesHtml, postButton, statusBadge } from './layout.js';

function enText(t: Readonly<Record<string, string>> | undefined): string {
  return t ? (t.en ?? Object.values(t)[0] ?? '') : '';
}

/** The "new study" form; `fields` keeps what was typed after an error. */
export function newStudyForm(
  csrf: string,
  k: number,
  fields?: Fields,
  issues: readonly Issue[] = [],
): string {
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
function invitationsHtml(invitations: readonly StudyInvitation[], csrf: string): string {
  if (!invitations.length) return '';
  const rows = invitations
    .map(
      (i) =>
        `<tr><td dir="auto">${esc(i.studyTitle)}</td><td>${esc(i.role)}</td><td><div class="row">` +
        postButton(`/invitations/${i.studyId}/accept`, csrf, 'Accept', { className: 'primary' }) +
        postButton(`/invitations/${i.studyId}/decline`, csrf, 'Decline') +
        '</div></td></tr>',
    )
    .join('');
  return `<h2>Invitations</h2><div class="wrap"><table><thead><tr><th>Study</th><th>Role offered</th><th><span class="muted">Your answer</span></th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function registerDashboard(app: FastifyInstance, ctx: StudioContext): void {
  const { store, config } = ctx;

  app.get('/', async (req, reply) => {
    const user = requireUser(req);
    const studies = await store.studies.listForUser(user.id);
    const invitations = await store.roles.invitationsFor(normalizeEmail(user.email));
    const rows = await Promise.all(
      studies.map(async (s) => {
        const n = coarseCount(await store.responses.count(s.id), s.minCellSize, audienceOf(s.role));
        return `<tr><td><a href="/studies/${s.id}" dir="auto">${esc(s.title)}</a></td><td>${esc(s.role)}</td><td>${statusBadge(s.status)}</td><td class="n">${n}</td><td>${esc(s.updatedAt.toISOString().slice(0, 10))}</td></tr>`;
      }),
    );
    return page(reply, {
      title: 'Your studies',
      user,
      body: (csrf) =>
        '<h1>Your studies</h1>' +
        invitationsHtml(invitations, csrf) +
        '<p class="row"><a class="button primary" href="/studies/new">New study</a> <a href="/archive">Archived studies</a></p>' +
        (rows.length
          ? `<div class="wrap"><table><thead><tr><th>Study</th><th>Your role</th><th>Status</th><th class="n">Responses</th><th>Updated</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`
          : '<p class="muted">You have no studies yet. Create one, or ask a study owner to add you.</p>'),
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
    const fields = (req.body ?? {}) as Fields;
    const title = field(fields, 'title');
    const issues = titleIssues(title);
    const languages = STUDIO_LANGUAGES.map((l) => l.code).filter((c) =>
      fieldAll(fields, 'languages').includes(c),
    );
    if (languages.length === 0)
      issues.push({ path: 'languages', code: 'required', message: 'choose at least one language' });
    const ids = fieldAll(fields, 'instruments');
    const acked = new Set(fieldAll(fields, 'acknowledge'));
    const chosen: Instrument[] = [];
    for (const id of ids) {
      const ins = getInstrument(id);
      if (!ins) {
        issues.push({
          path: 'instruments',
          code: 'unknown',
          message: `"${id}" is not an instrument of the library`,
        });
        continue;
      }
      if (ins.licence.requiresAcknowledgement && !acked.has(id)) {
        issues.push({
          path: 'acknowledge',
          code: 'terms_not_acknowledged',
          message: `${ins.shortTitle}'s owner requires you to accept their terms: read them and tick "I have read and accept the terms of ${ins.shortTitle}", or leave ${ins.shortTitle} out.`,
        });
      }
      chosen.push(ins);
    }
    const now = new Date();
    const k = config.minCellSizeDefault;
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
    if (issues.length) {
      return page(reply, {
        title: 'New study',
        user,
        status: 400,
        body: (csrf) => newStudyForm(csrf, k, fields, issues),
      });
    }
    const study = await store.audited(
      async (tx) => {
        const created = await tx.studies.create({ title, ownerId: user.id, definition, minCellSize: k, now });
        for (const ins of chosen) {
          if (!ins.licence.requiresAcknowledgement) continue;
          await tx.acknowledgements.record({
            studyId: created.id,
            instrumentId: ins.id,
            userId: user.id,
            now,
          });
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
        detail: { version: 1, instruments: chosen.map((i) => i.id), languages },
        now,
      }),
    );
    return seeOther(reply, `/studies/${study.id}`);
  });
}
