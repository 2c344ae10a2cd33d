/**
 * The project overview: start the project (owner), its counts, the six Braun & Clarke phases from dated memos,
 * theme reviewers and coder comparison (owner).
 */
import type { FastifyInstance } from 'fastify';
import { BRAUN_CLARKE_PHASES, type PhaseTimelineEntry, phaseTimeline } from '../../core/qual/model.js';
import { HttpError } from '../errors.js';
import {
  applyPlan,
  bodyOf,
  coderIdOf,
  csrfInput,
  esc,
  field,
  fields,
  loadQual,
  loadStudyReq,
  postButton,
  projectOf,
  QUAL_ROLES,
  type QualContext,
  qualBase,
  seeOther,
  sendQualPage,
  table,
  versionField,
  when,
} from './common.js';

export function registerOverview(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual', async (req, reply) => {
    const s = await loadStudyReq(req, QUAL_ROLES.read);
    const record = await ctx.store.qual.byStudy(s.study.id);
    const base = qualBase(s.study.id);
    if (!record) {
      return sendQualPage(reply, {
        q: s,
        title: 'Qualitative analysis',
        section: 'overview',
        hasProject: false,
        body: (csrf) =>
          `<h1>Qualitative analysis</h1><p>Transcripts, coding by several researchers, themes, agreement, member checking and a results table, for this study.</p>` +
          (s.owner
            ? `<form method="post" action="${base}" class="stack">${csrfInput(csrf)}` +
              `<div class="field"><label for="name">Project name</label><input type="text" id="name" name="name" required maxlength="300" value="${esc(s.study.title)}"></div>` +
              `<div class="field"><label for="description">Description</label><textarea id="description" name="description"></textarea></div>` +
              '<p><button class="primary">Start the qualitative project</button></p></form>'
            : '<p>This study has no qualitative project yet; its owner can start one.</p>'),
      });
    }
    const q = { ...s, project: record };
    const { state, project } = await projectOf(ctx, q);
    const roles = await ctx.store.roles.list(s.study.id);
    const coders = roles.filter((r) => r.role !== 'viewer');
    const reviewers = new Set(project.themeReviewers);
    const byStatus = (st: string) => project.themes.filter((t) => t.status === st).length;
    const timeline = phaseTimeline(project.memos);
    const stats: [string, number][] = [
      ['transcripts', project.sources.length],
      ['participants', project.participants.length],
      ['codes', project.codes.length],
      [state.blind ? 'your coded segments' : 'coded segments', project.segments.length],
      ['memos', project.memos.length],
      ['themes', project.themes.length],
    ];
    const viewerNote =
      s.role === 'viewer'
        ? '<p class="notice">As a viewer you see aggregates only: agreement statistics, the code × attribute matrix, co-occurrence and word frequency (small cells suppressed), and the reporting checklists.</p>'
        : '';
    return sendQualPage(reply, {
      q,
      title: `Qualitative analysis – ${project.name}`,
      section: 'overview',
      body: (csrf) => {
        const ownerForms = s.owner
          ? `<h2>Settings</h2><form method="post" action="${base}/settings" class="stack"><input type="hidden" name="_csrf" value="${esc(csrf)}"><input type="hidden" name="version" value="${record.version}">` +
            `<div class="field"><label for="name">Project name</label><input type="text" id="name" name="name" required maxlength="300" value="${esc(project.name)}"></div>` +
            `<div class="field"><label for="description">Description</label><textarea id="description" name="description">${esc(project.description ?? '')}</textarea></div>` +
            `<fieldset><legend>Theme reviewers</legend><p class="hint">Each must sign off a theme before it can be final.</p><div class="checks">${coders
              .map(
                (r) =>
                  `<label><input type="checkbox" name="reviewers" value="${esc(coderIdOf(r.userId))}"${reviewers.has(coderIdOf(r.userId)) ? ' checked' : ''}> ${esc(r.displayName)} (${esc(r.role)})</label>`,
              )
              .join('')}</div></fieldset><p><button>Save settings</button></p></form>` +
            `<h2>Coder comparison</h2><p>${
              record.comparisonOpen
                ? 'Comparison is <strong>open</strong>: every coder sees every coder’s segments.'
                : 'Coding is <strong>blind</strong>: each coder sees only their own segments until you open comparison.'
            }</p>${postButton(`${base}/comparison`, csrf, record.comparisonOpen ? 'Close comparison (blind again)' : 'Open comparison', { open: record.comparisonOpen ? '0' : '1', version: record.version }, record.comparisonOpen ? '' : 'primary')}`
          : `<h2>Coder comparison</h2><p>${record.comparisonOpen ? 'Comparison is open.' : 'Coding is blind: you see only your own segments until the owner opens comparison.'}</p>`;
        return (
          `<h1>${esc(project.name)}</h1>${project.description ? `<p dir="auto">${esc(project.description)}</p>` : ''}${viewerNote}` +
          `<div class="stats">${stats.map(([l, n]) => `<div class="stat"><b>${n}</b>${esc(l)}</div>`).join('')}</div>` +
          `<p>Themes: ${byStatus('candidate')} candidate, ${byStatus('reviewed')} reviewed, ${byStatus('final')} final. Reviewers: ${
            project.themeReviewers.length
              ? project.themeReviewers
                  .map((r) =>
                    esc(
                      project.coders.find((c) => c.id === r)?.name ??
                        roles.find((x) => coderIdOf(x.userId) === r)?.displayName ??
                        r,
                    ),
                  )
                  .join(', ')
              : 'none set'
          }.</p>` +
          `<h2>Braun &amp; Clarke’s six phases</h2>` +
          phaseTable(timeline, 'Dated memos') +
          (s.editor ? `<p><a href="${base}/memos">Write a dated phase memo</a></p>` : '') +
          ownerForms
        );
      },
    });
  });

  app.post('/studies/:id/qual', async (req, reply) => {
    const s = await loadStudyReq(req, QUAL_ROLES.owner);
    const b = bodyOf(req);
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
    const q = await loadQual(ctx, req, QUAL_ROLES.owner);
    const b = bodyOf(req);
    const version = versionField(b);
    const roles = await ctx.store.roles.list(q.study.id);
    const allowed = new Map(roles.filter((r) => r.role !== 'viewer').map((r) => [coderIdOf(r.userId), r]));
    const reviewers = fields(b, 'reviewers');
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
          const u = allowed.get(r)!;
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
    const q = await loadQual(ctx, req, QUAL_ROLES.owner);
    const b = bodyOf(req);
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

/** The names of the six phases, for forms. */
export const PHASE_OPTIONS = BRAUN_CLARKE_PHASES.map((p) => ({
  value: String(p.phase),
  label: `${p.phase}. ${p.name}`,
}));

/** Braun & Clarke's six phases with their memo counts and first and last memo dates. */
export function phaseTable(timeline: readonly PhaseTimelineEntry[], countLabel: string): string {
  return table(
    ['Phase', countLabel, 'First', 'Last'],
    timeline.map((p) => [
      `${p.phase}. ${esc(p.name)}`,
      String(p.memoCount),
      p.first ? esc(when(p.first)) : '—',
      p.last ? esc(when(p.last)) : '—',
    ]),
    { numeric: [1] },
  );
}
