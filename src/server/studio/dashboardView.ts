/**
 * The start page and the new-study form as pure functions of their models (issue 13: load → core →
 * view(model)); dashboard.ts loads the user's studies and invitations and reads the posted form.
 */
import type { Issue } from '../../core/instrument/schema.js';
import { listInstruments } from '../../instruments/index.js';
import type { StudyInvitation, StudyStatus } from '../../store/index.js';
import { EMPTY, type Html, html } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { type Fields, field, fieldAll, needsTextPack, STUDIO_LANGUAGES } from './definition.js';
import { checkbox, input, textarea } from './forms.js';
import { csrfField, issuesHtml, postButton, statusBadge } from './layout.js';

function enText(t: Readonly<Record<string, string>> | undefined): string {
  return t ? (t.en ?? Object.values(t)[0] ?? '') : '';
}

/** The "new study" form with the library's instruments; `fields` keeps what was typed after an error. */
export function newStudyView(csrf: string, k: number, fields?: Fields, issues: readonly Issue[] = []): Html {
  const chosen = new Set(fields ? fieldAll(fields, 'instruments') : []);
  const acked = new Set(fields ? fieldAll(fields, 'acknowledge') : []);
  const langs = fields ? fieldAll(fields, 'languages') : ['en'];
  const cards = listInstruments().map((ins) => {
    const safety =
      ins.safety.length > 0 &&
      html`<p class="hint">Has safety rules (${ins.safety.map((r) => r.description).join('; ')}): you will need support contacts before launch.</p>`;
    const textPack =
      needsTextPack(ins) &&
      html`<p class="notice">Licensed without its item text: nabz ships only its ids and scoring, and the licensee supplies the wording as a text pack. Once the study is created, paste the licensed wording (per language) under Design → Instruments → ${ins.shortTitle} → Text; the study launches once every language has it.</p>`;
    const ack =
      ins.licence.requiresAcknowledgement &&
      checkbox(
        'n',
        'acknowledge',
        `I have read and accept the terms of ${ins.shortTitle}`,
        acked.has(ins.id),
        {
          value: ins.id,
          hint: 'Required by the instrument’s owner to use it; recorded with your name and the time.',
        },
      );
    return html`<div class="card">${checkbox(
      'n',
      'instruments',
      `${ins.shortTitle} — ${enText(ins.title)} (${ins.items.length} items)`,
      chosen.has(ins.id),
      { value: ins.id },
    )}<p><strong>Licence:</strong> ${ins.licence.name}</p><details><summary>Terms of use</summary><div class="terms">${ins.licence.terms}</div></details>${safety}${textPack}${ack}</div>`;
  });
  return html`<h1>New study</h1>${issuesHtml(issues)}<form method="post" action="/studies" class="stack">${csrfField(csrf)}${input(
    'n',
    'title',
    'Title',
    fields ? field(fields, 'title') : '',
    {
      required: true,
      maxlength: 200,
      placeholder: 'Barriers to care among medical students, 2025',
    },
  )}${textarea(
    'n',
    'description',
    'Description (for you; not shown to respondents)',
    fields ? field(fields, 'description') : '',
    { rows: 2 },
  )}<fieldset><legend>Languages</legend>${STUDIO_LANGUAGES.map((l) =>
    checkbox('n', 'languages', l.name, langs.includes(l.code), { value: l.code }),
  )}</fieldset><fieldset><legend>Instruments from the library</legend><p class="hint">You can add your own questions, demographics, consent and screening on the next page.</p>${cards}</fieldset><p class="hint">New studies are anonymous (no IP address, no user agent, no time of day) and suppress groups smaller than k = ${k} in every aggregate; change this under Settings.</p><div><button class="primary">Create study</button></div></form>`;
}

/** The invitations waiting for the signed-in user (to their account's address), with Accept and Decline. */
function invitationsHtml(invitations: readonly StudyInvitation[], csrf: string): Html {
  if (!invitations.length) return EMPTY;
  // Each button names the study it answers for ("Accept “Burnout 2025”").
  const rows = invitations.map((i) => [
    html`<span dir="auto">${i.studyTitle}</span>`,
    i.role,
    html`<div class="row">${postButton(`/invitations/${i.studyId}/accept`, csrf, `Accept “${i.studyTitle}”`, {
      className: 'primary',
    })}${postButton(`/invitations/${i.studyId}/decline`, csrf, `Decline “${i.studyTitle}”`)}</div>`,
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
    statusBadge(s.status),
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
