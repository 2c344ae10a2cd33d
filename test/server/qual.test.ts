/**
 * The qualitative study through HTTP (app.inject), on SQLite and (with NABZ_TEST_PG_URL) PostgreSQL:
 * import a transcript, code as two coders (blind until comparison), compare (κ against a hand computation),
 * build a theme whose final status needs every reviewer's sign-off, export the results table and a QDPX that
 * validates against REFI-QDA's Project.xsd, role checks, version conflicts, member checking, the audit trail,
 * and an Urdu transcript round trip (paste → coding page → QDPX → import into another study).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/core/qual/audit.js';
import { importQdpx } from '../../src/import/qdpx.js';
import { readZip } from '../../src/lib/zip.js';
import { qualHash, type Store } from '../../src/store/index.js';
import { cpIndexOf, ENGLISH_TRANSCRIPT, URDU_TRANSCRIPT } from '../fixtures/qual/project.js';
import { haveXmllint, inCi, PROJECT_XSD, xsdValidate } from '../render/qdpx/xmllint.js';
import { formBody, serverBackends, type TestApp, testApp } from './helpers.js';

interface Browser {
  readonly cookie: string;
  readonly csrf: string;
  readonly userId: number;
}

/** Cohen's kappa for two coders' character ranges [a0,a1), [b0,b1) in a text of n characters (by hand). */
function kappaByHand(n: number, a: [number, number], b: [number, number]) {
  const lenA = a[1] - a[0];
  const lenB = b[1] - b[0];
  const both = Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
  const neither = n - (lenA + lenB - both);
  const po = (both + neither) / n;
  const pe = (lenA / n) * (lenB / n) + (1 - lenA / n) * (1 - lenB / n);
  return {
    both,
    aOnly: lenA - both,
    bOnly: lenB - both,
    neither,
    percent: 100 * po,
    kappa: (po - pe) / (1 - pe),
  };
}

for (const backend of serverBackends()) {
  describe(`qualitative study over HTTP on ${backend.name}`, () => {
    let t: TestApp;
    let app: FastifyInstance;
    let store: Store;
    let owner: Browser;
    let analyst: Browser;
    let viewer: Browser;
    let outsider: Browser;
    let studyId: number;
    let otherStudyId: number;
    let base: string;
    let sourceId: string;
    let text: string;

    const user = (email: string, name: string) => t.createUser({ email, name });
    const signIn = async (email: string, userId: number): Promise<Browser> => {
      const { cookie, csrf } = await t.signIn(email);
      return { cookie, csrf, userId };
    };
    const get = (url: string, who: Browser) =>
      app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
    const post = (url: string, fields: Record<string, string | readonly string[] | number>, who: Browser) =>
      app.inject({
        method: 'POST',
        url,
        headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...fields, _csrf: who.csrf }),
      });
    const ok = (res: LightMyRequestResponse, status = 303) => {
      expect(res.statusCode, res.body.slice(0, 1500)).toBe(status);
      return res;
    };
    const project = async () => (await store.qual.byStudy(studyId))!;
    const entity = async <K extends Parameters<Store['qual']['entity']>[1]>(kind: K, id: string) =>
      (await store.qual.entity((await project()).id, kind, id))!;
    const segmentsOf = async (coder: string) =>
      (await store.qual.state((await project()).id, { coderId: null, all: true }))!.entities.segment.filter(
        (s) => s.data.coderId === coder,
      );

    beforeAll(async () => {
      t = await testApp({ backend });
      ({ app, store } = t);
      const o = await user('owner@example.org', 'Dr Owner');
      const a = await user('analyst@example.org', 'Dr Analyst');
      const v = await user('viewer@example.org', 'Viewer');
      const x = await user('outsider@example.org', 'Outsider');
      studyId = (await store.studies.create({ title: 'Burnout focus group', ownerId: o.id, definition: {} }))
        .id;
      otherStudyId = (await store.studies.create({ title: 'Another study', ownerId: x.id, definition: {} }))
        .id;
      await store.roles.grant({ studyId, userId: a.id, role: 'analyst' });
      await store.roles.grant({ studyId, userId: v.id, role: 'viewer' });
      owner = await signIn(o.email, o.id);
      analyst = await signIn(a.email, a.id);
      viewer = await signIn(v.email, v.id);
      outsider = await signIn(x.email, x.id);
      base = `/studies/${studyId}/qual`;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('lets the owner start the project; others see no way to', async () => {
      const before = await get(base, viewer);
      expect(before.statusCode).toBe(200);
      expect(before.body).toContain('its owner can start one');
      ok(await post(base, { name: 'Burnout FGD' }, analyst), 403);
      ok(await post(base, { name: 'Burnout FGD', description: 'One focus group, 90 minutes.' }, owner));
      const page = ok(await get(base, owner), 200);
      expect(page.body).toContain('Burnout FGD');
      expect(page.body).toContain('Braun &amp; Clarke');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['content-security-policy']).toContain("connect-src 'none'");
    });

    it('imports a pasted transcript, recognising turns and adding participants', async () => {
      const res = ok(
        await post(
          `${base}/sources`,
          { name: 'FGD 1', language: 'en', text: ENGLISH_TRANSCRIPT, participants: '1', pseudonymize: '1' },
          owner,
        ),
        201,
      );
      expect(res.body).toContain('6 speaker turns, 4 linked to participants');
      expect(res.body).toMatch(/New participants from the speaker labels: P4, P1, P2, P3/);
      sourceId = /sources\/(src-[0-9a-f]+)"/.exec(res.body)![1]!;
      text = (await entity('source', sourceId)).data.source.text;
      expect(text).toBe(ENGLISH_TRANSCRIPT);
      // The participant gets a (confidential) name and attributes.
      const p4 = await entity('participant', 'p4');
      ok(
        await post(
          `${base}/participants/p4`,
          {
            version: p4.version,
            pseudonym: 'P4',
            name: 'Usman Tariq',
            aliases: 'Usman',
            attributes: 'gender: Male\nyear: 4',
            scores: 'MBI-SS exhaustion: 3.6',
            eligible: '1',
          },
          owner,
        ),
      );
      expect((await entity('participant', 'p4')).data).toMatchObject({
        name: 'Usman Tariq',
        attributes: { gender: 'Male', year: 4 },
        screening: { eligible: true, scores: { 'MBI-SS exhaustion': 3.6 } },
      });
    });

    it('codes two segments as two coders, each blind to the other until the owner opens comparison', async () => {
      ok(
        await post(
          `${base}/codes`,
          {
            name: 'Workload',
            definition: 'Volume of study material.',
            examples: 'impossible to keep up',
            codable: '1',
          },
          owner,
        ),
      );
      const codes = (await store.qual.state((await project()).id, { coderId: null }))!.entities.code;
      const workload = codes.find((c) => c.data.name === 'Workload')!.id;
      const a0 = cpIndexOf(text, 'The amount of material');
      const a1 = cpIndexOf(text, ' Every day');
      const b0 = cpIndexOf(text, 'material we have');
      const b1 = cpIndexOf(text, 'feels like a race.') + 'feels like a race.'.length;
      ok(await post(`${base}/sources/${sourceId}/segments`, { start: a0, end: a1, codes: workload }, owner));
      ok(
        await post(
          `${base}/sources/${sourceId}/segments`,
          { start: b0, end: b1, codes: workload, new_code: 'Fear of failure' },
          analyst,
        ),
      );
      const fear = cpIndexOf(text, "I'm terrified of failing.");
      ok(
        await post(
          `${base}/sources/${sourceId}/segments`,
          { start: fear, end: fear + 25, new_code: 'Fear of failure' },
          analyst,
        ),
      );
      const [segA] = await segmentsOf(`u${owner.userId}`);
      const segsB = await segmentsOf(`u${analyst.userId}`);
      expect(segsB).toHaveLength(2);
      // Blind: each coding page shows its own coder's segments only.
      const pageA = ok(await get(`${base}/sources/${sourceId}`, owner), 200).body;
      const pageB = ok(await get(`${base}/sources/${sourceId}`, analyst), 200).body;
      expect(pageA).toContain(segA!.id);
      for (const s of segsB) expect(pageA).not.toContain(s.id);
      expect(pageB).not.toContain(segA!.id);
      expect(pageB).toContain(segsB[0]!.id);
      expect(pageA).toContain('dir="auto"');
      expect(pageA).toContain(`data-o="${a0}"`);
      // A code the analyst created inline while coding stays the analyst's until comparison opens.
      expect(pageB).toContain('Fear of failure');
      expect(pageA).not.toContain('Fear of failure');
      expect(ok(await get(`${base}/codes`, owner), 200).body).not.toContain('Fear of failure');
      expect(ok(await get(`${base}/codes`, analyst), 200).body).toContain('Fear of failure');
      expect(ok(await get(`${base}/themes`, owner), 200).body).not.toContain('Fear of failure');
      // Deleting someone else's segment is refused as "not found" while blind.
      ok(await post(`${base}/segments/${segA!.id}/delete`, { version: segA!.version }, analyst), 404);
      // The owner's audit trail masks the analyst's segment events while blind, and the downloads wait.
      const trail = ok(await get(`${base}/audit`, owner), 200).body;
      expect(trail).toContain('hidden while coding is blind');
      expect(trail).toContain(segA!.id);
      const startOf = (x: { data: { start: number } }) => `&quot;start&quot;:${x.data.start}`;
      expect(trail).toContain(startOf(segA!));
      for (const s of segsB) expect(trail).not.toContain(startOf(s));
      expect(trail).not.toContain(`${base}/audit.csv`);
      const held = ok(await get(`${base}/audit.csv`, owner), 409).body;
      expect(held).toContain('stay hidden while coding is blind');
      // Comparison is closed: the page says so, no statistics.
      expect(ok(await get(`${base}/compare`, analyst), 200).body).toContain('Coding is blind');
      ok(await post(`${base}/comparison`, { open: '1', version: (await project()).version }, analyst), 403);
      ok(await post(`${base}/comparison`, { open: '1', version: (await project()).version }, owner));
      expect(ok(await get(`${base}/sources/${sourceId}`, analyst), 200).body).toContain(segA!.id);
      expect(ok(await get(`${base}/codes`, owner), 200).body).toContain('Fear of failure');
    });

    it("compares the coders: percent agreement, Cohen's kappa and alpha with their denominators", async () => {
      const n = Array.from(text).length;
      const a: [number, number] = [cpIndexOf(text, 'The amount of material'), cpIndexOf(text, ' Every day')];
      const b: [number, number] = [
        cpIndexOf(text, 'material we have'),
        cpIndexOf(text, 'feels like a race.') + 'feels like a race.'.length,
      ];
      // By default the two moderator turns are not units (issue 10): N is the participants' characters.
      const moderator = text
        .split('\n')
        .filter((l) => l.includes('] Moderator:'))
        .reduce((sum, l) => sum + Array.from(l).length, 0);
      const cellsOf = (page: string) => {
        const row = page.split('<tr>').find((r) => r.includes('Workload'))!;
        return [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]);
      };
      for (const [query, units] of [
        ['', n - moderator],
        ['?speakers=all', n],
      ] as const) {
        const k = kappaByHand(units, a, b);
        const page = ok(await get(`${base}/compare${query}`, viewer), 200).body;
        expect(page).toContain('κ (Cohen)');
        expect(page).toContain('AC1 (Gwet)');
        expect(page).toContain('Brennan–Prediger');
        expect(page).toContain('α (Krippendorff)');
        expect(page).toContain('κ 95% CI');
        const cells = cellsOf(page);
        expect(cells.slice(1, 7)).toEqual([units, k.both, k.aOnly, k.bOnly, k.neither, 0].map(String));
        expect(cells[7]).toBe(k.percent.toFixed(2));
        expect(cells[8]).toBe(k.kappa.toFixed(3));
        expect(cells[9]).toMatch(/^\[-?\d\.\d{3}, -?\d\.\d{3}\]$/);
        if (query === '')
          expect(page).toContain(`2 moderator/interviewer turn(s) (${moderator} characters) left out`);
        else expect(page).toContain('Speakers: every turn');
      }
      expect(
        ok(await get(`${base}/compare?sources=bogus`, viewer), 400).body.replaceAll('&quot;', '"'),
      ).toContain('Unknown sources "bogus": use one of "every", "coded", "all"');
      // The agreement table downloads as CSV and Word (audited), for the methods section.
      const csv = ok(await get(`${base}/compare.csv`, viewer), 200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body).toContain('Workload');
      expect(csv.body).toContain('AC1 (Gwet)');
      const docx = ok(await get(`${base}/compare.docx`, owner), 200);
      const { entries } = readZip(new Uint8Array(docx.rawPayload));
      const xml = new TextDecoder().decode(entries.find((e) => e.name === 'word/document.xml')!.data);
      expect(xml).toContain('Inter-coder agreement');
      expect(xml).toContain('Workload');
      // Turn unit: 6 turns.
      const turns = ok(await get(`${base}/compare?unit=turn`, owner), 200).body;
      expect(turns).toContain('by speaker turns');
    });

    it('refuses a stale edit with 409 and a message naming both versions', async () => {
      const code = (await store.qual.state((await project()).id, { coderId: null }))!.entities.code.find(
        (c) => c.data.name === 'Workload',
      )!;
      ok(
        await post(
          `${base}/codes/${code.id}`,
          { version: code.version, name: 'Academic workload', codable: '1' },
          owner,
        ),
      );
      const stale = ok(
        await post(
          `${base}/codes/${code.id}`,
          { version: code.version, name: 'Workload!', codable: '1' },
          analyst,
        ),
        409,
      );
      expect(stale.body).toContain(
        'was changed by someone else while you were editing it (you started from version 1, it is now version 2)',
      );
      expect((await entity('code', code.id)).data.name).toBe('Academic workload');
    });

    it('builds a theme that can be final only after every reviewer signed off and disagreements are resolved', async () => {
      const p = await project();
      ok(
        await post(
          `${base}/settings`,
          { version: p.version, name: p.name, reviewers: [`u${owner.userId}`, `u${analyst.userId}`] },
          owner,
        ),
      );
      const state = (await store.qual.state(p.id, { coderId: null, all: true }))!;
      const workload = state.entities.code.find((c) => c.data.name === 'Academic workload')!.id;
      ok(
        await post(
          `${base}/themes`,
          {
            name: 'Academic pressure',
            definition: 'Overwhelming workload and fear of failure.',
            codes: workload,
            needs: 'Workload reform\nMentoring',
          },
          owner,
        ),
      );
      const themeId = (await store.qual.state(p.id, { coderId: null }))!.entities.theme[0]!.id;
      const tv = async () => (await entity('theme', themeId)).version;
      const segA = (await segmentsOf(`u${owner.userId}`))[0]!;
      ok(
        await post(
          `${base}/themes/${themeId}`,
          {
            version: await tv(),
            name: 'Academic pressure',
            definition: 'Overwhelming workload and fear of failure.',
            codes: workload,
            needs: 'Workload reform\nMentoring',
            quotes: segA.id,
          },
          owner,
        ),
      );
      // The analyst codes the very passage the owner coded: the quote picker lists it once, naming both coders.
      ok(
        await post(
          `${base}/sources/${sourceId}/segments`,
          { start: segA.data.start, end: segA.data.end, codes: workload },
          analyst,
        ),
      );
      const same = (await segmentsOf(`u${analyst.userId}`)).find(
        (s) => s.data.start === segA.data.start && s.data.end === segA.data.end,
      )!;
      const picker = ok(await get(`${base}/themes`, owner), 200)
        .body.split('<legend>Quotes for the results table</legend>')[1]!
        .split('</fieldset>')[0]!;
      expect(picker.split('The amount of material').length - 1).toBe(1);
      expect(picker).toContain('coded by Dr Owner, Dr Analyst');
      expect(picker).toContain(`value="${segA.id}" checked`);
      ok(await post(`${base}/segments/${same.id}/delete`, { version: same.version }, analyst));
      const early = ok(
        await post(`${base}/themes/${themeId}/status`, { to: 'final', version: await tv() }, owner),
        409,
      );
      expect(early.body).toContain('must be reviewed before it can be final');
      expect(early.body).toContain(`<a class="button" href="${base}/themes">Back</a>`);
      ok(await post(`${base}/themes/${themeId}/status`, { to: 'reviewed', version: await tv() }, owner));
      ok(await post(`${base}/themes/${themeId}/signoff`, { version: await tv() }, owner));
      const unsigned = ok(
        await post(`${base}/themes/${themeId}/status`, { to: 'final', version: await tv() }, owner),
        409,
      );
      expect(unsigned.body).toContain('cannot be final: not yet signed off (version 2) by: Dr Analyst.');
      expect(unsigned.body).not.toContain(`by: u${analyst.userId}`);
      ok(
        await post(
          `${base}/themes/${themeId}/disagreements`,
          { version: await tv(), text: 'Fear of failure deserves its own theme.' },
          analyst,
        ),
      );
      const blocked = ok(
        await post(`${base}/themes/${themeId}/signoff`, { version: await tv() }, analyst),
        409,
      );
      const did = (await entity('theme', themeId)).data.disagreements[0]!.id;
      expect(blocked.body).toContain(
        'Dr Analyst has an open disagreement (“Fear of failure deserves its own theme.”) on theme',
      );
      expect(blocked.body).not.toContain(did);
      expect(blocked.body).not.toContain(`"u${analyst.userId}"`);
      const notResolved = ok(
        await post(`${base}/themes/${themeId}/status`, { to: 'final', version: await tv() }, owner),
        409,
      );
      expect(notResolved.body).toContain(
        '1 disagreement(s) not resolved: Dr Analyst’s “Fear of failure deserves its own theme.”',
      );
      expect(notResolved.body).not.toContain(did);
      ok(
        await post(
          `${base}/themes/${themeId}/disagreements/${did}/resolve`,
          { version: await tv(), text: 'Kept as a sub-theme.' },
          owner,
        ),
      );
      ok(await post(`${base}/themes/${themeId}/signoff`, { version: await tv() }, analyst));
      ok(await post(`${base}/themes/${themeId}/status`, { to: 'final', version: await tv() }, owner));
      expect((await entity('theme', themeId)).data.status).toBe('final');
      const page = ok(await get(`${base}/themes`, analyst), 200).body;
      expect(page).toContain('status-final');
    });

    it('exports the results table as Markdown, CSV, DOCX and HTML with pseudonyms and no names', async () => {
      const md = ok(await get(`${base}/results.md`, owner), 200);
      expect(md.headers['content-disposition']).toMatch(/attachment; filename=".*-results\.md"/);
      expect(md.body).toContain('(Participant 4)');
      expect(md.body).toContain('The amount of material we have to study is impossible to keep up with.');
      expect(md.body).toContain('Workload reform; Mentoring');
      const csv = ok(await get(`${base}/results.csv?include=final`, owner), 200);
      expect(csv.body).toContain('Academic pressure');
      const html = ok(await get(`${base}/results.html`, analyst), 200);
      expect(html.body).toContain('(Participant 4)');
      const docx = ok(await get(`${base}/results.docx`, owner), 200);
      const entries = readZip(new Uint8Array(docx.rawPayload)).entries;
      const xml = new TextDecoder().decode(entries.find((e) => e.name === 'word/document.xml')!.data);
      expect(xml).toContain('(Participant 4)');
      for (const body of [md.body, csv.body, html.body, xml]) {
        expect(body).not.toContain('Usman');
        expect(body).not.toContain('Tariq');
      }
      ok(await get(`${base}/results.md`, viewer), 403);
    });

    it('exports a QDPX whose project.qde validates against Project.xsd, without names', async () => {
      const res = ok(await get(`${base}/export.qdpx`, owner), 200);
      expect(res.headers['content-type']).toBe('application/zip');
      const { entries } = readZip(new Uint8Array(res.rawPayload));
      const qde = new TextDecoder().decode(entries.find((e) => e.name === 'project.qde')!.data);
      expect(qde).toContain('<Project');
      expect(qde).toContain('<Case guid="8d86f550-65bc-8c2a-99a2-74f70ac3953a" name="P4">'.slice(0, 11));
      expect(qde).toMatch(/<Case guid="[0-9a-f-]{36}" name="P4">/);
      const all = entries.map((e) => new TextDecoder().decode(e.data)).join('\n');
      expect(all).not.toContain('Usman');
      if (haveXmllint) {
        const v = xsdValidate(qde, PROJECT_XSD);
        expect(v.output).toMatch(/validates$/);
        expect(v.ok).toBe(true);
      } else if (inCi) throw new Error('xmllint is required in CI (apt-get install libxml2-utils)');
      const back = importQdpx(new Uint8Array(res.rawPayload));
      expect(back.ok).toBe(true);
      if (back.ok) expect(back.project.segments).toHaveLength(3);
      const qdc = ok(await get(`${base}/codebook.qdc`, analyst), 200);
      expect(qdc.body).toContain('Academic workload');
    });

    it('resolves disagreements into an audited consensus layer, with agreement before and after (issue 10)', async () => {
      const pid = (await project()).id;
      const all = (await store.qual.state(pid, { coderId: null, all: true }))!;
      const codeId = (name: string) => all.entities.code.find((c) => c.data.name === name)!.id;
      const workload = codeId('Academic workload');
      const fear = codeId('Fear of failure');
      const [o] = (await segmentsOf(`u${owner.userId}`)).map((x) => x.data);
      const n = (await segmentsOf(`u${analyst.userId}`))
        .map((x) => x.data)
        .find((x) => x.codeIds.includes(workload))!;
      // The analyst applied "Fear of failure" twice (once with workload): both are disagreements.
      const fears = (await segmentsOf(`u${analyst.userId}`))
        .map((x) => x.data)
        .filter((x) => x.codeIds.includes(fear));
      expect(fears).toHaveLength(2);
      expect(o!.start < n.start && n.start < o!.end && o!.end < n.end).toBe(true);
      ok(await get(`${base}/consensus`, viewer), 403);
      const page = ok(await get(`${base}/consensus`, owner), 200).body;
      expect(page).toContain('Disagreements (4)');
      expect(page).toContain('Accept Dr Owner');
      expect(page).toContain('Accept Dr Analyst');
      expect(page).toContain('not started');
      expect(page).toContain('After: no consensus recorded yet.');
      expect(ok(await get(`${base}/consensus?code=${fear}`, owner), 200).body).toContain('Disagreements (2)');
      const version = (await project()).version;
      const coders = `u${owner.userId},u${analyst.userId}`;
      const decide = (fields: Record<string, string | number>, who = owner) =>
        post(`${base}/consensus`, { coders, source: sourceId, version, ...fields }, who);
      const bad = ok(await decide({ code: workload, start: o!.start, end: n.start, decision: 'vote' }), 400);
      expect(bad.body.replaceAll('&quot;', '"')).toContain('Unknown decision "vote"');
      ok(
        await decide({
          code: workload,
          start: o!.start,
          end: n.start,
          decision: 'accept',
          coder: `u${owner.userId}`,
        }),
      );
      ok(
        await decide(
          { code: workload, start: o!.end, end: n.end, decision: 'merge', merge: coders },
          analyst,
        ),
      );
      for (const f of fears)
        ok(await decide({ code: fear, start: f.start, end: f.end, decision: 'not_coded' }));
      const consensus = (await segmentsOf('consensus')).map((x) => x.data);
      // The agreed passage (both coded), the owner's extra words and the merged tail: one consensus segment.
      expect(consensus.map((x) => [x.start, x.end, x.codeIds])).toEqual([[o!.start, n.end, [workload]]]);
      const after = ok(await get(`${base}/consensus`, owner), 200).body;
      expect(after).toContain('decided by consensus: 4; open: 0');
      expect(after).toContain('each coder against the consensus');
      const log = JSON.parse(ok(await get(`${base}/audit.json`, owner), 200).body) as { action: string }[];
      for (const a of ['consensus.start', 'consensus.accept', 'consensus.merge', 'consensus.not_coded'])
        expect(log.map((e) => e.action)).toContain(a);
      // The first decision recorded the agreement before consensus, once.
      expect(log.filter((e) => e.action === 'consensus.baseline')).toHaveLength(1);
      expect((await project()).doc.consensusBaseline).toMatchObject({
        coders: [`u${owner.userId}`, `u${analyst.userId}`],
      });
      expect(after).toMatch(/Before consensus \(recorded \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      // The coders' own segments are untouched, and the comparison does not count the consensus as a coder.
      expect((await segmentsOf(`u${owner.userId}`)).map((x) => x.data)).toEqual([o]);
      expect(ok(await get(`${base}/compare`, owner), 200).body).not.toContain('value="consensus" checked');
      // QDPX of the consensus layer only: one User, its codings, still valid against Project.xsd.
      const res = ok(await get(`${base}/export.qdpx?layer=consensus`, owner), 200);
      const { entries } = readZip(new Uint8Array(res.rawPayload));
      const qde = new TextDecoder().decode(entries.find((e) => e.name === 'project.qde')!.data);
      expect(qde).toContain('name="Consensus"');
      expect(qde).not.toContain('name="Dr Analyst"');
      if (haveXmllint) expect(xsdValidate(qde, PROJECT_XSD).ok).toBe(true);
      const back = importQdpx(new Uint8Array(res.rawPayload));
      expect(back.ok && back.project.segments.length).toBe(1);
    });

    it('checks roles: viewers read aggregates only, other studies’ users get 404', async () => {
      ok(await get(`${base}/sources`, viewer), 403);
      ok(await get(`${base}/sources/${sourceId}`, viewer), 403);
      ok(
        await post(`${base}/sources/${sourceId}/segments`, { start: 0, end: 5, new_code: 'X' }, viewer),
        403,
      );
      ok(await get(`${base}/queries`, viewer), 200);
      ok(await get(`${base}/checklists`, viewer), 200);
      ok(await get(`${base}/audit`, analyst), 403);
      for (const url of [base, `${base}/sources`, `${base}/compare`, `${base}/export.qdpx`])
        expect((await get(url, outsider)).statusCode).toBe(404);
      ok(
        await post(`${base}/sources/${sourceId}/segments`, { start: 0, end: 5, new_code: 'X' }, outsider),
        404,
      );
      ok(await get(`/studies/${otherStudyId}/qual`, owner), 404);
      // Signed out: pages redirect to sign-in, writes are refused before the body is read.
      const anon = await app.inject({ method: 'GET', url: base });
      expect(anon.statusCode).toBe(303);
      const anonPost = await app.inject({
        method: 'POST',
        url: `${base}/sources`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'text=x',
      });
      expect(anonPost.statusCode).toBe(401);
      // CSRF: a form without the token is refused.
      const noCsrf = await app.inject({
        method: 'POST',
        url: `${base}/codes`,
        headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ name: 'Sneaky' }),
      });
      expect(noCsrf.statusCode).toBe(403);
    });

    it('suppresses small cells in the code × attribute matrix for a viewer (k from the study)', async () => {
      const page = ok(await get(`${base}/queries?attribute=gender`, viewer), 200).body;
      // One male participant: a viewer is not told the value exists (issue 12, finding 4).
      expect(page).not.toContain('gender = Male');
      expect(page).toContain('Values of gender held by fewer than 5 participants are not shown.');
      expect(page).toContain('&lt;5');
      expect(page).not.toContain('Usman');
      expect(page).not.toContain('impossible to keep up'); // no quotes for a viewer
      // The analyst reads the transcripts anyway: exact counts.
      const editor = ok(await get(`${base}/queries?attribute=gender`, analyst), 200).body;
      expect(editor).toContain('(Participant 4)');
      expect(editor).toContain('gender = Male (of 1)');
      expect(editor).not.toContain('&lt;5');
      // So does the owner (issue 10, defect 6: the survey's k was applied to owners and analysts).
      const own = ok(await get(`${base}/queries?attribute=gender`, owner), 200).body;
      expect(own).toContain('gender = Male (of 1)');
      expect(own).toContain('gender = (missing) (of 3)');
      expect(own).not.toContain('&lt;5');
      expect(own).not.toContain('are not shown');
      // With k = 1 the counts show: P4 said what both coders coded; P2 only "fear of failure".
      await store.studies.setSettings({ studyId, minCellSize: 1 });
      const open = ok(await get(`${base}/queries?attribute=gender`, viewer), 200).body;
      await store.studies.setSettings({ studyId, minCellSize: 5 });
      const cells = (section: string, rowLabel: string) => {
        const part = open.split(`<h2>${section}</h2>`)[1]!.split('<h2>')[0]!;
        const row = part.split('<tr>').find((r) => r.includes(`<td>${rowLabel}</td>`))!;
        return [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]);
      };
      expect(open).toContain('gender = (missing) (of 3)');
      expect(cells('Code × participant attribute', 'Academic workload')).toEqual([
        'Academic workload',
        '0',
        '1',
      ]);
      expect(cells('Code × participant attribute', 'Fear of failure')).toEqual(['Fear of failure', '1', '1']);
      expect(cells('Code co-occurrence', 'Academic workload')).toEqual(['Academic workload', '—', '1']);
    });

    it('builds member-checking packets of a participant’s own turns and records corrections as tracked edits', async () => {
      const en = ok(await get(`${base}/member-checks/p4/packet?lang=en`, owner), 200).body;
      expect(en).toContain('impossible to keep up with');
      expect(en).not.toContain('terrified of failing'); // Participant 2's words
      expect(en).not.toContain('Usman');
      const ur = ok(await get(`${base}/member-checks/p4/packet?lang=ur`, owner), 200).body;
      expect(ur).toContain('<html lang="ur" dir="rtl">');
      const hash = /<span class="hash">([0-9a-f]{64})<\/span>/.exec(en)![1]!;
      ok(await post(`${base}/member-checks/p4/status`, { status: 'returned', version: 0 }, owner), 409);
      ok(
        await post(`${base}/member-checks/p4/status`, { status: 'sent', language: 'ur', version: 0 }, owner),
      );
      expect((await entity('member_check', 'p4')).data).toMatchObject({
        status: 'sent',
        versionHash: hash,
        language: 'ur',
      });
      ok(await post(`${base}/member-checks/p4/status`, { status: 'returned', version: 1 }, owner));
      // P1 speaks after P4: P4's correction moves P1's turns but not P1's words.
      const p1Packet = ok(await get(`${base}/member-checks/p1/packet?lang=en`, owner), 200).body;
      expect(p1Packet).toContain('lost track of my health');
      ok(await post(`${base}/member-checks/p1/status`, { status: 'sent', version: 0 }, owner));
      const segBefore = (await segmentsOf(`u${owner.userId}`))[0]!;
      const turn = (await entity('source', sourceId)).data.turns.find((t) => t.participantId === 'p4')!;
      ok(
        await post(
          `${base}/member-checks/p4/corrections`,
          { turn: `${sourceId}|${turn.index}`, find: 'The amount', replace: 'The sheer amount' },
          owner,
        ),
      );
      const after = (await entity('source', sourceId)).data.source.text;
      expect(after).toContain('The sheer amount of material');
      const segAfter = (await segmentsOf(`u${owner.userId}`))[0]!;
      expect([segAfter.data.start, segAfter.data.end]).toEqual([
        segBefore.data.start,
        segBefore.data.end + 6,
      ]);
      ok(await post(`${base}/member-checks/p4/status`, { status: 'corrected', version: 2 }, owner));
      ok(await post(`${base}/member-checks/p4/status`, { status: 'approved', version: 3 }, owner));
      const mc = (await entity('member_check', 'p4')).data;
      expect(mc.history.map((h) => h.status)).toEqual(['sent', 'returned', 'corrected', 'approved']);
      const page = ok(await get(`${base}/member-checks`, owner), 200).body;
      const rowOf = (who: string) => page.split('<tr>').find((r) => r.includes(`<strong>${who}</strong>`))!;
      expect(rowOf('P4')).toContain('transcript changed since sent');
      expect(rowOf('P1')).not.toContain('transcript changed since sent');
      const p1After = ok(await get(`${base}/member-checks/p1/packet?lang=en`, owner), 200).body;
      const hashOf = (html: string) => /<span class="hash">([0-9a-f]{64})<\/span>/.exec(html)![1];
      expect(hashOf(p1After)).toBe(hashOf(p1Packet));
    });

    it('keeps a hash-chained audit trail of every change, with actor, time, before and after', async () => {
      const page = ok(await get(`${base}/audit`, owner), 200).body;
      expect(page).toContain('the hash chain is intact');
      const json = ok(await get(`${base}/audit.json`, owner), 200);
      const log = JSON.parse(json.body);
      const actions = log.map((e: { action: string }) => e.action);
      for (const a of [
        'project.create',
        'source.import',
        'segment.create',
        'comparison.open',
        'theme.signoff',
        'theme.status',
        'transcript.edit',
        'segment.shift',
        'export.qdpx',
      ])
        expect(actions).toContain(a);
      expect(verifyAuditChain(log, qualHash)).toMatchObject({ ok: true, count: log.length });
      const edit = log.find((e: { action: string }) => e.action === 'transcript.edit');
      expect(edit.before.text).toBe('The amount');
      expect(edit.after.text).toBe('The sheer amount');
      expect(edit.actor).toBe(`u${owner.userId}`);
      expect(json.body).not.toContain('Usman');
      const csv = ok(await get(`${base}/audit.csv`, owner), 200);
      expect(csv.body.split('\r\n')[0]).toBe(
        'seq,at,actor,action,entity_kind,entity_id,before,after,prev_hash,hash',
      );
    });

    it('round-trips an Urdu transcript: paste, code, export QDPX, import into another study', async () => {
      ok(
        await post(
          `${base}/sources`,
          {
            name: 'FGD 2 (Urdu)',
            language: 'ur',
            text: URDU_TRANSCRIPT,
            participants: '1',
            pseudonymize: '1',
          },
          analyst,
        ),
        201,
      );
      const state = (await store.qual.state((await project()).id, { coderId: null }))!;
      const src = state.entities.source.find((s) => s.data.source.name === 'FGD 2 (Urdu)')!;
      const urdu = src.data.source.text;
      expect(urdu).toBe(URDU_TRANSCRIPT.normalize('NFC').replace(/\r\n/g, '\n'));
      const page = ok(await get(`${base}/sources/${src.id}`, analyst), 200).body;
      expect(page).toContain('lang="ur"');
      expect(page).toContain('<p dir="auto" id="turn-1"');
      expect(page).toContain('امتحانات');
      // Code the words around the emoji: code points, not UTF-16 units.
      const s0 = cpIndexOf(urdu, 'بہت زیادہ ہے 😔');
      const s1 = s0 + Array.from('بہت زیادہ ہے 😔').length;
      ok(
        await post(
          `${base}/sources/${src.id}/segments`,
          { start: s0, end: s1, new_code: 'دباؤ (stress)' },
          analyst,
        ),
      );
      const seg = (await segmentsOf(`u${analyst.userId}`)).find((s) => s.data.sourceId === src.id)!;
      expect(Array.from(urdu).slice(seg.data.start, seg.data.end).join('')).toBe('بہت زیادہ ہے 😔');
      const mine = await project();
      ok(
        await post(
          `${base}/settings`,
          {
            version: mine.version,
            name: mine.name,
            description: 'One focus group, 90 minutes.',
            reviewers: mine.doc.themeReviewers,
          },
          owner,
        ),
      );
      const qdpx = ok(await get(`${base}/export.qdpx`, owner), 200);
      // Import into the outsider's (empty) study.
      const otherBase = `/studies/${otherStudyId}/qual`;
      ok(await post(otherBase, { name: 'Imported' }, outsider));
      const imported = ok(
        await post(
          `${otherBase}/import`,
          { kind: 'qdpx', file_b64: Buffer.from(qdpx.rawPayload).toString('base64'), file_name: 'p.qdpx' },
          outsider,
        ),
        201,
      );
      expect(imported.body).toContain('Taken: 2 transcript(s)');
      const other = (await store.qual.byStudy(otherStudyId))!;
      expect(other.doc.description).toBe('One focus group, 90 minutes.');
      const os = (await store.qual.state(other.id, { coderId: null }))!;
      const back = os.entities.source.find((s) => s.data.source.name === 'FGD 2 (Urdu)')!;
      expect(back.data.source.text).toBe(urdu);
      const backSeg = os.entities.segment.find((s) => s.data.sourceId === back.id)!;
      expect([backSeg.data.start, backSeg.data.end]).toEqual([seg.data.start, seg.data.end]);
      expect(os.entities.code.some((c) => c.data.name === 'دباؤ (stress)')).toBe(true);
      // Exported again, the project names the same Users: the importing researcher (a coder of the new
      // project, who has coded nothing) is not added as an extra User (issue 10, defect 8).
      const users = (bytes: Uint8Array) => {
        const qde = new TextDecoder().decode(
          readZip(bytes).entries.find((e) => e.name === 'project.qde')!.data,
        );
        return [...qde.matchAll(/<User [^>]*name="([^"]*)"/g)].map((m) => m[1]).sort();
      };
      expect(os.entities.coder.some((c) => c.data.userId === outsider.userId)).toBe(true);
      const again = ok(await get(`${otherBase}/export.qdpx`, outsider), 200);
      expect(users(new Uint8Array(again.rawPayload))).toEqual(users(new Uint8Array(qdpx.rawPayload)));
      expect(users(new Uint8Array(again.rawPayload))).not.toContain('Outsider');
      // A 90-minute transcript is far larger than the app's 256 KB form limit: accepted here.
      const long = Array.from(
        { length: 900 },
        (_, i) => `P${(i % 12) + 1}: ${'امتحانات کا دباؤ بہت زیادہ ہے اور نیند پوری نہیں ہوتی۔ '.repeat(2)}`,
      ).join('\n');
      expect(Buffer.byteLength(encodeURIComponent(long))).toBeGreaterThan(2 * 256 * 1024);
      const big = ok(
        await post(
          `${base}/sources`,
          { name: 'FGD long', language: 'ur', text: long, participants: '1' },
          analyst,
        ),
        201,
      );
      expect(big.body).toContain('900 speaker turns, 900 linked to participants');
      // A second import into a non-empty project is refused.
      ok(
        await post(
          `${otherBase}/import`,
          { kind: 'qdpx', file_b64: Buffer.from(qdpx.rawPayload).toString('base64') },
          outsider,
        ),
        409,
      );
    });

    it('imports a .docx uploaded as base64 and a pasted WebVTT file', async () => {
      const { Document, Packer, Paragraph } = await import('docx');
      const doc = new Document({
        sections: [
          {
            children: [
              new Paragraph('Moderator: What helps you cope?'),
              new Paragraph('P5: Talking to my friends after the ward round.'),
              new Paragraph('P6: Nothing, honestly.'),
            ],
          },
        ],
      });
      const b64 = (await Packer.toBuffer(doc)).toString('base64');
      const docx = ok(
        await post(
          `${base}/sources`,
          { name: '', file_b64: b64, file_name: 'fgd3.docx', participants: '1' },
          owner,
        ),
        201,
      );
      expect(docx.body).toContain('(docx, en)');
      expect(docx.body).toContain('3 speaker turns, 2 linked to participants');
      const vtt =
        'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Moderator>Anything else?\n\n00:00:05.000 --> 00:00:09.000\n<v P5>Yes, more sleep.\n';
      const res = ok(await post(`${base}/sources`, { name: 'FGD 4', text: vtt }, owner), 201);
      expect(res.body).toContain('(vtt, en)');
      expect(res.body).toContain('2 speaker turns, 1 linked to participants');
    });

    it('pre-fills the COREQ and SRQR checklists from the project metadata', async () => {
      const p = await project();
      ok(
        await post(
          `${base}/meta`,
          {
            version: p.version,
            setting: 'A quiet seminar room at a medical college',
            software: 'nabz',
            team: 'R1 | moderator | PhD | psychologist | female | 10 years | yes',
          },
          owner,
        ),
      );
      const page = ok(await get(`${base}/checklists`, viewer), 200).body;
      expect(page).toContain('COREQ checklist');
      expect(page).toContain('SRQR checklist');
      expect(page).toContain('A quiet seminar room at a medical college');
      expect(page).toContain('[to be completed by the researcher]');
      const md = ok(await get(`${base}/checklists.md`, viewer), 200).body;
      expect(md).toContain('A quiet seminar room at a medical college');
      // COREQ 23/28 from the member checks recorded above (P4 approved after a correction; P1 sent).
      expect(md).toMatch(
        /sent back to 2 of \d+ participants; 1 returned them, 1 with corrections \(recorded as tracked edits\)/,
      );
    });

    it('renders code colours, tree indentation and memo line breaks with stylesheet classes, never inline style=', async () => {
      const code = (await store.qual.state((await project()).id, { coderId: null }))!.entities.code.find(
        (c) => c.data.name === 'Academic workload',
      )!;
      ok(
        await post(
          `${base}/codes/${code.id}`,
          { version: code.version, name: 'Academic workload', codable: '1', color: '#1F77B4' },
          owner,
        ),
      );
      ok(await post(`${base}/memos`, { target: 'project', text: 'First line\nSecond line' }, owner));
      const pages = [
        '',
        '/sources',
        `/sources/${sourceId}`,
        '/codes',
        '/themes',
        '/memos',
        '/compare',
        '/consensus',
        '/queries',
        '/results',
        '/checklists',
        '/member-checks',
        '/participants',
        '/exchange',
        '/audit',
      ];
      for (const path of pages) {
        const res = ok(await get(`${base}${path}`, owner), 200);
        expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
        expect(res.body, path).not.toMatch(/\sstyle=/);
      }
      const codesPage = ok(await get(`${base}/codes`, owner), 200).body;
      expect(codesPage).toContain('<span class="swatch cc0"></span>Academic workload');
      expect(codesPage).toContain('<div class="card d0">');
      const coding = ok(await get(`${base}/sources/${sourceId}`, owner), 200).body;
      expect(coding).toMatch(/class="hl[^"]* cc0[^"]*" title="Academic workload/);
      const memos = ok(await get(`${base}/memos`, owner), 200).body;
      expect(memos).toContain('<p dir="auto" class="pre">First line\nSecond line</p>');
    });
  });
}
