/**
 * A transcript's recording through HTTP (app.inject) on SQLite and (with NABZ_TEST_PG_URL) PostgreSQL: upload
 * a WAV built in code, refuse a file that is not a recording whatever its name, serve byte ranges with the
 * sniffed Content-Type to owners and analysts only (viewers 403, outsiders 404), play controls per timed
 * turn on the coding page under the page's CSP, remove it, and lose it with its transcript.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQualProject } from '../../src/core/qual/model.js';
import { readZip } from '../../src/lib/zip.js';
import { exportQdpx } from '../../src/render/qdpx/export.js';
import { MEDIA_BODY_LIMIT } from '../../src/server/qual/media.js';
import type { Store } from '../../src/store/index.js';
import { NOT_MEDIA, wav } from '../helpers/media.js';
import { haveXmllint, inCi, PROJECT_XSD, xsdValidate } from '../render/qdpx/xmllint.js';
import { type SignedIn, serverBackends, studioClient, type TestApp, testApp } from './helpers.js';

type Browser = SignedIn;

const VTT =
  'WEBVTT\n\n00:00:00.250 --> 00:00:01.000\n<v Moderator>What makes exams hard?\n\n' +
  '00:00:01.000 --> 00:00:01.750\n<v P1>Sleep, mostly.\n\n00:00:01.750 --> 00:00:02.000\n<v P2>The fear.\n';

for (const backend of serverBackends()) {
  describe(`recordings over HTTP on ${backend.name}`, () => {
    let t: TestApp;
    let app: FastifyInstance;
    let store: Store;
    let owner: Browser;
    let analyst: Browser;
    let viewer: Browser;
    let outsider: Browser;
    let base: string;
    let sid: string;
    let otherStudyId: number;
    let ownerId: number;
    const audio = wav(2);

    const get = (url: string, who: Browser, headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url, headers: { cookie: who.cookie, ...headers } });
    const post = (url: string, fields: Record<string, string>, who: Browser) =>
      studioClient(t, who).post(url, fields);
    const ok = (res: LightMyRequestResponse, status = 303) => {
      expect(res.statusCode, res.body.slice(0, 1500)).toBe(status);
      return res;
    };
    const upload = (bytes: Uint8Array, name: string, who: Browser = owner) =>
      post(
        `${base}/sources/${sid}/media`,
        { media_b64: Buffer.from(bytes).toString('base64'), media_name: name },
        who,
      );
    const mediaRows = async () => {
      const p = (await store.qual.byStudy(Number(base.split('/')[2])))!;
      return (await store.qual.state(p.id, { coderId: null, all: true }))!.entities.source.filter(
        (s) => s.data.media,
      ).length;
    };

    beforeAll(async () => {
      t = await testApp({ backend });
      ({ app, store } = t);
      const o = await t.createUser({ email: 'owner@example.org', name: 'Dr Owner' });
      const a = await t.createUser({ email: 'analyst@example.org', name: 'Dr Analyst' });
      const v = await t.createUser({ email: 'viewer@example.org', name: 'Viewer' });
      const x = await t.createUser({ email: 'outsider@example.org', name: 'Outsider' });
      const studyId = (await store.studies.create({ title: 'Exam stress', ownerId: o.id, definition: {} }))
        .id;
      otherStudyId = (await store.studies.create({ title: 'Another', ownerId: x.id, definition: {} })).id;
      await store.roles.grant({ studyId, userId: a.id, role: 'analyst' });
      await store.roles.grant({ studyId, userId: v.id, role: 'viewer' });
      owner = await t.signIn(o.email);
      ownerId = o.id;
      analyst = await t.signIn(a.email);
      viewer = await t.signIn(v.email);
      outsider = await t.signIn(x.email);
      base = `/studies/${studyId}/qual`;
      ok(await post(base, { name: 'FGDs' }, owner));
      ok(
        await post(
          `${base}/sources`,
          { name: 'FGD 1', text: VTT, format: 'vtt', language: 'en', participants: '1' },
          owner,
        ),
        201,
      );
      const p = (await store.qual.byStudy(studyId))!;
      sid = (await store.qual.state(p.id, { coderId: null, all: true }))!.entities.source[0]!.id;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('offers an upload on the coding page, and no player or play control before there is a recording', async () => {
      const page = ok(await get(`${base}/sources/${sid}`, owner), 200);
      expect(page.body).toContain(`action="${base}/sources/${sid}/media"`);
      expect(page.body).toContain('data-b64="media_b64"');
      expect(page.body).not.toContain('id="qual-media"');
      expect(page.body).not.toContain('data-play');
    });

    it('refuses a file that is not a recording, whatever its name, and stores nothing', async () => {
      const res = ok(await upload(NOT_MEDIA.zip, 'interview.mp3'), 400);
      expect(res.body).toContain('&quot;interview.mp3&quot; is not an audio or video file nabz can play');
      expect(res.body).toContain('50 4B 03 04');
      ok(await post(`${base}/sources/${sid}/media`, { media_b64: '', media_name: 'x.wav' }, owner), 400);
      ok(await post(`${base}/sources/${sid}/media`, { media_b64: '!!!', media_name: 'x.wav' }, owner), 400);
      expect(await mediaRows()).toBe(0);
    });

    it('refuses a body over the upload limit with 413 naming the recording limit', async () => {
      const res = await app.inject({
        method: 'POST',
        url: `${base}/sources/${sid}/media`,
        headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${encodeURIComponent(owner.csrf)}&media_b64=${'A'.repeat(MEDIA_BODY_LIMIT)}`,
      });
      expect(res.statusCode).toBe(413);
      expect(res.body).toContain('The recording is larger than 32 MB; nothing was saved.');
      expect(await mediaRows()).toBe(0);
    });

    it('lets a viewer neither upload nor fetch; an outsider gets 404', async () => {
      ok(await upload(audio, 'fgd1.wav', viewer), 403);
      ok(await upload(audio, 'fgd1.wav', outsider), 404);
      expect(await mediaRows()).toBe(0);
    });

    it('uploads a WAV (named .mp3: the bytes decide) and shows the player with a play control per timed turn', async () => {
      ok(await upload(audio, 'fgd1.mp3', analyst));
      const page = ok(await get(`${base}/sources/${sid}`, owner), 200);
      const url = `${base}/sources/${sid}/media`;
      expect(page.body).toContain(
        `<audio id="qual-media" class="player" controls preload="metadata" src="${url}"></audio>`,
      );
      expect(page.body).toContain('audio/wav');
      // Three VTT cues, three turns: each plays its own span (start and end from the cue timings).
      expect(page.body).toContain(`href="${url}#t=0.25,1" data-play data-start="0.25" data-end="1"`);
      expect(page.body).toContain(`href="${url}#t=1,1.75" data-play data-start="1" data-end="1.75"`);
      expect(page.body).toContain(`href="${url}#t=1.75,2" data-play data-start="1.75" data-end="2"`);
      expect(page.body).toMatch(
        /<p dir="auto" id="turn-1" title="[^"]*"><a class="play"[^>]*>▶ 0:01–0:02<\/a>/,
      );
      const csp = page.headers['content-security-policy'] as string;
      expect(csp).toContain("media-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(page.body).not.toMatch(/\sstyle=/);
      expect(page.body).not.toMatch(/\son[a-z]+=/);
    });

    it('serves the recording with its sniffed type, whole or by byte range, to the roles that read transcripts', async () => {
      const url = `${base}/sources/${sid}/media`;
      const whole = ok(await get(url, owner), 200);
      expect(whole.headers['content-type']).toBe('audio/wav');
      expect(whole.headers['accept-ranges']).toBe('bytes');
      expect(Number(whole.headers['content-length'])).toBe(audio.length);
      expect(whole.rawPayload.equals(Buffer.from(audio))).toBe(true);
      expect(whole.headers['content-security-policy']).toBe(
        "default-src 'none'; media-src 'self'; frame-ancestors 'none'",
      );
      expect(whole.headers['x-content-type-options']).toBe('nosniff');
      const part = ok(await get(url, analyst, { range: 'bytes=44-99' }), 206);
      expect(part.headers['content-range']).toBe(`bytes 44-99/${audio.length}`);
      expect(part.rawPayload.equals(Buffer.from(audio.subarray(44, 100)))).toBe(true);
      const tail = ok(await get(url, owner, { range: 'bytes=-10' }), 206);
      expect(tail.rawPayload.equals(Buffer.from(audio.subarray(audio.length - 10)))).toBe(true);
      const open = ok(await get(url, owner, { range: `bytes=${audio.length - 4}-` }), 206);
      expect(open.headers['content-range']).toBe(
        `bytes ${audio.length - 4}-${audio.length - 1}/${audio.length}`,
      );
      const past = ok(await get(url, owner, { range: `bytes=${audio.length}-` }), 416);
      expect(past.headers['content-range']).toBe(`bytes */${audio.length}`);
      // A stale If-Range (another version of the file) gets the whole file.
      const stale = ok(await get(url, owner, { range: 'bytes=0-3', 'if-range': '"x"' }), 200);
      expect(stale.rawPayload.length).toBe(audio.length);
      ok(await get(url, viewer), 403);
      ok(await get(url, outsider), 404);
      ok(await app.inject({ method: 'GET', url }), 303);
    });

    it('exports the recording in the QDPX (valid against Project.xsd) and imports it into another study', async () => {
      const qdpx = ok(await get(`${base}/export.qdpx`, owner), 200);
      const zip = readZip(new Uint8Array(qdpx.rawPayload));
      const xml = new TextDecoder().decode(zip.entries.find((e) => e.name === 'project.qde')!.data);
      expect(xml).toMatch(/<AudioSource guid="[^"]+" name="fgd1\.mp3" path="internal:\/\/[^"]+\.wav">/);
      expect(xml).toContain('<SyncPoint');
      if (inCi) expect(haveXmllint).toBe(true);
      if (haveXmllint) expect(xsdValidate(xml, PROJECT_XSD)).toMatchObject({ ok: true });
      const other = `/studies/${otherStudyId}/qual`;
      ok(await post(other, { name: 'Imported' }, outsider));
      const imported = await post(
        `${other}/import`,
        { kind: 'qdpx', file_b64: qdpx.rawPayload.toString('base64'), file_name: 'fgd.qdpx' },
        outsider,
      );
      ok(imported, 201);
      const p = (await store.qual.byStudy(otherStudyId))!;
      const src = (await store.qual.state(p.id, { coderId: null, all: true }))!.entities.source[0]!;
      expect(src.data.media).toMatchObject({
        name: 'fgd1.mp3',
        contentType: 'audio/wav',
        size: audio.length,
      });
      expect(src.data.turns.map((t) => [t.time, t.endTime])).toEqual([
        [0.25, 1],
        [1, 1.75],
        [1.75, 2],
      ]);
      const served = ok(await get(`${other}/sources/${src.id}/media`, outsider), 200);
      expect(served.rawPayload.equals(Buffer.from(audio))).toBe(true);
      // The owner of the first study has no role on the second: its recording is not theirs to fetch.
      ok(await get(`${other}/sources/${src.id}/media`, owner), 404);
    });

    it('imports a QDPX carrying a recording larger than the 16 MB form limit of other pages', async () => {
      const long = wav(840); // 13.4 MB: its base64 form is over 16 MB
      const parsed = parseQualProject({
        id: 'long',
        name: 'Long interview',
        sources: [{ id: 'int1', name: 'Interview', text: 'P1: Yes.', language: 'en' }],
      });
      if (!parsed.ok) throw new Error('fixture');
      const qdpx = exportQdpx(parsed.value, { media: [{ sourceId: 'int1', name: 'int1.wav', bytes: long }] });
      const third = (await store.studies.create({ title: 'Third', ownerId: ownerId, definition: {} })).id;
      ok(await post(`/studies/${third}/qual`, { name: 'Long' }, owner));
      const b64 = Buffer.from(qdpx.bytes).toString('base64');
      expect(b64.length).toBeGreaterThan(16 * 1024 * 1024);
      ok(await post(`/studies/${third}/qual/import`, { kind: 'qdpx', file_b64: b64 }, owner), 201);
      const p = (await store.qual.byStudy(third))!;
      const src = (await store.qual.state(p.id, { coderId: null, all: true }))!.entities.source[0]!;
      expect(src.data.media?.size).toBe(long.length);
      const over = await app.inject({
        method: 'POST',
        url: `/studies/${third}/qual/import`,
        headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${encodeURIComponent(owner.csrf)}&kind=qdpx&file_b64=${'A'.repeat(MEDIA_BODY_LIMIT)}`,
      });
      expect(over.statusCode).toBe(413);
      expect(over.body).toContain('The uploaded file is larger than 48 MB; nothing was saved.');
    });

    it('removes the recording on request; then the page has no player and the file is gone', async () => {
      ok(await post(`${base}/sources/${sid}/media`, { remove: '1' }, owner));
      expect(await mediaRows()).toBe(0);
      ok(await get(`${base}/sources/${sid}/media`, owner), 404);
      const page = ok(await get(`${base}/sources/${sid}`, owner), 200);
      expect(page.body).not.toContain('id="qual-media"');
    });

    it('deletes a participant whose consent was withdrawn with every recording they speak in (owner only)', async () => {
      ok(await upload(audio, 'fgd1.wav'));
      const project = (await store.qual.byStudy(Number(base.split('/')[2])))!;
      const state = async () => (await store.qual.state(project.id, { coderId: null, all: true }))!;
      const p2 = (await state()).entities.participant.find((p) => p.data.pseudonym === 'P2')!;
      const page = ok(await get(`${base}/participants`, owner), 200);
      expect(page.body).toContain(`action="${base}/participants/${p2.id}/withdraw"`);
      expect(ok(await get(`${base}/participants`, analyst), 200).body).not.toContain('/withdraw"');
      const url = `${base}/participants/${p2.id}/withdraw`;
      ok(await post(url, { confirm: '1' }, analyst), 403);
      ok(await post(url, { confirm: '1' }, viewer), 403);
      ok(await post(url, {}, owner), 400);
      expect(await mediaRows()).toBe(1);
      ok(await post(url, { confirm: '1' }, owner));
      const after = await state();
      expect(after.get('participant', p2.id)).toBeUndefined();
      const src = after.get('source', sid)!;
      expect(src.data.media).toBeUndefined();
      expect(src.data.turns.map((t) => [t.speakerKey, t.participantId === null])).toEqual([
        ['Moderator', true],
        ['P1', false],
        ['P2', true],
      ]);
      ok(await get(`${base}/sources/${sid}/media`, owner), 404);
      const trail = (await store.qual.auditTrail(project.id)).map((e) => e.action);
      expect(trail.slice(-3)).toEqual(['source.unlink_withdrawn', 'participant.withdraw', 'media.remove']);
      expect(await store.qual.verifyAudit(project.id)).toMatchObject({ ok: true });
      ok(await post(url, { confirm: '1' }, owner), 404);
    });

    it('deletes the recording with its transcript', async () => {
      ok(await upload(audio, 'again.wav'));
      expect(await mediaRows()).toBe(1);
      ok(await post(`${base}/sources/${sid}/delete`, {}, owner));
      ok(await get(`${base}/sources/${sid}/media`, owner), 404);
      expect(await mediaRows()).toBe(0);
    });
  });
}
