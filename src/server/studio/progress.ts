/**
 * Live progress: started, completed, screened out, declined, drop-off by page and completions per day, from
 * the progress counters (one row per study, day and counter — nothing kept per respondent). The page reloads
 * itself every 30 seconds with `<meta http-equiv="refresh">`, so no JavaScript is needed to watch a lecture
 * hall fill in the survey.
 *
 * Owners and analysts see exact live counts. A viewer sees every count coarsened by the study's one policy
 * (src/core/privacy/suppression.ts): below k "fewer than k", otherwise rounded down to a multiple of k ("25+"),
 * so a reload moves only when k more people are counted — never on one completion, one decline or one day's
 * single respondent (docs/security.md, finding 1).
 */
import type { FastifyInstance } from 'fastify';
import { audienceOf, coarseCount, coarseValue, isSmall } from '../../core/privacy/suppression.js';
import { uiStrings } from '../../core/study/i18n.js';
import { checkedOf, loadStudy, page, ROLES, type StudioContext } from './common.js';
import { esc } from './layout.js';

export const REFRESH_SECONDS = 30;

/** Counter names the respondent routes increment (see src/server/respond/routes.ts). */
export const COUNTERS = {
  started: 'started',
  completed: 'completed',
  screenedOut: 'screened_out',
  declined: 'declined',
  /** `page_<page id>`: respondents who reached that page. */
  pagePrefix: 'page_',
} as const;

function pct(n: number, of: number): string {
  return of > 0 ? `${((100 * n) / of).toFixed(0)}%` : '–';
}

function bar(n: number, of: number): string {
  const w = of > 0 ? Math.round((12 * n) / of) : 0;
  // Width in steps of 1/12 via repeated blocks keeps the CSP free of inline styles.
  return `<span aria-hidden="true">${'█'.repeat(w)}</span>`;
}

export function registerProgress(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;

  app.get('/studies/:id/progress', async (req, reply) => {
    const s = await loadStudy(req, ROLES.read);
    const { study } = s;
    const counters = await store.counters.read(study.id);
    const k = study.minCellSize;
    const audience = audienceOf(s.role);
    // What the page computes with: exact counts, or for a viewer each rounded down to a multiple of k.
    const shown = (n: number) => (audience === 'exact' ? n : coarseValue(n, k));
    const count = (n: number) => esc(coarseCount(n, k, audience));
    const t = (name: string) => counters.totals[name] ?? 0;
    const stored = await store.responses.count(study.id);
    const started = t(COUNTERS.started);
    const completed = Math.max(t(COUNTERS.completed), stored);
    const screened = t(COUNTERS.screenedOut);
    const declined = t(COUNTERS.declined);
    // A count of screened-out people reveals how many did not meet the eligibility rule: shown only from k on.
    const screenedText =
      audience === 'exact'
        ? isSmall(screened, k)
          ? `fewer than ${k}`
          : String(screened)
        : coarseCount(screened, k, audience);

    const checked = checkedOf(study);
    let dropoff = '';
    if (!('issues' in checked)) {
      const en = uiStrings('en');
      const rows = checked.flow.pages
        .map((p, i) => {
          const n = t(`${COUNTERS.pagePrefix}${p.id}`);
          const title =
            p.kind === 'consent'
              ? en.consentTitle
              : (p.title?.en ??
                Object.values(p.title ?? {})[0] ??
                (p.kind === 'eligibility' ? en.eligibilityTitle : en.questionsTitle));
          return `<tr><td>${i + 1}</td><td dir="auto">${esc(title)} <span class="muted">(${esc(p.id)})</span></td><td class="n">${count(n)}</td><td class="n">${pct(shown(n), shown(started))}</td><td>${bar(shown(n), shown(started))}</td></tr>`;
        })
        .join('');
      dropoff =
        '<h2>Drop-off by page</h2><p class="hint">How many respondents reached each page, as a share of those who started.</p>' +
        `<div class="wrap"><table><thead><tr><th>#</th><th>Page</th><th class="n">Reached</th><th class="n">of started</th><th><span class="muted">Bar</span></th></tr></thead><tbody>${rows}` +
        `<tr><td></td><td>Submitted</td><td class="n">${count(completed)}</td><td class="n">${pct(shown(completed), shown(started))}</td><td>${bar(shown(completed), shown(started))}</td></tr></tbody></table></div>`;
    }

    const perDay = new Map<string, { started: number; completed: number }>();
    for (const d of counters.days) {
      if (d.name !== COUNTERS.started && d.name !== COUNTERS.completed) continue;
      const e = perDay.get(d.day) ?? { started: 0, completed: 0 };
      if (d.name === COUNTERS.started) e.started += d.count;
      else e.completed += d.count;
      perDay.set(d.day, e);
    }
    let cumulative = 0;
    const maxDay = Math.max(1, ...[...perDay.values()].map((e) => shown(e.completed)));
    const dayRows = [...perDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, e]) => {
        cumulative += e.completed;
        return `<tr><td>${esc(day)}</td><td class="n">${count(e.started)}</td><td class="n">${count(e.completed)}</td><td class="n">${count(cumulative)}</td><td>${bar(shown(e.completed), maxDay)}</td></tr>`;
      })
      .join('');
    const days = dayRows
      ? `<h2>Completion over days</h2><div class="wrap"><table><thead><tr><th>Day</th><th class="n">Started</th><th class="n">Completed</th><th class="n">Total completed</th><th><span class="muted">Bar</span></th></tr></thead><tbody>${dayRows}</tbody></table></div>`
      : '';

    return page(reply, {
      title: `Progress – ${study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'progress',
      refreshSeconds: REFRESH_SECONDS,
      body: () =>
        '<h1>Progress</h1>' +
        `<p class="muted">Updates every ${REFRESH_SECONDS} seconds. Counts only: nothing is kept about people who leave or are screened out.</p>` +
        (audience === 'exact'
          ? ''
          : `<p class="notice">As a viewer you see counts rounded down to a multiple of k = ${k} (“fewer than ${k}” below it), so that no count moves by one person.</p>`) +
        '<div class="stats">' +
        `<div class="stat"><span class="muted">Started</span><b id="n-started">${count(started)}</b></div>` +
        `<div class="stat"><span class="muted">Completed</span><b id="n-completed">${count(completed)}</b></div>` +
        `<div class="stat"><span class="muted">Screened out</span><b id="n-screened">${esc(screenedText)}</b></div>` +
        `<div class="stat"><span class="muted">Declined consent</span><b id="n-declined">${count(declined)}</b></div>` +
        `<div class="stat"><span class="muted">Completion rate</span><b>${pct(shown(completed), shown(started))}</b></div></div>` +
        dropoff +
        days,
    });
  });
}
