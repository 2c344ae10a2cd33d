/**
 * The views of the memos and themes pages (routes: themes.ts): Braun & Clarke's phases with their memo
 * counts, the memo form and every memo; every theme's card (status, version, linked codes, support needs,
 * chosen quotes, sign-offs, disagreements, what it still needs to be final, its status, sign-off,
 * disagreement and edit forms), sub-themes under their theme, and the form for a new theme. Pure functions
 * of their models, built with `html`; what a theme needs and which passages can be its quotes are the core's
 * (`themeReadiness`, `quoteCandidates`).
 */
import {
  currentSignOffs,
  type PhaseTimelineEntry,
  type QualProject,
  type Theme,
  type ThemeStatus,
  themeReadiness,
} from '../../core/qual/model.js';
import { formatQuote, quoteCandidates, quoteOf } from '../../core/qual/results.js';
import { attr, type Html, html, join } from '../ui/html.js';
import { depthClass } from './assets.js';
import { csrfInput, postButton, when } from './common.js';
import { PHASE_OPTIONS, phaseTable } from './overviewView.js';
import { codeCheckboxes } from './sourcesView.js';

// ---------------------------------------------------------------------------------------------------------
// Memos

/** Something a memo can be about: its `target` field value and its name. */
export interface MemoTargetOption {
  readonly id: string;
  readonly name: string;
}

export interface MemoCard {
  readonly id: string;
  /** Stored version (for the delete form). */
  readonly version: number;
  readonly at: string;
  readonly author: string;
  /** What the memo is about, for people: "project", "code “Workload”"… */
  readonly about: string;
  readonly phase?: number | undefined;
  readonly title?: string | undefined;
  readonly text: string;
  /** The caller wrote it (only the author may delete a memo). */
  readonly mine: boolean;
}

export interface MemosModel {
  readonly base: string;
  readonly timeline: readonly PhaseTimelineEntry[];
  /** What a new memo can be about besides the project. */
  readonly targets: {
    readonly sources: readonly MemoTargetOption[];
    readonly codes: readonly MemoTargetOption[];
    readonly themes: readonly MemoTargetOption[];
  };
  /** The date the form proposes (YYYY-MM-DD). */
  readonly today: string;
  /** Newest first. */
  readonly memos: readonly MemoCard[];
}

/** The memo form's "About" options: the project (selected), then each transcript, code and theme. */
function targetOptions(t: MemosModel['targets']): Html {
  const opt = (value: string, label: string) =>
    html`<option value="${value}"${attr('selected', value === 'project')}>${label}</option>`;
  const group = (label: string, kind: string, items: readonly MemoTargetOption[]) =>
    items.length > 0 &&
    html`<optgroup label="${label}">${items.map((x) => opt(`${kind}:${x.id}`, x.name))}</optgroup>`;
  return html`${opt('project', 'The project')}${group('Transcripts', 'source', t.sources)}${group('Codes', 'code', t.codes)}${group('Themes', 'theme', t.themes)}`;
}

function memoCard(m: MemosModel, memo: MemoCard, csrf: string): Html {
  return html`<div class="card"><p class="muted">${when(memo.at)} · ${memo.author} · about the ${memo.about}${
    memo.phase !== undefined && html` · phase ${memo.phase}`
  }</p>${memo.title && html`<h3 dir="auto">${memo.title}</h3>`}<p dir="auto" class="pre">${memo.text}</p>${
    memo.mine &&
    postButton(
      `${m.base}/memos/${encodeURIComponent(memo.id)}/delete`,
      csrf,
      'Delete',
      { version: memo.version },
      'danger',
    )
  }</div>`;
}

/** The memos page: the phase table, the memo form and every memo. */
export function memosView(m: MemosModel, csrf: string): Html {
  return html`<h1>Memos and Braun &amp; Clarke’s phases</h1>${phaseTable(m.timeline, 'Memos')}<h2>Write a memo</h2><form method="post" action="${m.base}/memos" class="stack">${csrfInput(csrf)}<div class="field"><label for="target">About</label><select id="target" name="target">${targetOptions(m.targets)}</select></div><div class="field"><label for="phase">Phase</label><select id="phase" name="phase"><option value="">(none)</option>${PHASE_OPTIONS.map(
    (o) => html`<option value="${o.value}">${o.label}</option>`,
  )}</select></div><div class="field"><label for="at">Date</label><input type="text" id="at" name="at" value="${m.today}" pattern="\\d{4}-\\d{2}-\\d{2}.*" class="w12"></div><div class="field"><label for="title">Title</label><input type="text" id="title" name="title" maxlength="200" dir="auto"></div><div class="field"><label for="text">Memo</label><textarea id="text" name="text" required rows="6" dir="auto"></textarea></div><p><button class="primary">Save memo</button></p></form><h2>All memos</h2>${
    m.memos.length ? m.memos.map((x) => memoCard(m, x, csrf)) : html`<p>No memos yet.</p>`
  }`;
}

// ---------------------------------------------------------------------------------------------------------
// Themes

/** What the themes page shows: the visible project read through the consensus codebook. */
export interface ThemesModel {
  readonly base: string;
  readonly project: QualProject;
  /** Coder names by id. */
  readonly names: ReadonlyMap<string, string>;
  /** Stored version of each theme (for the forms' optimistic concurrency). */
  readonly version: ReadonlyMap<string, number>;
  readonly codeName: ReadonlyMap<string, string>;
}

function statusBadge(s: ThemeStatus): Html {
  return html`<span class="badge status-${s}">${s}</span>`;
}

/** The themes page: every theme's card (sub-themes under their theme) and the form for a new one. */
export function themesView(m: ThemesModel, csrf: string): Html {
  const { project, names } = m;
  return html`<h1>Themes</h1><p class="hint">A theme moves candidate → reviewed → final. Final needs a sign-off of its current version from every reviewer (${
    project.themeReviewers.length
      ? project.themeReviewers.map((r) => names.get(r) ?? r).join(', ')
      : 'none set: the owner sets them on the project page'
  }) and no open disagreement. Editing a theme raises its version.</p>${
    project.themes.length > 0 && html`<h2>The themes</h2>`
  }${project.themes
    .filter((t) => t.parentId === null)
    .map(
      (t) =>
        html`${themeCard(m, csrf, t, 0)}${project.themes
          .filter((s) => s.parentId === t.id)
          .map((s) => themeCard(m, csrf, s, 1))}`,
    )}<h2>Add a theme or sub-theme</h2>${themeForm(m, csrf, null)}`;
}

/** The quote picker of a theme's edit form: the passages coded with its linked codes, and who coded them. */
function quotePicker(m: ThemesModel, t: Theme): Html {
  const candidates = quoteCandidates(m.project, t);
  return html`<fieldset><legend>Quotes for the results table</legend>${
    candidates.length
      ? candidates.map(
          ({ segment: s, coders }) =>
            html`<label class="check"><input type="checkbox" name="quotes" value="${s.id}"${attr('checked', t.quoteSegmentIds.includes(s.id))}> <span dir="auto">${formatQuote(quoteOf(m.project, s))}</span> <span class="muted">coded by ${coders.map((c) => m.names.get(c) ?? c).join(', ')}</span></label>`,
        )
      : html`<p class="muted">No segments coded with the linked codes yet.</p>`
  }</fieldset>`;
}

/** The form that adds a theme (t = null) or edits one, with its quote candidates. */
function themeForm(m: ThemesModel, csrf: string, t: Theme | null): Html {
  const { base, project } = m;
  const pre = t ? `t-${t.id}-` : 'new-';
  return html`<form method="post" action="${base}/themes${t && `/${encodeURIComponent(t.id)}`}" class="stack">${csrfInput(csrf)}${
    t && html`<input type="hidden" name="version" value="${m.version.get(t.id) ?? 1}">`
  }<div class="field"><label for="${pre}name">Name</label><input type="text" id="${pre}name" name="name" required maxlength="200" dir="auto" value="${t?.name ?? ''}"></div><div class="field"><label for="${pre}parent">Sub-theme of</label><select id="${pre}parent" name="parent"><option value="">(a theme of its own)</option>${project.themes
    .filter((x) => x.parentId === null && x.id !== t?.id)
    .map(
      (x) => html`<option value="${x.id}"${attr('selected', t?.parentId === x.id)}>${x.name}</option>`,
    )}</select></div><div class="field"><label for="${pre}definition">Definition</label><textarea id="${pre}definition" name="definition" dir="auto">${t?.definition ?? ''}</textarea></div><fieldset><legend>Linked codes</legend>${
    project.codes.length
      ? codeCheckboxes(project.codes, new Set(t?.codeIds ?? []))
      : html`<p class="muted">No codes yet.</p>`
  }</fieldset><div class="field"><label for="${pre}needs">Expressed support needs (one per line)</label><textarea id="${pre}needs" name="needs" dir="auto">${(t?.supportNeeds ?? []).join('\n')}</textarea></div>${
    t && quotePicker(m, t)
  }<p><button${attr('class', t ? null : 'primary')}>${t ? 'Save theme (raises its version)' : 'Add theme'}</button></p></form>`;
}

/** The buttons that move a theme to each status it is not in. */
function statusButtons(m: ThemesModel, csrf: string, t: Theme, version: number): Html {
  const label = (s: ThemeStatus) =>
    s === 'final'
      ? 'Mark final'
      : s === 'reviewed'
        ? t.status === 'final'
          ? 'Reopen (reviewed)'
          : 'Mark reviewed'
        : 'Back to candidate';
  return join(
    (['candidate', 'reviewed', 'final'] as const)
      .filter((s) => s !== t.status)
      .map((s) =>
        postButton(
          `${m.base}/themes/${encodeURIComponent(t.id)}/status`,
          csrf,
          label(s),
          { to: s, version },
          s === 'final' ? 'primary' : '',
        ),
      ),
    ' ',
  );
}

/** A theme's disagreements: each with its resolution, or the form that resolves it. */
function disagreements(m: ThemesModel, csrf: string, t: Theme, version: number): Html {
  const name = (id: string) => m.names.get(id) ?? id;
  return html`<ul>${t.disagreements.map(
    (d) =>
      html`<li><strong>${name(d.reviewerId)}</strong> (${when(d.at)}): <span dir="auto">${d.text}</span>${
        d.resolution
          ? html` — <em>resolved by ${name(d.resolution.by)}: <span dir="auto">${d.resolution.text}</span></em>`
          : html`<form method="post" action="${m.base}/themes/${encodeURIComponent(t.id)}/disagreements/${encodeURIComponent(d.id)}/resolve" class="row">${csrfInput(csrf)}<input type="hidden" name="version" value="${version}"><input type="text" name="text" required placeholder="How it was resolved" dir="auto" class="max24"><button>Resolve</button></form>`
      }</li>`,
  )}</ul>`;
}

/** A theme's card: status, codes, quotes, sign-offs, disagreements and its forms. */
function themeCard(m: ThemesModel, csrf: string, t: Theme, depth: number): Html {
  const { base, project, names, codeName } = m;
  const ready = themeReadiness(t, project.themeReviewers, (id) => names.get(id) ?? id);
  const v = m.version.get(t.id) ?? 1;
  const signed = currentSignOffs(t);
  const stale = t.signOffs.filter((s) => s.version !== t.version);
  const path = `${base}/themes/${encodeURIComponent(t.id)}`;
  const quotes = t.quoteSegmentIds
    .map((id) => project.segments.find((s) => s.id === id))
    .filter((s) => s !== undefined);
  return html`<div class="card ${depthClass(depth)}" id="theme-${t.id}"><h3 dir="auto">${t.name} ${statusBadge(t.status)} <span class="muted">version ${t.version}</span></h3>${
    t.definition ? html`<p dir="auto">${t.definition}</p>` : html`<p class="muted">No definition yet.</p>`
  }<p>Codes: ${t.codeIds.length ? t.codeIds.map((c) => codeName.get(c) ?? c).join(', ') : '—'}</p>${
    t.supportNeeds.length > 0 && html`<p>Support needs: ${t.supportNeeds.join('; ')}</p>`
  }${quotes.map(
    (s) => html`<blockquote class="quote" dir="auto">${formatQuote(quoteOf(project, s))}</blockquote>`,
  )}<p>Sign-offs (version ${t.version}): ${
    signed.length
      ? signed.map((s) => `${names.get(s.reviewerId) ?? s.reviewerId} (${when(s.at)})`).join(', ')
      : 'none'
  }${stale.length > 0 && html` · <span class="muted">${stale.length} stale (earlier version)</span>`}</p>${
    t.disagreements.length > 0 && disagreements(m, csrf, t, v)
  }${
    !(ready.ready || t.status === 'final') &&
    html`<p class="muted">Before it can be final: ${ready.reasons.join('; ')}.</p>`
  }<div class="row">${statusButtons(m, csrf, t, v)} ${postButton(`${path}/signoff`, csrf, `Sign off version ${t.version}`, { version: v })}</div><details><summary>Record a disagreement</summary><form method="post" action="${path}/disagreements" class="stack">${csrfInput(csrf)}<input type="hidden" name="version" value="${v}"><textarea name="text" required dir="auto"></textarea><p><button>Record disagreement</button></p></form></details>${
    t.status !== 'final' && html`<details><summary>Edit</summary>${themeForm(m, csrf, t)}</details>`
  }</div>`;
}
