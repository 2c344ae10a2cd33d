/**
 * The views of the Consensus pages (routes: consensus.ts): the disagreements per passage or per speaker turn,
 * side by side with the text, with agreement before, now and after consensus; the consensus codebook (merge,
 * undo a merge); splitting a code passage by passage. Pure functions of their models, built with `html`.
 */
import type { AgreementFigures, ConsensusReport } from '../../core/qual/consensusReport.js';
import { type Html, html, join } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { postButton } from './common.js';

type ConsensusViewKind = 'passages' | 'turns';

export interface ConsensusFilters {
  /** Coders who coded (never the consensus layer). */
  readonly all: readonly string[];
  readonly coders: readonly string[];
  readonly codable: readonly { readonly id: string; readonly path: string }[];
  /** The one code shown, when filtered. */
  readonly code: string | undefined;
  readonly codeIds: readonly string[];
  readonly sourceIds: readonly string[] | undefined;
  readonly view: ConsensusViewKind;
}

export interface ConsensusModel {
  readonly base: string;
  readonly csrf: string;
  readonly version: number;
  readonly filters: ConsensusFilters;
  readonly sources: readonly { readonly id: string; readonly name: string }[];
  readonly coderName: (id: string) => string;
  readonly codeName: (id: string) => string;
  /** Code points `[start, end)` of a transcript. */
  readonly text: (sourceId: string, start: number, end: number) => string;
  readonly sourceLength: (sourceId: string) => number;
  readonly report: ConsensusReport | null;
  /** Codes merged into others in the consensus codebook. */
  readonly merged: number;
  /** The filters as a query string, for the forms to come back to. */
  readonly back: string;
}

const MAX_ROWS = 300;
const CONTEXT = 60;

const fmt = (x: number | null | undefined, digits: number): Html | string =>
  x === null || x === undefined ? html`<span class="sup">not computable</span>` : x.toFixed(digits);

export function blindView(): Html {
  return html`<h1>Consensus</h1><p>Coding is blind. Consensus works on everyone’s coding: the owner opens comparison first (Coder comparison).</p>`;
}

function tabs(m: { base: string }, current: 'disagreements' | 'codebook'): Html {
  const link = (href: string, label: string, on: boolean) =>
    html`<a href="${href}"${on ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<p>${link(`${m.base}/consensus`, 'Disagreements and consensus coding', current === 'disagreements')} · ${link(`${m.base}/consensus/codebook`, 'Consensus codebook (merge and split codes)', current === 'codebook')}</p>`;
}

function filterForm(m: ConsensusModel): Html {
  const f = m.filters;
  return html`<form method="get" action="${m.base}/consensus" class="stack"><fieldset><legend>Coders compared</legend><div class="checks">${f.all.map(
    (c) =>
      html`<label><input type="checkbox" name="coders" value="${c}"${f.coders.includes(c) ? html` checked` : ''}> ${m.coderName(c)}</label>`,
  )}</div></fieldset><div class="row"><label for="code">Code</label><select id="code" name="code"><option value="">All codes</option>${f.codable.map(
    (c) => html`<option value="${c.id}"${c.id === f.code ? html` selected` : ''}>${c.path}</option>`,
  )}</select><label for="source">Transcript</label><select id="source" name="source"><option value="">All transcripts</option>${m.sources.map(
    (s) =>
      html`<option value="${s.id}"${f.sourceIds?.[0] === s.id ? html` selected` : ''}>${s.name}</option>`,
  )}</select><label for="view">Show</label><select id="view" name="view"><option value="passages"${f.view === 'passages' ? html` selected` : ''}>passages</option><option value="turns"${f.view === 'turns' ? html` selected` : ''}>speaker turns</option></select><button>Show</button></div></form>`;
}

function figures(x: AgreementFigures): Html {
  return html`α = ${fmt(x.alpha, 3)}${x.kappa !== undefined ? html`, κ = ${fmt(x.kappa, 3)}, agreement ${fmt(x.percentAgreement, 2)}%` : ''}`;
}

function agreementView(m: ConsensusModel, r: ConsensusReport): Html {
  const b = r.before;
  const before = b
    ? html`<li>Before consensus${b.recorded ? html` (recorded ${b.at.slice(0, 16).replace('T', ' ')} UTC, when the first consensus step was taken)` : ' (no consensus step yet: the figure now)'}: ${b.coders.length} coders (${b.coders.map(m.coderName).join(', ')}), their own codebooks (${b.codes} codes), ${figures(b)} over ${b.units} character × code decisions.</li>`
    : '';
  const now = html`<li>Now, among the compared coders on the consensus codebook${m.merged ? ` (${m.merged} code(s) merged into others)` : ''}: ${figures(r.now)} over ${r.now.units} character × code decisions.</li>`;
  const after = r.after.length
    ? html`<p>After: each coder against the consensus, over the ${r.startedSources} transcript(s) whose consensus has started (every passage there has a consensus decision).</p>${dataTable(
        ['Coder', 'N', 'agreement %', 'κ', 'AC1'],
        r.after.map((a) => [
          m.coderName(a.coderId),
          a.units,
          fmt(a.percentAgreement, 2),
          fmt(a.kappa, 3),
          fmt(a.ac1, 3),
        ]),
        { numeric: [1, 2, 3, 4] },
      )}`
    : html`<p>After: no consensus recorded yet.</p>`;
  const downloads = html`<p>Download this table: <a href="${m.base}/consensus/agreement.csv${m.back}">CSV</a> · <a href="${m.base}/consensus/agreement.docx${m.back}">Word</a></p>`;
  return html`<h2>Agreement before and after consensus</h2><ul>${before}${now}</ul><p>Scope: transcripts every compared coder coded, participants’ turns. Disagreements: ${r.summary.total}; decided by consensus: ${r.summary.decided}; open: ${r.summary.open}.</p>${after}${downloads}`;
}

function hidden(m: ConsensusModel, fields: Record<string, string | number>): Record<string, string | number> {
  return { coders: m.filters.coders.join(','), version: m.version, back: m.back, ...fields };
}

function passageRows(m: ConsensusModel, r: ConsensusReport): Html {
  const f = m.filters;
  const rows = r.passages.slice(0, MAX_ROWS).map((d) => {
    const n = m.sourceLength(d.sourceId);
    const h = hidden(m, { source: d.sourceId, code: d.codeId, start: d.start, end: d.end });
    const action = `${m.base}/consensus`;
    const buttons = join(
      [
        ...f.coders.map((c) =>
          postButton(action, m.csrf, `Accept ${m.coderName(c)}`, { ...h, decision: 'accept', coder: c }),
        ),
        postButton(action, m.csrf, 'Merge (coded)', { ...h, decision: 'merge', merge: f.coders.join(',') }),
        postButton(action, m.csrf, 'Not coded', { ...h, decision: 'not_coded' }),
      ],
      ' ',
    );
    return [
      m.sources.find((s) => s.id === d.sourceId)?.name ?? d.sourceId,
      m.codeName(d.codeId),
      html`<div dir="auto" class="pre max24"><span class="muted">${m.text(d.sourceId, Math.max(0, d.start - CONTEXT), d.start)}</span><mark>${m.text(d.sourceId, d.start, d.end)}</mark><span class="muted">${m.text(d.sourceId, d.end, Math.min(n, d.end + CONTEXT))}</span></div><span class="hint">${d.start}–${d.end}</span>`,
      d.codedBy.map(m.coderName).join(', '),
      d.notCodedBy.map(m.coderName).join(', '),
      d.consensus === null ? html`<span class="sup">not started</span>` : d.consensus.replace('_', ' '),
      buttons,
    ];
  });
  return html`<h2>Disagreements (${r.passages.length})</h2>${
    r.passages.length
      ? html`${dataTable(['Transcript', 'Code', 'Passage', 'Coded by', 'Not coded by', 'Consensus', 'Resolve'], rows)}${
          r.passages.length > MAX_ROWS
            ? html`<p class="hint">The first ${MAX_ROWS} are shown; filter by code or transcript to see the rest.</p>`
            : ''
        }`
      : html`<p>The compared coders agree everywhere for these codes.</p>`
  }`;
}

/** One form per differing code of a turn: accept a coder's coding there, merge, or decide for the turn. */
function turnResolve(m: ConsensusModel, t: ConsensusReport['turns'][number], codeId: string): Html {
  const choices = [
    ...m.filters.coders.map((c) => [`accept:${c}`, `as ${m.coderName(c)} coded it`] as const),
    ['merge', 'merged (coded wherever any coder coded it)'] as const,
    ['coded', 'the whole turn coded'] as const,
    ['not_coded', 'not coded in this turn'] as const,
  ];
  const fields = hidden(m, {
    source: t.sourceId,
    code: codeId,
    start: t.contentStart,
    end: t.end,
    merge: m.filters.coders.join(','),
  });
  const id = `t-${t.sourceId}-${t.turnIndex}-${codeId}`;
  return html`<form method="post" action="${m.base}/consensus" class="inline"><input type="hidden" name="_csrf" value="${m.csrf}">${Object.entries(
    fields,
  ).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  )}<label for="${id}">${m.codeName(codeId)}:</label> <select id="${id}" name="choice">${choices.map(
    ([v, label]) => html`<option value="${v}">${label}</option>`,
  )}</select> <button>Decide</button></form>`;
}

function turnRows(m: ConsensusModel, r: ConsensusReport): Html {
  const f = m.filters;
  const rows = r.turns
    .slice(0, MAX_ROWS)
    .map((t) => [
      m.sources.find((s) => s.id === t.sourceId)?.name ?? t.sourceId,
      html`${t.speakerKey || '—'}<br><span class="hint">turn ${t.turnIndex + 1}${t.role !== 'participant' && t.role !== 'unknown' ? ` (${t.role})` : ''}</span>`,
      html`<div dir="auto" class="pre max24">${m.text(t.sourceId, t.contentStart, t.end)}</div>`,
      ...t.byCoder.map((c) =>
        c.codeIds.length
          ? html`${c.codeIds.map((id, i) => html`${i ? ', ' : ''}${t.differing.includes(id) ? html`<mark>${m.codeName(id)}</mark>` : m.codeName(id)}`)}`
          : html`<span class="sup">nothing</span>`,
      ),
      t.consensus === null
        ? html`<span class="sup">not started</span>`
        : t.consensus.length
          ? t.consensus.map(m.codeName).join(', ')
          : html`<span class="sup">nothing</span>`,
      html`${t.differing.map((id) => turnResolve(m, t, id))}`,
    ]);
  return html`<h2>Speaker turns where the coders differ (${r.turns.length})</h2><p class="hint">A coder applied a code in a turn when one of their segments with it overlaps the turn; codes some but not all compared coders applied are marked.</p>${
    r.turns.length
      ? html`${dataTable(['Transcript', 'Speaker', 'Turn', ...f.coders.map(m.coderName), 'Consensus', 'Resolve'], rows)}${
          r.turns.length > MAX_ROWS
            ? html`<p class="hint">The first ${MAX_ROWS} are shown; filter by code or transcript to see the rest.</p>`
            : ''
        }`
      : html`<p>The compared coders applied the same codes in every turn.</p>`
  }`;
}

function customForm(m: ConsensusModel): Html {
  return html`<h2>Record a consensus coding</h2><form method="post" action="${m.base}/consensus" class="stack"><input type="hidden" name="_csrf" value="${m.csrf}"><input type="hidden" name="version" value="${m.version}"><input type="hidden" name="back" value="${m.back}"><input type="hidden" name="coders" value="${m.filters.coders.join(',')}"><div class="row"><label for="c-source">Transcript</label><select id="c-source" name="source">${m.sources.map(
    (s) => html`<option value="${s.id}">${s.name}</option>`,
  )}</select><label for="c-code">Code</label><select id="c-code" name="code">${m.filters.codable.map(
    (c) => html`<option value="${c.id}">${c.path}</option>`,
  )}</select></div><div class="row"><label for="c-start">Start</label><input type="number" id="c-start" name="start" min="0" class="w8"><label for="c-end">End</label><input type="number" id="c-end" name="end" min="1" class="w8"></div><div class="checks"><label><input type="radio" name="decision" value="coded" checked> coded</label><label><input type="radio" name="decision" value="not_coded"> not coded</label></div><p><button>Record</button></p></form>`;
}

export function consensusView(m: ConsensusModel): Html {
  const intro = html`<h1>Consensus</h1><p class="hint">Passages where the compared coders differ for a code (one coded it, another did not; different codes on the same words show once per code), or, per speaker turn, which codes each coder applied. Resolve each by accepting one coder’s version, merging (coded wherever any coder coded it), or deciding “not coded”; the decisions form a separate consensus layer (coder “Consensus”) that the theme quote picker, the results table and the QDPX export (consensus only) use. Codes are read through the consensus codebook. Every decision is in the audit trail.</p>${tabs(m, 'disagreements')}${filterForm(m)}`;
  const r = m.report;
  if (!r) return html`${intro}<p>Nothing to compare yet: at least two coders need coded segments.</p>`;
  return html`${intro}${agreementView(m, r)}${m.filters.view === 'turns' ? turnRows(m, r) : passageRows(m, r)}${customForm(m)}`;
}

// ---------------------------------------------------------------------------------------------------------
// The consensus codebook

export interface CodebookModel {
  readonly base: string;
  readonly csrf: string;
  /** Codes of the consensus codebook in tree order, with the codes merged into each. */
  readonly codes: readonly {
    readonly id: string;
    readonly path: string;
    readonly codable: boolean;
    /** "Dr Analyst’s own code" for an inductive code. */
    readonly owner: string | null;
    readonly merged: readonly { readonly id: string; readonly name: string; readonly owner: string | null }[];
    /** The name of the code it was split from, when a split made it (the split can be undone). */
    readonly splitFrom: string | null;
    /** Segments per coder (the consensus included), read through the consensus codebook. */
    readonly counts: readonly { readonly coder: string; readonly n: number }[];
  }[];
}

export function codebookView(m: CodebookModel): Html {
  const codable = m.codes.filter((c) => c.codable);
  const who = (owner: string | null) =>
    owner ? html` <span class="muted">(${owner}’s own code)</span>` : '';
  const rows = m.codes.map((c) => [
    html`${c.path}${who(c.owner)}`,
    c.merged.length
      ? html`${c.merged.map(
          (x) =>
            html`<div>${x.name}${who(x.owner)} ${postButton(`${m.base}/consensus/codebook/unmerge`, m.csrf, `Undo merge of ${x.name}`, { code: x.id })}</div>`,
        )}`
      : html`<span class="muted">—</span>`,
    c.counts.length
      ? c.counts.map((x) => `${x.coder}: ${x.n}`).join('; ')
      : html`<span class="muted">not applied</span>`,
    html`${
      c.codable && c.counts.length
        ? html`<a href="${m.base}/consensus/codebook/split?code=${encodeURIComponent(c.id)}">Split ${c.path}…</a>`
        : ''
    }${
      c.splitFrom
        ? postButton(
            `${m.base}/consensus/codebook/unsplit`,
            m.csrf,
            `Undo split (back into ${c.splitFrom})`,
            {
              code: c.id,
            },
          )
        : ''
    }`,
  ]);
  return html`<h1>Consensus codebook</h1><p class="hint">After comparing, the team agrees on one codebook: merge codes that mean the same thing (for example, two coders’ own inductive codes), and split a code whose passages are really two ideas. A merge keeps every coder’s codings as they made them and can be undone; the pages, the coder comparison, the consensus layer, the results table and the QDPX export count a merged code as the code it was merged into. A split moves the chosen passages (every coder’s and the consensus’s segments there) to a new code, and can be undone while nothing later builds on the new code. The agreement before consensus is recorded by the first step; every step is in the audit trail with the agreement before and after it.</p>${tabs(m, 'codebook')}${dataTable(
    ['Code', 'Merged into it', 'Segments per coder', ''],
    rows,
  )}<h2>Merge codes</h2>${
    codable.length >= 2
      ? html`<form method="post" action="${m.base}/consensus/codebook/merge" class="stack"><input type="hidden" name="_csrf" value="${m.csrf}"><fieldset><legend>Codes to merge</legend><div class="checks">${codable.map(
          (c) =>
            html`<label><input type="checkbox" name="codes" value="${c.id}"> ${c.path}${who(c.owner)}</label>`,
        )}</div></fieldset><div class="row"><label for="into">Into</label><select id="into" name="into"><option value="">a new code named…</option>${codable.map(
          (c) => html`<option value="${c.id}">${c.path}</option>`,
        )}</select><label for="merge-name">New code</label><input type="text" id="merge-name" name="name" maxlength="200" dir="auto"></div><div class="field"><label for="merge-definition">Definition of the new code (optional)</label><textarea id="merge-definition" name="definition" dir="auto"></textarea></div><p><button class="primary">Merge codes</button></p></form>`
      : html`<p>The consensus codebook has fewer than two codes to merge.</p>`
  }`;
}

interface SplitModel {
  readonly base: string;
  readonly csrf: string;
  readonly code: { readonly id: string; readonly path: string };
  readonly passages: readonly {
    readonly key: string;
    readonly source: string;
    readonly text: string;
    readonly range: string;
    readonly coders: string;
  }[];
}

export function splitView(m: SplitModel): Html {
  return html`<h1>Split ${m.code.path}</h1><p class="hint">Each passage is a run of text some coder (or the consensus) coded with “${m.code.path}”. Tick the passages that go to the new code; the others stay. Every coder’s and the consensus’s segments in a ticked passage carry the new code from then on.</p>${tabs(m, 'codebook')}<form method="post" action="${m.base}/consensus/codebook/split" class="stack"><input type="hidden" name="_csrf" value="${m.csrf}"><input type="hidden" name="code" value="${m.code.id}"><div class="row"><label for="split-name">New code</label><input type="text" id="split-name" name="name" required maxlength="200" dir="auto"></div><div class="field"><label for="split-definition">Definition (optional)</label><textarea id="split-definition" name="definition" dir="auto"></textarea></div>${dataTable(
    ['Move', 'Transcript', 'Passage', 'Coded by'],
    m.passages.map((p, i) => [
      html`<label><input type="checkbox" name="move" value="${p.key}"> passage ${i + 1}</label>`,
      p.source,
      html`<div dir="auto" class="pre max24">${p.text}</div><span class="hint">${p.range}</span>`,
      p.coders,
    ]),
  )}<p><button class="primary">Split the code</button></p></form>`;
}
