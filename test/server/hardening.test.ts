/**
 * Hardening findings of issue 12 (10, 11, 13–17, 19, 20): each test reproduces the attack and checks that it
 * now extracts nothing. In process, on SQLite and (NABZ_TEST_PG_URL) PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJsonSafe, UnsafeJsonError } from '../../src/core/json.js';
import { readZipAsync, writeZip } from '../../src/lib/zip.js';
import {
  countRows,
  createStudy,
  form,
  formBody,
  phq9StudyDefinition,
  serverBackends,
  TEST_PASSWORD,
  type TestApp,
  testApp,
} from './helpers.js';

function cookieValue(cookie: string, name: string): string | undefined {
  return new RegExp(`(?:^|; )${name}=([^;]+)`).exec(cookie)?.[1];
}

for (const backend of serverBackends()) {
  describe(`hardening (${backend.name})`, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await testApp({ backend });
    });
    afterEach(async () => {
      await t.close();
    });

    async function attempt(email: string, password: string, ip: string) {
      const c = await t.csrfFor();
      const body = form({ email, password, _csrf: c.csrf });
      return t.app.inject({
        method: 'POST',
        url: '/signin',
        headers: { ...body.headers, cookie: c.cookie },
        payload: body.payload,
        remoteAddress: ip,
      });
    }

    it('13: signing in to your own account does not reset the address counter (no unbounded spraying)', async () => {
      const mallory = await t.createUser({ email: 'mallory@example.org' });
      const ip = '198.51.100.66';
      for (let i = 0; i < 19; i++) {
        expect((await attempt(`victim${i}@example.org`, 'Summer2026!', ip)).statusCode).toBe(401);
      }
      // A success on the attacker's own account used to clear the address's 19 failures.
      expect((await attempt(mallory.email, TEST_PASSWORD, ip)).statusCode).toBe(303);
      expect((await attempt('victim19@example.org', 'Summer2026!', ip)).statusCode).toBe(401);
      // The 20th failure from the address locks it for every account.
      const locked = await attempt('victim20@example.org', 'Summer2026!', ip);
      expect(locked.statusCode).toBe(429);
      expect(locked.body).toContain('Too many failed sign-ins');
    });

    it('15: a CSRF cookie + token pair planted from another session does not verify', async () => {
      const attacker = await t.createUser({ email: 'attacker@example.org' });
      const victim = await t.createUser({ email: 'victim@example.org' });
      const a = await t.signIn(attacker.email);
      const v = await t.signIn(victim.email);
      /** POST /studies (create a study) from a browser with `cookie`, sending `csrf`. */
      const postStudy = (cookie: string, csrf: string) => {
        const body = form({ title: 'Study', languages: 'en', _csrf: csrf });
        return t.app.inject({
          method: 'POST',
          url: '/studies',
          headers: { ...body.headers, cookie },
          payload: body.payload,
        });
      };
      // The attacker plants their own `_csrf` cookie in the victim's browser and submits their token.
      const planted = `nabz_session=${cookieValue(v.cookie, 'nabz_session')}; _csrf=${cookieValue(a.cookie, '_csrf')}`;
      const res = await postStudy(planted, a.csrf);
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('CSRF check failed');
      expect(await t.store.studies.listForUser(victim.id)).toHaveLength(0);
      // A token from a signed-out page of the same browser does not verify for the session either.
      const signedOut = await t.csrfFor(`_csrf=${cookieValue(v.cookie, '_csrf')}`);
      expect((await postStudy(v.cookie, signedOut.csrf)).statusCode).toBe(403);
      // The victim's own token works.
      expect((await postStudy(v.cookie, v.csrf)).statusCode).toBe(303);
      expect(await t.store.studies.listForUser(victim.id)).toHaveLength(1);
    });

    it('14: "__proto__" in the JSON definition editor is refused, and the open study keeps answering', async () => {
      const owner = await t.createUser({ email: 'owner@example.org' });
      const study = await createStudy(t.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
      const o = await t.signIn(owner.email);
      const before = (await t.store.studies.byId(study.id))!.version;
      const def = phq9StudyDefinition();
      const attacks = [
        // Accepted before: Object.assign turned the key into the draft's prototype.
        `${JSON.stringify(def).slice(0, -1)},"__proto__":{"title":"x","instruments":[]}}`,
        `${JSON.stringify(def).slice(0, -1)},"collection":{"\\u005f_proto__":{"minCellSize":0}}}`,
      ];
      for (const definition of attacks) {
        const body = form({ definition, _csrf: o.csrf });
        const res = await t.app.inject({
          method: 'POST',
          url: `/studies/${study.id}/edit/json`,
          headers: { ...body.headers, cookie: o.cookie },
          payload: body.payload,
        });
        expect(res.statusCode).toBe(400);
        expect(res.body).toContain('the key &quot;__proto__&quot;');
      }
      expect((await t.store.studies.byId(study.id))!.version).toBe(before);
      // The store never holds a definition with the key either.
      expect(JSON.stringify((await t.store.studies.byId(study.id))!.definition)).not.toContain('__proto__');
      const page = await t.app.inject({ method: 'GET', url: `/s/${study.publicToken}` });
      expect(page.statusCode).toBe(200);
    });

    /** A study with a started qualitative project, and signed-in owner, analyst and viewer. */
    async function qualStudy() {
      const o = await t.createUser({ email: 'owner@example.org' });
      const a = await t.createUser({ email: 'analyst@example.org' });
      const v = await t.createUser({ email: 'viewer@example.org' });
      const study = await t.store.studies.create({ title: 'FGD', ownerId: o.id, definition: {} });
      await t.store.roles.grant({ studyId: study.id, userId: a.id, role: 'analyst' });
      await t.store.roles.grant({ studyId: study.id, userId: v.id, role: 'viewer' });
      const owner = await t.signIn(o.email);
      const base = `/studies/${study.id}/qual`;
      const started = await postForm(base, { name: 'FGD' }, owner);
      expect(started.statusCode).toBe(303);
      return { study, base, owner, analyst: await t.signIn(a.email), viewer: await t.signIn(v.email) };
    }

    function postForm(
      url: string,
      fields: Record<string, string>,
      who: { cookie: string; csrf: string },
      ip?: string,
    ) {
      return t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...fields, _csrf: who.csrf }),
        ...(ip ? { remoteAddress: ip } : {}),
      });
    }

    it("17: a viewer's upload is refused before its body is read; 413 names the limit that applied", async () => {
      const q = await qualStudy();
      // A 20 MB body streamed in 64 KB chunks: count how much of it the server pulls before answering.
      let pulled = 0;
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const body = new Readable({
        read() {
          pulled += chunk.length;
          this.push(pulled > 20 * 1024 * 1024 ? null : chunk);
        },
      });
      const res = await t.app.inject({
        method: 'POST',
        url: `${q.base}/sources`,
        headers: {
          cookie: q.viewer.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(20 * 1024 * 1024),
        },
        payload: body,
      });
      expect(res.statusCode).toBe(403);
      expect(pulled).toBeLessThan(1024 * 1024);
      // An analyst may send up to 16 MB here; over it, the answer says 16 MB (it said 256 KB).
      const big = await postForm(`${q.base}/sources`, { text: 'x'.repeat(17 * 1024 * 1024) }, q.analyst);
      expect(big.statusCode).toBe(413);
      expect(big.body).toContain('larger than 16 MB');
      // Elsewhere in the studio the limit is 256 KB, and the advice is not about answers.
      const studio = await postForm('/studies', { title: 'x'.repeat(300 * 1024) }, q.owner);
      expect(studio.statusCode).toBe(413);
      expect(studio.body).toContain('larger than 256 KB');
      expect(studio.body).not.toContain('answers');
    });

    it('17: a javascript: support-contact link is refused (http, https and tel only)', async () => {
      const owner = await t.createUser({ email: 'owner@example.org' });
      const study = await createStudy(t.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
      const o = await t.signIn(owner.email);
      const def = phq9StudyDefinition();
      const withUrl = (url: string) =>
        JSON.stringify({
          ...def,
          collection: { supportContacts: [{ name: { en: 'Helpline' }, phone: '0800 1234', url }] },
        });
      const before = (await t.store.studies.byId(study.id))!.version;
      for (const url of [
        'javascript:alert(document.cookie)',
        'JavaScript://x%0aalert(1)',
        'data:text/html,x',
      ]) {
        const res = await postForm(`/studies/${study.id}/edit/json`, { definition: withUrl(url) }, o);
        expect(res.statusCode).toBe(400);
        expect(res.body).toContain('must start with https://, http:// or tel:');
      }
      expect((await t.store.studies.byId(study.id))!.version).toBe(before);
      const ok = await postForm(
        `/studies/${study.id}/edit/json`,
        { definition: withUrl('tel:+92511234') },
        o,
      );
      expect(ok.statusCode).toBe(303);
    });

    /** A one-paragraph-per-line Word document (only word/document.xml, which is all nabz reads). */
    function docx(lines: readonly string[]): string {
      const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
      const body = lines.map((l) => `<w:p><w:r><w:t xml:space="preserve">${l}</w:t></w:r></w:p>`).join('');
      const xml = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${W}"><w:body>${body}</w:body></w:document>`;
      return Buffer.from(writeZip([{ name: 'word/document.xml', data: xml }])).toString('base64');
    }

    const sourcesOf = async (studyId: number) => {
      const project = await t.store.qual.byStudy(studyId);
      return (await t.store.qual.state(project!.id, { coderId: null, all: true }))!.entities.source;
    };

    it('10: .docx decompression is bounded (size, ratio, transcript length) and refused with 413', async () => {
      const q = await qualStudy();
      const upload = (b64: string, name = 'fgd.docx') =>
        postForm(`${q.base}/sources`, { file_b64: b64, file_name: name, language: 'en' }, q.analyst);
      // 40 MiB of XML in a 40 KB upload: over the 32 MiB bound; never inflated.
      const bomb = await upload(docx(['P1: ' + 'a'.repeat(40 * 1024 * 1024)]));
      expect(bomb.statusCode).toBe(413);
      expect(bomb.body).toContain('larger than 32 MB');
      // 5 MiB that compress 1,000 times: over the ratio bound.
      const ratio = await upload(docx(['P1: ' + 'ab'.repeat(2.5 * 1024 * 1024)]));
      expect(ratio.statusCode).toBe(413);
      // A transcript of 1.2 million characters that compresses modestly: over the transcript bound.
      let seed = 7;
      const word = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return (seed % 100000).toString(36);
      };
      const lines = Array.from({ length: 12000 }, () => `P1: ${Array.from({ length: 20 }, word).join(' ')}`);
      const long = await upload(docx(lines));
      expect(long.statusCode).toBe(413);
      expect(long.body).toContain('more than the 1,000,000 a transcript may have');
      expect(await sourcesOf(q.study.id)).toHaveLength(0);
      // A normal one is imported.
      const ok = await upload(docx(['P1: I sleep four hours before exams.', 'P2: Same here.']));
      expect(ok.statusCode).toBe(201);
      expect(await sourcesOf(q.study.id)).toHaveLength(1);
    });

    it('10: the server inflates archives off the event loop', async () => {
      const bytes = writeZip([{ name: 'big.txt', data: 'x'.repeat(20 * 1024 * 1024) }]);
      let ticks = 0;
      let spinning = true;
      const spin = () => {
        ticks++;
        if (spinning) setImmediate(spin);
      };
      setImmediate(spin);
      const { entries } = await readZipAsync(bytes, { maxRatio: 2000 });
      spinning = false;
      expect(entries[0]!.data.length).toBe(20 * 1024 * 1024);
      // Other callbacks ran while it inflated (a synchronous inflate lets none run before it returns).
      expect(ticks).toBeGreaterThan(0);
    });

    it('11: a non-ZIP ".docx" is refused, not stored empty; transcripts can be deleted', async () => {
      const q = await qualStudy();
      const fake = await postForm(
        `${q.base}/sources`,
        { file_b64: Buffer.from('This is plain text, renamed.').toString('base64'), file_name: 'notes.docx' },
        q.analyst,
      );
      expect(fake.statusCode).toBe(400);
      expect(fake.body).toContain('is not a Word document that can be read');
      expect(await sourcesOf(q.study.id)).toHaveLength(0);
      const ok = await postForm(`${q.base}/sources`, { text: 'P1: hello\nP2: hi', name: 'FGD' }, q.analyst);
      expect(ok.statusCode).toBe(201);
      const [src] = await sourcesOf(q.study.id);
      const list = await t.app.inject({
        method: 'GET',
        url: `${q.base}/sources`,
        headers: { cookie: q.analyst.cookie },
      });
      expect(list.body).toContain(`${q.base}/sources/${src!.id}/delete`);
      // A viewer cannot delete it; the analyst who imported it can.
      expect((await postForm(`${q.base}/sources/${src!.id}/delete`, {}, q.viewer)).statusCode).toBe(403);
      expect((await postForm(`${q.base}/sources/${src!.id}/delete`, {}, q.analyst)).statusCode).toBe(303);
      expect(await sourcesOf(q.study.id)).toHaveLength(0);
      // The audit trail records the deletion but never the text.
      const project = await t.store.qual.byStudy(q.study.id);
      const trail = await t.store.qual.auditTrail(project!.id);
      expect(trail.some((e) => e.action === 'source.delete')).toBe(true);
      expect(JSON.stringify(trail)).not.toContain('P1: hello');
    });

    it('11: non-characters and lone surrogates in an answer, and invalid UTF-8, are refused (API and form)', async () => {
      const owner = await t.createUser({ email: 'owner@example.org' });
      const study = await createStudy(t.store, {
        ownerId: owner.id,
        definition: {
          ...phq9StudyDefinition(),
          questions: [{ id: 'comment', type: 'longtext', text: { en: 'Anything else?' } }],
        },
      });
      const phq = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9_${i + 1}`, 1]));
      const api = (payload: string | Buffer) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/s/${study.publicToken}/responses`,
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          payload,
        });
      for (const text of ['fine \uFFFF', 'fine \uFFFE', 'half \uD83D of a smile', '\uFDD0']) {
        const res = await api(
          JSON.stringify({ language: 'en', answers: { ...phq, phq9_10: 0, comment: text } }),
        );
        expect(res.statusCode).toBe(400);
        expect(res.body).toContain('characters that are not text');
      }
      // Invalid UTF-8 bytes inside a JSON string: refused, not stored as U+FFFD.
      const raw = Buffer.concat([
        Buffer.from(
          JSON.stringify({ language: 'en', answers: { ...phq, phq9_10: 0, comment: 'bad ' } }).slice(0, -3),
        ),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}}'),
      ]);
      const invalid = await api(raw);
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().error).toContain('not valid UTF-8');
      expect(await countRows(t.store, 'responses')).toBe(0);
      // Emoji and Urdu are text.
      const good = await api(
        JSON.stringify({ language: 'en', answers: { ...phq, phq9_10: 0, comment: 'ٹھیک 😀' } }),
      );
      expect(good.statusCode).toBe(201);
      // Forms: a %-escape that is not UTF-8 is refused (it was stored as the literal escape or U+FFFD).
      const o = await t.signIn(owner.email);
      for (const title of ['%FF%FE', '%C3%28', '%ED%A0%80']) {
        const bad = await t.app.inject({
          method: 'POST',
          url: '/studies',
          headers: { cookie: o.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `title=${title}&languages=en&_csrf=${encodeURIComponent(o.csrf)}`,
        });
        expect(bad.statusCode).toBe(400);
        expect(bad.body).toContain('not valid UTF-8');
      }
      const respondent = await t.app.inject({
        method: 'POST',
        url: `/s/${study.publicToken}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'comment=%FF%FE&_nav=next',
      });
      expect(respondent.statusCode).toBe(400);
      expect(await t.store.studies.listForUser(owner.id)).toHaveLength(1);
      expect(await countRows(t.store, 'responses')).toBe(1);
    });

    it("16: the People form does not enumerate accounts, roles need the invitee's consent, the audit page shows no server-wide count", async () => {
      const owner = await t.createUser({ email: 'owner@example.org' });
      const bob = await t.createUser({ email: 'bob@example.org' });
      const study = await createStudy(t.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
      const o = await t.signIn(owner.email);
      const invite = (email: string) => postForm(`/studies/${study.id}/roles`, { email, role: 'analyst' }, o);
      // The same answer for an account that exists and one that does not.
      const known = await invite('Bob@Example.org');
      const unknown = await invite('nobody@example.org');
      expect(known.statusCode).toBe(303);
      expect(unknown.statusCode).toBe(303);
      const page = async (res: Awaited<ReturnType<typeof invite>>) =>
        (
          await t.app.inject({
            method: 'GET',
            url: res.headers.location as string,
            headers: { cookie: o.cookie },
          })
        ).body
          .replace(/bob@example\.org|nobody@example\.org/g, 'X')
          .replace(/name="_csrf" value="[^"]+"/g, '');
      expect(await page(known)).toBe(await page(unknown));
      // Bob has no role until he accepts.
      expect(await t.store.roles.roleOf({ userId: bob.id, studyId: study.id })).toBeNull();
      const b = await t.signIn(bob.email);
      const start = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: b.cookie } });
      expect(start.body).toContain(`/invitations/${study.id}/accept`);
      expect((await postForm(`/invitations/${study.id}/accept`, {}, b)).statusCode).toBe(303);
      expect(await t.store.roles.roleOf({ userId: bob.id, studyId: study.id })).toBe('analyst');
      // Someone else cannot accept an invitation made to another address.
      const eve = await t.createUser({ email: 'eve@example.org' });
      const e = await t.signIn(eve.email);
      expect((await postForm(`/invitations/${study.id}/accept`, {}, e)).statusCode).toBe(404);
      expect(await t.store.roles.roleOf({ userId: eve.id, studyId: study.id })).toBeNull();
      // The audit page: another owner's activity does not show in a count.
      const audit = async () =>
        (
          await t.app.inject({
            method: 'GET',
            url: `/studies/${study.id}/audit`,
            headers: { cookie: o.cookie },
          })
        ).body;
      const before = /<p class="ok" id="chain">[^<]*<\/p>/.exec(await audit())![0];
      const other = await t.createUser({ email: 'other@example.org' });
      await createStudy(t.store, { ownerId: other.id, definition: phq9StudyDefinition() });
      for (let i = 0; i < 3; i++)
        await t.store.audit.append({ action: 'study.update', actorUserId: other.id, detail: {} });
      expect(/<p class="ok" id="chain">[^<]*<\/p>/.exec(await audit())![0]).toBe(before);
      expect(before).not.toMatch(/\d+ entries/);
    });

    it("16: the audit page's older-entries links page by the study's own positions, not server-wide ids", async () => {
      const owner = await t.createUser({ email: 'owner@example.org' });
      const other = await t.createUser({ email: 'other@example.org' });
      const study = await createStudy(t.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
      const otherStudy = await createStudy(t.store, { ownerId: other.id, definition: phq9StudyDefinition() });
      const o = await t.signIn(owner.email);
      const get = async (url: string) =>
        (await t.app.inject({ method: 'GET', url, headers: { cookie: o.cookie } })).body.replace(
          /name="_csrf" value="[^"]+"/g,
          '',
        );
      const link = (body: string) => /href="([^"]*\/audit\?[^"]*)">Older entries/.exec(body)?.[1];
      const otherActivity = async (n: number) => {
        for (let j = 0; j < n; j++)
          await t.store.audit.append({
            action: 'study.update',
            studyId: otherStudy.id,
            actorUserId: other.id,
          });
      };
      const own = (await t.store.audit.listForStudy(study.id)).length;
      // 120 entries of this study, with a varying amount of another study's activity in between.
      for (let i = 0; i < 120; i++) {
        await t.store.audit.append({
          action: 'test.mine',
          studyId: study.id,
          actorUserId: owner.id,
          detail: { i },
        });
        await otherActivity(i % 3);
      }
      const first = await get(`/studies/${study.id}/audit`);
      const href = link(first);
      // The cursor is the position of the page's oldest entry within this study: the same as on a server with
      // no other study, so paging tells nothing about other studies' volume (the old link carried the entry id).
      expect(href).toBe(`/studies/${study.id}/audit?older=${own + 120 - 49}`);
      // Following the links shows every entry of the study once, newest first, and ends.
      const seen: number[] = [];
      let body = first;
      for (let pages = 1; ; pages++) {
        expect(pages).toBeLessThanOrEqual(4);
        seen.push(...[...body.matchAll(/\{&quot;i&quot;:(\d+)\}/g)].map((m) => Number(m[1])));
        const next = link(body);
        if (next === undefined) break;
        body = await get(next);
      }
      expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => 119 - i));
      // Later activity elsewhere changes neither the first page's link nor the page it leads to.
      const second = await get(href as string);
      await otherActivity(7);
      expect(link(await get(`/studies/${study.id}/audit`))).toBe(href);
      expect(await get(href as string)).toBe(second);
    });

    it('19: removing answered questions from an open study needs confirmation; an open study cannot be emptied', async () => {
      const owner = await t.createUser({ email: 'owner@example.org' });
      const study = await createStudy(t.store, {
        ownerId: owner.id,
        definition: {
          ...phq9StudyDefinition(),
          questions: [{ id: 'comment', type: 'longtext', text: { en: 'Anything else?' } }],
        },
      });
      const o = await t.signIn(owner.email);
      const removePhq9 = (extra: Record<string, string> = {}) =>
        postForm(
          `/studies/${study.id}/edit/instruments`,
          { action: 'remove', instrument: 'phq9', ...extra },
          o,
        );
      // Before any response: no confirmation needed (checked on a second study below).
      const answers = {
        ...Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9_${i + 1}`, 1])),
        phq9_10: 0,
      };
      const stored = await t.app.inject({
        method: 'POST',
        url: `/api/v1/s/${study.publicToken}/responses`,
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        payload: JSON.stringify({ language: 'en', answers: { ...answers, comment: 'ok' } }),
      });
      expect(stored.statusCode).toBe(201);
      const version = (await t.store.studies.byId(study.id))!.version;
      // One click used to remove PHQ-9 and leave every later response without it.
      const first = await removePhq9();
      expect(first.statusCode).toBe(400);
      expect(first.body).toContain('Confirm removing answered questions');
      expect(first.body).toContain('1 stored response(s) answered');
      expect((await t.store.studies.byId(study.id))!.version).toBe(version);
      // A confirmation naming other variables does not count.
      expect((await removePhq9({ confirm_remove: 'phq9_1' })).statusCode).toBe(400);
      const confirmValue = /name="confirm_remove" value="([^"]+)"/.exec(first.body)![1]!;
      const confirmed = await removePhq9({ confirm_remove: confirmValue });
      expect(confirmed.statusCode).toBe(303);
      expect((await t.store.studies.byId(study.id))!.version).toBe(version + 1);
      // Removing the last question of an open study is refused, confirmed or not.
      const empty = await postForm(
        `/studies/${study.id}/edit/questions`,
        { action: 'remove', id: 'comment', confirm_remove: 'comment' },
        o,
      );
      expect(empty.statusCode).toBe(400);
      expect(empty.body).toContain('every response from now on would be empty');
      expect((await t.store.studies.byId(study.id))!.version).toBe(version + 1);
    });
  });
}

describe('parseJsonSafe', () => {
  it('refuses __proto__ keys anywhere, spelled directly or with escapes, and parses the rest as JSON.parse', () => {
    expect(() => parseJsonSafe('{"a":[{"b":{"__proto__":{"x":1}}}]}')).toThrow(UnsafeJsonError);
    expect(() => parseJsonSafe('{"a":[{"b":{"__proto__":{"x":1}}}]}')).toThrow('a[0].b.__proto__');
    expect(() => parseJsonSafe('{"\\u005f\\u005fproto__":1}')).toThrow(UnsafeJsonError);
    expect(parseJsonSafe('\uFEFF{"constructor":1,"proto":"__proto__"}')).toEqual({
      constructor: 1,
      proto: '__proto__',
    });
    expect(() => parseJsonSafe('{"a":}')).toThrow(SyntaxError);
  });
});
