/**
 * Results of a thematic analysis as plain table specs the report renderers print (Markdown, CSV, DOCX, HTML):
 * - the results table: theme → sub-theme → illustrative quotes attributed by pseudonym, “…” (Participant 4) →
 *   the support needs participants expressed;
 * - the COREQ (32 items; Tong, Sainsbury & Craig 2007) and SRQR (21 items; O'Brien et al. 2014) reporting
 *   checklists, pre-filled from project metadata and the project itself, with every item nabz cannot answer
 *   marked for the researcher. Item titles follow the published checklists; the guide questions are
 *   paraphrased.
 *
 * Quotes never carry a participant's name: they are attributed with `participantLabel` (P4 → "Participant 4").
 */
import { cellsToSuppress, extremeShown, suppressionReason } from '../privacy/suppression.js';
import type { TableSpec } from '../report/spec.js';
import { at } from '../stats/at.js';
import {
  BRAUN_CLARKE_PHASES,
  codesInTreeOrder,
  type QualProject,
  type Segment,
  type Theme,
  type ThemeStatus,
} from './model.js';
import { OffsetIndex } from './offsets.js';
import { participantLabel } from './transcript.js';

/** A quote ready to print. */
export interface Quote {
  readonly segmentId: string;
  /** The words, trimmed, without the speaker label. */
  readonly text: string;
  /** "Participant 4", "Moderator", or "unattributed". */
  readonly attribution: string;
  readonly participantId: string | null;
  /** True when nabz picked it (suggestion) rather than a researcher. */
  readonly suggested: boolean;
}

interface ResultsSubTheme {
  readonly theme: Theme;
  readonly quotes: readonly Quote[];
  readonly supportNeeds: readonly string[];
}

interface ResultsTheme {
  readonly theme: Theme;
  /** Quotes attached to the theme itself (used when it has no sub-themes). */
  readonly quotes: readonly Quote[];
  readonly supportNeeds: readonly string[];
  readonly subThemes: readonly ResultsSubTheme[];
}

interface ResultsOptions {
  /** 'final' (default for publication) or 'all' (non-final themes marked with their status). */
  readonly include?: 'final' | 'all';
  /**
   * When a theme has no chosen quotes, suggest up to `suggestQuotes` segments coded with its codes (one per
   * participant, in transcript order), marked as suggestions until a researcher accepts them. Default 0: none.
   */
  readonly suggestQuotes?: number;
  /** Table title. */
  readonly title?: string;
}

/** The quote of a segment: its text without the speaker label, attributed by pseudonym. */
export function quoteOf(project: QualProject, segment: Segment, suggested = false): Quote {
  const source = project.sources.find((s) => s.id === segment.sourceId);
  if (!source) throw new Error(`Segment "${segment.id}" names unknown source "${segment.sourceId}".`);
  const turns = project.turns[source.id] ?? [];
  const turn = turns.find(
    (t) => segment.start >= t.start && segment.start < Math.max(t.end, t.contentStart + 1),
  );
  const start =
    turn && segment.start < turn.contentStart ? Math.min(turn.contentStart, segment.end) : segment.start;
  const text = new OffsetIndex(source.text).slice(start, segment.end).replace(/\s+/g, ' ').trim();
  let attribution = 'unattributed';
  let participantId: string | null = null;
  if (turn?.participantId) {
    const p = project.participants.find((x) => x.id === turn.participantId);
    if (p) {
      attribution = participantLabel(p);
      participantId = p.id;
    }
  } else if (turn && turn.role !== 'participant' && turn.role !== 'unknown') {
    attribution = at(turn.role, 0).toUpperCase() + turn.role.slice(1);
  }
  return { segmentId: segment.id, text, attribution, participantId, suggested };
}

/** “text” (Participant 4) */
export function formatQuote(q: Quote): string {
  return `“${q.text}” (${q.attribution})${q.suggested ? ' *' : ''}`;
}

/**
 * The passages a theme may quote: segments coded with one of the theme's codes (or already quoted), one entry
 * per passage (same transcript and range) naming every coder who coded it. Its segment is the one already
 * chosen as a quote, else the first coder's.
 */
export function quoteCandidates(
  project: QualProject,
  theme: Pick<Theme, 'codeIds' | 'quoteSegmentIds'>,
): { segment: Segment; coders: string[] }[] {
  const passages = new Map<string, { segment: Segment; coders: string[] }>();
  for (const s of project.segments) {
    if (!s.codeIds.some((c) => theme.codeIds.includes(c)) && !theme.quoteSegmentIds.includes(s.id)) continue;
    const key = `${s.sourceId}|${s.start}|${s.end}`;
    const p = passages.get(key);
    if (!p) passages.set(key, { segment: s, coders: [s.coderId] });
    else {
      if (!p.coders.includes(s.coderId)) p.coders.push(s.coderId);
      if (theme.quoteSegmentIds.includes(s.id) && !theme.quoteSegmentIds.includes(p.segment.id))
        p.segment = s;
    }
  }
  return [...passages.values()];
}

function quotesFor(project: QualProject, theme: Theme, suggest: number): Quote[] {
  const byId = new Map(project.segments.map((s) => [s.id, s]));
  const chosen = theme.quoteSegmentIds.map((id) => byId.get(id)).filter((s): s is Segment => !!s);
  if (chosen.length || suggest <= 0) return chosen.map((s) => quoteOf(project, s));
  const codes = new Set(theme.codeIds);
  const sourceOrder = new Map(project.sources.map((s, i) => [s.id, i]));
  const candidates = project.segments
    .filter((s) => s.codeIds.some((c) => codes.has(c)))
    .sort(
      (a, b) => (sourceOrder.get(a.sourceId) ?? 0) - (sourceOrder.get(b.sourceId) ?? 0) || a.start - b.start,
    );
  const out: Quote[] = [];
  const seen = new Set<string>();
  for (const s of candidates) {
    const q = quoteOf(project, s, true);
    if (!q.participantId || seen.has(q.participantId) || q.text === '') continue;
    seen.add(q.participantId);
    out.push(q);
    if (out.length >= suggest) break;
  }
  return out;
}

/** The nested results: themes in project order, each with its sub-themes, quotes and support needs. */
export function buildResults(project: QualProject, options: ResultsOptions = {}): ResultsTheme[] {
  const include = options.include ?? 'all';
  const suggest = options.suggestQuotes ?? 0;
  const keep = (t: Theme) => include === 'all' || t.status === 'final';
  return project.themes
    .filter((t) => t.parentId === null && keep(t))
    .map((t) => {
      const subThemes = project.themes
        .filter((s) => s.parentId === t.id && keep(s))
        .map((s) => ({ theme: s, quotes: quotesFor(project, s, suggest), supportNeeds: s.supportNeeds }));
      // Quotes are suggested for the most specific level only: a theme with sub-themes gets its chosen quotes.
      return {
        theme: t,
        quotes: quotesFor(project, t, subThemes.length ? 0 : suggest),
        supportNeeds: t.supportNeeds,
        subThemes,
      };
    });
}

function statusMark(status: ThemeStatus, include: 'final' | 'all'): string {
  return include === 'all' && status !== 'final' ? ` [${status}]` : '';
}

/**
 * The results table as a report table spec: columns Theme, Sub-theme, Illustrative quotes, Expressed support
 * needs; one row per quote, with theme, sub-theme and needs printed on the first row of each group only. A theme
 * with sub-themes prints its own quotes and needs (if any) on a row of its own, before its sub-themes.
 */
export function resultsTable(project: QualProject, options: ResultsOptions = {}): TableSpec {
  const include = options.include ?? 'all';
  const results = buildResults(project, options);
  const rows: TableSpec['rows'] = [];
  let anySuggested = false;
  let anyNonFinal = false;
  const text = (s: string) => ({ kind: 'text' as const, text: s });
  const emit = (
    themeName: string,
    subName: string,
    quotes: readonly Quote[],
    needs: readonly string[],
    placeholder: boolean,
  ) => {
    const qs: (Quote | null)[] = quotes.length ? [...quotes] : [null];
    qs.forEach((q, i) => {
      if (q?.suggested) anySuggested = true;
      const cells: Record<string, { kind: 'text'; text: string }> = {};
      if (i === 0 && themeName) cells.theme = text(themeName);
      if (i === 0 && subName) cells.subTheme = text(subName);
      if (q) cells.quote = text(formatQuote(q));
      else if (placeholder) cells.quote = text('(no quote selected)');
      if (i === 0 && needs.length) cells.supportNeeds = text(needs.join('; '));
      rows.push({ kind: 'data', cells });
    });
  };
  for (const r of results) {
    if (r.theme.status !== 'final') anyNonFinal = true;
    const themeName = r.theme.name + statusMark(r.theme.status, include);
    if (r.subThemes.length === 0) {
      emit(themeName, '', r.quotes, r.supportNeeds, true);
      continue;
    }
    // The theme's own quotes and needs (if any) on its first row, then one group of rows per sub-theme.
    let named = false;
    if (r.quotes.length || r.supportNeeds.length) {
      emit(themeName, '', r.quotes, r.supportNeeds, false);
      named = true;
    }
    for (const s of r.subThemes) {
      if (s.theme.status !== 'final') anyNonFinal = true;
      emit(
        named ? '' : themeName,
        s.theme.name + statusMark(s.theme.status, include),
        s.quotes,
        s.supportNeeds,
        true,
      );
      named = true;
    }
  }
  const notes = [
    'Quotes are attributed by pseudonym; participants are never named.',
    ...(anySuggested
      ? ['* Quote suggested by nabz from segments coded to the theme; not yet accepted by a researcher.']
      : []),
    ...(include === 'all' && anyNonFinal ? ['Themes marked [candidate] or [reviewed] are not final.'] : []),
  ];
  return {
    type: 'table',
    id: 'qualResults',
    title: options.title ?? 'Themes, sub-themes, illustrative quotes and expressed support needs',
    columns: [
      { key: 'theme', label: 'Theme', format: { kind: 'text' } },
      { key: 'subTheme', label: 'Sub-theme', format: { kind: 'text' } },
      { key: 'quote', label: 'Illustrative quotes', format: { kind: 'text' } },
      { key: 'supportNeeds', label: 'Expressed support needs', format: { kind: 'text' } },
    ],
    rows,
    notes,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reporting checklists

export interface ChecklistItem {
  /** "COREQ-1" … "COREQ-32", "SRQR-S1" … "SRQR-S21". */
  readonly id: string;
  /** As the checklist numbers it: "1", "S1". */
  readonly number: string;
  readonly domain: string;
  readonly title: string;
  /** What the item asks (paraphrased). */
  readonly prompt: string;
  /** Pre-filled answer, or null when the researcher must answer. */
  readonly answer: string | null;
  /** Where the answer came from: project metadata, or derived from the project data. */
  readonly from: 'metadata' | 'project' | null;
  readonly status: 'prefilled' | 'needs_researcher';
}

interface Checklist {
  readonly name: 'COREQ' | 'SRQR';
  readonly reference: string;
  readonly items: readonly ChecklistItem[];
}

type Def = readonly [number: string, domain: string, title: string, prompt: string];

const COREQ: readonly Def[] = [
  [
    '1',
    'Research team and reflexivity',
    'Interviewer/facilitator',
    'Which author(s) conducted the interviews or focus group.',
  ],
  ['2', 'Research team and reflexivity', 'Credentials', "The researchers' credentials (e.g. PhD, MD)."],
  ['3', 'Research team and reflexivity', 'Occupation', 'Their occupation at the time of the study.'],
  ['4', 'Research team and reflexivity', 'Gender', "The researchers' gender."],
  [
    '5',
    'Research team and reflexivity',
    'Experience and training',
    'Their experience or training in qualitative research.',
  ],
  [
    '6',
    'Research team and reflexivity',
    'Relationship established',
    'Whether a relationship with participants existed before the study.',
  ],
  [
    '7',
    'Research team and reflexivity',
    'Participant knowledge of the interviewer',
    'What participants knew about the researcher (goals, reasons for the research).',
  ],
  [
    '8',
    'Research team and reflexivity',
    'Interviewer characteristics',
    'What is reported about the facilitator: possible biases, assumptions, interests in the topic.',
  ],
  [
    '9',
    'Study design',
    'Methodological orientation and theory',
    'The methodological orientation underpinning the study (e.g. thematic analysis, grounded theory).',
  ],
  [
    '10',
    'Study design',
    'Sampling',
    'How participants were selected (e.g. purposive, convenience, snowball).',
  ],
  [
    '11',
    'Study design',
    'Method of approach',
    'How participants were approached (e.g. face to face, email).',
  ],
  ['12', 'Study design', 'Sample size', 'How many participants took part.'],
  ['13', 'Study design', 'Non-participation', 'How many refused or dropped out, and why.'],
  ['14', 'Study design', 'Setting of data collection', 'Where the data were collected.'],
  [
    '15',
    'Study design',
    'Presence of non-participants',
    'Whether anyone besides participants and researchers was present.',
  ],
  [
    '16',
    'Study design',
    'Description of sample',
    'Important characteristics of the sample (demographics, dates).',
  ],
  [
    '17',
    'Study design',
    'Interview guide',
    'Whether questions or a guide were provided, and whether it was pilot tested.',
  ],
  ['18', 'Study design', 'Repeat interviews', 'Whether repeat interviews were held, and how many.'],
  ['19', 'Study design', 'Audio/visual recording', 'Whether audio or video recording was used.'],
  ['20', 'Study design', 'Field notes', 'Whether field notes were made during or after the session.'],
  ['21', 'Study design', 'Duration', 'How long the interviews or focus group lasted.'],
  ['22', 'Study design', 'Data saturation', 'Whether data saturation was discussed.'],
  [
    '23',
    'Study design',
    'Transcripts returned',
    'Whether transcripts were returned to participants for comment or correction.',
  ],
  ['24', 'Analysis and findings', 'Number of data coders', 'How many coders coded the data.'],
  [
    '25',
    'Analysis and findings',
    'Description of the coding tree',
    'Whether a description of the coding tree is given.',
  ],
  [
    '26',
    'Analysis and findings',
    'Derivation of themes',
    'Whether themes were identified in advance or derived from the data.',
  ],
  ['27', 'Analysis and findings', 'Software', 'Software used to manage the data, if any.'],
  [
    '28',
    'Analysis and findings',
    'Participant checking',
    'Whether participants gave feedback on the findings.',
  ],
  [
    '29',
    'Analysis and findings',
    'Quotations presented',
    'Whether quotations illustrate the themes, each identified (e.g. by participant number).',
  ],
  [
    '30',
    'Analysis and findings',
    'Data and findings consistent',
    'Whether the data presented and the findings are consistent.',
  ],
  ['31', 'Analysis and findings', 'Clarity of major themes', 'Whether major themes are clearly presented.'],
  [
    '32',
    'Analysis and findings',
    'Clarity of minor themes',
    'Whether diverse cases or minor themes are described.',
  ],
];

const SRQR: readonly Def[] = [
  [
    'S1',
    'Title and abstract',
    'Title',
    'A concise title naming the topic and that the study is qualitative (or its approach).',
  ],
  [
    'S2',
    'Title and abstract',
    'Abstract',
    'A summary of background, purpose, methods, results and conclusions.',
  ],
  [
    'S3',
    'Introduction',
    'Problem formulation',
    'The problem studied, its significance, and relevant theory and prior work.',
  ],
  [
    'S4',
    'Introduction',
    'Purpose or research question',
    'The purpose of the study and its objectives or questions.',
  ],
  [
    'S5',
    'Methods',
    'Qualitative approach and research paradigm',
    'The qualitative approach and guiding theory, and the research paradigm if relevant.',
  ],
  [
    'S6',
    'Methods',
    'Researcher characteristics and reflexivity',
    "Researchers' characteristics that may influence the research and how they were handled.",
  ],
  ['S7', 'Methods', 'Context', 'Setting and site, and the contextual factors that matter.'],
  [
    'S8',
    'Methods',
    'Sampling strategy',
    'How and why participants were selected; when sampling stopped (e.g. saturation).',
  ],
  [
    'S9',
    'Methods',
    'Ethical issues pertaining to human subjects',
    'Ethics approval, consent, and other ethical issues.',
  ],
  [
    'S10',
    'Methods',
    'Data collection methods',
    'Types of data collected, procedures, start and end dates, iteration.',
  ],
  [
    'S11',
    'Methods',
    'Data collection instruments and technologies',
    'Interview guides, recording devices and other instruments, and how they changed.',
  ],
  ['S12', 'Methods', 'Units of study', 'Number and relevant characteristics of participants or other units.'],
  [
    'S13',
    'Methods',
    'Data processing',
    'How data were processed: transcription, data entry, management, security, de-identification.',
  ],
  [
    'S14',
    'Methods',
    'Data analysis',
    'How themes or inferences were identified and developed, by whom, with what approach.',
  ],
  [
    'S15',
    'Methods',
    'Techniques to enhance trustworthiness',
    'Techniques used (e.g. member checking, audit trail, triangulation).',
  ],
  [
    'S16',
    'Results/findings',
    'Synthesis and interpretation',
    'Main findings and their interpretation, integrated with prior theory.',
  ],
  ['S17', 'Results/findings', 'Links to empirical data', 'Evidence (e.g. quotes) supporting the findings.'],
  [
    'S18',
    'Discussion',
    'Integration with prior work, implications, transferability and contribution(s) to the field',
    'How findings relate to earlier work, their implications and transferability.',
  ],
  ['S19', 'Discussion', 'Limitations', 'Trustworthiness and limitations of the findings.'],
  ['S20', 'Other', 'Conflicts of interest', 'Potential influences on the study and how they were managed.'],
  ['S21', 'Other', 'Funding', 'Sources of funding and the role of funders.'],
];

function join(parts: readonly (string | undefined | null | false)[], sep = ' '): string | null {
  const s = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join(sep);
  return s === '' ? null : s;
}

/**
 * A summary of the sample for COREQ 16 / SRQR S12, one clause per attribute (issue 10, defect 7: summarised,
 * not every value dumped): "12 participants; age: 19–24 (median 21); gender: Female 7, Male 5; city: Lahore 5,
 * Karachi 3, Multan 2 and 2 other values (2)". Numbers with more than three distinct values give their range
 * and median; other attributes their values by frequency, the three most frequent and the rest as "other
 * values" when there are more than four; an attribute with a different value for each participant (an
 * identifier, a free-text note) is named, not listed; "not given" counts missing values.
 *
 * With `minCellSize` k (the protected audience of src/core/privacy/suppression.ts: a viewer), a value held by
 * fewer than k participants is not named (nor the next smallest, when only one would be hidden), and a numeric
 * range is given only when at least k participants share each end; the median is then left out too.
 */
export function describeSample(project: QualProject, minCellSize = 0): string | null {
  const n = project.participants.length;
  if (n === 0) return null;
  const keys: string[] = [];
  for (const p of project.participants)
    for (const k of Object.keys(p.attributes)) if (!keys.includes(k)) keys.push(k);
  const parts = keys.map((k) => {
    const counts = new Map<string, number>();
    let missing = 0;
    for (const p of project.participants) {
      const v = p.attributes[k];
      if (v === undefined || v === null) missing++;
      else counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    }
    const given = n - missing;
    const notGiven = missing ? `, not given ${missing}` : '';
    const nums = project.participants
      .map((p) => p.attributes[k])
      .filter((v): v is number => typeof v === 'number');
    if (nums.length === given && nums.length > 0 && counts.size > 3) {
      const sorted = [...nums].sort((a, b) => a - b);
      const lo = at(sorted, 0);
      const hi = at(sorted, sorted.length - 1);
      const mid = sorted.length / 2;
      const median =
        sorted.length % 2 ? at(sorted, Math.floor(mid)) : (at(sorted, mid - 1) + at(sorted, mid)) / 2;
      const shown = extremeShown(nums, lo, minCellSize) && extremeShown(nums, hi, minCellSize);
      return shown
        ? `${k}: ${lo}–${hi} (median ${Number(median.toPrecision(12))}${missing ? `, not given ${missing}` : ''})`
        : `${k}: ${suppressionReason(minCellSize, 'participants')} share the lowest or highest value`;
    }
    if (counts.size === given && given > 3)
      return `${k}: a different value for each of ${given} participants${notGiven}`;
    const entries = [...counts].sort((a, b) => b[1] - a[1]);
    const top = entries.length > 4 ? entries.slice(0, 3) : entries;
    const rest = entries.length > 4 ? entries.slice(3) : [];
    const restCount = rest.reduce((x, [, c]) => x + c, 0);
    // "Other values" and "not given" take part in the complement, so a hidden value cannot be recovered.
    const hide = cellsToSuppress([...top.map(([, c]) => c), restCount, missing], minCellSize);
    const shown = top.filter((_, i) => !hide.has(i)).map(([v, c]) => `${v} ${c}`);
    let tail = '';
    if (rest.length && !hide.has(top.length)) tail = ` and ${rest.length} other values (${restCount})`;
    const out = `${k}: ${shown.join(', ')}${tail}`;
    const hiddenNote =
      hide.size > 0 ? `, values held by ${suppressionReason(minCellSize, 'participants')} are not shown` : '';
    return `${out}${hiddenNote}${missing && !hide.has(top.length + 1) ? notGiven : ''}`;
  });
  return `${n} participants${parts.length ? `; ${parts.join('; ')}` : ''}`;
}

function codedBy(project: QualProject): string[] {
  const ids = [...new Set(project.segments.map((s) => s.coderId))];
  return ids.map((id) => project.coders.find((c) => c.id === id)?.name ?? id);
}

function phaseSummary(project: QualProject): string | null {
  const done = BRAUN_CLARKE_PHASES.filter((ph) => project.memos.some((m) => m.phase === ph.phase));
  if (!done.length) return null;
  return `Thematic analysis following Braun & Clarke's six phases; dated phase memos recorded for phase${done.length > 1 ? 's' : ''} ${done.map((d) => d.phase).join(', ')}.`;
}

export interface ChecklistOptions {
  /** How to name the software, default "nabz". */
  readonly software?: string;
  /** k for a protected audience (a viewer): small attribute groups are not named (`describeSample`). */
  readonly minCellSize?: number;
  /** The project's member-checking records (COREQ 23 and 28 when the metadata says nothing). */
  readonly memberChecks?: MemberCheckCounts;
  /** How each transcript came in, by source id: "vtt", "srt", "txt", "docx", "qdpx" (COREQ 19, SRQR S10). */
  readonly sourceFormats?: Readonly<Record<string, string>>;
}

const FORMAT_NAMES: Record<string, string> = {
  vtt: 'WebVTT captions',
  srt: 'SubRip captions',
  txt: 'timestamped text',
  docx: 'timestamped Word documents',
  qdpx: 'a REFI-QDA project',
};

/**
 * What the transcripts say about recording (COREQ 19 and SRQR S10 when the metadata says nothing): how many
 * carry timestamps, from which formats — evidence the sessions were recorded, not what with. Null when none do.
 */
function recordingFacts(project: QualProject, formats: Readonly<Record<string, string>> = {}): string | null {
  const timed = project.sources.filter((s) => (project.turns[s.id] ?? []).some((t) => t.time !== undefined));
  if (!timed.length) return null;
  const by = new Map<string, number>();
  for (const s of timed) {
    const f = FORMAT_NAMES[formats[s.id] ?? ''] ?? 'timestamped transcripts';
    by.set(f, (by.get(f) ?? 0) + 1);
  }
  const from = [...by].map(([f, n]) => `${f} ${n}`).join(', ');
  return `${timed.length} of ${project.sources.length} transcript${project.sources.length > 1 ? 's' : ''} carry recording timestamps (${from}), so those sessions were recorded. Give the device and whether audio or video was recorded.`;
}

/** Member checking in numbers: participants, packets sent, returned (or later), with recorded corrections. */
interface MemberCheckCounts {
  readonly participants: number;
  readonly sent: number;
  readonly returned: number;
  readonly corrected: number;
}

function memberCheckText(c: MemberCheckCounts | undefined): string | null {
  if (!c || c.sent === 0) return null;
  return `Each participant's own transcript turns were sent back to ${c.sent} of ${c.participants} participants; ${c.returned} returned them, ${c.corrected} with corrections (recorded as tracked edits).`;
}

function make(
  name: 'COREQ' | 'SRQR',
  defs: readonly Def[],
  answers: Record<string, [string | null, 'metadata' | 'project']>,
): ChecklistItem[] {
  return defs.map(([number, domain, title, prompt]) => {
    const a = answers[number];
    const answer = a?.[0] ?? null;
    return {
      id: `${name}-${number}`,
      number,
      domain,
      title,
      prompt,
      answer,
      from: answer === null || a === undefined ? null : a[1],
      status: answer === null ? 'needs_researcher' : 'prefilled',
    };
  });
}

/** COREQ, 32 items, pre-filled from `project.meta` and the project data; the rest marked for the researcher. */
export function coreqChecklist(project: QualProject, options: ChecklistOptions = {}): Checklist {
  const m = project.meta;
  const team = m.team ?? [];
  const facil = team.filter((t) => t.facilitator);
  const list = (f: (t: (typeof team)[number]) => string | undefined) =>
    join(
      team.filter((t) => f(t)).map((t) => `${t.label}: ${f(t)}`),
      '; ',
    );
  const coders = codedBy(project);
  const codes = project.codes;
  const roots = codes.filter((c) => c.parentId === null).length;
  const withDef = codes.filter((c) => c.definition.trim() !== '').length;
  const quoted = project.themes.some((t) => t.quoteSegmentIds.length > 0);
  const M = 'metadata' as const;
  const P = 'project' as const;
  const answers: Record<string, [string | null, 'metadata' | 'project']> = {
    '1': [facil.length ? facil.map((t) => t.label).join(', ') : null, M],
    '2': [list((t) => t.credentials), M],
    '3': [list((t) => t.occupation), M],
    '4': [list((t) => t.gender), M],
    '5': [list((t) => t.experience), M],
    '6': [m.relationshipWithParticipants ?? null, M],
    '7': [null, M],
    '8': [m.reflexivity ?? null, M],
    '9': [join([m.approach, m.theory && `Theory: ${m.theory}.`]), M],
    '10': [m.sampling ?? null, M],
    '11': [m.approachMethod ?? null, M],
    '12':
      m.sampleSize !== undefined
        ? [`${m.sampleSize} participants`, M]
        : [project.participants.length ? `${project.participants.length} participants` : null, P],
    '13': [m.nonParticipation ?? null, M],
    '14': [m.setting ?? null, M],
    '15': [m.presentOthers ?? null, M],
    '16': m.sampleDescription ? [m.sampleDescription, M] : [describeSample(project, options.minCellSize), P],
    '17': [
      join([
        m.interviewGuide,
        m.pilotTested === undefined ? undefined : m.pilotTested ? 'Pilot tested.' : 'Not pilot tested.',
      ]),
      M,
    ],
    '18': [m.repeatInterviews ?? null, M],
    '19': m.recording ? [m.recording, M] : [recordingFacts(project, options.sourceFormats), P],
    '20': [m.fieldNotes ?? null, M],
    '21': m.duration ? [m.duration, M] : [timestampSpans(project), P],
    '22': [m.saturation ?? null, M],
    '23': m.transcriptsReturned ? [m.transcriptsReturned, M] : [memberCheckText(options.memberChecks), P],
    '24': [coders.length ? `${coders.length} (${coders.join(', ')})` : null, P],
    '25': [
      codes.length
        ? `Codebook of ${codes.length} codes (${roots} at the top level), ${withDef} with a written definition; exported with the project (REFI-QDA codebook).`
        : null,
      P,
    ],
    '26': [phaseSummary(project), P],
    '27': [m.software ?? options.software ?? 'nabz', m.software ? M : P],
    '28': m.memberChecking ? [m.memberChecking, M] : [memberCheckText(options.memberChecks), P],
    '29': [
      quoted ? 'Yes; each quotation is identified by participant pseudonym, e.g. (Participant 4).' : null,
      P,
    ],
  };
  return {
    name: 'COREQ',
    reference:
      'Tong A, Sainsbury P, Craig J. Consolidated criteria for reporting qualitative research (COREQ): a 32-item checklist for interviews and focus groups. Int J Qual Health Care. 2007;19(6):349-357.',
    items: make('COREQ', COREQ, answers),
  };
}

/**
 * What the transcripts' own timestamps say about duration (COREQ 21 when the metadata gives none): per
 * transcript, the time of its last timestamped turn, a lower bound on the recording's length. Null when no
 * transcript has timestamps.
 */
function timestampSpans(project: QualProject): string | null {
  const parts: string[] = [];
  for (const s of project.sources) {
    const times = (project.turns[s.id] ?? []).map((t) => t.time).filter((t): t is number => t !== undefined);
    if (!times.length) continue;
    const last = Math.round(Math.max(...times));
    parts.push(`${s.name}: ${Math.floor(last / 60)} min ${last % 60} s`);
  }
  return parts.length
    ? `At least (last timestamped turn of each transcript) ${parts.join('; ')}. Give the recorded durations.`
    : null;
}

/** SRQR, 21 items, pre-filled where the project can answer; the rest marked for the researcher. */
export function srqrChecklist(project: QualProject, options: ChecklistOptions = {}): Checklist {
  const m = project.meta;
  const team = m.team ?? [];
  const coders = codedBy(project);
  const M = 'metadata' as const;
  const P = 'project' as const;
  const trust = join([
    m.trustworthiness,
    !m.trustworthiness && m.memberChecking && `Member checking: ${m.memberChecking}`,
    !m.trustworthiness &&
      coders.length > 1 &&
      `Independent coding by ${coders.length} coders with agreement statistics.`,
    !m.trustworthiness && 'Hash-chained audit trail of all coding, codebook and theme decisions.',
  ]);
  const answers: Record<string, [string | null, 'metadata' | 'project']> = {
    S1: [m.title ?? null, M],
    S4: [m.researchQuestion ?? null, M],
    S5: [join([m.approach, m.paradigm && `Paradigm: ${m.paradigm}.`, m.theory && `Theory: ${m.theory}.`]), M],
    S6: [
      join([
        team.length
          ? `Team: ${team.map((t) => join([t.label, t.occupation && `(${t.occupation})`]) ?? t.label).join('; ')}.`
          : null,
        m.reflexivity,
      ]),
      M,
    ],
    S7: [m.setting ?? null, M],
    S8: [join([m.sampling, m.saturation]), M],
    S9: [m.ethics ?? null, M],
    S10: m.recording
      ? [
          join([
            m.recording,
            m.duration,
            m.dataCollectionDates && `Dates: ${m.dataCollectionDates}.`,
            m.repeatInterviews,
          ]),
          M,
        ]
      : [
          join([
            recordingFacts(project, options.sourceFormats),
            m.duration ?? timestampSpans(project),
            m.dataCollectionDates && `Dates: ${m.dataCollectionDates}.`,
            m.repeatInterviews,
          ]),
          P,
        ],
    S11: [join([m.interviewGuide, m.recording]), M],
    S12: m.sampleDescription ? [m.sampleDescription, M] : [describeSample(project, options.minCellSize), P],
    S13: [
      project.sources.length
        ? `Verbatim transcripts (${project.sources.length}) stored as Unicode (NFC) text; participants identified by pseudonyms P1–P${project.participants.length}; names never exported; managed in ${m.software ?? options.software ?? 'nabz'}.`
        : null,
      P,
    ],
    S14: [
      join([
        phaseSummary(project),
        coders.length
          ? `Coded by ${coders.length} coder${coders.length > 1 ? 's' : ''} (${coders.join(', ')}).`
          : null,
      ]),
      P,
    ],
    S15: [trust, m.trustworthiness ? M : P],
    S17: [
      project.themes.some((t) => t.quoteSegmentIds.length > 0)
        ? 'Illustrative quotes attributed by pseudonym in the results table.'
        : null,
      P,
    ],
    S20: [m.conflicts ?? null, M],
    S21: [m.funding ?? null, M],
  };
  return {
    name: 'SRQR',
    reference:
      "O'Brien BC, Harris IB, Beckman TJ, Reed DA, Cook DA. Standards for reporting qualitative research: a synthesis of recommendations. Acad Med. 2014;89(9):1245-1251.",
    items: make('SRQR', SRQR, answers),
  };
}

/** A checklist as a table spec: No., item, what it asks, answer (or a marker for the researcher). */
export function checklistTable(c: Checklist): TableSpec {
  const rows: TableSpec['rows'] = [];
  let domain = '';
  for (const it of c.items) {
    if (it.domain !== domain) {
      domain = it.domain;
      rows.push({ kind: 'group', label: domain });
    }
    rows.push({
      kind: 'data',
      cells: {
        number: { kind: 'text', text: it.number },
        item: { kind: 'text', text: it.title },
        prompt: { kind: 'text', text: it.prompt },
        answer: { kind: 'text', text: it.answer ?? '[to be completed by the researcher]' },
        page: { kind: 'text', text: '' },
      },
    });
  }
  const open = c.items.filter((i) => i.status === 'needs_researcher').length;
  return {
    type: 'table',
    id: `${c.name.toLowerCase()}Checklist`,
    title: `${c.name} checklist`,
    columns: [
      { key: 'number', label: 'No.', format: { kind: 'text' } },
      { key: 'item', label: 'Item', format: { kind: 'text' } },
      { key: 'prompt', label: 'What it asks', format: { kind: 'text' } },
      { key: 'answer', label: 'Answer', format: { kind: 'text' } },
      // Where the manuscript reports the item: left blank for the author (journals require it).
      { key: 'page', label: 'Page no.', format: { kind: 'text' } },
    ],
    rows,
    notes: [
      `${c.items.length - open} of ${c.items.length} items pre-filled from the project; ${open} to be completed by the researcher.`,
      `Reference: ${c.reference}`,
    ],
  };
}

/** Codes in tree order with depth, for printing the coding tree (COREQ item 25). */
export function codingTreeLines(project: QualProject): string[] {
  const depth = (id: string | null): number => {
    let d = 0;
    const seen = new Set<string>();
    let cur = id;
    while (cur !== null && !seen.has(cur)) {
      seen.add(cur);
      cur = project.codes.find((c) => c.id === cur)?.parentId ?? null;
      if (cur !== null) d++;
    }
    return d;
  };
  return codesInTreeOrder(project.codes).map(
    (c) => `${'  '.repeat(depth(c.id))}${c.name}${c.definition ? ` — ${c.definition}` : ''}`,
  );
}
