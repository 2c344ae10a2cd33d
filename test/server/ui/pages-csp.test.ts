/**
 * Every page the server can render obeys its own Content-Security-Policy: the test walks the app's route
 * table (so a new page is covered without touching this file), opens every GET route with real ids (a study
 * with responses, a qualitative project with a transcript and its recording, codes, a segment, a memo and a
 * theme) and a few
 * refusal pages, and fails on
 * - an inline `style="…"` attribute the CSP would block (every kind but the standalone documents),
 * - an inline <style> or <script> whose sha256 is not in the CSP,
 * - an inline event handler (`onclick=` …) or a `javascript:` URL (no kind allows them),
 * - a <script src> that is not same-origin with `'self'` allowed.
 * A browser would silently drop what this test flags: a page that looks unstyled or a button that does nothing.
 */
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baceAnswers } from '../../faults/helpers.js';
import { ENGLISH_TRANSCRIPT } from '../../fixtures/qual/project.js';
import { wav } from '../../helpers/media.js';
import {
  baceStudyDefinition,
  createStudy,
  formBody,
  type SignedIn,
  type TestApp,
  testApp,
} from '../helpers.js';

/** Problems a browser enforcing `csp` would have with `html` (empty when none). */
function cspProblems(html: string, csp: string): string[] {
  const directives = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name, sources);
  }
  const sourcesOf = (name: string) => directives.get(name) ?? directives.get('default-src') ?? [];
  const styleSrc = sourcesOf('style-src');
  const scriptSrc = sourcesOf('script-src');
  const inlineAllowed = (list: readonly string[]) =>
    list.includes("'unsafe-inline'") && !list.some((s) => /^'(sha\d+|nonce)-/.test(s));
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  const problems: string[] = [];
  const short = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}…` : s);

  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) {
    const text = m[1]!;
    if (!inlineAllowed(styleSrc) && !styleSrc.includes(hash(text)))
      problems.push(`inline <style> whose hash ${hash(text)} is not in style-src: ${short(text)}`);
  }
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attrs = m[1]!;
    const src = /\ssrc="([^"]*)"/.exec(attrs)?.[1];
    if (src !== undefined) {
      if (!src.startsWith('/') || src.startsWith('//') || !scriptSrc.includes("'self'"))
        problems.push(`<script src="${src}"> is not allowed by script-src ${scriptSrc.join(' ')}`);
    } else if (!inlineAllowed(scriptSrc) && !scriptSrc.includes(hash(m[2]!))) {
      problems.push(`inline <script> whose hash ${hash(m[2]!)} is not in script-src: ${short(m[2]!)}`);
    }
  }
  // Attributes: only inside tags, with the contents of <style> and <script> left out.
  const markup = html.replace(/<(style|script)\b([^>]*)>[\s\S]*?<\/\1>/gi, '<$1$2>');
  for (const m of markup.matchAll(/<[a-zA-Z][^>]*>/g)) {
    const tag = m[0];
    if (/\sstyle\s*=/i.test(tag) && !inlineAllowed(directives.get('style-src-attr') ?? styleSrc))
      problems.push(`inline style attribute, blocked by style-src: ${short(tag)}`);
    if (/\son[a-z]+\s*=/i.test(tag)) problems.push(`inline event handler: ${short(tag)}`);
    if (/=\s*"\s*javascript:/i.test(tag)) problems.push(`javascript: URL: ${short(tag)}`);
  }
  return problems;
}

describe('cspProblems (the checker itself)', () => {
  const policy = "default-src 'none'; style-src 'sha256-abc'; script-src 'self'";
  it('flags what a browser would block and passes what it would allow', () => {
    const okStyle = 'p{color:red}';
    const allowed = `style-src 'sha256-${createHash('sha256').update(okStyle).digest('base64')}'; script-src 'self'`;
    expect(cspProblems(`<style>${okStyle}</style><script src="/a.js"></script>`, allowed)).toEqual([]);
    expect(cspProblems('<style>b{}</style>', allowed)).toHaveLength(1);
    expect(cspProblems('<p style="color:red">x</p>', policy)).toHaveLength(1);
    expect(cspProblems('<p>style="color:red" as text</p>', policy)).toEqual([]);
    expect(cspProblems('<script>alert(1)</script>', policy)).toHaveLength(1);
    expect(cspProblems('<script src="https://cdn.example/x.js"></script>', policy)).toHaveLength(1);
    expect(cspProblems('<button onclick="x()">', policy)).toHaveLength(1);
    expect(cspProblems('<a href="javascript:x()">', policy)).toHaveLength(1);
    expect(cspProblems('<p style="x">', "default-src 'none'; style-src 'unsafe-inline'")).toEqual([]);
  });
});

describe('every page obeys its Content-Security-Policy', () => {
  let t: TestApp;
  let owner: SignedIn;
  const ids: Record<string, string> = {};

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: owner.cookie } });
  const post = (url: string, fields: Record<string, string | number>) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ ...fields, _csrf: owner.csrf }),
    });
  const expectStatus = (res: LightMyRequestResponse, status: number) => {
    expect(res.statusCode, res.body.slice(0, 800)).toBe(status);
    return res;
  };

  beforeAll(async () => {
    t = await testApp();
    const o = await t.createUser({ email: 'owner@example.org', name: 'Olivia Owner' });
    owner = await t.signIn(o.email, o.password);
    const study = await createStudy(t.store, { ownerId: o.id, definition: baceStudyDefinition() });
    ids.id = String(study.id);
    ids.token = study.publicToken;
    // A follow-up volunteer (issue 14): their personal page /s/:token/v/:code.
    ids.code = 'ABCDEFGHJKMNPQRS';
    await t.store.volunteers.add({
      studyId: study.id,
      details: { contact: { email: 'v@example.org' }, code: ids.code, bands: {}, language: 'en' },
      k: 1,
    });
    // An uploaded export waiting on the import's mapping screen.
    const export_ = `Timestamp,Gender,Level of training\n2024/03/14 10:15:23,Female,Intern\n`;
    ids.upload = String(
      (
        await t.store.imports.saveUpload({
          studyId: study.id,
          userId: o.id,
          fileName: 'responses.csv',
          format: 'csv',
          bytes: new TextEncoder().encode(export_),
        })
      ).id,
    );
    // Enough responses for the analysis page to show its tables and charts.
    for (let i = 0; i < 6; i++) {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/s/${study.publicToken}/responses`,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `00000000-0000-4000-8000-00000000000${i}`,
        },
        payload: JSON.stringify({
          language: 'en',
          answers: baceAnswers(i),
          consent: { agreed: true, version: 2 },
        }),
      });
      expectStatus(r, 201);
    }
    // A qualitative project with a transcript, participants, a code, a segment, a memo and a theme.
    const base = `/studies/${study.id}/qual`;
    expectStatus(await post(base, { name: 'Focus groups' }), 303);
    const src = expectStatus(
      await post(`${base}/sources`, {
        name: 'FGD 1',
        language: 'en',
        text: ENGLISH_TRANSCRIPT,
        participants: '1',
      }),
      201,
    );
    ids.sid = /sources\/(src-[0-9a-f]+)"/.exec(src.body)![1]!;
    ids.pid = 'p1';
    expectStatus(
      await post(`${base}/codes`, { name: 'Workload', definition: 'Volume of material.', codable: '1' }),
      303,
    );
    expectStatus(
      await post(`${base}/sources/${ids.sid}/segments`, { start: 80, end: 140, new_code: 'Pressure' }),
      303,
    );
    // A recording, so the coding page shows its player and the turns' play controls.
    expectStatus(
      await post(`${base}/sources/${ids.sid}/media`, {
        media_b64: Buffer.from(wav(0.5)).toString('base64'),
        media_name: 'fgd1.wav',
      }),
      303,
    );
    expectStatus(await post(`${base}/memos`, { title: 'First reading', text: 'Grades dominate.' }), 303);
    // Written consent: a form version and one signed form, so the register and the PDF have a record.
    expectStatus(
      await post(`${base}/consent/forms`, {
        version: 'v1',
        language: 'en',
        title: 'Consent',
        text: 'I agree.',
      }),
      303,
    );
    expectStatus(
      await post(`${base}/consent/records`, {
        participant: ids.pid,
        formVersion: 'v1',
        signedOn: '2026-11-30',
        signedAs: 'A. K.',
        witness: '',
        notes: '',
      }),
      303,
    );
    ids.rid = (await t.store.qual.byStudy(study.id))!.doc.consents[0]!.id;
    expectStatus(
      await post(`${base}/themes`, { name: 'Pressure to perform', description: 'Grades and family.' }),
      303,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every GET route of the app, from Fastify's route tree. */
  function getRoutes(): string[] {
    const out: string[] = [];
    const stack: string[] = [];
    for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
      if (!m) continue;
      const depth = m[1]!.length / 4;
      const full = (depth === 0 ? '' : stack[depth - 1]!) + m[2]!;
      stack[depth] = full;
      if (m[3]?.split(', ').includes('GET')) out.push(full);
    }
    return out;
  }

  it('walks every GET route (with real ids) and finds nothing a browser would block', async () => {
    const routes = getRoutes();
    expect(routes).toContain('/studies/:id/qual/sources/:sid');
    expect(routes).toContain('/studies/:id/analysis');
    const failures: string[] = [];
    let pages = 0;
    for (const route of routes) {
      const url = route.replace(/:([A-Za-z]+)/g, (_, name: string) => {
        const v = ids[name];
        if (v === undefined) throw new Error(`No test value for :${name} in ${route}; add one to \`ids\`.`);
        return v;
      });
      const res = await get(url);
      if (!String(res.headers['content-type'] ?? '').startsWith('text/html')) continue;
      pages++;
      const csp = String(res.headers['content-security-policy'] ?? '');
      expect(csp, url).not.toBe('');
      for (const p of cspProblems(res.body, csp)) failures.push(`${url} (${res.statusCode}): ${p}`);
    }
    expect(failures).toEqual([]);
    expect(pages).toBeGreaterThan(25);
  });

  it('renders refusal and error pages within the CSP too', async () => {
    const base = `/studies/${ids.id}/qual`;
    const pages = [
      await post(`${base}/codes`, { name: '' }), // 400, the qualitative refusal page
      await post(`${base}/codes/nope`, { version: 1, name: 'x' }), // 404 in the studio layout
      await get(`/studies/${ids.id}/nothing`),
      await get('/s/no-such-study'),
      await get(`/studies/${ids.id}/analysis?group=nope`),
    ];
    for (const res of pages) {
      expect(String(res.headers['content-type'])).toContain('text/html');
      expect(cspProblems(res.body, String(res.headers['content-security-policy']))).toEqual([]);
    }
    expect(pages[0]!.statusCode).toBe(400);
  });
});
