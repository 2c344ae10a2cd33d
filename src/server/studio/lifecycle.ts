/**
 * A study's life beyond its design (issue 14, owner only): duplicate it (a new draft with the same design and
 * none of the data), archive it (hidden from the dashboard, closed to respondents) and restore it, delete it
 * with all its data after typing its title. Each change is one audited store transaction
 * (store/studies.ts `duplicate`, `setArchived`, `deleteWithData`); the rules are core/study/lifecycle.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Issue } from '../../core/issue.js';
import { copyTitle, deleteConfirmationIssue, duplicateDefinition } from '../../core/study/lifecycle.js';
import type { StudySummary } from '../../store/index.js';
import { ROLES, requireUser } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm } from '../form.js';
import { type Html, html } from '../ui/html.js';
import { scrollBox } from '../ui/table.js';
import { loadStudy, page, type StudioContext, seeOther } from './common.js';
import { consentTextOf, field } from './definition.js';
import { input } from './forms.js';
import { csrfField, postButton, statusBadge } from './layout.js';

/** The study-actions block of the overview (owner): duplicate, archive or restore, delete. */
export function studyActionsView(
  study: Pick<StudySummary, 'id' | 'title' | 'archivedAt'>,
  csrf: string,
): Html {
  const base = `/studies/${study.id}`;
  return html`<section id="study-actions"><h2>This study</h2>${
    study.archivedAt
      ? html`<p class="notice">Archived on ${study.archivedAt.toISOString().slice(0, 10)}: hidden from your studies and closed to respondents. Restore it to list it again (it stays closed until you reopen it).</p>`
      : html`<p class="hint">Archive a finished study to hide it from your list; it is closed to respondents and can be restored with its data.</p>`
  }<div class="row">${postButton(`${base}/duplicate`, csrf, `Duplicate “${study.title}”`)}${
    study.archivedAt
      ? postButton(`${base}/restore`, csrf, `Restore “${study.title}”`)
      : postButton(`${base}/archive`, csrf, `Archive “${study.title}”`)
  }<a class="button danger" href="${base}/delete">Delete “${study.title}”…</a></div></section>`;
}

/** What a deletion loses, for the confirmation page. */
interface DeleteModel {
  readonly id: number;
  readonly title: string;
  readonly responses: number;
  readonly drafts: number;
  readonly hasQual: boolean;
  readonly typed: string;
  readonly issue?: Issue | undefined;
}

/** The confirmation page of a deletion: what goes, and the title to type (its problem linked and focused). */
function deleteView(m: DeleteModel, csrf: string): Html {
  const lost = [
    `${m.responses} response${m.responses === 1 ? '' : 's'}`,
    `${m.drafts} unfinished questionnaire${m.drafts === 1 ? '' : 's'}`,
    m.hasQual ? 'the qualitative project (transcripts, codes, recordings)' : '',
    'every definition version, referral and invitation link, role and pending invitation',
  ].filter(Boolean);
  return html`<h1>Delete “${m.title}”</h1>${
    m.issue
      ? html`<div class="errors" role="alert"><p><strong>Not deleted.</strong> <a href="#del-confirm">${m.issue.message}</a></p></div>`
      : ''
  }<div class="notice"><p><strong>This cannot be undone.</strong> Deleting the study removes, in one step: ${lost.join('; ')}. The audit log keeps a record that it was deleted. To keep the data but hide the study, archive it instead.</p></div>
<form method="post" action="/studies/${m.id}/delete" class="stack">${csrfField(csrf)}${input(
    'del',
    'confirm',
    `Type the study's title to confirm: ${m.title}`,
    m.typed,
    {
      required: true,
      state: m.issue ? { error: m.issue.message, autofocus: true } : undefined,
    },
  )}<div class="row"><button class="danger">Delete the study and all its data</button> <a class="button" href="/studies/${m.id}">Keep it</a></div></form>`;
}

/** The archived studies of the signed-in user, with Restore for those they own. */
function archiveView(studies: readonly (StudySummary & { role: string })[], csrf: string): Html {
  const rows = studies.map(
    (s) =>
      html`<tr><td><a href="/studies/${s.id}" dir="auto">${s.title}</a></td><td>${s.role}</td><td>${statusBadge(s.status)}</td><td>${s.archivedAt?.toISOString().slice(0, 10) ?? ''}</td><td>${
        s.role === 'owner' ? postButton(`/studies/${s.id}/restore`, csrf, `Restore “${s.title}”`) : ''
      }</td></tr>`,
  );
  return html`<h1>Archived studies</h1><p><a href="/">Back to your studies</a></p>${
    rows.length
      ? scrollBox(
          'Archived studies',
          html`<table><thead><tr><th>Study</th><th>Your role</th><th>Status</th><th>Archived</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${rows}</tbody></table>`,
        )
      : html`<p class="muted">No archived study.</p>`
  }`;
}

export function registerLifecycle(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;

  app.post('/studies/:id/duplicate', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const title = copyTitle(s.study.title);
    const definition = duplicateDefinition(s.study.definition, title);
    const copy = await store.audited(
      (tx) =>
        tx.studies.duplicate({
          fromStudyId: s.study.id,
          title,
          ownerId: s.user.id,
          definition,
          consentText: consentTextOf(definition),
        }),
      (c) =>
        c && {
          action: 'study.duplicate',
          studyId: c.id,
          actorUserId: s.user.id,
          detail: { from: s.study.id, fromVersion: s.study.version },
        },
    );
    if (!copy) throw new HttpError(404, 'Study not found.', 'not_found');
    return seeOther(reply, `/studies/${copy.id}/edit?saved=duplicate`);
  });

  for (const archived of [true, false]) {
    app.post(`/studies/:id/${archived ? 'archive' : 'restore'}`, async (req, reply) => {
      const s = await loadStudy(req, ROLES.owner);
      if (Boolean(s.study.archivedAt) === archived) return seeOther(reply, `/studies/${s.study.id}`);
      await store.audited((tx) => tx.studies.setArchived({ studyId: s.study.id, archived }), {
        action: archived ? 'study.archive' : 'study.restore',
        studyId: s.study.id,
        actorUserId: s.user.id,
        detail: { status: s.study.status },
      });
      return seeOther(reply, archived ? '/archive' : `/studies/${s.study.id}`);
    });
  }

  const deleteModel = async (id: number, title: string, typed: string, issue?: Issue) => ({
    id,
    title,
    typed,
    issue,
    responses: await store.responses.count(id),
    drafts: await store.drafts.liveCount(id),
    hasQual: (await store.qual.byStudy(id)) !== null,
  });

  app.get('/studies/:id/delete', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const m = await deleteModel(s.study.id, s.study.title, '');
    return page(reply, {
      title: `Delete – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      body: (csrf) => deleteView(m, csrf),
    });
  });

  app.post('/studies/:id/delete', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const confirm = field(asForm(req.body), 'confirm');
    const issue = deleteConfirmationIssue(confirm, s.study.title);
    if (issue) {
      const m = await deleteModel(s.study.id, s.study.title, confirm, issue);
      return page(reply, {
        title: `Error: Delete – ${s.study.title}`,
        user: s.user,
        study: s.layoutStudy,
        status: 400,
        body: (csrf) => deleteView(m, csrf),
      });
    }
    await store.audited(
      (tx) => tx.studies.deleteWithData(s.study.id),
      (d) =>
        d && {
          action: 'study.delete',
          studyId: s.study.id,
          actorUserId: s.user.id,
          detail: { title: s.study.title, version: s.study.version, ...d },
        },
    );
    return seeOther(reply, '/?deleted=1');
  });

  app.get('/archive', async (req, reply) => {
    const user = requireUser(req);
    const studies = await store.studies.listForUser(user.id, { archived: 'only' });
    return page(reply, { title: 'Archived studies', user, body: (csrf) => archiveView(studies, csrf) });
  });
}
