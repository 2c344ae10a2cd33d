/**
 * The progress page's view: a pure function of the core's {@link ProgressModel} (core/study/progress.ts).
 *
 * The page updates in place: the studio script (ui/assets.ts, `STUDIO_JS`) finds `[data-live]`, fetches the
 * counts JSON named there every {@link LIVE_SECONDS} seconds (same origin, allowed by the studio CSP's
 * `connect-src 'self'`) and writes the figures into the elements marked `data-k` and the tables' bodies marked
 * `data-rows`. A "Pause updates" button (shown only when the script runs) stops and restarts it; without
 * JavaScript, the "Refresh now" link reloads the page by hand. Nothing reloads the page by itself.
 */
import { BAR_STEPS, type ProgressModel, type ProgressRow } from '../../core/study/progress.js';
import { type Html, html } from '../ui/html.js';
import { scrollBox } from '../ui/table.js';

/** How often the page fetches the counts (seconds). */
const LIVE_SECONDS = 10;

/** What the counts JSON carries: the model's figures, nothing else. */
interface ProgressJson {
  readonly stats: ProgressModel['stats'];
  readonly dropoff: readonly ProgressRow[] | null;
  readonly days: readonly ProgressRow[];
}

export function progressJson(m: ProgressModel): ProgressJson {
  return { stats: m.stats, dropoff: m.dropoff ?? null, days: m.days };
}

/** A bar of `steps` blocks, hidden from screen readers (the number next to it says it). */
function barHtml(steps: number): Html {
  return html`<span aria-hidden="true">${'█'.repeat(Math.max(0, Math.min(BAR_STEPS, steps)))}</span>`;
}

/** A table body of rows whose first `text` cells are text, the rest numbers, then the bar. */
function rowsHtml(rows: readonly ProgressRow[], textColumns: number): Html {
  return html`${rows.map(
    (r) =>
      html`<tr>${r.cells.map((c, i) => (i < textColumns ? html`<td dir="auto">${c}</td>` : html`<td class="n">${c}</td>`))}<td>${barHtml(r.bar)}</td></tr>`,
  )}`;
}

function stat(key: keyof ProgressModel['stats'], label: string, m: ProgressModel): Html {
  return html`<div class="stat"><span class="muted">${label}</span><b id="n-${key}" data-k="${key}">${m.stats[key]}</b></div>`;
}

interface ProgressPage {
  readonly model: ProgressModel;
  /** The page's own address (the "Refresh now" link) and the counts JSON it polls. */
  readonly pageUrl: string;
  readonly jsonUrl: string;
}

/** The body of the progress page. */
export function progressView(p: ProgressPage): Html {
  const m = p.model;
  const dropoff =
    m.dropoff &&
    html`<h2 id="dropoff-h">Drop-off by page</h2><p class="hint">How many respondents reached each page, as a share of those who started.</p>${scrollBox(
      'Drop-off by page',
      html`<table aria-labelledby="dropoff-h"><thead><tr><th scope="col">#</th><th scope="col">Page</th><th scope="col" class="n">Reached</th><th scope="col" class="n">of started</th><th scope="col"><span class="muted">Bar</span></th></tr></thead><tbody data-rows="dropoff" data-text="2">${rowsHtml(m.dropoff, 2)}</tbody></table>`,
    )}`;
  const days = html`<h2 id="days-h">Completion over days</h2>${scrollBox(
    'Completion over days',
    html`<table aria-labelledby="days-h"><thead><tr><th scope="col">Day</th><th scope="col" class="n">Started</th><th scope="col" class="n">Completed</th><th scope="col" class="n">Total completed</th><th scope="col"><span class="muted">Bar</span></th></tr></thead><tbody data-rows="days" data-text="1">${rowsHtml(m.days, 1)}</tbody></table>`,
  )}${m.days.length === 0 && html`<p class="muted" id="no-days">No one has started yet.</p>`}`;
  return html`<h1>Progress</h1><div data-live="${p.jsonUrl}" data-every="${LIVE_SECONDS}"><p class="row"><span class="muted" id="live-status" role="status">Counts as of loading the page. Counts only: nothing is kept about people who leave or are screened out.</span> <a href="${p.pageUrl}" id="live-refresh">Refresh now</a> <button type="button" id="live-pause" aria-pressed="false" hidden>Pause updates</button></p>${
    m.audience === 'exact'
      ? ''
      : html`<p class="notice">As a viewer you see counts rounded down to a multiple of k = ${m.k} (“fewer than ${m.k}” below it), so that no count moves by one person.</p>`
  }<div class="stats">${stat('started', 'Started', m)}${stat('completed', 'Completed', m)}${stat('screened', 'Screened out', m)}${stat('declined', 'Declined consent', m)}${stat('rate', 'Completion rate', m)}</div>${dropoff}${days}</div>`;
}
