/**
 * The project overview page as pure views of typed models: {@link startView} before the project exists (the
 * owner's start form), {@link overviewView} after (counts, themes by status, reviewers, Braun & Clarke's six
 * phases from dated memos, and the owner's settings and coder comparison). {@link overviewModel} builds the
 * model from what the handler loaded (src/server/qual/overview.ts).
 */
import {
  BRAUN_CLARKE_PHASES,
  type PhaseTimelineEntry,
  phaseTimeline,
  type QualProject,
  type ThemeStatus,
} from '../../core/qual/model.js';
import type { RoleGrant, StudyRole } from '../../store/index.js';
import { attr, type Html, html } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { coderIdOf, csrfInput, postButton, when } from './common.js';

interface StartModel {
  readonly base: string;
  readonly studyTitle: string;
  /** Only the owner may start the project; others are told so. */
  readonly owner: boolean;
}

export interface OverviewModel {
  readonly base: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly role: StudyRole;
  readonly stats: readonly { readonly label: string; readonly n: number }[];
  readonly themes: Readonly<Record<ThemeStatus, number>>;
  readonly reviewerNames: readonly string[];
  readonly timeline: readonly PhaseTimelineEntry[];
  readonly comparisonOpen: boolean;
  /** The owner's settings form (absent for other roles). */
  readonly settings?: {
    /** The project version the forms were rendered from. */
    readonly version: number;
    readonly candidates: readonly {
      readonly coderId: string;
      readonly name: string;
      readonly role: StudyRole;
      readonly reviewer: boolean;
    }[];
  };
}

/** The overview's model: the visible project, its record's version and comparison, the study's roles. */
export function overviewModel(input: {
  readonly base: string;
  readonly role: StudyRole;
  readonly project: QualProject;
  /** Whether the caller sees only their own segments. */
  readonly blind: boolean;
  readonly version: number;
  readonly comparisonOpen: boolean;
  readonly roles: readonly RoleGrant[];
}): OverviewModel {
  const { project, roles } = input;
  const reviewers = new Set(project.themeReviewers);
  const count = (status: ThemeStatus) => project.themes.filter((t) => t.status === status).length;
  const nameOf = (id: string) =>
    project.coders.find((c) => c.id === id)?.name ??
    roles.find((r) => coderIdOf(r.userId) === id)?.displayName ??
    id;
  return {
    base: input.base,
    name: project.name,
    description: project.description,
    role: input.role,
    stats: [
      { label: 'transcripts', n: project.sources.length },
      { label: 'participants', n: project.participants.length },
      { label: 'codes', n: project.codes.length },
      { label: input.blind ? 'your coded segments' : 'coded segments', n: project.segments.length },
      { label: 'memos', n: project.memos.length },
      { label: 'themes', n: project.themes.length },
    ],
    themes: { candidate: count('candidate'), reviewed: count('reviewed'), final: count('final') },
    reviewerNames: project.themeReviewers.map(nameOf),
    timeline: phaseTimeline(project.memos),
    comparisonOpen: input.comparisonOpen,
    ...(input.role === 'owner'
      ? {
          settings: {
            version: input.version,
            candidates: roles
              .filter((r) => r.role !== 'viewer')
              .map((r) => ({
                coderId: coderIdOf(r.userId),
                name: r.displayName,
                role: r.role,
                reviewer: reviewers.has(coderIdOf(r.userId)),
              })),
          },
        }
      : {}),
  };
}

/** Before the project exists: what it is for, and the owner's start form. */
export function startView(m: StartModel, csrf: string): Html {
  return html`<h1>Qualitative analysis</h1><p>Transcripts, coding by several researchers, themes, agreement, member checking and a results table, for this study.</p>${
    m.owner
      ? html`<form method="post" action="${m.base}" class="stack">${csrfInput(csrf)}<div class="field"><label for="name">Project name</label><input type="text" id="name" name="name" required maxlength="300" value="${m.studyTitle}"></div><div class="field"><label for="description">Description</label><textarea id="description" name="description"></textarea></div><p><button class="primary">Start the qualitative project</button></p></form>`
      : html`<p>This study has no qualitative project yet; its owner can start one.</p>`
  }`;
}

const VIEWER_NOTE = html`<p class="notice">As a viewer you see aggregates only: agreement statistics, the code × attribute matrix, co-occurrence and word frequency (small cells suppressed), and the reporting checklists.</p>`;

/** The project overview. */
export function overviewView(m: OverviewModel, csrf: string): Html {
  const t = m.themes;
  return html`<h1>${m.name}</h1>${m.description && html`<p dir="auto">${m.description}</p>`}${
    m.role === 'viewer' && VIEWER_NOTE
  }<div class="stats">${m.stats.map((s) => html`<div class="stat"><b>${s.n}</b>${s.label}</div>`)}</div><p>Themes: ${t.candidate} candidate, ${t.reviewed} reviewed, ${t.final} final. Reviewers: ${
    m.reviewerNames.length ? m.reviewerNames.join(', ') : 'none set'
  }.</p><h2>Braun &amp; Clarke’s six phases</h2>${phaseTable(m.timeline, 'Dated memos')}${
    m.role !== 'viewer' && html`<p><a href="${m.base}/memos">Write a dated phase memo</a></p>`
  }${m.settings ? ownerForms(m, m.settings, csrf) : comparisonNote(m.comparisonOpen)}`;
}

function comparisonNote(open: boolean): Html {
  return html`<h2>Coder comparison</h2><p>${
    open
      ? 'Comparison is open.'
      : 'Coding is blind: you see only your own segments until the owner opens comparison.'
  }</p>`;
}

function ownerForms(m: OverviewModel, s: NonNullable<OverviewModel['settings']>, csrf: string): Html {
  const open = m.comparisonOpen;
  return html`<h2>Settings</h2><form method="post" action="${m.base}/settings" class="stack"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${s.version}"><div class="field"><label for="name">Project name</label><input type="text" id="name" name="name" required maxlength="300" value="${m.name}"></div><div class="field"><label for="description">Description</label><textarea id="description" name="description">${m.description ?? ''}</textarea></div><fieldset><legend>Theme reviewers</legend><p class="hint">Each must sign off a theme before it can be final.</p><div class="checks">${s.candidates.map(
    (c) =>
      html`<label><input type="checkbox" name="reviewers" value="${c.coderId}"${attr('checked', c.reviewer)}> ${c.name} (${c.role})</label>`,
  )}</div></fieldset><p><button>Save settings</button></p></form><h2>Coder comparison</h2><p>${
    open
      ? html`Comparison is <strong>open</strong>: every coder sees every coder’s segments.`
      : html`Coding is <strong>blind</strong>: each coder sees only their own segments until you open comparison.`
  }</p>${postButton(
    `${m.base}/comparison`,
    csrf,
    open ? 'Close comparison (blind again)' : 'Open comparison',
    { open: open ? '0' : '1', version: s.version },
    open ? '' : 'primary',
  )}`;
}

/** The names of the six phases, for forms. */
export const PHASE_OPTIONS = BRAUN_CLARKE_PHASES.map((p) => ({
  value: String(p.phase),
  label: `${p.phase}. ${p.name}`,
}));

/** Braun & Clarke's six phases with their memo counts and first and last memo dates. */
export function phaseTable(timeline: readonly PhaseTimelineEntry[], countLabel: string): Html {
  return dataTable(
    ['Phase', countLabel, 'First', 'Last'],
    timeline.map((p) => [
      `${p.phase}. ${p.name}`,
      String(p.memoCount),
      p.first ? when(p.first) : '—',
      p.last ? when(p.last) : '—',
    ]),
    { numeric: [1] },
  );
}
