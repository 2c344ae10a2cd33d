/**
 * The one table of security headers (src/server/ui/headers.ts): every route family, injected through the real
 * app, answers with exactly its kind's column of the table (no governed header missing, none extra, no value
 * different), HSTS included when the public URL is https.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GOVERNED_HEADERS,
  HEADER_TABLE,
  kindOfPath,
  RESPONSE_KINDS,
  type ResponseKind,
  SECURITY_HEADERS,
} from '../../../src/server/ui/headers.js';
import { wav } from '../../helpers/media.js';
import { baceStudyDefinition, createStudy, form, type SignedIn, type TestApp, testApp } from '../helpers.js';

/** The governed headers of a response, by name. */
function governed(res: LightMyRequestResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of GOVERNED_HEADERS) {
    const v = res.headers[name];
    if (v !== undefined) out[name] = String(v);
  }
  return out;
}

function expected(kind: ResponseKind, https: boolean): Record<string, string> {
  return {
    ...SECURITY_HEADERS[kind],
    ...(https && kind !== 'respondentApi' ? { 'strict-transport-security': 'max-age=15552000' } : {}),
  };
}

describe('the header table', () => {
  it('gives every kind a CSP that blocks framing, nosniff and a cache policy', () => {
    for (const kind of RESPONSE_KINDS) {
      const h = SECURITY_HEADERS[kind];
      expect(h['content-security-policy'], kind).toMatch(/^default-src 'none'; /);
      expect(h['content-security-policy'], kind).toContain("frame-ancestors 'none'");
      expect(h['x-content-type-options'], kind).toBe('nosniff');
      expect(h['cache-control'], kind).toBeDefined();
    }
    // Only the standalone documents may use inline styles without a hash, and no kind allows inline scripts.
    for (const kind of RESPONSE_KINDS) {
      const policy = SECURITY_HEADERS[kind]['content-security-policy']!;
      expect(policy.includes('unsafe-inline'), kind).toBe(kind === 'document');
      expect(/script-src[^;]*unsafe/.test(policy), kind).toBe(false);
    }
    expect(Object.keys(HEADER_TABLE).every((k) => k === k.toLowerCase())).toBe(true);
  });

  it('sorts paths into families', () => {
    expect(kindOfPath('/s/abc')).toBe('respondent');
    expect(kindOfPath('/api/v1/s/abc/responses')).toBe('respondentApi');
    expect(kindOfPath('/healthz')).toBe('api');
    expect(kindOfPath('/studies/4/qual/codes')).toBe('qual');
    expect(kindOfPath('/studies/4/qual?x=1')).toBe('qual');
    expect(kindOfPath('/studies/4/qualms')).toBe('studio');
    expect(kindOfPath('/studies/4/exports')).toBe('studio');
    expect(kindOfPath('/qual-assets/qual.js')).toBe('asset');
    expect(kindOfPath('/')).toBe('studio');
  });
});

for (const https of [false, true]) {
  describe(`every route family answers with its column of the table (${https ? 'https' : 'http'})`, () => {
    let t: TestApp;
    let owner: SignedIn;
    let studyId: number;
    let token: string;
    let sourceId: string;

    beforeAll(async () => {
      t = await testApp(
        https ? { config: { secureCookies: true, publicUrl: 'https://survey.example.edu' } } : {},
      );
      const o = await t.createUser({ email: 'owner@example.org' });
      const study = await createStudy(t.store, { ownerId: o.id, definition: baceStudyDefinition() });
      studyId = study.id;
      token = study.publicToken;
      owner = await t.signIn(o.email, o.password);
      const start = await t.app.inject({
        method: 'POST',
        url: `/studies/${studyId}/qual`,
        headers: { cookie: owner.cookie, ...form({}).headers },
        payload: form({ name: 'Focus groups', _csrf: owner.csrf }).payload,
      });
      expect(start.statusCode, start.body.slice(0, 500)).toBe(303);
      const post = (url: string, fields: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url,
          headers: { cookie: owner.cookie, ...form({}).headers },
          payload: form({ ...fields, _csrf: owner.csrf }).payload,
        });
      const imported = await post(`/studies/${studyId}/qual/sources`, { name: 'FGD', text: 'P1: Hello.' });
      expect(imported.statusCode, imported.body.slice(0, 500)).toBe(201);
      const project = (await t.store.qual.byStudy(studyId))!;
      sourceId = (await t.store.qual.state(project.id, { coderId: null }))!.entities.source[0]!.id;
      const media = await post(`/studies/${studyId}/qual/sources/${sourceId}/media`, {
        media_b64: Buffer.from(wav(0.1)).toString('base64'),
        media_name: 'fgd.wav',
      });
      expect(media.statusCode, media.body.slice(0, 500)).toBe(303);
    });
    afterAll(async () => {
      await t?.close();
    });

    const get = (url: string, signedIn = true) =>
      t.app.inject({ method: 'GET', url, headers: signedIn ? { cookie: owner.cookie } : {} });

    const cases: readonly {
      name: string;
      kind: ResponseKind;
      status: number;
      send: () => Promise<LightMyRequestResponse>;
    }[] = [
      { name: 'respondent page', kind: 'respondent', status: 200, send: () => get(`/s/${token}`, false) },
      { name: 'respondent 404', kind: 'respondent', status: 404, send: () => get('/s/nothing-here', false) },
      {
        name: 'respondent API',
        kind: 'respondentApi',
        status: 400,
        send: () =>
          t.app.inject({
            method: 'POST',
            url: `/api/v1/s/${token}/responses`,
            headers: { 'content-type': 'application/json' },
            payload: '{}',
          }),
      },
      { name: 'health check', kind: 'api', status: 200, send: () => get('/healthz', false) },
      { name: 'sign-in page', kind: 'studio', status: 200, send: () => get('/signin', false) },
      { name: 'studio page', kind: 'studio', status: 200, send: () => get(`/studies/${studyId}`) },
      { name: 'studio redirect', kind: 'studio', status: 303, send: () => get(`/studies/${studyId}`, false) },
      {
        name: 'studio preview of a respondent page',
        kind: 'respondent',
        status: 200,
        send: () => get(`/studies/${studyId}/preview`),
      },
      {
        name: 'qualitative page',
        kind: 'qual',
        status: 200,
        send: () => get(`/studies/${studyId}/qual/codes`),
      },
      {
        name: 'qualitative asset',
        kind: 'asset',
        status: 200,
        send: () => get('/qual-assets/qual.js', false),
      },
      {
        name: 'recording (byte range)',
        kind: 'media',
        status: 206,
        send: () =>
          t.app.inject({
            method: 'GET',
            url: `/studies/${studyId}/qual/sources/${sourceId}/media`,
            headers: { cookie: owner.cookie, range: 'bytes=0-99' },
          }),
      },
      { name: 'QR code download', kind: 'file', status: 200, send: () => get(`/studies/${studyId}/qr.svg`) },
      {
        name: 'HTML codebook download',
        kind: 'document',
        status: 200,
        send: () =>
          t.app.inject({
            method: 'POST',
            url: `/studies/${studyId}/exports`,
            headers: { cookie: owner.cookie, ...form({}).headers },
            payload: form({ format: 'codebook', _csrf: owner.csrf }).payload,
          }),
      },
      {
        name: 'CSV codebook download',
        kind: 'file',
        status: 200,
        send: () =>
          t.app.inject({
            method: 'POST',
            url: `/studies/${studyId}/exports`,
            headers: { cookie: owner.cookie, ...form({}).headers },
            payload: form({ format: 'codebook_csv', _csrf: owner.csrf }).payload,
          }),
      },
    ];

    for (const c of cases) {
      it(`${c.name}: ${c.kind}`, async () => {
        const res = await c.send();
        expect(res.statusCode, res.body.slice(0, 500)).toBe(c.status);
        expect(governed(res)).toEqual(expected(c.kind, https));
      });
    }

    it('covers every kind of the table', () => {
      expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(RESPONSE_KINDS));
    });
  });
}
