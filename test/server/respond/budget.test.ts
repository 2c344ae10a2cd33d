/**
 * Byte budget of the respondent page.
 *
 * Why: respondents answer on cheap Android phones over metered, often 2G/3G connections in Pakistan, and
 * they did not choose this tool — a researcher sent them a link. Every kilobyte costs them money and seconds.
 * The issue sets a hard limit: a BACE v3 page with its 30 items must weigh at most 30 KB in total (HTML + CSS
 * + JS, compressed). The page is one self-contained document (CSS and JS inline, no fonts, no images), so the
 * compressed document *is* the total. We aim far lower, and a second, tighter check catches regressions long
 * before the hard limit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parsePageSubmission } from '../../../src/core/response/submission.js';
import { buildFlow } from '../../../src/core/study/pages.js';
import { resolveStudy } from '../../../src/core/study/resolve.js';
import { getInstrument, instrumentIds } from '../../../src/instruments/index.js';
import { RESPOND_CSS, RESPOND_JS } from '../../../src/server/respond/assets.js';
import { renderPage } from '../../../src/server/respond/render.js';

/** The issue's hard limit, gzip-compressed bytes of everything the page loads. */
const HARD_LIMIT = 30_000;
/** Our own target: a regression guard well under the limit. */
const TARGET = 12_000;

const study = JSON.parse(
  readFileSync(join(__dirname, '../../../examples/bace-medical-students/study.json'), 'utf8'),
);
const resolved = (() => {
  const r = resolveStudy({ ...study, languages: ['en', 'ur'] }, getInstrument, instrumentIds());
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
})();
const flow = (() => {
  const f = buildFlow(resolved);
  if (!f.ok) throw new Error(JSON.stringify(f.issues));
  return f.value;
})();
const bacePage = flow.pages.find((p) => p.items.length === 30)!;

function measure(html: string): { raw: number; gzip: number; brotli: number } {
  const buf = Buffer.from(html, 'utf8');
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const ctx = {
  resolved,
  action: '/s/7Hq2mXc9TzQ',
  hidden: { _csrf: 'k3J9xQ2vT8mZ1pL6rW4yB0nC5dF7gH-aSe' },
  idempotencyKey: '3f0c8a9e-5b1d-4e7a-9c2f-6d8b1a4e0f37',
  languageLinks: [
    { lang: 'en', href: '/s/7Hq2mXc9TzQ?lang=en' },
    { lang: 'ur', href: '/s/7Hq2mXc9TzQ?lang=ur' },
  ],
};
const answersSoFar = {
  age: { kind: 'value', value: 22 },
  gender: { kind: 'value', value: 1 },
  training: { kind: 'value', value: 1 },
} as const;

describe('respondent page byte budget (BACE v3, 30 items)', () => {
  it('has 30 BACE items on the page', () => {
    expect(bacePage.items.map((i) => i.id)).toEqual(
      Array.from({ length: 30 }, (_, i) => `bace3_${String(i + 1).padStart(2, '0')}`),
    );
  });

  const cases = [
    [
      'English',
      renderPage({ ...ctx, lang: 'en', view: 'page', flow, pageId: bacePage.id, answers: answersSoFar }).body,
    ],
    [
      'Urdu UI (items fall back to English)',
      renderPage({ ...ctx, lang: 'ur', view: 'page', flow, pageId: bacePage.id, answers: answersSoFar }).body,
    ],
    [
      'English, all 30 items re-rendered with errors',
      (() => {
        // Worst case: every item in error (in practice BACE items are optional; force messages by posting invalid values).
        const fields = Object.fromEntries(bacePage.items.map((i) => [i.id, '9']));
        const parsed = parsePageSubmission(flow, bacePage, fields, answersSoFar);
        expect(parsed.errors).toHaveLength(30);
        return renderPage({
          ...ctx,
          lang: 'en',
          view: 'page',
          flow,
          pageId: bacePage.id,
          answers: answersSoFar,
          fields,
          errors: parsed.errors,
        }).body;
      })(),
    ],
  ] as const;

  for (const [name, html] of cases) {
    it(`${name}: gzip ≤ ${HARD_LIMIT} bytes (target ${TARGET})`, () => {
      expect(html).toContain(`<style>${RESPOND_CSS}</style>`);
      expect(html).toContain(`<script>${RESPOND_JS}</script>`);
      const m = measure(html);
      console.log(
        `respondent page [${name}]: ${m.raw} bytes raw, ${m.gzip} bytes gzip -9, ${m.brotli} bytes brotli -11 ` +
          `(CSS ${Buffer.byteLength(RESPOND_CSS)} B, JS ${Buffer.byteLength(RESPOND_JS)} B raw, inline)`,
      );
      expect(m.gzip).toBeLessThanOrEqual(HARD_LIMIT);
      expect(m.gzip).toBeLessThanOrEqual(TARGET);
      expect(m.brotli).toBeLessThanOrEqual(m.gzip);
    });
  }
});
