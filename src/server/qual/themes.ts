/**
 * Memos (on the project, codes, transcripts and themes; dated, optionally in one of Braun & Clarke's six
 * phases) and themes: themes and sub-themes with linked codes, support needs and chosen quotes, moving
 * candidate → reviewed → final. The core decides (`editTheme`, `setThemeStatus`, `signOffTheme`,
 * `raiseDisagreement`, `resolveDisagreement`); a refusal is shown with the core's message (409). The pages
 * themselves are views of themesView.ts.
 */
import type { FastifyInstance } from 'fastify';
import { consensusCodebook } from '../../core/qual/codebook.js';
import {
  checkProject,
  editTheme,
  MemoSchema,
  phaseTimeline,
  raiseDisagreement,
  resolveDisagreement,
  setThemeStatus,
  signOffTheme,
  type Theme,
  ThemeSchema,
} from '../../core/qual/model.js';
import type { QualState } from '../../store/index.js';
import { toQualProject } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, type FormBody, field, fieldAll, rawField } from '../form.js';
import { segments } from '../request.js';
import {
  applyPlan,
  coderNames,
  ensureCoder,
  invalid,
  lines,
  loadQual,
  nameOfCoder,
  newId,
  nowIso,
  type QualContext,
  qualBase,
  refuse,
  seeOther,
  sendQualPage,
  stateOf,
  versionField,
} from './common.js';
import { type MemosModel, memosView, type ThemesModel, themesView } from './themesView.js';

/** What a memo is about, for people: "project", "transcript “FGD 1”", "code “Workload”"… */
function targetLabel(state: QualState, t: { kind: string; id?: string }): string {
  if (t.kind === 'project') return 'project';
  const id = t.id ?? '';
  if (t.kind === 'source') return `transcript “${state.get('source', id)?.data.source.name ?? id}”`;
  if (t.kind === 'code') return `code “${state.get('code', id)?.data.name ?? id}”`;
  if (t.kind === 'theme') return `theme “${state.get('theme', id)?.data.name ?? id}”`;
  return `${t.kind} ${id}`;
}

export function registerThemes(app: FastifyInstance, ctx: QualContext): void {
  // ------------------------------------------------------------------------------------------------------
  // Memos and phases

  app.get('/studies/:id/qual/memos', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const state = await stateOf(ctx, q);
    const names = coderNames(state);
    const option = (e: { id: string }, name: string) => ({ id: e.id, name });
    const model: MemosModel = {
      base: qualBase(q.study.id),
      timeline: phaseTimeline(toQualProject(state).memos),
      targets: {
        sources: state.entities.source.map((s) => option(s, s.data.source.name)),
        codes: state.entities.code.map((c) => option(c, c.data.name)),
        themes: state.entities.theme.map((t) => option(t, t.data.name)),
      },
      today: nowIso().slice(0, 10),
      memos: [...state.entities.memo]
        .sort((a, b) => (a.data.at < b.data.at ? 1 : -1))
        .map(({ id, version, data: m }) => ({
          id,
          version,
          at: m.at,
          author: names.get(m.authorId) ?? m.authorId,
          about: targetLabel(state, m.target),
          phase: m.phase,
          title: m.title,
          text: m.text,
          mine: m.authorId === q.actor.coderId,
        })),
    };
    return sendQualPage(reply, {
      q,
      title: 'Memos and phases',
      section: 'memos',
      body: (csrf) => memosView(model, csrf),
    });
  });

  app.post('/studies/:id/qual/memos', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const b = asForm(req.body);
    const t = field(b, 'target') || 'project';
    const [kind, ...rest] = t.split(':');
    const target = kind === 'project' ? { kind: 'project' } : { kind, id: rest.join(':') };
    const phase = field(b, 'phase');
    const at = field(b, 'at') || nowIso();
    const title = field(b, 'title');
    const id = newId('memo');
    await applyPlan(ctx, q, (state) => {
      const r = MemoSchema.safeParse({
        id,
        target,
        authorId: q.actor.coderId,
        at,
        ...(title ? { title } : {}),
        text: rawField(b, 'text').trim(),
        ...(phase ? { phase: Number(phase) } : {}),
      });
      if (!r.success)
        return refuse(
          'invalid',
          `The memo is not valid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      if (!r.data.text) return refuse('invalid', 'Write the memo before saving it.');
      const project = toQualProject(state);
      const issues = checkProject({ ...project, memos: [r.data] }).filter((i) => i.path.startsWith('memos'));
      if (issues.length) return invalid(issues);
      return {
        changes: [...ensureCoder(state, q), { kind: 'memo', id, expect: 'new', data: r.data }],
        result: null,
      };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/memos`);
  });

  app.post('/studies/:id/qual/memos/:mid/delete', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { mid } = segments(req, 'mid');
    const version = versionField(asForm(req.body));
    await applyPlan(ctx, q, (state) => {
      const m = state.get('memo', mid);
      if (!m) return refuse('not_found', 'That memo no longer exists.');
      if (m.data.authorId !== q.actor.coderId)
        return refuse('invalid', 'You can delete only your own memos.');
      return { changes: [{ kind: 'memo', id: mid, expect: version, data: null }], result: null };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/memos`);
  });

  // ------------------------------------------------------------------------------------------------------
  // Themes

  app.get('/studies/:id/qual/themes', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const state = await stateOf(ctx, q);
    // Themes link codes of the consensus codebook; quote candidates include codings of merged codes.
    const project = consensusCodebook(toQualProject(state));
    const model: ThemesModel = {
      base: qualBase(q.study.id),
      project,
      names: coderNames(state),
      version: new Map(state.entities.theme.map((t) => [t.id, t.version])),
      codeName: new Map(project.codes.map((c) => [c.id, c.name])),
    };
    return sendQualPage(reply, {
      q,
      title: 'Themes',
      section: 'themes',
      body: (csrf) => themesView(model, csrf),
    });
  });

  const themeChanges = (b: FormBody) => ({
    name: field(b, 'name'),
    definition: rawField(b, 'definition').trim(),
    parentId: field(b, 'parent') || null,
    codeIds: fieldAll(b, 'codes'),
    supportNeeds: lines(rawField(b, 'needs')),
  });

  app.post('/studies/:id/qual/themes', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const b = asForm(req.body);
    const id = newId('theme');
    await applyPlan(ctx, q, (state) => {
      const r = ThemeSchema.safeParse({ id, ...themeChanges(b) });
      if (!r.success)
        return refuse(
          'invalid',
          `The theme is not valid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      const issues = checkProject({
        ...toQualProject(state),
        themes: [...state.entities.theme.map((t) => t.data), r.data],
      }).filter((i) => i.path.startsWith('themes'));
      if (issues.length) return invalid(issues);
      return {
        changes: [...ensureCoder(state, q), { kind: 'theme', id, expect: 'new', data: r.data }],
        result: null,
      };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/themes`);
  });

  /** Apply a core theme operation to one theme, with the version the form was rendered from. */
  const themeOp = (
    path: string,
    op: (
      theme: Theme,
      b: FormBody,
      state: QualState,
      coderId: string,
    ) => { ok: true; value: Theme } | { ok: false; issues: readonly { message: string }[] },
    action: string,
  ) =>
    app.post(path, async (req, reply) => {
      const q = await loadQual(ctx, req, ROLES.work);
      const { tid } = segments(req, 'tid');
      const b = asForm(req.body);
      const version = versionField(b);
      await applyPlan(ctx, q, (state) => {
        const t = state.get('theme', tid);
        if (!t) return refuse('not_found', 'That theme no longer exists.');
        const r = op(t.data, b, state, q.actor.coderId);
        if (!r.ok) return { ok: false, code: 'conflict', message: r.issues.map((i) => i.message).join(' ') };
        if (action === 'theme.update') {
          const issues = checkProject({
            ...toQualProject(state),
            themes: state.entities.theme.map((x) => (x.id === tid ? r.value : x.data)),
          }).filter((i) => i.path.startsWith('themes'));
          if (issues.length) return invalid(issues);
        }
        return {
          changes: [
            ...ensureCoder(state, q),
            { kind: 'theme', id: tid, expect: version, data: r.value, audit: { action } },
          ],
          result: null,
        };
      });
      return seeOther(reply, `${qualBase(q.study.id)}/themes#theme-${encodeURIComponent(tid)}`);
    });

  themeOp(
    '/studies/:id/qual/themes/:tid',
    (t, b, state) => {
      const c = themeChanges(b);
      if (c.parentId === t.id)
        return { ok: false, issues: [{ message: 'A theme cannot be its own sub-theme.' }] };
      const quotes = fieldAll(b, 'quotes').filter((id) => state.get('segment', id));
      return editTheme(t, { ...c, quoteSegmentIds: quotes });
    },
    'theme.update',
  );
  themeOp(
    '/studies/:id/qual/themes/:tid/status',
    (t, b, state) => {
      const to = field(b, 'to');
      if (to !== 'candidate' && to !== 'reviewed' && to !== 'final')
        throw new HttpError(400, `Status "${to}" is not one of candidate, reviewed, final.`, 'validation');
      return setThemeStatus(t, to, state.project.doc.themeReviewers, nameOfCoder(state));
    },
    'theme.status',
  );
  themeOp(
    '/studies/:id/qual/themes/:tid/signoff',
    (t, b, state, coderId) => {
      const note = field(b, 'note');
      return signOffTheme(
        t,
        { reviewerId: coderId, at: nowIso(), ...(note ? { note } : {}) },
        nameOfCoder(state),
      );
    },
    'theme.signoff',
  );
  themeOp(
    '/studies/:id/qual/themes/:tid/disagreements',
    (t, b, _state, coderId) =>
      raiseDisagreement(t, {
        id: newId('d'),
        reviewerId: coderId,
        at: nowIso(),
        text: rawField(b, 'text').trim(),
      }),
    'theme.disagreement',
  );
  app.post('/studies/:id/qual/themes/:tid/disagreements/:did/resolve', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { tid, did } = segments(req, 'tid', 'did');
    const b = asForm(req.body);
    const version = versionField(b);
    await applyPlan(ctx, q, (state) => {
      const t = state.get('theme', tid);
      if (!t) return refuse('not_found', 'That theme no longer exists.');
      const r = resolveDisagreement(t.data, {
        disagreementId: did,
        by: q.actor.coderId,
        at: nowIso(),
        text: field(b, 'text'),
      });
      if (!r.ok) return { ok: false, code: 'conflict', message: r.issues.map((i) => i.message).join(' ') };
      return {
        changes: [
          ...ensureCoder(state, q),
          { kind: 'theme', id: tid, expect: version, data: r.value, audit: { action: 'theme.resolve' } },
        ],
        result: null,
      };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/themes#theme-${encodeURIComponent(tid)}`);
  });
}
