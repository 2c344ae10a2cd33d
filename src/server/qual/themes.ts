/**
 * Memos (on the project, codes, transcripts and themes; dated, optionally in one of Braun & Clarke's six
 * phases) and themes: themes and sub-themes with linked codes, support needs and chosen quotes, moving
 * candidate → reviewed → final. The core decides (`editTheme`, `setThemeStatus`, `signOffTheme`,
 * `raiseDisagreement`, `resolveDisagreement`); a refusal is shown with the core's message (409).
 */
import type { FastifyInstance } from 'fastify';
import { consensusCodebook } from '../../core/qual/codebook.js';
import {
  checkProject,
  currentSignOffs,
  editTheme,
  MemoSchema,
  phaseTimeline,
  type QualProject,
  raiseDisagreement,
  resolveDisagreement,
  setThemeStatus,
  signOffTheme,
  type Theme,
  ThemeSchema,
  type ThemeStatus,
  themeReadiness,
} from '../../core/qual/model.js';
import { formatQuote, quoteCandidates, quoteOf } from '../../core/qual/results.js';
import type { QualState } from '../../store/index.js';
import { toQualProject } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, type FormBody, field, fieldAll, rawField } from '../form.js';
import { segments } from '../request.js';
import { depthClass } from './assets.js';
import {
  applyPlan,
  coderNames,
  csrfInput,
  ensureCoder,
  esc,
  invalid,
  lines,
  loadQual,
  nameOfCoder,
  newId,
  nowIso,
  postButton,
  type QualContext,
  qualBase,
  refuse,
  seeOther,
  sendQualPage,
  stateOf,
  versionField,
  when,
} from './common.js';
import { PHASE_OPTIONS, phaseTable } from './overviewView.js';
import { codeCheckboxes } from './sourcesView.js';

/** The memo target options of a form. */
function targetOptions(state: QualState, selected = 'project'): string {
  const opt = (v: string, l: string) =>
    `<option value="${esc(v)}"${v === selected ? ' selected' : ''}>${esc(l)}</option>`;
  return (
    opt('project', 'The project') +
    (state.entities.source.length
      ? `<optgroup label="Transcripts">${state.entities.source.map((s) => opt(`source:${s.id}`, s.data.source.name)).join('')}</optgroup>`
      : '') +
    (state.entities.code.length
      ? `<optgroup label="Codes">${state.entities.code.map((c) => opt(`code:${c.id}`, c.data.name)).join('')}</optgroup>`
      : '') +
    (state.entities.theme.length
      ? `<optgroup label="Themes">${state.entities.theme.map((t) => opt(`theme:${t.id}`, t.data.name)).join('')}</optgroup>`
      : '')
  );
}

function targetLabel(state: QualState, t: { kind: string; id?: string }): string {
  if (t.kind === 'project') return 'project';
  const id = t.id ?? '';
  if (t.kind === 'source') return `transcript “${state.get('source', id)?.data.source.name ?? id}”`;
  if (t.kind === 'code') return `code “${state.get('code', id)?.data.name ?? id}”`;
  if (t.kind === 'theme') return `theme “${state.get('theme', id)?.data.name ?? id}”`;
  return `${t.kind} ${id}`;
}

function statusBadge(s: ThemeStatus): string {
  return `<span class="badge status-${s}">${s}</span>`;
}

export function registerThemes(app: FastifyInstance, ctx: QualContext): void {
  // ------------------------------------------------------------------------------------------------------
  // Memos and phases

  app.get('/studies/:id/qual/memos', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const state = await stateOf(ctx, q);
    const base = qualBase(q.study.id);
    const names = coderNames(state);
    const project = toQualProject(state);
    const timeline = phaseTimeline(project.memos);
    const memos = [...state.entities.memo].sort((a, b) => (a.data.at < b.data.at ? 1 : -1));
    return sendQualPage(reply, {
      q,
      title: 'Memos and phases',
      section: 'memos',
      body: (csrf) =>
        '<h1>Memos and Braun &amp; Clarke’s phases</h1>' +
        phaseTable(timeline, 'Memos') +
        `<h2>Write a memo</h2><form method="post" action="${base}/memos" class="stack">${csrfInput(csrf)}` +
        `<div class="field"><label for="target">About</label><select id="target" name="target">${targetOptions(state)}</select></div>` +
        `<div class="field"><label for="phase">Phase</label><select id="phase" name="phase"><option value="">(none)</option>${PHASE_OPTIONS.map((o) => `<option value="${o.value}">${esc(o.label)}</option>`).join('')}</select></div>` +
        `<div class="field"><label for="at">Date</label><input type="text" id="at" name="at" value="${esc(nowIso().slice(0, 10))}" pattern="\\d{4}-\\d{2}-\\d{2}.*" class="w12"></div>` +
        '<div class="field"><label for="title">Title</label><input type="text" id="title" name="title" maxlength="200" dir="auto"></div>' +
        '<div class="field"><label for="text">Memo</label><textarea id="text" name="text" required rows="6" dir="auto"></textarea></div>' +
        '<p><button class="primary">Save memo</button></p></form>' +
        '<h2>All memos</h2>' +
        (memos.length
          ? memos
              .map(
                (m) =>
                  `<div class="card"><p class="muted">${esc(when(m.data.at))} · ${esc(names.get(m.data.authorId) ?? m.data.authorId)} · about the ${esc(targetLabel(state, m.data.target))}${m.data.phase ? ` · phase ${m.data.phase}` : ''}</p>` +
                  `${m.data.title ? `<h3 dir="auto">${esc(m.data.title)}</h3>` : ''}<p dir="auto" class="pre">${esc(m.data.text)}</p>` +
                  (m.data.authorId === q.actor.coderId
                    ? postButton(
                        `${base}/memos/${encodeURIComponent(m.id)}/delete`,
                        csrf,
                        'Delete',
                        { version: m.version },
                        'danger',
                      )
                    : '') +
                  '</div>',
              )
              .join('')
          : '<p>No memos yet.</p>'),
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
    const view = {
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
      body: (csrf) => themesPage({ ...view, csrf }),
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

/** What the themes page shows (the visible project) and the CSRF token for its forms. */
interface ThemesView {
  readonly base: string;
  readonly project: QualProject;
  readonly names: ReadonlyMap<string, string>;
  /** Stored version of each theme (for the forms' optimistic concurrency). */
  readonly version: ReadonlyMap<string, number>;
  readonly codeName: ReadonlyMap<string, string>;
  readonly csrf: string;
}

/** The themes page: every theme's card (sub-themes under their theme) and the form for a new one. */
function themesPage(v: ThemesView): string {
  const { project, names } = v;
  return (
    `<h1>Themes</h1><p class="hint">A theme moves candidate → reviewed → final. Final needs a sign-off of its current version from every reviewer (${
      project.themeReviewers.length
        ? project.themeReviewers.map((r) => esc(names.get(r) ?? r)).join(', ')
        : 'none set: the owner sets them on the project page'
    }) and no open disagreement. Editing a theme raises its version.</p>` +
    (project.themes.length ? '<h2>The themes</h2>' : '') +
    project.themes
      .filter((t) => t.parentId === null)
      .map(
        (t) =>
          themeCard(v, t, 0) +
          project.themes
            .filter((s) => s.parentId === t.id)
            .map((s) => themeCard(v, s, 1))
            .join(''),
      )
      .join('') +
    `<h2>Add a theme or sub-theme</h2>${themeForm(v, null)}`
  );
}

/** The form that adds a theme (t = null) or edits one, with its quote candidates. */
function themeForm(v: ThemesView, t: Theme | null): string {
  const { base, project, names, version, csrf } = v;
  const pre = t ? `t-${t.id}-` : 'new-';
  const candidates = t ? quoteCandidates(project, t) : [];
  return (
    `<form method="post" action="${base}/themes${t ? `/${encodeURIComponent(t.id)}` : ''}" class="stack">${csrfInput(csrf)}${t ? `<input type="hidden" name="version" value="${version.get(t.id) ?? 1}">` : ''}` +
    `<div class="field"><label for="${pre}name">Name</label><input type="text" id="${pre}name" name="name" required maxlength="200" dir="auto" value="${esc(t?.name ?? '')}"></div>` +
    `<div class="field"><label for="${pre}parent">Sub-theme of</label><select id="${pre}parent" name="parent"><option value="">(a theme of its own)</option>${project.themes
      .filter((x) => x.parentId === null && x.id !== t?.id)
      .map(
        (x) =>
          `<option value="${esc(x.id)}"${t?.parentId === x.id ? ' selected' : ''}>${esc(x.name)}</option>`,
      )
      .join('')}</select></div>` +
    `<div class="field"><label for="${pre}definition">Definition</label><textarea id="${pre}definition" name="definition" dir="auto">${esc(t?.definition ?? '')}</textarea></div>` +
    `<fieldset><legend>Linked codes</legend>${project.codes.length ? codeCheckboxes(project.codes, new Set(t?.codeIds ?? [])) : '<p class="muted">No codes yet.</p>'}</fieldset>` +
    `<div class="field"><label for="${pre}needs">Expressed support needs (one per line)</label><textarea id="${pre}needs" name="needs" dir="auto">${esc((t?.supportNeeds ?? []).join('\n'))}</textarea></div>` +
    (t
      ? `<fieldset><legend>Quotes for the results table</legend>${
          candidates.length
            ? candidates
                .map(
                  ({ segment: s, coders }) =>
                    `<label class="check"><input type="checkbox" name="quotes" value="${esc(s.id)}"${t.quoteSegmentIds.includes(s.id) ? ' checked' : ''}> <span dir="auto">${esc(formatQuote(quoteOf(project, s)))}</span> <span class="muted">coded by ${esc(coders.map((c) => names.get(c) ?? c).join(', '))}</span></label>`,
                )
                .join('')
            : '<p class="muted">No segments coded with the linked codes yet.</p>'
        }</fieldset>`
      : '') +
    `<p><button${t ? '' : ' class="primary"'}>${t ? 'Save theme (raises its version)' : 'Add theme'}</button></p></form>`
  );
}

/** A theme's card: status, codes, quotes, sign-offs, disagreements and its forms. */
function themeCard(view: ThemesView, t: Theme, depth: number): string {
  const { base, project, names, version, codeName, csrf } = view;
  const ready = themeReadiness(t, project.themeReviewers, (id) => names.get(id) ?? id);
  const v = version.get(t.id) ?? 1;
  const signed = currentSignOffs(t);
  const stale = t.signOffs.filter((s) => s.version !== t.version);
  const statusButtons = (['candidate', 'reviewed', 'final'] as const)
    .filter((s) => s !== t.status)
    .map((s) =>
      postButton(
        `${base}/themes/${encodeURIComponent(t.id)}/status`,
        csrf,
        s === 'final'
          ? 'Mark final'
          : s === 'reviewed'
            ? t.status === 'final'
              ? 'Reopen (reviewed)'
              : 'Mark reviewed'
            : 'Back to candidate',
        { to: s, version: v },
        s === 'final' ? 'primary' : '',
      ),
    )
    .join(' ');
  return (
    `<div class="card ${depthClass(depth)}" id="theme-${esc(t.id)}"><h3 dir="auto">${esc(t.name)} ${statusBadge(t.status)} <span class="muted">version ${t.version}</span></h3>` +
    (t.definition ? `<p dir="auto">${esc(t.definition)}</p>` : '<p class="muted">No definition yet.</p>') +
    `<p>Codes: ${t.codeIds.length ? t.codeIds.map((c) => esc(codeName.get(c) ?? c)).join(', ') : '—'}</p>` +
    (t.supportNeeds.length ? `<p>Support needs: ${t.supportNeeds.map(esc).join('; ')}</p>` : '') +
    (t.quoteSegmentIds.length
      ? t.quoteSegmentIds
          .map((id) => project.segments.find((s) => s.id === id))
          .filter((s) => s !== undefined)
          .map(
            (s) =>
              `<blockquote class="quote" dir="auto">${esc(formatQuote(quoteOf(project, s)))}</blockquote>`,
          )
          .join('')
      : '') +
    `<p>Sign-offs (version ${t.version}): ${signed.length ? signed.map((s) => `${esc(names.get(s.reviewerId) ?? s.reviewerId)} (${esc(when(s.at))})`).join(', ') : 'none'}${stale.length ? ` · <span class="muted">${stale.length} stale (earlier version)</span>` : ''}</p>` +
    (t.disagreements.length
      ? `<ul>${t.disagreements
          .map(
            (d) =>
              `<li><strong>${esc(names.get(d.reviewerId) ?? d.reviewerId)}</strong> (${esc(when(d.at))}): <span dir="auto">${esc(d.text)}</span>${
                d.resolution
                  ? ` — <em>resolved by ${esc(names.get(d.resolution.by) ?? d.resolution.by)}: <span dir="auto">${esc(d.resolution.text)}</span></em>`
                  : `<form method="post" action="${base}/themes/${encodeURIComponent(t.id)}/disagreements/${encodeURIComponent(d.id)}/resolve" class="row">${csrfInput(csrf)}<input type="hidden" name="version" value="${v}"><input type="text" name="text" required placeholder="How it was resolved" dir="auto" class="max24"><button>Resolve</button></form>`
              }</li>`,
          )
          .join('')}</ul>`
      : '') +
    (ready.ready || t.status === 'final'
      ? ''
      : `<p class="muted">Before it can be final: ${esc(ready.reasons.join('; '))}.</p>`) +
    `<div class="row">${statusButtons} ${postButton(`${base}/themes/${encodeURIComponent(t.id)}/signoff`, csrf, `Sign off version ${t.version}`, { version: v })}</div>` +
    `<details><summary>Record a disagreement</summary><form method="post" action="${base}/themes/${encodeURIComponent(t.id)}/disagreements" class="stack">${csrfInput(csrf)}<input type="hidden" name="version" value="${v}"><textarea name="text" required dir="auto"></textarea><p><button>Record disagreement</button></p></form></details>` +
    (t.status === 'final' ? '' : `<details><summary>Edit</summary>${themeForm(view, t)}</details>`) +
    '</div>'
  );
}
