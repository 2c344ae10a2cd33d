/**
 * Consensus with three coders through HTTP (issue 10), on SQLite and (with NABZ_TEST_PG_URL) PostgreSQL: each
 * coder creates their own inductive code for the same idea while blind; once comparison opens, the disagreement
 * view per speaker turn shows who applied what (filter by code and coders); the owner merges the three codes
 * and splits one into two in the consensus codebook (audited, agreement before recorded); a decision from the
 * turn view goes into the consensus layer; the themes' quote picker, the results table and the QDPX export read
 * the consensus codebook.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../src/lib/zip.js';
import type { Store } from '../../src/store/index.js';
import { cpIndexOf, ENGLISH_TRANSCRIPT } from '../fixtures/qual/project.js';
import { haveXmllint, PROJECT_XSD, xsdValidate } from '../render/qdpx/xmllint.js';
import { type SignedIn, serverBackends, studioClient, type TestApp, testApp } from './helpers.js';

type Browser = SignedIn & { readonly userId: number };

const P2 = "I'm terrified of failing.";
const P2_LONG = "terrified of failing. If I don't get the top grades";
const P1 = "I'm so focused on grades";
const unq = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'");

for (const backend of serverBackends()) {
  describe(`consensus with three coders over HTTP on ${backend.name}`, () => {
    let t: TestApp;
    let store: Store;
    let owner: Browser;
    let second: Browser;
    let third: Browser;
    let base: string;
    let studyId: number;
    let sourceId: string;

    const get = (url: string, who: Browser) => studioClient(t, who).get(url);
    const post = (url: string, fields: Record<string, string | readonly string[] | number>, who: Browser) =>
      studioClient(t, who).post(
        url,
        Object.fromEntries(
          Object.entries(fields).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]),
        ),
      );
    const ok = (res: LightMyRequestResponse, status = 303) => {
      expect(res.statusCode, res.body.slice(0, 1500)).toBe(status);
      return res;
    };
    const state = async () => {
      const p = (await store.qual.byStudy(studyId))!;
      return (await store.qual.state(p.id, { coderId: null, all: true }))!;
    };
    const codeId = async (name: string) =>
      (await state()).entities.code.find((c) => c.data.name === name)!.id;
    const code = (who: Browser, needle: string, fields: Record<string, string>) => {
      const start = cpIndexOf(ENGLISH_TRANSCRIPT, needle);
      return post(
        `${base}/sources/${sourceId}/segments`,
        { start, end: start + needle.length, ...fields },
        who,
      );
    };

    beforeAll(async () => {
      t = await testApp({ backend });
      ({ store } = t);
      const people = await Promise.all(
        [
          ['owner@example.org', 'Dr Owner'],
          ['second@example.org', 'Dr Second'],
          ['third@example.org', 'Dr Third'],
        ].map(([email, name]) => t.createUser({ email: email!, name: name! })),
      );
      const [o, a, b] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
      studyId = (await store.studies.create({ title: 'Burnout focus group', ownerId: o.id, definition: {} }))
        .id;
      for (const x of [a, b]) await store.roles.grant({ studyId, userId: x.id, role: 'analyst' });
      const signIn = async (email: string, userId: number) => ({ ...(await t.signIn(email)), userId });
      owner = await signIn(o.email, o.id);
      second = await signIn(a.email, a.id);
      third = await signIn(b.email, b.id);
      base = `/studies/${studyId}/qual`;
      ok(await post(base, { name: 'Burnout FGD' }, owner));
      const res = ok(
        await post(
          `${base}/sources`,
          { name: 'FGD 1', language: 'en', text: ENGLISH_TRANSCRIPT, participants: '1', pseudonymize: '1' },
          owner,
        ),
        201,
      );
      sourceId = /sources\/(src-[0-9a-f]+)"/.exec(res.body)![1]!;
      // Blind coding: each coder names the same idea in their own words (private inductive codes).
      ok(await code(owner, P2, { new_code: 'Fear of failure' }));
      ok(await code(owner, P1, { codes: await codeId('Fear of failure') }));
      ok(await code(second, P2, { new_code: 'Terrified' }));
      ok(await code(third, P2_LONG, { new_code: 'Anxiety' }));
    });
    afterAll(async () => {
      await t?.close();
    });

    it('keeps the consensus codebook closed while coding is blind', async () => {
      expect(ok(await get(`${base}/consensus/codebook`, owner), 200).body).toContain('Coding is blind.');
      const ids = await Promise.all(['Fear of failure', 'Terrified', 'Anxiety'].map(codeId));
      const refused = ok(
        await post(`${base}/consensus/codebook/merge`, { codes: ids, into: ids[0]! }, owner),
        400,
      );
      expect(unq(refused.body)).toContain('the owner opens comparison first');
      const p = (await store.qual.byStudy(studyId))!;
      ok(await post(`${base}/comparison`, { open: '1', version: p.version }, owner));
    });

    it('shows the disagreements per speaker turn, each coder’s codes side by side, filtered by code and coder', async () => {
      const page = unq(ok(await get(`${base}/consensus?view=turns`, owner), 200).body);
      expect(page).toContain('Speaker turns where the coders differ (2)');
      const row = page.split('<tr>').find((r) => r.includes("I'm terrified of failing. If I don't"))!;
      for (const c of ['<mark>Fear of failure</mark>', '<mark>Terrified</mark>', '<mark>Anxiety</mark>'])
        expect(row).toContain(c);
      expect(row).toContain('as Dr Second coded it');
      // P1: only the owner coded it.
      const p1 = page.split('<tr>').find((r) => r.includes(P1))!;
      expect(p1.match(/<span class="sup">nothing<\/span>/g)).toHaveLength(2);
      const fear = await codeId('Fear of failure');
      const byCode = unq(ok(await get(`${base}/consensus?view=turns&code=${fear}`, owner), 200).body);
      expect(byCode).toContain('Speaker turns where the coders differ (2)');
      expect(byCode).not.toContain('<mark>Terrified</mark>');
      const pair = `coders=u${second.userId}&coders=u${third.userId}`;
      const two = unq(ok(await get(`${base}/consensus?view=turns&${pair}`, owner), 200).body);
      expect(two).toContain('Speaker turns where the coders differ (1)');
      expect(two).not.toContain('<th scope="col">Dr Owner</th>');
      expect(unq(ok(await get(`${base}/consensus`, owner), 200).body)).toContain(
        'Before consensus (no consensus step yet: the figure now): 3 coders (Dr Owner, Dr Second, Dr Third), their own codebooks (3 codes)',
      );
    });

    it('merges the three coders’ codes into one, audited, with the agreement before recorded', async () => {
      const ids = await Promise.all(['Fear of failure', 'Terrified', 'Anxiety'].map(codeId));
      const alphaNow = (page: string) =>
        /Now, among the compared coders[^:]*: α = (-?\d\.\d{3})/.exec(page)?.[1];
      const before = alphaNow(unq(ok(await get(`${base}/consensus`, owner), 200).body));
      const stale = ok(
        await post(`${base}/consensus/codebook/merge`, { codes: [ids[0]!], into: '', name: '' }, owner),
        400,
      );
      expect(unq(stale.body)).toContain('Name the merged code');
      ok(await post(`${base}/consensus/codebook/merge`, { codes: ids, into: ids[0]! }, second));
      const s = await state();
      expect(ids.map((id) => s.get('code', id)?.data.mergedInto ?? null)).toEqual([null, ids[0], ids[0]]);
      // The coding page offers the consensus code, not the merged ones.
      const coding = ok(await get(`${base}/sources/${sourceId}`, second), 200).body;
      expect(coding).toContain(`name="codes" value="${ids[0]}"`);
      expect(coding).not.toContain(`name="codes" value="${ids[1]}"`);
      // Dr Second's own segment shows the consensus name, the code as applied in a tooltip (list and transcript).
      expect(unq(coding)).toContain(
        '<span class="merged" title="Coded as “Terrified”, merged into “Fear of failure” in the consensus codebook">Fear of failure</span>',
      );
      expect(unq(coding)).toContain(
        'title="Fear of failure (coded as “Terrified”, “Anxiety”) — Dr Owner, Dr Second, Dr Third"',
      );
      expect(unq(coding)).not.toMatch(/<td>[^<]*Terrified/);
      const book = unq(ok(await get(`${base}/consensus/codebook`, owner), 200).body);
      expect(book).toContain('Undo merge of Terrified');
      expect(book).toContain('Terrified <span class="muted">(Dr Second’s own code)</span>');
      expect(book).toMatch(/Dr Owner: 2; Dr Second: 1; Dr Third: 1/);
      const page = unq(ok(await get(`${base}/consensus`, owner), 200).body);
      expect(page).toMatch(/Before consensus \(recorded \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(page).toContain('(2 code(s) merged into others)');
      const after = alphaNow(page);
      // The coder comparison says it reads the consensus codebook, on the page and in its downloads.
      const note =
        'Codes are read through the consensus codebook: "Terrified", "Anxiety" as "Fear of failure"';
      expect(unq(ok(await get(`${base}/compare`, owner), 200).body)).toContain(note);
      const csv = ok(await get(`${base}/compare.csv`, owner), 200).body;
      // ... and in the CSV, as a "Note: …" record under each of its tables (tables are separated by a blank line)
      const noteRecords = csv
        .split('\r\n')
        .filter((l) => l.startsWith(`"Note: ${note.replaceAll('"', '""')}`));
      expect(noteRecords).toHaveLength(csv.trimEnd().split('\r\n\r\n').length);
      const word = ok(await get(`${base}/compare.docx`, owner), 200);
      const wordXml = new TextDecoder().decode(
        readZip(new Uint8Array(word.rawPayload)).entries.find((e) => e.name === 'word/document.xml')!.data,
      );
      expect(wordXml.replaceAll('&quot;', '"')).toContain(note);
      expect(Number(after)).toBeGreaterThan(Number(before));
      const log = JSON.parse(ok(await get(`${base}/audit.json`, owner), 200).body) as {
        action: string;
        actor: string;
      }[];
      expect(
        log
          .filter((e) => e.action.startsWith('codebook.') || e.action === 'consensus.baseline')
          .map((e) => [e.action, e.actor]),
      ).toEqual([
        // The owner's "Fear of failure" was their own inductive code: as the target it becomes everyone's.
        ['codebook.share', `u${second.userId}`],
        ['codebook.merge', `u${second.userId}`],
        ['codebook.merge', `u${second.userId}`],
        ['consensus.baseline', `u${second.userId}`],
        ['codebook.merge', `u${second.userId}`],
      ]);
    });

    it('splits a code passage by passage', async () => {
      const fear = await codeId('Fear of failure');
      const form = unq(ok(await get(`${base}/consensus/codebook/split?code=${fear}`, owner), 200).body);
      const keys = [...form.matchAll(/name="move" value="([^"]+)"/g)].map((m) => m[1]!);
      expect(keys).toHaveLength(2);
      const p1 = cpIndexOf(ENGLISH_TRANSCRIPT, P1);
      const key = `${sourceId}:${p1}-${p1 + P1.length}`;
      expect(keys).toContain(key);
      ok(await get(`${base}/consensus/codebook/split?code=nope`, owner), 404);
      ok(
        await post(
          `${base}/consensus/codebook/split`,
          { code: fear, name: 'Grade pressure', move: key },
          owner,
        ),
      );
      const s = await state();
      const grade = s.entities.code.find((c) => c.data.name === 'Grade pressure')!;
      const moved = s.entities.segment.find((x) => x.data.start === p1)!;
      expect(moved.data.codeIds).toEqual([grade.id]);
      const again = ok(
        await post(`${base}/consensus/codebook/split`, { code: fear, name: 'Other', move: key }, owner),
        400,
      );
      expect(unq(again.body)).toContain('the coding changed since the page was loaded');
    });

    it('records a decision from the turn view, and the results table and QDPX read the consensus codebook', async () => {
      const fear = await codeId('Fear of failure');
      const grade = await codeId('Grade pressure');
      const page = unq(ok(await get(`${base}/consensus?view=turns&code=${grade}`, owner), 200).body);
      expect(page).toContain('Speaker turns where the coders differ (1)');
      const form = page
        .split('<form method="post"')
        .find((f) => f.includes(`value="${grade}"`) && f.includes('name="choice"'))!;
      const hidden = Object.fromEntries(
        [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
          m[1]!,
          m[2]!,
        ]),
      );
      delete hidden._csrf;
      ok(await post(`${base}/consensus`, { ...hidden, choice: `accept:u${owner.userId}` }, owner));
      const consensus = (await state()).entities.segment.filter((x) => x.data.coderId === 'consensus');
      // The transcript's consensus starts from what all three coded alike (the merged code), then the decision.
      const agreed = cpIndexOf(ENGLISH_TRANSCRIPT, 'terrified of failing.');
      const p1 = cpIndexOf(ENGLISH_TRANSCRIPT, P1);
      expect(consensus.map((x) => [x.data.start, x.data.end, x.data.codeIds])).toEqual([
        [agreed, agreed + 'terrified of failing.'.length, [fear]],
        [p1, p1 + P1.length, [grade]],
      ]);
      const after = unq(ok(await get(`${base}/consensus?view=turns&code=${grade}`, owner), 200).body);
      expect(after).toContain('each coder against the consensus');
      // Agreement before and after consensus, downloaded for the methods section (audited).
      const csv = ok(await get(`${base}/consensus/agreement.csv`, owner), 200);
      expect(csv.headers['content-disposition']).toMatch(/consensus-agreement\.csv"$/);
      const lines = csv.body.replace(/^\uFEFF/, '').split(/\r?\n/);
      expect(lines[0]).toBe('Stage,Coders,N,α (Krippendorff),κ (Cohen),Agreement %,AC1 (Gwet)');
      expect(lines[1]).toMatch(
        /^"Before consensus: coders' own codebooks \(3 codes\), recorded \d{4}-\d\d-\d\d","Dr Owner, Dr Second, Dr Third",\d+,-0\.\d{3},,,$/,
      );
      expect(lines[2]).toMatch(
        /^"Now: consensus codebook, coders among themselves","Dr Owner, Dr Second, Dr Third",\d+,0\.\d{3},,,$/,
      );
      expect(lines.filter((l) => l.startsWith('After: coder against the consensus,Dr '))).toHaveLength(3);
      const agreementDocx = ok(await get(`${base}/consensus/agreement.docx`, owner), 200);
      const docXml = new TextDecoder().decode(
        readZip(new Uint8Array(agreementDocx.rawPayload)).entries.find((e) => e.name === 'word/document.xml')!
          .data,
      );
      expect(docXml).toContain('Inter-coder agreement before and after consensus');
      const log = JSON.parse(ok(await get(`${base}/audit.json`, owner), 200).body) as { action: string }[];
      expect(log.map((e) => e.action)).toContain('export.consensus_agreement_docx');
      // A theme linking the merged code offers the coders’ codings of the merged codes as quotes.
      ok(await post(`${base}/themes`, { name: 'Fear', definition: 'Fear of failing.', codes: fear }, owner));
      const themeId = (await state()).entities.theme[0]!;
      const picker = unq(ok(await get(`${base}/themes`, owner), 200).body);
      expect(picker).toContain('coded by Dr Third');
      ok(
        await post(
          `${base}/themes/${themeId.id}`,
          {
            version: themeId.version,
            name: 'Fear',
            definition: 'Fear of failing.',
            codes: fear,
            quotes: consensus[0]!.id,
          },
          owner,
        ),
      );
      const docx = ok(await get(`${base}/results.docx`, owner), 200);
      const xml = new TextDecoder().decode(
        readZip(new Uint8Array(docx.rawPayload)).entries.find((e) => e.name === 'word/document.xml')!.data,
      );
      expect(xml).toContain('terrified of failing.');
      // QDPX: the consensus codebook, every coding on the merged code; "Terrified" and "Anxiety" only as
      // non-codable sub-codes of it that say where they went (so an import rebuilds the merge).
      const res = ok(await get(`${base}/export.qdpx`, owner), 200);
      const qde = new TextDecoder().decode(
        readZip(new Uint8Array(res.rawPayload)).entries.find((e) => e.name === 'project.qde')!.data,
      );
      expect(qde).toContain('name="Fear of failure"');
      expect(qde).toContain('name="Grade pressure"');
      for (const name of ['Terrified', 'Anxiety']) {
        const m = new RegExp(`<Code guid="([0-9a-f-]+)" name="${name}" isCodable="false"[^>]*>`).exec(qde);
        expect(m, name).not.toBeNull();
        expect(qde).not.toContain(`targetGUID="${m![1]}"`);
      }
      expect(qde).toMatch(/Consensus codebook:\n• merged into: [0-9a-f-]+ \(Fear of failure\)/);
      // Imported into another study, the merges are rebuilt: the comparison reads the same consensus codebook.
      const otherStudy = (
        await store.studies.create({ title: 'Re-analysis', ownerId: owner.userId, definition: {} })
      ).id;
      ok(await post(`/studies/${otherStudy}/qual`, { name: 'Imported' }, owner));
      const b64 = Buffer.from(res.rawPayload).toString('base64');
      const payload = { kind: 'qdpx', file_b64: b64, file_name: 'p.qdpx' };
      ok(await post(`/studies/${otherStudy}/qual/import`, payload, owner), 201);
      const other = (await store.qual.byStudy(otherStudy))!;
      const os = (await store.qual.state(other.id, { coderId: null, all: true }))!;
      const byName = (n: string) => os.entities.code.find((c) => c.data.name === n)!.data;
      const fearId = byName('Fear of failure').id;
      expect(['Terrified', 'Anxiety'].map((n) => [byName(n).mergedInto, byName(n).codable])).toEqual([
        [fearId, true],
        [fearId, true],
      ]);
      if (haveXmllint) expect(xsdValidate(qde, PROJECT_XSD).ok).toBe(true);
    });

    it('keeps the codebook consistent: a merge target cannot be deleted or become a grouping node', async () => {
      const grade = await codeId('Grade pressure');
      ok(
        await post(
          `${base}/consensus/codebook/merge`,
          { codes: [grade], into: '', name: 'Academic pressure' },
          owner,
        ),
      );
      const target = (await state()).entities.code.find((c) => c.data.name === 'Academic pressure')!;
      expect((await state()).get('code', grade)?.data.mergedInto).toBe(target.id);
      const del = ok(
        await post(`${base}/codes/${target.id}/delete`, { version: target.version }, owner),
        400,
      );
      expect(unq(del.body)).toContain(
        'Code "Grade pressure" is merged into "Academic pressure" in the consensus codebook; undo the merges first',
      );
      const group = ok(
        await post(
          `${base}/codes/${target.id}`,
          { version: target.version, name: 'Academic pressure', codable: '0' },
          owner,
        ),
        400,
      );
      expect(unq(group.body)).toContain('so it cannot become a grouping node; undo the merges first');
      const codes = unq(ok(await get(`${base}/codes`, owner), 200).body);
      expect(codes).toContain('merged into “Academic pressure” (consensus codebook)');
    });

    it('undoes the split once nothing later builds on it, audited', async () => {
      const grade = await codeId('Grade pressure');
      const fear = await codeId('Fear of failure');
      const refusedUndo = ok(await post(`${base}/consensus/codebook/unsplit`, { code: grade }, owner), 400);
      expect(unq(refusedUndo.body)).toContain(
        '"Grade pressure" is merged into another code: undo that merge first.',
      );
      ok(await post(`${base}/consensus/codebook/unmerge`, { code: grade }, owner));
      const book = unq(ok(await get(`${base}/consensus/codebook`, owner), 200).body);
      expect(book).toContain('Undo split (back into Fear of failure)');
      const withGrade = (await state()).entities.segment.filter((x) => x.data.codeIds.includes(grade));
      expect(withGrade.length).toBeGreaterThan(0);
      ok(await post(`${base}/consensus/codebook/unsplit`, { code: grade }, owner));
      const s = await state();
      expect(s.get('code', grade)).toBeUndefined();
      for (const x of withGrade) expect(s.get('segment', x.id)?.data.codeIds).toContain(fear);
      // Editing a merged code on the codes page keeps its merge (the form does not carry it).
      const terrified = (await state()).entities.code.find((c) => c.data.name === 'Terrified')!;
      ok(
        await post(
          `${base}/codes/${terrified.id}`,
          { version: terrified.version, name: 'Terrified (exams)', codable: '1' },
          owner,
        ),
      );
      expect((await state()).get('code', terrified.id)?.data).toMatchObject({
        name: 'Terrified (exams)',
        mergedInto: fear,
      });
      const log = JSON.parse(ok(await get(`${base}/audit.json`, owner), 200).body) as { action: string }[];
      expect(log.filter((e) => e.action.startsWith('codebook.unsplit')).map((e) => e.action)).toEqual([
        ...withGrade.map(() => 'codebook.unsplit_segment'),
        'codebook.unsplit_code',
        'codebook.unsplit',
      ]);
    });
  });
}
