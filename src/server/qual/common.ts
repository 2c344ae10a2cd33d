/**
 * Shared pieces of the qualitative routes: who is asking and with which role, the project and what the caller
 * may see of it (blind coding), turning store refusals into HTTP errors, form fields, and the page shell.
 *
 * Roles (study roles, see src/server/auth/guard.ts): owner and analyst code, edit and export; a viewer reads
 * aggregates only (overview counts, agreement, the code × attribute matrix, co-occurrence and word frequency,
 * all small-cell suppressed, and the checklists) — never transcripts, quotes or segments. Owner-only: start
 * the project, its settings and theme reviewers, open or close coder comparison, QDPX import, the audit trail.
 *
 * Every researcher who codes is a coder `u<userId>`, added to the project on their first change.
 */
import type {} from '@fastify/cookie';
import type {} from '@fastify/csrf-protection';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Issue } from '../../core/instrument/schema.js';
import { consensusCodebook } from '../../core/qual/codebook.js';
import type { QualProject } from '../../core/qual/model.js';
import { at } from '../../core/stats/at.js';
import type {
  QualActor,
  QualChange,
  QualPlan,
  QualProjectRecord,
  QualRefusal,
  QualState,
  Refused,
  Store,
  StudyRole,
} from '../../store/index.js';
import { toQualProject } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import type { ServerConfig } from '../config.js';
import { HttpError } from '../errors.js';
import { type FormBody, field } from '../form.js';
import { loadStudy, type StudyRequest } from '../studio/common.js';
import { csrfField, layout, postButton as studioPostButton } from '../studio/layout.js';
import { QUAL_CSS } from '../ui/assets.js';
import { QUAL_HEADERS } from '../ui/headers.js';
import { attr, type Html, html, raw } from '../ui/html.js';
import { QUAL_SCRIPT_PATH } from './assets.js';

/** 303 to a page after a successful POST: as in the studio. */
export { seeOther } from '../studio/common.js';

/** The hidden CSRF field every state-changing form carries (the studio's). */
export function csrfInput(token: string): Html {
  return csrfField(token);
}

export interface QualContext {
  readonly store: Store;
  readonly config: ServerConfig;
}

/** The coder id of a nabz user. */
export function coderIdOf(userId: number): string {
  return `u${userId}`;
}

export interface StudyReq extends StudyRequest {
  readonly editor: boolean;
  readonly owner: boolean;
  /** The caller as a coder (null for a viewer, who codes nothing and sees no segments). */
  readonly coderId: string | null;
  readonly actor: QualActor;
}

export interface QualReq extends StudyReq {
  readonly project: QualProjectRecord;
}

/**
 * The caller of a qualitative page from the studio's {@link loadStudy} (the one study-loading helper: `:id`,
 * the signed-in user's role, 401/404/403 from the guard), with the qualitative reading of the role: owner and
 * analyst are editors and code as `u<userId>`; a viewer codes nothing and sees no segments.
 */
export function qualCaller(r: StudyRequest): StudyReq {
  const editor = r.role === 'owner' || r.role === 'analyst';
  return {
    ...r,
    editor,
    owner: r.role === 'owner',
    coderId: editor ? coderIdOf(r.user.id) : null,
    actor: { coderId: coderIdOf(r.user.id), userId: r.user.id },
  };
}

/** The study as {@link qualCaller} reads it, plus the study's qualitative project (404 when it has none yet). */
export async function loadQual(
  ctx: QualContext,
  req: FastifyRequest,
  roles: readonly StudyRole[],
): Promise<QualReq> {
  const s = qualCaller(await loadStudy(req, roles));
  const project = await ctx.store.qual.byStudy(s.study.id);
  if (!project)
    throw new HttpError(
      404,
      `This study has no qualitative project yet. ${s.owner ? 'Start one' : 'Its owner can start one'} at /studies/${s.study.id}/qual.`,
      'not_found',
    );
  return { ...s, project };
}

/** What the caller may see: their own segments (and imported codings) until comparison is opened. */
export async function stateOf(ctx: QualContext, q: QualReq): Promise<QualState> {
  const state = await ctx.store.qual.state(q.project.id, { coderId: q.coderId });
  if (!state) throw new HttpError(404, 'The qualitative project no longer exists.', 'not_found');
  return state;
}

/**
 * The visible state as the core's project, read through the consensus codebook (codes merged into another
 * count as that code: src/core/qual/codebook.ts) — what every page, table and export shows.
 */
export async function projectOf(
  ctx: QualContext,
  q: QualReq,
): Promise<{ state: QualState; project: QualProject }> {
  const state = await stateOf(ctx, q);
  return { state, project: consensusCodebook(toQualProject(state)) };
}

/** Who makes a change: the caller as a coder, and their account (for their name as a new coder). */
export type Coder = Pick<StudyReq, 'actor' | 'user'>;

/** The change that adds the caller as a coder, when they are not one yet. */
export function ensureCoder(state: QualState, q: Coder): QualChange[] {
  if (state.get('coder', q.actor.coderId)) return [];
  const name = q.user.displayName.trim() || q.user.email.split('@')[0] || q.actor.coderId;
  return [
    {
      kind: 'coder',
      id: q.actor.coderId,
      expect: 'new',
      data: { id: q.actor.coderId, name, userId: q.user.id },
    },
  ];
}

/** Theme changes that drop removed segments from the themes' chosen quotes. */
export function quoteRemovals(state: QualState, removed: ReadonlySet<string>): QualChange[] {
  const changes: QualChange[] = [];
  if (removed.size)
    for (const t of state.entities.theme)
      if (t.data.quoteSegmentIds.some((x) => removed.has(x)))
        changes.push({
          kind: 'theme',
          id: t.id,
          expect: 'any',
          data: { ...t.data, quoteSegmentIds: t.data.quoteSegmentIds.filter((x) => !removed.has(x)) },
          audit: { action: 'theme.quote_removed' },
        });
  return changes;
}

/** A store refusal as an HTTP error: conflicts and duplicates 409, missing 404, invalid 400. */
export function refusalError(r: Refused<QualRefusal>): HttpError {
  const status = r.code === 'conflict' || r.code === 'exists' ? 409 : r.code === 'not_found' ? 404 : 400;
  return new HttpError(status, r.message, r.code === 'invalid' ? 'validation' : r.code);
}

/** Run a plan; refusals become HTTP errors. */
export async function applyPlan<T>(
  ctx: QualContext,
  q: QualReq,
  plan: (
    state: QualState,
  ) => QualPlan<T> | Refused<QualRefusal> | Promise<QualPlan<T> | Refused<QualRefusal>>,
): Promise<T> {
  const r = await ctx.store.qual.apply(q.project.id, q.actor, plan);
  if (!r.ok) throw refusalError(r);
  return r.value.result;
}

/** A refusal carrying core issues, as one readable message (`invalid`: 400, or another refusal's status). */
export function invalid(
  issues: readonly Issue[],
  lead = '',
  code: QualRefusal = 'invalid',
): Refused<QualRefusal> {
  const text = issues.map((i) => i.message).join('; ');
  return { ok: false, code, message: `${lead}${text}` };
}

export function refuse(code: QualRefusal, message: string): Refused<QualRefusal> {
  return { ok: false, code, message };
}

// ---------------------------------------------------------------------------------------------------------
// Forms (application/x-www-form-urlencoded, read through src/server/form.ts; repeated fields arrive as arrays)

/** The bytes of an uploaded file's base64 field (qual.js reads a chosen file into one); 400 when damaged. */
export function decodeBase64(b64: string): Uint8Array {
  const clean = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1)
    throw new HttpError(
      400,
      'The uploaded file did not arrive intact (bad base64); choose it again.',
      'validation',
    );
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

/** Non-empty lines of a textarea. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** A whole number field, or a 400 naming it. */
export function intField(b: FormBody, name: string, label = name): number {
  const t = field(b, name);
  if (!/^\d{1,9}$/.test(t))
    throw new HttpError(400, `${label}: "${t}" is not a whole number; enter one like 12.`, 'validation');
  return Number(t);
}

/** The `version` hidden field every edit form carries (the version the page was rendered from). */
export function versionField(b: FormBody): number {
  return intField(b, 'version', 'version (the form is out of date; reload the page)');
}

/** A fresh id: a prefix and 10 random hex digits. */
export function newId(prefix: string): string {
  const bytes = new Uint8Array(5);
  crypto.getRandomValues(bytes);
  return `${prefix}-${Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

/** Now as ISO 8601 text. */
export function nowIso(): string {
  return new Date().toISOString();
}

// ---------------------------------------------------------------------------------------------------------
// Pages

type QualSection =
  | 'overview'
  | 'sources'
  | 'participants'
  | 'consent'
  | 'codes'
  | 'memos'
  | 'themes'
  | 'compare'
  | 'queries'
  | 'members'
  | 'results'
  | 'checklists'
  | 'exchange'
  | 'audit'
  | 'consensus';

const SECTIONS: readonly { s: QualSection; label: string; path: string; roles: readonly StudyRole[] }[] = [
  { s: 'overview', label: 'Project', path: '', roles: ROLES.read },
  { s: 'sources', label: 'Transcripts & coding', path: '/sources', roles: ROLES.work },
  { s: 'participants', label: 'Participants', path: '/participants', roles: ROLES.work },
  { s: 'consent', label: 'Consent', path: '/consent', roles: ROLES.work },
  { s: 'codes', label: 'Codebook', path: '/codes', roles: ROLES.work },
  { s: 'memos', label: 'Memos & phases', path: '/memos', roles: ROLES.work },
  { s: 'themes', label: 'Themes', path: '/themes', roles: ROLES.work },
  { s: 'compare', label: 'Coder comparison', path: '/compare', roles: ROLES.read },
  { s: 'consensus', label: 'Consensus', path: '/consensus', roles: ROLES.work },
  { s: 'queries', label: 'Queries', path: '/queries', roles: ROLES.read },
  { s: 'members', label: 'Member checking', path: '/member-checks', roles: ROLES.work },
  { s: 'results', label: 'Results table', path: '/results', roles: ROLES.work },
  { s: 'checklists', label: 'COREQ / SRQR', path: '/checklists', roles: ROLES.read },
  { s: 'exchange', label: 'REFI-QDA', path: '/exchange', roles: ROLES.work },
  { s: 'audit', label: 'Audit trail', path: '/audit', roles: ROLES.owner },
];

/** Base path of a study's qualitative pages. */
export function qualBase(studyId: number): string {
  return `/studies/${studyId}/qual`;
}

/** The qualitative pages' stylesheet, inline (allowed by its hash in the Content Security Policy). */
const QUAL_STYLE: Html = html`<style>${raw(QUAL_CSS)}</style>`;

/** The section menu of the qualitative pages: the sections `role` may open, `current` marked. */
function qualNav(base: string, role: StudyRole, current: QualSection): Html {
  return html`<nav aria-label="Qualitative analysis"><ul class="qnav">${SECTIONS.filter((x) =>
    x.roles.includes(role),
  ).map(
    (x) =>
      html`<li><a href="${base}${x.path}"${attr('aria-current', x.s === current && 'page')}>${x.label}</a></li>`,
  )}</ul></nav>`;
}

/** Send a qualitative page in the studio layout, with a CSRF token for its forms. */
export async function sendQualPage(
  reply: FastifyReply,
  input: {
    readonly q: StudyReq;
    readonly title: string;
    readonly section: QualSection;
    /** Whether the project exists (the section menu needs it). */
    readonly hasProject?: boolean;
    /** The page's content. */
    readonly body: (csrf: string) => Html;
    readonly status?: number;
  },
): Promise<FastifyReply> {
  const csrf = await reply.generateCsrf();
  const nav = input.hasProject !== false && qualNav(qualBase(input.q.study.id), input.q.role, input.section);
  const body = html`${QUAL_STYLE}${nav}${input.body(csrf)}<script src="${QUAL_SCRIPT_PATH}" defer></script>`;
  return reply
    .code(input.status ?? 200)
    .headers(QUAL_HEADERS)
    .send(layout({ title: input.title, user: input.q.user, csrf, study: input.q.layoutStudy, body }).text);
}

/** The page of a refused change (400 or 409): the reason, and a link back to the page the form came from. */
export function refusalView(status: 400 | 409, message: string, back: string): Html {
  return html`${QUAL_STYLE}<h1>${refusalTitle(status)}</h1><p class="refusal" role="alert">${message}</p><p><a class="button" href="${back}">Back</a></p>`;
}

/** The title of a refusal page. */
export function refusalTitle(status: 400 | 409): string {
  return status === 409 ? 'Not saved' : 'Please check';
}

/** A POST form with hidden fields and one button (the studio's, with numbers allowed as hidden values). */
export function postButton(
  action: string,
  csrf: string,
  label: string,
  hidden: Readonly<Record<string, string | number>> = {},
  className = '',
): Html {
  return studioPostButton(action, csrf, label, {
    className,
    hidden: Object.fromEntries(Object.entries(hidden).map(([k, v]) => [k, String(v)])),
  });
}

/** Coder display names by id. */
export function coderNames(state: QualState): Map<string, string> {
  return new Map(state.entities.coder.map((c) => [c.id, c.data.name]));
}

/** A coder's name for messages (the id only when the coder record is missing). */
export function nameOfCoder(state: QualState): (coderId: string) => string {
  const names = coderNames(state);
  return (id) => names.get(id) ?? id;
}

/** A date-time for people: "2025-03-14 10:30 UTC". */
export function when(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(iso);
  if (!m) return iso;
  return m[2] ? `${m[1]} ${m[2]} UTC` : at(m, 1);
}
