/**
 * Written consent for focus groups (issue 14): `GET /studies/:id/qual/consent` (the consent form's versions,
 * the consent register, forms to add a version and to record a signed form), `POST /consent/forms` (owner: a
 * new form version), `POST /consent/records` (owner, analyst: a signed form), `GET /consent/:rid/pdf` (one
 * participant's consent for the ethics file, src/render/consentPdf.ts) and `GET /consent/register.csv`.
 *
 * Rules in src/core/qual/consent.ts; both lists live in the project document, so a withdrawal
 * (src/server/qual/withdraw.ts) records itself on the consent record in the transaction that deletes the
 * participant's data. Every change and every download is in the project's audit trail; the name or initials
 * the participant signed with are masked there.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Issue } from '../../core/issue.js';
import {
  CONSENT_LANGUAGES,
  CONSENT_REGISTER_COLUMNS,
  type ConsentForm,
  type ConsentRecord,
  checkConsentForm,
  checkConsentRecord,
  consentAuditView,
  consentRegisterRows,
  consentStatus,
} from '../../core/qual/consent.js';
import { present } from '../../core/stats/at.js';
import { consentPdf, UnprintableTextError } from '../../render/consentPdf.js';
import { csvField } from '../../render/csv.js';
import type { QualState } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { formRawText, parseBody, segments } from '../request.js';
import { type Html, html } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import {
  applyPlan,
  csrfInput,
  ensureCoder,
  invalid,
  loadQual,
  nameOfCoder,
  newId,
  nowIso,
  type QualContext,
  type QualReq,
  qualBase,
  seeOther,
  sendQualPage,
  stateOf,
  when,
} from './common.js';

/** A form field's first value as written, at most `max` characters (request.ts's formRawText). */
const text = (max: number) => formRawText.pipe(z.string().max(max));

const FormBody = z.object({
  version: text(60).transform((s) => s.trim()),
  language: z.enum(CONSENT_LANGUAGES, { error: 'Choose the language of the form: English or Urdu.' }),
  title: text(200).transform((s) => s.trim()),
  text: text(20_000).transform((s) => s.replace(/\r\n/g, '\n').normalize('NFC')),
});

const RecordBody = z.object({
  participant: text(128).transform((s) => s.trim()),
  formVersion: text(60).transform((s) => s.trim()),
  signedOn: text(20).transform((s) => s.trim()),
  signedAs: text(200).transform((s) => s.trim().normalize('NFC')),
  witness: text(200).transform((s) => s.trim().normalize('NFC')),
  notes: text(2000).transform((s) => s.trim().normalize('NFC')),
});

const refuseIssues = (issues: readonly Issue[], lead: string) => invalid(issues, lead);

// ---------------------------------------------------------------------------------------------------------
// View

interface ConsentPageModel {
  readonly base: string;
  readonly owner: boolean;
  readonly forms: readonly ConsentForm[];
  readonly records: readonly ConsentRecord[];
  readonly participants: readonly { readonly id: string; readonly pseudonym: string }[];
  readonly nameOf: (coderId: string) => string;
  readonly today: string;
}

function formsView(m: ConsentPageModel, csrf: string): Html {
  const list = m.forms.length
    ? html`<ul>${m.forms.map(
        (f) =>
          html`<li><strong>${f.version}</strong> (${f.language === 'ur' ? 'Urdu' : 'English'}): <span dir="auto">${f.title}</span> <span class="muted">— added ${when(f.addedAt)} by ${m.nameOf(f.addedBy)}</span><details><summary>Text</summary><p class="consent-text" dir="auto" lang="${f.language}">${f.text}</p></details></li>`,
      )}</ul>`
    : html`<p>No consent form yet.</p>`;
  const add =
    m.owner &&
    html`<details><summary>Add a consent form version</summary><form method="post" action="${m.base}/consent/forms" class="stack">${csrfInput(csrf)}
<div class="field"><label for="cf-version">Version label (as printed on the form, e.g. v2.1 2026-11-01)</label><input type="text" id="cf-version" name="version" required maxlength="60"></div>
<div class="field"><label for="cf-language">Language</label><select id="cf-language" name="language"><option value="en">English</option><option value="ur">Urdu</option></select></div>
<div class="field"><label for="cf-title">Title</label><input type="text" id="cf-title" name="title" required maxlength="200" dir="auto"></div>
<div class="field"><label for="cf-text">Full text of the form (paragraphs separated by an empty line)</label><textarea id="cf-text" name="text" required rows="12" dir="auto"></textarea></div>
<p class="hint">A version cannot be changed once added: the PDF prints the text the participant signed. Urdu text: without diacritics (zer, zabar, pesh), which the PDF cannot place.</p>
<p><button class="primary">Add version</button></p></form></details>`;
  return html`<h2>Consent form versions</h2>${list}${add}`;
}

function registerView(m: ConsentPageModel): Html {
  if (!m.records.length) return html`<h2>Consent register</h2><p>No consent recorded yet.</p>`;
  const rows = m.records.map((r) => [
    html`<strong>${r.pseudonym}</strong>`,
    html`${r.formVersion}`,
    html`${r.signedOn}`,
    html`<span dir="auto">${r.signedAs}</span>`,
    html`<span dir="auto">${r.witness || '—'}</span>`,
    html`<span dir="auto">${r.notes}</span>`,
    html`${consentStatus(r)}${r.withdrawal?.note ? html`<br><span class="muted" dir="auto">${r.withdrawal.note}</span>` : ''}`,
    html`<a href="${m.base}/consent/${r.id}/pdf">PDF</a>`,
  ]);
  return html`<h2>Consent register</h2>${dataTable(
    ['Participant', 'Version', 'Signed', 'Signed as (confidential)', 'Witness', 'Notes', 'Status', ''],
    rows,
  )}<p><a href="${m.base}/consent/register.csv">Download the register (CSV)</a></p>`;
}

function recordFormView(m: ConsentPageModel, csrf: string): Html {
  if (!m.forms.length || !m.participants.length)
    return html`<h2>Record a signed form</h2><p>Add ${!m.forms.length ? 'a consent form version' : 'participants (Participants page)'} first.</p>`;
  return html`<h2>Record a signed form</h2><form method="post" action="${m.base}/consent/records" class="stack">${csrfInput(csrf)}
<div class="field"><label for="cr-participant">Participant</label><select id="cr-participant" name="participant">${m.participants.map((p) => html`<option value="${p.id}">${p.pseudonym}</option>`)}</select></div>
<div class="field"><label for="cr-version">Consent form version signed</label><select id="cr-version" name="formVersion">${m.forms.map((f) => html`<option value="${f.version}">${f.version}</option>`)}</select></div>
<div class="field"><label for="cr-date">Date signed</label><input type="date" id="cr-date" name="signedOn" required max="${m.today}"></div>
<div class="field"><label for="cr-as">Name or initials the participant signed with (confidential)</label><input type="text" id="cr-as" name="signedAs" required maxlength="200" dir="auto" autocomplete="off"></div>
<div class="field"><label for="cr-witness">Witness (name or initials; optional)</label><input type="text" id="cr-witness" name="witness" maxlength="200" dir="auto" autocomplete="off"></div>
<div class="field"><label for="cr-notes">Notes (optional)</label><input type="text" id="cr-notes" name="notes" maxlength="2000" dir="auto"></div>
<p><button class="primary">Record consent</button></p></form>`;
}

/** The consent page (pure: a function of its model and the CSRF token). */
export function consentPage(m: ConsentPageModel, csrf: string): Html {
  return html`<h1>Written consent</h1><p class="hint">Record each participant's signed consent form; the PDF per participant is for the ethics file. Withdrawal of consent is on the Participants page (owner): it deletes the participant's data and is recorded here.</p>${registerView(m)}${recordFormView(m, csrf)}${formsView(m, csrf)}`;
}

function pageModel(q: QualReq, state: QualState): ConsentPageModel {
  return {
    base: qualBase(q.study.id),
    owner: q.owner,
    forms: state.project.doc.consentForms,
    records: state.project.doc.consents,
    participants: state.entities.participant.map((p) => ({ id: p.id, pseudonym: p.data.pseudonym })),
    nameOf: nameOfCoder(state),
    today: nowIso().slice(0, 10),
  };
}

/** The register as CSV (UTF-8 with a byte order mark, so spreadsheets read Urdu names). */
function registerCsv(
  records: readonly ConsentRecord[],
  forms: readonly ConsentForm[],
  nameOf: (id: string) => string,
): string {
  const rows = [[...CONSENT_REGISTER_COLUMNS], ...consentRegisterRows(records, forms, nameOf)];
  return `\uFEFF${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Routes

async function addForm(ctx: QualContext, q: QualReq, body: z.output<typeof FormBody>): Promise<void> {
  await applyPlan(ctx, q, (state) => {
    const doc = state.project.doc;
    const issues = checkConsentForm(body, doc.consentForms);
    if (issues.length) return refuseIssues(issues, 'The consent form was not added: ');
    const form: ConsentForm = { ...body, addedAt: nowIso(), addedBy: q.actor.coderId };
    return {
      changes: ensureCoder(state, q),
      project: {
        doc: { ...doc, consentForms: [...doc.consentForms, form] },
        audit: { action: 'consent.form_add', before: null, after: form },
      },
      result: null,
    };
  });
}

async function addRecord(ctx: QualContext, q: QualReq, body: z.output<typeof RecordBody>): Promise<void> {
  await applyPlan(ctx, q, (state) => {
    const doc = state.project.doc;
    const input = { ...body, participantId: body.participant };
    const issues = checkConsentRecord(input, {
      forms: doc.consentForms,
      records: doc.consents,
      participants: new Set(state.entities.participant.map((p) => p.id)),
      today: nowIso().slice(0, 10),
    });
    if (issues.length) return refuseIssues(issues, 'The consent was not recorded: ');
    const record: ConsentRecord = {
      id: newId('consent'),
      participantId: body.participant,
      pseudonym: present(state.get('participant', body.participant), 'the participant').data.pseudonym,
      formVersion: body.formVersion,
      signedOn: body.signedOn,
      signedAs: body.signedAs,
      witness: body.witness,
      notes: body.notes,
      recordedAt: nowIso(),
      recordedBy: q.actor.coderId,
    };
    return {
      changes: ensureCoder(state, q),
      project: {
        doc: { ...doc, consents: [...doc.consents, record] },
        audit: { action: 'consent.record', before: null, after: consentAuditView(record) },
      },
      result: null,
    };
  });
}

/** One record and its form, or 404. */
function recordOf(state: QualState, rid: string): { record: ConsentRecord; form: ConsentForm } {
  const record = state.project.doc.consents.find((r) => r.id === rid);
  const form = record && state.project.doc.consentForms.find((f) => f.version === record.formVersion);
  if (!record || !form) throw new HttpError(404, `Consent record "${rid}" not found.`, 'not_found');
  return { record, form };
}

export function registerConsent(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/consent', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const model = pageModel(q, await stateOf(ctx, q));
    return sendQualPage(reply, {
      q,
      title: 'Written consent',
      section: 'consent',
      body: (csrf) => consentPage(model, csrf),
    });
  });

  app.post('/studies/:id/qual/consent/forms', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.owner);
    await addForm(ctx, q, parseBody(req, FormBody));
    return seeOther(reply, `${qualBase(q.study.id)}/consent`);
  });

  app.post('/studies/:id/qual/consent/records', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    await addRecord(ctx, q, parseBody(req, RecordBody));
    return seeOther(reply, `${qualBase(q.study.id)}/consent`);
  });

  app.get('/studies/:id/qual/consent/register.csv', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const state = await stateOf(ctx, q);
    const doc = state.project.doc;
    await ctx.store.qual.record(q.project.id, q.actor, [
      { action: 'consent.register_export', entity: { kind: 'project', id: `study-${q.study.id}` } },
    ]);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="consent-register-study-${q.study.id}.csv"`)
      .header('cache-control', 'no-store')
      .send(registerCsv(doc.consents, doc.consentForms, nameOfCoder(state)));
  });

  app.get('/studies/:id/qual/consent/:rid/pdf', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { rid } = segments(req, 'rid');
    const state = await stateOf(ctx, q);
    const { record, form } = recordOf(state, rid);
    let pdf: Uint8Array;
    try {
      pdf = await consentPdf({ studyTitle: q.study.title, form, record, nameOf: nameOfCoder(state) });
    } catch (err) {
      if (err instanceof UnprintableTextError) throw new HttpError(422, err.message, 'validation');
      throw err;
    }
    await ctx.store.qual.record(q.project.id, q.actor, [
      { action: 'consent.pdf', entity: { kind: 'consent', id: record.id } },
    ]);
    return reply
      .type('application/pdf')
      .header('cache-control', 'no-store')
      .header(
        'content-disposition',
        `attachment; filename="consent-${record.pseudonym.replace(/[^A-Za-z0-9_-]+/g, '_')}-${record.id}.pdf"`,
      )
      .send(Buffer.from(pdf));
  });
}
