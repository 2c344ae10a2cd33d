/**
 * The project overview: start the project (owner), its counts, the six Braun & Clarke phases from dated memos,
 * theme reviewers and coder comparison (owner).
 */
import type { FastifyInstance } from 'fastify';
import { mapAt } from '../../core/stats/at.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, field, fieldAll } from '../form.js';
import { loadStudy } from '../studio/common.js';
import {
  applyPlan,
  coderIdOf,
  loadQual,
  projectOf,
  type QualContext,
  qualBase,
  qualCaller,
  seeOther,
  sendQualPage,
  versionField,
} from './common.js';
import { overviewModel, overviewView, startView } from './overviewView.js';

export function registerOverview(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual', async (req, reply) => {
    const s = qualCaller(await loadStudy(req, ROLES.read));
    const record = await ctx.store.qual.byStudy(s.study.id);
    const base = qualBase(s.study.id);
    if (!record) {
      const start = { base, studyTitle: s.study.title, owner: s.owner };
      return sendQualPage(reply, {
        q: s,
        title: 'Qualitative analysis',
        section: 'overview',
        hasProject: false,
        body: (csrf) => startView(start, csrf),
      });
    }
    const q = { ...s, project: record };
    const { state, project } = await projectOf(ctx, q);
    const model = overviewModel({
      base,
      role: s.role,
      project,
      blind: state.blind,
      version: record.version,
      comparisonOpen: record.comparisonOpen,
      roles: await ctx.store.roles.list(s.study.id),
    });
    return sendQualPage(reply, {
      q,
      title: `Qualitative analysis – ${project.name}`,
      section: 'overview',
      body: (csrf) => overviewView(model, csrf),
    });
  });

  app.post('/studies/:id/qual', async (req, reply) => {
    const s = qualCaller(await loadStudy(req, ROLES.owner));
    const b = asForm(req.body);
    const description = field(b, 'description');
    const r = await ctx.store.qual.create({
      studyId: s.study.id,
      name: field(b, 'name') || s.study.title,
      ...(description ? { description } : {}),
      actor: s.actor,
      creatorName: s.user.displayName.trim() || s.user.email,
    });
    if (!r.ok && r.code !== 'exists') throw new HttpError(400, r.message, 'validation');
    return seeOther(reply, qualBase(s.study.id));
  });

  app.post('/studies/:id/qual/settings', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.owner);
    const b = asForm(req.body);
    const version = versionField(b);
    const roles = await ctx.store.roles.list(q.study.id);
    const allowed = new Map(roles.filter((r) => r.role !== 'viewer').map((r) => [coderIdOf(r.userId), r]));
    const reviewers = fieldAll(b, 'reviewers');
    for (const r of reviewers)
      if (!allowed.has(r))
        throw new HttpError(400, `Reviewer "${r}" is not an owner or analyst of this study.`, 'validation');
    const description = field(b, 'description');
    await applyPlan(ctx, q, (state) => {
      const doc = { ...state.project.doc };
      if (description) doc.description = description;
      else delete doc.description;
      doc.themeReviewers = reviewers;
      // Reviewers must be coders of the project: add those who are not yet.
      const changes = reviewers
        .filter((r) => !state.get('coder', r))
        .map((r) => {
          const u = mapAt(allowed, r);
          return {
            kind: 'coder' as const,
            id: r,
            expect: 'new' as const,
            data: { id: r, name: u.displayName, userId: u.userId },
          };
        });
      return {
        changes,
        project: {
          expect: version,
          name: field(b, 'name'),
          doc,
          audit: {
            action: 'project.settings',
            before: {
              name: state.project.name,
              description: state.project.doc.description ?? null,
              themeReviewers: state.project.doc.themeReviewers,
            },
            after: { name: field(b, 'name'), description: description || null, themeReviewers: reviewers },
          },
        },
        result: null,
      };
    });
    return seeOther(reply, qualBase(q.study.id));
  });

  app.post('/studies/:id/qual/comparison', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.owner);
    const b = asForm(req.body);
    const version = versionField(b);
    const open = field(b, 'open') === '1';
    await applyPlan(ctx, q, (state) => ({
      project: {
        expect: version,
        comparisonOpen: open,
        audit: {
          action: open ? 'comparison.open' : 'comparison.close',
          before: { open: state.project.comparisonOpen },
          after: { open },
        },
      },
      result: null,
    }));
    return seeOther(reply, `${qualBase(q.study.id)}${open ? '/compare' : ''}`);
  });
}
