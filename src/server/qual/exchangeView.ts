/** The REFI-QDA exchange pages as views: what an import took, skipped and warned about. */
import type { ImportReport } from '../../import/qdpx.js';
import { type Html, html } from '../ui/html.js';

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
