/**
 * axe-core in the e2e suite (issue 14): `expectAccessible(page, name)` runs axe's WCAG 2.1 A and AA rules on
 * the page as it is and throws listing every violation (rule, impact, each target, help), so a failing test
 * says what to fix and where.
 *
 * axe's source is evaluated through the DevTools protocol (`page.evaluate` of the source string), which the
 * page's Content Security Policy does not govern: the app's CSP stays exactly as users get it (no
 * `bypassCSP`, no inline script added to the page). Pages opened with JavaScript disabled are checked the
 * same way (playwright evaluates in the page even then).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page, Response } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The rule sets every page must pass: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices (landmarks,
 * one main heading, heading order, every content inside a landmark).
 */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

export interface AxeViolation {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  /** One entry per offending element: its CSS selector and axe's summary of what to fix. */
  readonly nodes: readonly { readonly target: string; readonly summary: string }[];
}

/** Run axe on the page's current document and return its violations (none means it passed). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  return (await page.evaluate(
    `(async () => {
      const r = await window.axe.run(document, {
        runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} },
        resultTypes: ['violations'],
      });
      return r.violations.map((v) => ({
        rule: v.id,
        impact: v.impact ?? '',
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' })),
      }));
    })()`,
  )) as AxeViolation[];
}

/** The violations as a readable list: one line per rule, one indented line per element. */
export function formatViolations(name: string, url: string, violations: readonly AxeViolation[]): string {
  const lines = [`${name} (${url}): ${violations.length} axe violation(s)`];
  for (const v of violations) {
    lines.push(`- ${v.rule} [${v.impact}]: ${v.help}`);
    for (const n of v.nodes) lines.push(`    ${n.target} — ${n.summary.replace(/\s+/g, ' ').trim()}`);
  }
  return lines.join('\n');
}

/** Throw listing every violation when axe finds any on the page. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length > 0) throw new Error(formatViolations(name, page.url(), violations));
}

/**
 * Check a page as a browser without JavaScript showed it. Playwright cannot evaluate anything in a page whose
 * context has JavaScript disabled, so the document that context received (`response`: the body, status and
 * headers, CSP included) is served again to a page of `scripted` (a context with JavaScript) with its
 * `<script>` elements removed — the same DOM the scriptless browser built — and axe runs there.
 */
export async function expectAccessibleWithoutScript(
  scripted: BrowserContext,
  response: Response,
  name: string,
): Promise<void> {
  const body = (await response.text()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
  const headers = Object.fromEntries(
    Object.entries(await response.allHeaders()).filter(
      ([k]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(k),
    ),
  );
  const page = await scripted.newPage();
  try {
    const url = response.url();
    await page.route(
      (u) => u.href === url,
      (route) => route.fulfill({ status: response.status(), headers, body }),
    );
    await page.goto(url);
    await expectAccessible(page, `${name} (as loaded without JavaScript)`);
  } finally {
    await page.close();
  }
}

/** Keep the last document a page's main frame received (not a redirect), for `expectAccessibleWithoutScript`. */
export function lastDocument(page: Page): () => Response {
  let last: Response | undefined;
  page.on('response', (r) => {
    if (
      r.request().isNavigationRequest() &&
      r.frame() === page.mainFrame() &&
      (r.status() < 300 || r.status() >= 400)
    )
      last = r;
  });
  return () => {
    if (!last) throw new Error('The page has not loaded a document yet.');
    return last;
  };
}
