/**
 * The start page (the signed-in user's studies with their role and status) and creating a study: a title,
 * languages and instruments picked from the library, each shown with its licence and terms; instruments whose
 * owner requires it need an explicit acknowledgement, recorded in the store and in the definition. The pages'
 * views are in dashboardView.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Instrument, Issue } from '../../core/instrument/schema.js';
import { audienceOf, coarseCount } from '../../core/privacy/suppression.js';
import { getInstrument } from '../../instruments/index.js';
import { normalizeEmail, type Store, type User } from '../../store/index.js';
import { requireUser } from '../auth/guard.js';
import { asForm } from '../form.js';
import { page, type StudioContext, seeOther } from './common.js';
import { dashboardView, newStudyView, type StudyRow } from './dashboardView.js';
import {
  checkDefinition,
  type Fields,
  field,
  fieldAll,
  newDefinition,
  STUDIO_LANGUAGES,
  type StudyDraft,
  titleIssues,
} from './definition.js';

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
      body: (csrf) => dashboardView({ studies, invitations }, csrf),
    });
  });

  app.get('/studies/new', async (req, reply) => {
    const user = requireUser(req);
    return page(reply, {
      title: 'New study',
      user,
      body: (csrf) => newStudyView(csrf, config.minCellSizeDefault),
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
        body: (csrf) => newStudyView(csrf, k, fields, read.issues),
      });
    const study = await storeNewStudy(store, user, read.value, k, now);
    return seeOther(reply, `/studies/${study.id}`);
  });
}
