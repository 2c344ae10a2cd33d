/**
 * The REFI-QDA exchange and audit trail pages as views: the exchange page (exports, the owner's import form),
 * what an import took, skipped and warned about, and the audit trail ({@link auditView} of the model
 * {@link auditModel} builds). Pure functions of their inputs; the handlers are in src/server/qual/exchange.ts.
 */
import {
  type AuditEvent,
  type AuditVerification,
  canonicalJson,
  hiddenWhileBlind,
} from '../../core/qual/audit.js';
import type { ImportReport } from '../../import/qdpx.js';
import { type Html, html } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { csrfInput, when } from './common.js';

/** What the exchange page shows. */
export interface ExchangeModel {
  readonly base: string;
  /** Whether coding is blind (the export then holds the caller's own segments and imported ones). */
  readonly blind: boolean;
  /** What the QDPX exporter warns about (checked before sharing). */
  readonly warnings: readonly string[];
  /** Whether the caller may import (the owner). */
  readonly owner: boolean;
  /** Whether the project has nothing a QDPX import would clash with. */
  readonly empty: boolean;
}

/** The exchange page: what an export holds, the export links, and (for the owner) the import form. */
export function exchangeView(m: ExchangeModel, csrf: string): Html {
  const { base } = m;
  return html`<h1>REFI-QDA exchange</h1><p>QDPX projects and QDC codebooks open in other QDA programs (NVivo, ATLAS.ti, MAXQDA, QualCoder…). Participants are cases named by pseudonym; their names are never exported.</p>${
    m.blind &&
    html`<p class="notice">Coding is blind, so the export holds your own segments (and imported ones) only; once the owner opens comparison it holds every coder’s.</p>`
  }${
    m.warnings.length > 0 &&
    html`<div class="notice"><p><strong>Check before you share:</strong></p><ul>${m.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>`
  }<h2>Export</h2><ul><li><a href="${base}/export.qdpx">Project (.qdpx), positions in Unicode characters</a></li><li><a href="${base}/export.qdpx?unit=utf16">Project (.qdpx), positions in UTF-16 units</a> (for tools that count as .NET/Java do; differs only after emoji)</li><li><a href="${base}/export.qdpx?layer=consensus">Project (.qdpx), consensus coding only</a> (the decisions recorded on the Consensus page, as the coder “Consensus”)</li><li><a href="${base}/codebook.qdc">Codebook (.qdc)</a></li></ul>${
    m.owner && importForm(m, csrf)
  }`;
}

function importForm(m: ExchangeModel, csrf: string): Html {
  return html`<h2>Import</h2><form method="post" action="${m.base}/import" class="stack">${csrfInput(csrf)}<div class="field"><label for="kind">What</label><select id="kind" name="kind"><option value="qdpx">A project (.qdpx)${!m.empty && ' — only into an empty project'}</option><option value="qdc">A codebook (.qdc), added to this codebook</option></select></div><div class="field" data-js hidden><label for="file">File</label><input type="file" id="file" accept=".qdpx,.qdc,.xml" data-b64="file_b64" data-b64-name="file_name"></div><input type="hidden" id="file_b64" name="file_b64" value=""><input type="hidden" id="file_name" name="file_name" value=""><div class="field"><label for="xml">…or paste a codebook (.qdc XML)</label><textarea id="xml" name="xml" rows="5"></textarea></div><p><button class="primary">Import</button></p></form>`;
}

/** The page after a QDPX or QDC import: counts taken, elements not taken with the reason, warnings. */
export function importReportView(r: ImportReport, base: string): Html {
  const c = r.counts;
  return html`<h1>Imported</h1><p>Taken: ${c.sources} transcript(s), ${c.participants} participant(s), ${c.variables} variable(s), ${c.codes} code(s), ${c.segments} segment(s), ${c.coders} coder(s), ${c.memos} memo(s), ${c.themes} theme(s).</p>${
    r.skipped.length > 0 &&
    html`<div class="notice"><p><strong>Not taken:</strong></p><ul>${r.skipped.map(
      (s) => html`<li>${s.element}${s.name && html` “${s.name}”`}: ${s.reason}</li>`,
    )}</ul></div>`
  }${
    r.warnings.length > 0 &&
    html`<div class="notice"><p><strong>Warnings:</strong></p><ul>${r.warnings.map((w) => html`<li>${w.message}</li>`)}</ul></div>`
  }<p><a href="${base}">Back to the project</a></p>`;
}

/** The audit trail page: the chain's state, the downloads (or why they wait), the events newest first. */
export interface AuditModel {
  readonly base: string;
  readonly verification: AuditVerification;
  /** Whether the full trail may be downloaded (not while it holds other coders' segments and coding is blind). */
  readonly downloadable: boolean;
  readonly events: readonly {
    readonly seq: number;
    readonly at: string;
    /** The actor's name (their id when no coder has it). */
    readonly actor: string;
    readonly action: string;
    /** The entity: its kind and id. */
    readonly about: string;
    /** The entity before and after as canonical JSON (cut at 400 characters); null when masked while blind. */
    readonly change: { readonly before: string; readonly after: string } | null;
  }[];
}

/** Longest before/after JSON shown in the table (the downloads hold it whole). */
const SHOWN_JSON = 400;

function shownJson(x: unknown): string {
  const s = canonicalJson(x ?? null);
  return s.length > SHOWN_JSON ? `${s.slice(0, SHOWN_JSON)}…` : s;
}

/**
 * The audit page's model: the trail newest first, actors by name; while coding is blind (`blind`), events
 * about segments of coders other than `coderId` are masked, and the downloads wait when there are any.
 */
export function auditModel(input: {
  readonly base: string;
  readonly log: readonly AuditEvent[];
  readonly verification: AuditVerification;
  readonly names: ReadonlyMap<string, string>;
  readonly blind: boolean;
  readonly coderId: string | null;
}): AuditModel {
  const masked = (e: AuditEvent) => input.blind && hiddenWhileBlind(e, input.coderId);
  return {
    base: input.base,
    verification: input.verification,
    downloadable: !input.log.some(masked),
    events: [...input.log].reverse().map((e) => ({
      seq: e.seq,
      at: e.at,
      actor: input.names.get(e.actor) ?? e.actor,
      action: e.action,
      about: `${e.entity.kind} ${e.entity.id}`,
      change: masked(e) ? null : { before: shownJson(e.before), after: shownJson(e.after) },
    })),
  };
}

/** The audit trail page. */
export function auditView(m: AuditModel): Html {
  const v = m.verification;
  const json = (s: string) => html`<code dir="ltr">${s}</code>`;
  const rows = m.events.map((e) => [
    e.seq,
    when(e.at),
    e.actor,
    e.action,
    e.about,
    e.change ? json(e.change.before) : html`<span class="sup">hidden while coding is blind</span>`,
    e.change ? json(e.change.after) : '',
  ]);
  return html`<h1>Audit trail</h1>${
    v.ok
      ? html`<p class="ok">${v.count} events; the hash chain is intact. Head hash: <code class="hash">${v.head}</code> (quote it in your report to show the trail was not shortened later).</p>`
      : html`<p class="refusal"><strong>The hash chain is broken</strong> at event ${v.seq}: ${v.message}</p>`
  }${
    m.downloadable
      ? html`<p>Download: <a href="${m.base}/audit.csv">CSV</a> · <a href="${m.base}/audit.json">JSON</a> · <a href="${m.base}/audit.md">readable appendix (Markdown)</a></p>`
      : html`<p class="notice">Other coders’ segment events are masked while coding is blind; the full trail can be downloaded once comparison is open.</p>`
  }${dataTable(['#', 'When', 'Who', 'Action', 'About', 'Before', 'After'], rows, { numeric: [0] })}`;
}
