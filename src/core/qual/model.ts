/**
 * The qualitative project: sources (transcripts), participants, coders, a hierarchical codebook, coded
 * segments, memos, themes with their review workflow, and the six phases of Braun & Clarke's thematic analysis.
 *
 * Naming follows the instrument schema: `FooSchema` is the Zod schema, `Foo` its parsed type. Positions are
 * Unicode code points, end-exclusive (see offsets.ts). Workflow rules (a theme cannot be final while a
 * reviewer has not signed off or a disagreement is open) are enforced by functions that return a
 * `Validated` value — an expected refusal is a value, not an exception.
 *
 * Confidentiality: a participant's `name` is kept for linking speaker labels only; no export in nabz reads it
 * (quotes, tables and REFI-QDA files use the pseudonym, "P4" → "Participant 4").
 */
import { z } from 'zod';
import { type Issue, LanguageSchema, toIssues, type Validated } from '../instrument/schema.js';
import { at } from '../stats/at.js';
import { codePointLength } from './offsets.js';

/** Ids of qualitative entities: opaque, URL- and file-name-safe (imported REFI-QDA GUIDs fit). */
export const QualIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
    'must start with a letter or digit and use only letters, digits and _ . : - (max 128)',
  );

/** An ISO 8601 date or date-time, e.g. "2025-03-14" or "2025-03-14T10:30:00Z". */
export const IsoDateTimeSchema = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/,
    'must be an ISO 8601 date or date-time like 2025-03-14 or 2025-03-14T10:30:00Z',
  );

/** A participant attribute value (age, gender, year, college type, funding…). */
const AttributeValueSchema = z.union([z.string(), z.number().finite(), z.boolean(), z.null()]);
export type AttributeValue = z.infer<typeof AttributeValueSchema>;

/** A source document: a transcript, NFC-normalised. Positions into `text` are code points. */
export const SourceSchema = z.object({
  id: QualIdSchema,
  name: z.string().min(1),
  text: z.string(),
  /** BCP 47 tag of the main language, e.g. "ur" or "en"; mixed transcripts name the main one. */
  language: LanguageSchema,
  createdAt: IsoDateTimeSchema.optional(),
});
export type Source = z.infer<typeof SourceSchema>;

/** Screening results carried over from a nabz screening survey (scores by name, and the eligibility decision). */
const ScreeningSchema = z.object({
  scores: z.record(z.string().min(1), z.number().finite()),
  eligible: z.boolean(),
});
export type Screening = z.infer<typeof ScreeningSchema>;

/** A participant: pseudonym, attributes, screening; the real name stays internal. */
export const ParticipantSchema = z.object({
  id: QualIdSchema,
  /** "P4" by default (see `assignPseudonyms`); what every export prints. */
  pseudonym: z.string().min(1),
  /** Confidential: used only to recognise speaker labels and names in transcripts; never exported. */
  name: z.string().min(1).optional(),
  /** Speaker labels that refer to this participant in transcripts, e.g. "Participant 4", "Ayesha", "عائشہ". */
  aliases: z.array(z.string().min(1)).default([]),
  attributes: z.record(z.string().min(1), AttributeValueSchema).default({}),
  screening: ScreeningSchema.optional(),
});
export type Participant = z.infer<typeof ParticipantSchema>;

const SpeakerRoleSchema = z.enum(['participant', 'moderator', 'interviewer', 'observer', 'unknown']);
export type SpeakerRole = z.infer<typeof SpeakerRoleSchema>;

/** A speaker turn: `[start, end)` in code points from the start of its line to the end of what was said. */
export const TurnSchema = z.object({
  index: z.number().int().nonnegative(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  /** Where the words start, after the timestamp and "P4: ". */
  contentStart: z.number().int().nonnegative(),
  /** The label as written, e.g. "Participant 4", "P4", "Moderator", "عائشہ". */
  label: z.string(),
  /** Normalised speaker key: "P4", "Moderator", "Speaker 2", or the name as written. */
  speakerKey: z.string(),
  role: SpeakerRoleSchema,
  participantId: QualIdSchema.nullable(),
  /** Seconds from the start of the recording, when the transcript gives a timestamp. */
  time: z.number().nonnegative().optional(),
  endTime: z.number().nonnegative().optional(),
});
export type Turn = z.infer<typeof TurnSchema>;

/** A coder (and theme reviewer): one of the researchers. */
export const CoderSchema = z.object({
  id: QualIdSchema,
  /** Display name or initials of the researcher. */
  name: z.string().min(1),
});
export type Coder = z.infer<typeof CoderSchema>;

/** A code in the hierarchical codebook. */
export const CodeSchema = z.object({
  id: QualIdSchema,
  name: z.string().min(1),
  parentId: QualIdSchema.nullable().default(null),
  /** What the code means and when to apply it. */
  definition: z.string().default(''),
  /** Short illustrative excerpts. */
  examples: z.array(z.string().min(1)).default([]),
  color: z
    .string()
    .regex(/^#[0-9A-Fa-f]{6}$/, 'must be a colour like #1F77B4')
    .optional(),
  /** False for a grouping node that organises codes but is not applied to text itself. */
  codable: z.boolean().default(true),
  /**
   * The coder who created this code inline while coding was blind (an inductive code). Until comparison opens
   * only that coder sees it; codebook codes have none.
   */
  createdBy: QualIdSchema.optional(),
  /**
   * Merged into this code in the consensus codebook (src/core/qual/codebook.ts): the code stays, with the
   * coders' codings as they made them, but everything read through the consensus codebook counts them as the
   * target's.
   */
  mergedInto: QualIdSchema.optional(),
  /** Made by splitting this code in the consensus codebook (so the split can be undone: `unsplitCode`). */
  splitFrom: QualIdSchema.optional(),
});
export type Code = z.infer<typeof CodeSchema>;

/** A coded segment: one coder's application of one or more codes to `[start, end)` of a source. */
export const SegmentSchema = z.object({
  id: QualIdSchema,
  sourceId: QualIdSchema,
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  codeIds: z.array(QualIdSchema).min(1),
  coderId: QualIdSchema,
  memo: z.string().optional(),
  createdAt: IsoDateTimeSchema.optional(),
});
export type Segment = z.infer<typeof SegmentSchema>;

/** What a memo is about. */
const MemoTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('project') }),
  z.object({ kind: z.literal('code'), id: QualIdSchema }),
  z.object({ kind: z.literal('segment'), id: QualIdSchema }),
  z.object({ kind: z.literal('source'), id: QualIdSchema }),
  z.object({ kind: z.literal('theme'), id: QualIdSchema }),
]);

/** Braun & Clarke phase number, 1–6 (see {@link BRAUN_CLARKE_PHASES}). */
const PhaseSchema = z.number().int().min(1).max(6);
export type Phase = 1 | 2 | 3 | 4 | 5 | 6;

/** A dated memo, optionally recording work in one of the six phases. */
export const MemoSchema = z.object({
  id: QualIdSchema,
  target: MemoTargetSchema,
  authorId: QualIdSchema,
  at: IsoDateTimeSchema,
  title: z.string().min(1).optional(),
  text: z.string(),
  phase: PhaseSchema.optional(),
});
export type Memo = z.infer<typeof MemoSchema>;

const ThemeStatusSchema = z.enum(['candidate', 'reviewed', 'final']);
export type ThemeStatus = z.infer<typeof ThemeStatusSchema>;

/** A reviewer's sign-off of one version of a theme. */
const SignOffSchema = z.object({
  reviewerId: QualIdSchema,
  at: IsoDateTimeSchema,
  /** The theme version signed off; an edit makes older sign-offs stale. */
  version: z.number().int().positive(),
  note: z.string().optional(),
});
type SignOff = z.infer<typeof SignOffSchema>;

const DisagreementSchema = z.object({
  id: QualIdSchema,
  reviewerId: QualIdSchema,
  at: IsoDateTimeSchema,
  text: z.string().min(1),
  resolution: z.object({ by: QualIdSchema, at: IsoDateTimeSchema, text: z.string().min(1) }).optional(),
});
type Disagreement = z.infer<typeof DisagreementSchema>;

/** A theme or (with `parentId`) a sub-theme. */
export const ThemeSchema = z.object({
  id: QualIdSchema,
  name: z.string().min(1),
  definition: z.string().default(''),
  parentId: QualIdSchema.nullable().default(null),
  codeIds: z.array(QualIdSchema).default([]),
  /** Support needs participants expressed under this theme (results table, last column). */
  supportNeeds: z.array(z.string().min(1)).default([]),
  /** Segments chosen by the researchers as illustrative quotes, in the order to print them. */
  quoteSegmentIds: z.array(QualIdSchema).default([]),
  status: ThemeStatusSchema.default('candidate'),
  version: z.number().int().positive().default(1),
  signOffs: z.array(SignOffSchema).default([]),
  disagreements: z.array(DisagreementSchema).default([]),
});
export type Theme = z.infer<typeof ThemeSchema>;

/** A member of the research team, for COREQ/SRQR reporting (no contact details). */
const TeamMemberSchema = z.object({
  /** Initials or a role label if the team prefers ("Researcher 1"). */
  label: z.string().min(1),
  role: z.string().optional(),
  credentials: z.string().optional(),
  occupation: z.string().optional(),
  gender: z.string().optional(),
  experience: z.string().optional(),
  /** Did this person conduct the interview or focus group? */
  facilitator: z.boolean().optional(),
});

/**
 * Study facts that reporting checklists ask for. Everything is optional: what is missing is marked for the
 * researcher in the COREQ/SRQR checklist rather than guessed.
 */
export const QualMetaSchema = z
  .object({
    title: z.string(),
    approach: z.string(),
    paradigm: z.string(),
    theory: z.string(),
    researchQuestion: z.string(),
    team: z.array(TeamMemberSchema),
    relationshipWithParticipants: z.string(),
    reflexivity: z.string(),
    sampling: z.string(),
    approachMethod: z.string(),
    sampleSize: z.number().int().nonnegative(),
    nonParticipation: z.string(),
    setting: z.string(),
    presentOthers: z.string(),
    sampleDescription: z.string(),
    interviewGuide: z.string(),
    pilotTested: z.boolean(),
    repeatInterviews: z.string(),
    recording: z.string(),
    fieldNotes: z.string(),
    duration: z.string(),
    saturation: z.string(),
    transcriptsReturned: z.string(),
    memberChecking: z.string(),
    software: z.string(),
    ethics: z.string(),
    dataCollectionDates: z.string(),
    funding: z.string(),
    conflicts: z.string(),
    trustworthiness: z.string(),
  })
  .partial();
export type QualMeta = z.infer<typeof QualMetaSchema>;

/** A qualitative project: everything the coding, agreement, results and REFI-QDA functions read. */
const QualProjectSchema = z.object({
  id: QualIdSchema,
  name: z.string().min(1),
  description: z.string().optional(),
  createdAt: IsoDateTimeSchema.optional(),
  sources: z.array(SourceSchema).default([]),
  /** Speaker turns per source id (derived on import; kept so coding and member checking can use them). */
  turns: z.record(z.string(), z.array(TurnSchema)).default({}),
  participants: z.array(ParticipantSchema).default([]),
  coders: z.array(CoderSchema).default([]),
  codes: z.array(CodeSchema).default([]),
  segments: z.array(SegmentSchema).default([]),
  memos: z.array(MemoSchema).default([]),
  themes: z.array(ThemeSchema).default([]),
  /** Coder ids who must sign off a theme before it can be final. */
  themeReviewers: z.array(QualIdSchema).default([]),
  meta: QualMetaSchema.default({}),
  /**
   * GUIDs read from a REFI-QDA file for things that have no id of their own in nabz (variables, keyed
   * "variable:<name>"), so a re-export writes the same GUIDs.
   */
  refiGuids: z.record(z.string(), z.string()).default({}),
});
export type QualProject = z.infer<typeof QualProjectSchema>;

function issue(path: string, code: string, message: string): Issue {
  return { path, code, message };
}

function dupes(items: readonly { id: string }[], path: string, what: string, out: Issue[]): Set<string> {
  const seen = new Set<string>();
  items.forEach((x, i) => {
    if (seen.has(x.id)) out.push(issue(`${path}[${i}].id`, 'duplicate_id', `duplicate ${what} id "${x.id}"`));
    seen.add(x.id);
  });
  return seen;
}

/** Parent chains must end: returns the ids that sit on a cycle. */
function cyclic(items: readonly { id: string; parentId: string | null }[]): Set<string> {
  const parent = new Map(items.map((x) => [x.id, x.parentId]));
  const bad = new Set<string>();
  for (const x of items) {
    const seen = new Set<string>();
    let cur: string | null | undefined = x.id;
    while (cur != null && !seen.has(cur)) {
      seen.add(cur);
      cur = parent.get(cur);
    }
    if (cur != null) bad.add(x.id);
  }
  return bad;
}

/**
 * Check the cross-references of a parsed project: unique ids; code and theme parents exist and form no cycle;
 * each segment names an existing source, coder and codable codes, and lies inside its source
 * (0 ≤ start < end ≤ code-point length); memo targets, theme codes and theme reviewers exist.
 */
export function checkProject(p: QualProject): Issue[] {
  const out: Issue[] = [];
  const sources = new Map(p.sources.map((s) => [s.id, s]));
  dupes(p.sources, 'sources', 'source', out);
  dupes(p.participants, 'participants', 'participant', out);
  const coders = dupes(p.coders, 'coders', 'coder', out);
  const codes = dupes(p.codes, 'codes', 'code', out);
  const segments = dupes(p.segments, 'segments', 'segment', out);
  dupes(p.memos, 'memos', 'memo', out);
  const themes = dupes(p.themes, 'themes', 'theme', out);
  const pseudonyms = new Set<string>();
  p.participants.forEach((x, i) => {
    if (pseudonyms.has(x.pseudonym))
      out.push(issue(`participants[${i}].pseudonym`, 'duplicate', `duplicate pseudonym "${x.pseudonym}"`));
    pseudonyms.add(x.pseudonym);
  });
  const codeById = new Map(p.codes.map((c) => [c.id, c]));
  p.codes.forEach((c, i) => {
    if (c.parentId !== null && !codes.has(c.parentId))
      out.push(
        issue(`codes[${i}].parentId`, 'unknown_ref', `code "${c.name}" has unknown parent "${c.parentId}"`),
      );
  });
  for (const id of cyclic(p.codes))
    out.push(issue(`codes.${id}`, 'cycle', `code "${codeById.get(id)?.name}" is its own ancestor`));
  p.codes.forEach((c, i) => {
    if (c.mergedInto === undefined) return;
    const into = codeById.get(c.mergedInto);
    if (!into || into.id === c.id || into.mergedInto !== undefined || !into.codable)
      out.push(
        issue(
          `codes[${i}].mergedInto`,
          'bad_merge',
          `code "${c.name}" is merged into "${into?.name ?? c.mergedInto}", which is ${!into ? 'not a code' : into.id === c.id ? 'itself' : into.mergedInto !== undefined ? 'merged into another code itself' : 'a grouping node'}`,
        ),
      );
  });
  const lengths = new Map<string, number>();
  p.segments.forEach((s, i) => {
    const at = `segments[${i}]`;
    const src = sources.get(s.sourceId);
    if (!src)
      out.push(
        issue(`${at}.sourceId`, 'unknown_ref', `segment "${s.id}" names unknown source "${s.sourceId}"`),
      );
    else {
      let n = lengths.get(src.id);
      if (n === undefined) {
        n = codePointLength(src.text);
        lengths.set(src.id, n);
      }
      if (!(s.start < s.end && s.end <= n))
        out.push(
          issue(
            at,
            'bad_range',
            `segment "${s.id}" [${s.start}, ${s.end}) is not a non-empty range inside source "${src.name}" (0 to ${n} code points)`,
          ),
        );
    }
    if (!coders.has(s.coderId))
      out.push(issue(`${at}.coderId`, 'unknown_ref', `segment "${s.id}" names unknown coder "${s.coderId}"`));
    s.codeIds.forEach((c, j) => {
      const code = codeById.get(c);
      if (!code)
        out.push(issue(`${at}.codeIds[${j}]`, 'unknown_ref', `segment "${s.id}" names unknown code "${c}"`));
      else if (!code.codable)
        out.push(
          issue(
            `${at}.codeIds[${j}]`,
            'not_codable',
            `code "${code.name}" is a grouping node and cannot be applied to text`,
          ),
        );
    });
  });
  p.memos.forEach((m, i) => {
    const t = m.target;
    const known =
      t.kind === 'project' ||
      (t.kind === 'code' && codes.has(t.id)) ||
      (t.kind === 'segment' && segments.has(t.id)) ||
      (t.kind === 'source' && sources.has(t.id)) ||
      (t.kind === 'theme' && themes.has(t.id));
    if (!known)
      out.push(
        issue(
          `memos[${i}].target`,
          'unknown_ref',
          `memo "${m.id}" is about an unknown ${t.kind} "${'id' in t ? t.id : ''}"`,
        ),
      );
  });
  p.themes.forEach((t, i) => {
    if (t.parentId !== null && !themes.has(t.parentId))
      out.push(
        issue(`themes[${i}].parentId`, 'unknown_ref', `theme "${t.name}" has unknown parent "${t.parentId}"`),
      );
    t.codeIds.forEach((c, j) => {
      if (!codes.has(c))
        out.push(
          issue(`themes[${i}].codeIds[${j}]`, 'unknown_ref', `theme "${t.name}" links unknown code "${c}"`),
        );
    });
    t.quoteSegmentIds.forEach((q, j) => {
      if (!segments.has(q))
        out.push(
          issue(
            `themes[${i}].quoteSegmentIds[${j}]`,
            'unknown_ref',
            `theme "${t.name}" quotes unknown segment "${q}"`,
          ),
        );
    });
  });
  for (const id of cyclic(p.themes))
    out.push(issue(`themes.${id}`, 'cycle', `theme "${id}" is its own ancestor`));
  p.themeReviewers.forEach((r, i) => {
    if (!coders.has(r))
      out.push(issue(`themeReviewers[${i}]`, 'unknown_ref', `theme reviewer "${r}" is not a coder`));
  });
  return out;
}

/** Parse and check a project (schema, then cross-references); never throws on bad input. */
export function parseQualProject(input: unknown): Validated<QualProject> {
  const r = QualProjectSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: toIssues(r.error) };
  const issues = checkProject(r.data);
  return issues.length ? { ok: false, issues } : { ok: true, value: r.data };
}

// ---------------------------------------------------------------------------------------------------------
// Codebook

export interface CodeNode {
  readonly code: Code;
  readonly children: readonly CodeNode[];
}

/** The codebook as a forest, roots and children in codebook order. Codes with a missing parent become roots. */
export function codeTree(codes: readonly Code[]): CodeNode[] {
  const ids = new Set(codes.map((c) => c.id));
  const kids = new Map<string | null, Code[]>();
  for (const c of codes) {
    const key = c.parentId !== null && ids.has(c.parentId) && c.parentId !== c.id ? c.parentId : null;
    const list = kids.get(key) ?? [];
    list.push(c);
    kids.set(key, list);
  }
  const seen = new Set<string>();
  const build = (c: Code): CodeNode => {
    seen.add(c.id);
    return { code: c, children: (kids.get(c.id) ?? []).filter((k) => !seen.has(k.id)).map(build) };
  };
  return (kids.get(null) ?? []).map(build);
}

/** Codes in tree order (pre-order: each parent before its children). */
export function codesInTreeOrder(codes: readonly Code[]): Code[] {
  const out: Code[] = [];
  const walk = (n: CodeNode) => {
    out.push(n.code);
    n.children.forEach(walk);
  };
  codeTree(codes).forEach(walk);
  return out;
}

/** Names from the root to the code, e.g. ["Academic pressure", "Fear of failure"]. */
export function codePath(codes: readonly Code[], id: string): string[] {
  const byId = new Map(codes.map((c) => [c.id, c]));
  const path: string[] = [];
  const seen = new Set<string>();
  let cur = byId.get(id);
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    path.unshift(cur.name);
    cur = cur.parentId === null ? undefined : byId.get(cur.parentId);
  }
  return path;
}

/** The code and all codes below it. */
export function descendantCodeIds(codes: readonly Code[], id: string): Set<string> {
  const out = new Set<string>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of codes)
      if (c.parentId !== null && out.has(c.parentId) && !out.has(c.id)) {
        out.add(c.id);
        grew = true;
      }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Segments

/**
 * Check a new segment against the project (source, range in code points, codable codes, coder) and return it,
 * or the issues. Overlapping segments are allowed: coders often code the same words with several codes.
 */
export function createSegment(
  project: QualProject,
  input: z.input<typeof SegmentSchema>,
): Validated<Segment> {
  const r = SegmentSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: toIssues(r.error) };
  const seg = r.data;
  if (project.segments.some((s) => s.id === seg.id))
    return {
      ok: false,
      issues: [issue('id', 'duplicate_id', `a segment with id "${seg.id}" already exists`)],
    };
  const issues = checkProject({
    ...project,
    segments: [seg],
    memos: [],
    themes: [],
    themeReviewers: [],
  }).filter((i) => i.path.startsWith('segments'));
  return issues.length ? { ok: false, issues } : { ok: true, value: seg };
}

/** The coded text of a segment (code points `[start, end)` of its source). */
export function segmentText(source: Source, segment: Pick<Segment, 'start' | 'end'>): string {
  const cps = Array.from(source.text);
  return cps.slice(segment.start, segment.end).join('');
}

// ---------------------------------------------------------------------------------------------------------
// Themes: review workflow

function fail<T>(path: string, code: string, message: string): Validated<T> {
  return { ok: false, issues: [issue(path, code, message)] };
}

/** Open (unresolved) disagreements of a theme. */
function openDisagreements(theme: Theme): Disagreement[] {
  return theme.disagreements.filter((d) => d.resolution === undefined);
}

/** Sign-offs that count: those of the current version, one per reviewer. */
export function currentSignOffs(theme: Theme): SignOff[] {
  return theme.signOffs.filter((s) => s.version === theme.version);
}

interface ThemeReadiness {
  /** True when the theme can be marked final. */
  readonly ready: boolean;
  /** Required reviewers without a sign-off of the current version. */
  readonly missingSignOffs: readonly string[];
  readonly openDisagreements: readonly Disagreement[];
  /** Plain-English reasons it cannot be final yet (empty when ready). */
  readonly reasons: readonly string[];
}

/** A coder's name for people (the server passes one from the coder records); defaults to the id. */
type NameOf = (coderId: string) => string;
const idAsName: NameOf = (id) => id;

/** A disagreement as people know it: its words (shortened), not its internal id. */
function disagreementWords(d: Disagreement): string {
  const words = Array.from(d.text.replace(/\s+/g, ' ').trim());
  return `“${words.length > 60 ? `${words.slice(0, 60).join('')}…` : words.join('')}”`;
}

/** What stands between a theme and `final`. Reviewers are named with `nameOf`, disagreements by their words. */
export function themeReadiness(
  theme: Theme,
  requiredReviewers: readonly string[],
  nameOf: NameOf = idAsName,
): ThemeReadiness {
  const signed = new Set(currentSignOffs(theme).map((s) => s.reviewerId));
  const missing = requiredReviewers.filter((r) => !signed.has(r));
  const open = openDisagreements(theme);
  const reasons: string[] = [];
  if (requiredReviewers.length === 0) reasons.push('no theme reviewers are set for the project');
  if (missing.length)
    reasons.push(`not yet signed off (version ${theme.version}) by: ${missing.map(nameOf).join(', ')}`);
  if (open.length)
    reasons.push(
      `${open.length} disagreement(s) not resolved: ${open.map((d) => `${nameOf(d.reviewerId)}’s ${disagreementWords(d)}`).join(', ')}`,
    );
  if (theme.status === 'candidate') reasons.push('the theme has not been reviewed yet (status candidate)');
  return { ready: reasons.length === 0, missingSignOffs: missing, openDisagreements: open, reasons };
}

/**
 * Edit a theme's name, definition, linked codes or support needs. Each edit raises its version, so earlier
 * sign-offs no longer count. A final theme must be reopened (status `reviewed`) before it can change.
 */
export function editTheme(
  theme: Theme,
  changes: Partial<
    Pick<Theme, 'name' | 'definition' | 'codeIds' | 'supportNeeds' | 'parentId' | 'quoteSegmentIds'>
  >,
): Validated<Theme> {
  if (theme.status === 'final')
    return fail(
      'status',
      'theme_final',
      `Theme "${theme.name}" is final; reopen it (status "reviewed") before editing.`,
    );
  if (changes.name !== undefined && changes.name.trim() === '')
    return fail('name', 'empty', 'A theme needs a name.');
  return { ok: true, value: { ...theme, ...changes, version: theme.version + 1 } };
}

/**
 * A reviewer signs off the current version of a theme (replacing their earlier sign-off). Refused while the
 * same reviewer has an open disagreement on it, or when the theme is still a candidate.
 */
export function signOffTheme(
  theme: Theme,
  input: { reviewerId: string; at: string; note?: string },
  nameOf: NameOf = idAsName,
): Validated<Theme> {
  if (theme.status === 'candidate')
    return fail(
      'status',
      'not_reviewed',
      `Theme "${theme.name}" is a candidate; mark it reviewed before sign-off.`,
    );
  const open = openDisagreements(theme).filter((d) => d.reviewerId === input.reviewerId);
  if (open.length)
    return fail(
      'disagreements',
      'open_disagreement',
      `${nameOf(input.reviewerId)} has an open disagreement (${open.map(disagreementWords).join(', ')}) on theme "${theme.name}"; resolve it first.`,
    );
  if (!IsoDateTimeSchema.safeParse(input.at).success)
    return fail('at', 'bad_date', `"${input.at}" is not an ISO 8601 date.`);
  const signOff: SignOff = {
    reviewerId: input.reviewerId,
    at: input.at,
    version: theme.version,
    ...(input.note !== undefined ? { note: input.note } : {}),
  };
  return {
    ok: true,
    value: {
      ...theme,
      signOffs: [...theme.signOffs.filter((s) => s.reviewerId !== input.reviewerId), signOff],
    },
  };
}

/**
 * Record a reviewer's disagreement with a theme. Their sign-off, if any, is withdrawn. A final theme must be
 * reopened first.
 */
export function raiseDisagreement(
  theme: Theme,
  input: { id: string; reviewerId: string; at: string; text: string },
): Validated<Theme> {
  if (theme.status === 'final')
    return fail(
      'status',
      'theme_final',
      `Theme "${theme.name}" is final; reopen it before recording a disagreement.`,
    );
  if (theme.disagreements.some((d) => d.id === input.id))
    return fail('id', 'duplicate_id', `Disagreement "${input.id}" already exists on theme "${theme.name}".`);
  const d = DisagreementSchema.safeParse(input);
  if (!d.success) return { ok: false, issues: toIssues(d.error) };
  return {
    ok: true,
    value: {
      ...theme,
      signOffs: theme.signOffs.filter((s) => s.reviewerId !== input.reviewerId),
      disagreements: [...theme.disagreements, d.data],
    },
  };
}

/** Resolve a disagreement, recording who resolved it, when and how. */
export function resolveDisagreement(
  theme: Theme,
  input: { disagreementId: string; by: string; at: string; text: string },
): Validated<Theme> {
  const d = theme.disagreements.find((x) => x.id === input.disagreementId);
  if (!d)
    return fail(
      'disagreementId',
      'unknown_ref',
      `Theme "${theme.name}" has no disagreement "${input.disagreementId}".`,
    );
  if (d.resolution)
    return fail(
      'disagreementId',
      'already_resolved',
      `The disagreement ${disagreementWords(d)} on theme "${theme.name}" is already resolved.`,
    );
  if (input.text.trim() === '') return fail('text', 'empty', 'Say how the disagreement was resolved.');
  if (!IsoDateTimeSchema.safeParse(input.at).success)
    return fail('at', 'bad_date', `"${input.at}" is not an ISO 8601 date.`);
  const resolution = { by: input.by, at: input.at, text: input.text };
  return {
    ok: true,
    value: {
      ...theme,
      disagreements: theme.disagreements.map((x) => (x.id === d.id ? { ...x, resolution } : x)),
    },
  };
}

/**
 * Move a theme through candidate → reviewed → final (or back). To `reviewed` it needs a definition and at least
 * one linked code. To `final` it must be `reviewed`, signed off (current version) by every required reviewer,
 * with every disagreement resolved. Going back (reopening) is always allowed.
 */
export function setThemeStatus(
  theme: Theme,
  to: ThemeStatus,
  requiredReviewers: readonly string[],
  nameOf: NameOf = idAsName,
): Validated<Theme> {
  if (to === theme.status) return { ok: true, value: theme };
  if (to === 'reviewed' && theme.status === 'candidate') {
    if (theme.definition.trim() === '')
      return fail('definition', 'empty', `Theme "${theme.name}" needs a definition before review.`);
    if (theme.codeIds.length === 0)
      return fail('codeIds', 'empty', `Theme "${theme.name}" needs at least one linked code before review.`);
  }
  if (to === 'final') {
    if (theme.status !== 'reviewed')
      return fail('status', 'not_reviewed', `Theme "${theme.name}" must be reviewed before it can be final.`);
    const r = themeReadiness(theme, requiredReviewers, nameOf);
    if (!r.ready)
      return fail('status', 'not_ready', `Theme "${theme.name}" cannot be final: ${r.reasons.join('; ')}.`);
  }
  return { ok: true, value: { ...theme, status: to } };
}

// ---------------------------------------------------------------------------------------------------------
// Braun & Clarke phases

interface PhaseInfo {
  readonly phase: Phase;
  readonly key: string;
  readonly name: string;
}

/** The six phases of reflexive thematic analysis (Braun & Clarke, 2006, Qual Res Psychol 3:77–101). */
export const BRAUN_CLARKE_PHASES: readonly PhaseInfo[] = [
  { phase: 1, key: 'familiarisation', name: 'Familiarising yourself with the data' },
  { phase: 2, key: 'initial_codes', name: 'Generating initial codes' },
  { phase: 3, key: 'searching_themes', name: 'Searching for themes' },
  { phase: 4, key: 'reviewing_themes', name: 'Reviewing themes' },
  { phase: 5, key: 'defining_themes', name: 'Defining and naming themes' },
  { phase: 6, key: 'report', name: 'Producing the report' },
];

export interface PhaseTimelineEntry extends PhaseInfo {
  readonly memoCount: number;
  /** Earliest and latest memo date in the phase (ISO strings, compared as text), absent without memos. */
  readonly first?: string;
  readonly last?: string;
  readonly memoIds: readonly string[];
}

/** Per phase: how many dated memos, and the first and last date. */
export function phaseTimeline(memos: readonly Memo[]): PhaseTimelineEntry[] {
  return BRAUN_CLARKE_PHASES.map((info) => {
    const ms = memos
      .filter((m) => m.phase === info.phase)
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const entry: PhaseTimelineEntry = {
      ...info,
      memoCount: ms.length,
      memoIds: ms.map((m) => m.id),
      ...(ms.length ? { first: at(ms, 0).at, last: at(ms, ms.length - 1).at } : {}),
    };
    return entry;
  });
}

/** Add a dated phase memo (checked: phase 1–6, ISO date, known author and target). */
export function addPhaseMemo(
  project: QualProject,
  input: z.input<typeof MemoSchema>,
): Validated<QualProject> {
  const r = MemoSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: toIssues(r.error) };
  if (r.data.phase === undefined) return fail('phase', 'missing', 'A phase memo needs a phase (1–6).');
  if (!project.coders.some((c) => c.id === r.data.authorId))
    return fail('authorId', 'unknown_ref', `Memo author "${r.data.authorId}" is not a coder of the project.`);
  if (project.memos.some((m) => m.id === r.data.id))
    return fail('id', 'duplicate_id', `A memo with id "${r.data.id}" already exists.`);
  const next = { ...project, memos: [...project.memos, r.data] };
  const issues = checkProject(next).filter((i) => i.path.startsWith('memos'));
  return issues.length ? { ok: false, issues } : { ok: true, value: next };
}
