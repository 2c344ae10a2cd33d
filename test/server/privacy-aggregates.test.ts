/**
 * Issue 12, findings 1, 3 and 4: the attacks of a curious viewer on aggregates, reproduced.
 *
 * 1. Differencing: a viewer loads every aggregate view (analysis page, report download, progress, overview,
 *    dashboard) before and after one new response; nothing may move (owners and analysts still see it move).
 * 3. Extremes: the one PHQ-9 score of 27 (its "Severe" band suppressed, n = 1) must not print as the maximum.
 * 4. Qualitative pages: COREQ item 16 and the queries must not name an attribute value held by fewer than k
 *    participants ("diagnosis: bipolar disorder 1") to a viewer.
 * The suppression policy itself is one module (src/core/privacy/suppression.ts), unit-tested at the end.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  audienceOf,
  cellsToSuppress,
  coarseCount,
  extremeShown,
  snapshotSize,
} from '../../src/core/privacy/suppression.js';
import { readZip } from '../../src/lib/zip.js';
import { viewerSelection } from '../../src/server/studio/review.js';
import { ENGLISH_TRANSCRIPT } from '../fixtures/qual/project.js';
import { formBody, SUPPORT_CONTACTS, serverBackends, type TestApp, testApp } from './helpers.js';

interface Browser {
  readonly cookie: string;
  readonly csrf: string;
}

const PHQ = Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`);

/** What a reader of the page sees: its text, without tags, attributes or scripts. */
function pageText(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]*>/g, ' ');
}

/** The page without what changes on every load (CSRF tokens). */
function stable(html: string): string {
  return html.replace(/name="_csrf" value="[^"]*"/g, '').replace(/<meta name="csrf-token"[^>]*>/g, '');
}

for (const backend of serverBackends()) {
  describe(`aggregates a viewer sees (${backend.name})`, () => {
    let t: TestApp;
    let owner: Browser;
    let analyst: Browser;
    let viewer: Browser;
    let studyId: number;
    let seq = 0;

    const get = (url: string, who: Browser) =>
      t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
    const post = (url: string, fields: Record<string, string | number>, who: Browser) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...fields, _csrf: who.csrf }),
      });
    const _post = (url: string, fields: Record<string, string | number>, who: Browser) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...fields, _csrf: who.csrf }),
      });

    /**
     * One PHQ-9 response in year `year`: every item `v`, or for `v` = 'varied' items that differ from every
     * other varied response in most places (ordinary respondents, never flagged as a burst); item 9 as given.
     */
    async function respond(v: number | 'varied', year: number, item9 = 0): Promise<void> {
      const seed = seq;
      const value = (j: number) => (v === 'varied' ? (seed * 7 + j * 3 + ((seed * j) % 5)) % 4 : v);
      // Ages 21–22, except the one respondent with every item at 3: 41.
      const age = v === 3 ? 41 : 21 + (seed % 2);
      const answers: Record<string, unknown> = {
        year: { kind: 'value', value: year },
        age: { kind: 'value', value: age },
      };
      PHQ.forEach((id, j) => {
        answers[id] = { kind: 'value', value: id === 'phq9_9' ? item9 : value(j) };
      });
      answers.phq9_10 = { kind: 'value', value: 0 };
      const r = await t.store.responses.insert({
        studyId,
        idempotencyKey: `k${seq++}`,
        answers,
        language: 'en',
        counters: ['started', 'completed'],
      });
      expect(r.ok).toBe(true);
    }

    beforeEach(async () => {
      t = await testApp({ backend });
      const o = await t.createUser({ email: 'owner@example.org', name: 'Owner' });
      const a = await t.createUser({ email: 'analyst@example.org', name: 'Analyst' });
      const v = await t.createUser({ email: 'viewer@example.org', name: 'Viewer' });
      const study = await t.store.studies.create({
        title: 'House officers',
        ownerId: o.id,
        definition: {
          id: 'ho',
          title: 'House officers',
          languages: ['en'],
          instruments: [{ instrument: 'phq9' }],
          questions: [
            {
              id: 'year',
              type: 'single',
              text: { en: 'Year' },
              options: [
                { value: 1, label: { en: 'First' } },
                { value: 2, label: { en: 'Second' } },
              ],
            },
            { id: 'age', type: 'number', text: { en: 'Age' }, min: 16, max: 80 },
          ],
          collection: { supportContacts: SUPPORT_CONTACTS },
        },
      });
      studyId = study.id;
      await t.store.roles.grant({ studyId, userId: a.id, role: 'analyst' });
      await t.store.roles.grant({ studyId, userId: v.id, role: 'viewer' });
      await t.store.studies.setStatus({ studyId, status: 'open' });
      owner = await t.signIn(o.email);
      analyst = await t.signIn(a.email);
      viewer = await t.signIn(v.email);
    });
    afterEach(async () => {
      await t.close();
    });

    it('finding 1: one new response moves nothing a viewer sees (owners and analysts see it)', async () => {
      for (let i = 0; i < 12; i++) await respond('varied', (i % 2) + 1);
      const views = [
        `/studies/${studyId}/analysis?group=year`,
        `/studies/${studyId}/analysis/report.html?group=year`,
        `/studies/${studyId}/progress`,
        `/studies/${studyId}`,
        '/',
        // The counts the progress page polls to update in place: the same coarsened figures.
        `/studies/${studyId}/progress.json`,
      ];
      const load = async (who: Browser) => {
        const out: string[] = [];
        for (const url of views) {
          const r = await get(url, who);
          expect(r.statusCode, `${url}: ${r.body.slice(0, 400)}`).toBe(200);
          out.push(stable(r.body));
        }
        return out;
      };
      const viewerBefore = await load(viewer);
      const ownerBefore = await load(owner);
      // The attack: one person (year 2, every item 3, item 9 fired) submits between two loads.
      await respond(3, 2, 3);
      const viewerAfter = await load(viewer);
      views.forEach((url, i) => {
        expect(viewerAfter[i], `${url} moved by one response for a viewer`).toBe(viewerBefore[i]);
      });
      // Owners and analysts, who can export the rows anyway, keep exact live figures.
      const ownerAfter = await load(owner);
      expect(ownerAfter[0]).not.toBe(ownerBefore[0]);
      expect((await get(views[2]!, analyst)).body).toContain('<b id="n-completed" data-k="completed">13</b>');
      // The viewer's page says why it does not move.
      expect(viewerAfter[0]).toContain('published in batches of at least 5 responses');
      // After k more responses the viewer's snapshot moves, by at least k at once.
      for (let i = 0; i < 4; i++) await respond('varied', 1);
      const later = await get(views[0]!, viewer);
      expect(stable(later.body)).not.toBe(viewerBefore[0]);
      expect(later.body).toContain('15 responses');
    });

    it('finding 1: progress counts of a viewer do not single out one person (declined, per day)', async () => {
      for (let i = 0; i < 10; i++) await respond('varied', 1);
      await t.store.counters.increment({ studyId, name: 'declined', by: 1 });
      const v = await get(`/studies/${studyId}/progress`, viewer);
      expect(v.body).toContain('<b id="n-declined" data-k="declined">fewer than 5</b>');
      expect(v.body).not.toMatch(/<td class="n">1<\/td>/);
      const vj = JSON.parse((await get(`/studies/${studyId}/progress.json`, viewer)).body);
      expect(vj.stats.declined).toBe('fewer than 5');
      const counts: string[] = [
        ...Object.values(vj.stats as Record<string, string>),
        ...(vj.dropoff as { cells: string[] }[]).flatMap((r) => r.cells.slice(2)),
        ...(vj.days as { cells: string[] }[]).flatMap((r) => r.cells.slice(1)),
      ];
      expect(counts).not.toContain('1');
      expect(counts).toContain('10+');
      const o = await get(`/studies/${studyId}/progress`, owner);
      expect(o.body).toContain('<b id="n-declined" data-k="declined">1</b>');
      expect(JSON.parse((await get(`/studies/${studyId}/progress.json`, owner)).body).stats.declined).toBe(
        '1',
      );
    });

    it('finding 2: padding a group of one with near-identical made-up responses lifts nothing for a viewer', async () => {
      // Ten real respondents: nine in year 1, one in year 2 (the target).
      for (let i = 0; i < 9; i++) await respond('varied', 1);
      await respond('varied', 2);
      // The attack: five made-up year-2 responses with known answers, sent one after another.
      for (let i = 0; i < 5; i++) await respond(0, 2);
      const url = `/studies/${studyId}/analysis?group=year`;
      const shown = 'Comparisons by year are not shown: at least one group has fewer than 5 respondents';
      const v = await get(url, viewer);
      expect(v.statusCode).toBe(200);
      expect(v.body).toContain(shown);
      expect(v.body).toContain('10 responses');
      // The analyst sees everything and the burst to review (rows 13–15: the third fake on).
      const a = await get(url, analyst);
      expect(a.body).not.toContain(shown);
      expect(a.body).toContain('Responses to review');
      expect(a.body).toContain('<td>13, 14, 15</td><td>not reviewed</td>');
      // A row that is not flagged is refused with the flagged ones named; nothing is recorded.
      const bad = await post(`/studies/${studyId}/analysis/review`, { rows: '3', decision: 'keep' }, analyst);
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('positions 13, 14, 15');
      // Excluding keeps them out; a viewer still learns nothing.
      const ex = await post(
        `/studies/${studyId}/analysis/review`,
        { rows: '13,14,15', decision: 'exclude' },
        analyst,
      );
      expect(ex.statusCode).toBe(303);
      expect((await get(url, viewer)).body).toContain(shown);
      expect((await get(url, analyst)).body).toContain('<td>13, 14, 15</td><td>excluded</td>');
      const audit = await t.store.audit.listForStudy(studyId, { action: 'responses.review' });
      expect(audit.map((e) => e.detail)).toEqual([
        { rows: [13, 14, 15], decision: 'exclude', releasedAfter: 15 },
      ]);
      // Kept (the analyst judged them real): they join the viewer's snapshot after the responses stored before.
      await post(`/studies/${studyId}/analysis/review`, { rows: '13,14,15', decision: 'keep' }, analyst);
      const kept = await get(url, viewer);
      expect(kept.body).toContain('15 responses');
      expect(kept.body).not.toContain(shown);
    });

    it('finding 3: the one PHQ-9 score of 27 (and the one age of 41) does not print as the maximum', async () => {
      for (let i = 0; i < 12; i++) await respond(i % 2 ? 'varied' : 0, (i % 2) + 1);
      await respond(3, 1, 3); // the one severe respondent: 27
      for (let i = 0; i < 2; i++) await respond('varied', 2); // to the next batch of k for the viewer's snapshot
      for (const who of [viewer, owner]) {
        const r = await get(`/studies/${studyId}/analysis`, who);
        expect(r.statusCode).toBe(200);
        expect(r.body).toContain('Severe');
        expect(r.body).not.toMatch(/>27(\.0+)?</);
        // Nor the one age of 41 (number-question table and sentence). Only the page's text is searched: a CSRF
        // token or a link may hold the digits 41 by chance.
        expect(pageText(r.body)).not.toMatch(/(?<![\d.])41(?!\d)/);
        expect(r.body).toContain('A minimum or maximum shared by fewer than 5 respondents is not shown');
      }
    });
    it('finding 4: qualitative pages do not name an attribute value under k to a viewer', async () => {
      const base = `/studies/${studyId}/qual`;
      expect((await post(base, { name: 'FGD' }, owner)).statusCode).toBe(303);
      const src = await post(
        `${base}/sources`,
        { name: 'FGD 1', language: 'en', text: ENGLISH_TRANSCRIPT, participants: '1', pseudonymize: '1' },
        owner,
      );
      expect(src.statusCode).toBe(201);
      const project = (await t.store.qual.byStudy(studyId))!;
      for (const pid of ['p1', 'p2', 'p3', 'p4']) {
        const p = (await t.store.qual.entity(project.id, 'participant', pid))!;
        const r = await post(
          `${base}/participants/${pid}`,
          {
            version: p.version,
            pseudonym: pid.toUpperCase(),
            attributes: `diagnosis: ${pid === 'p4' ? 'bipolar disorder' : 'depression'}`,
            eligible: '1',
          },
          owner,
        );
        expect(r.statusCode, r.body.slice(0, 500)).toBe(303);
      }
      // Every qualitative page and download a viewer may open.
      const pages: [string, LightMyRequestResponse][] = [];
      for (const url of [
        `${base}/checklists`,
        `${base}/checklists.md`,
        `${base}/checklists.docx`,
        `${base}/queries?attribute=diagnosis`,
        `${base}/compare`,
        base,
      ])
        pages.push([url, await get(url, viewer)]);
      const textOf = (url: string, r: LightMyRequestResponse) => {
        if (!url.endsWith('.docx')) return r.body;
        const doc = readZip(new Uint8Array(r.rawPayload)).entries.find((e) => e.name === 'word/document.xml');
        return new TextDecoder().decode(doc!.data);
      };
      for (const [url, r] of pages) {
        expect(r.statusCode, url).toBe(200);
        const body = textOf(url, r);
        expect(body, url).toContain(url.includes('checklists') ? 'values held by fewer than 5' : '');
        expect(body, url).not.toContain('bipolar');
        // No count of participants from 1 to k − 1 in an attribute description.
        expect(body, url).not.toMatch(/depression [1-4]\b/);
      }
      // The owner, who reads the transcripts, sees the exact description.
      const own = await get(`${base}/checklists`, owner);
      expect(own.body).toContain('bipolar disorder 1');
    });
  });
}

describe("a viewer's snapshot with flagged responses (src/server/studio/review.ts viewerSelection)", () => {
  const flags = (reviews: [number, 'keep' | 'exclude', number][]) => ({
    total: 12,
    bursts: [[7, 8]],
    reviews: new Map(reviews.map(([p, decision, releasedAfter]) => [p, { decision, releasedAfter }])),
  });
  it('leaves flagged responses out and cuts to whole batches of k', () => {
    // 10 eligible of 12 (positions 7 and 8 flagged): all 10.
    expect([...viewerSelection(flags([]), 5)].sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 9, 10, 11,
    ]);
    expect(viewerSelection(flags([[7, 'exclude', 12]]), 5).has(7)).toBe(false);
  });
  it('keeping one flagged response does not swap it into a published snapshot (no difference of one person)', () => {
    const before = viewerSelection(flags([]), 5);
    // Kept when the study had 12 responses: it queues after them, so the snapshot of 10 is unchanged.
    const after = viewerSelection(flags([[7, 'keep', 12]]), 5);
    expect([...after].sort((a, b) => a - b)).toEqual([...before].sort((a, b) => a - b));
    // With four more kept-or-new responses the next batch of 5 is published, the kept one among them.
    const grown = viewerSelection(
      {
        ...flags([
          [7, 'keep', 12],
          [8, 'keep', 12],
        ]),
        total: 15,
      },
      5,
    );
    expect(grown.size).toBe(15);
  });
});

describe('the suppression policy (src/core/privacy/suppression.ts)', () => {
  it('gives exact figures to roles that read row data, protected ones to viewers', () => {
    expect(audienceOf('owner')).toBe('exact');
    expect(audienceOf('analyst')).toBe('exact');
    expect(audienceOf('coder')).toBe('exact');
    expect(audienceOf('viewer')).toBe('protected');
    expect(audienceOf('anything else')).toBe('protected');
  });
  it('suppresses small cells with a complement, coarsens counts and grows snapshots by k', () => {
    expect([...cellsToSuppress([10, 3, 20], 5)].sort()).toEqual([0, 1]);
    expect(coarseCount(0, 5, 'protected')).toBe('fewer than 5');
    expect(coarseCount(4, 5, 'protected')).toBe('fewer than 5');
    expect(coarseCount(14, 5, 'protected')).toBe('10+');
    expect(coarseCount(14, 5, 'exact')).toBe('14');
    expect(snapshotSize(14, 5)).toBe(10);
    expect(snapshotSize(15, 5)).toBe(15);
    expect(snapshotSize(4, 5)).toBe(0);
    expect(snapshotSize(7, 0)).toBe(7);
    expect(extremeShown([27, 1, 1, 1, 1, 1], 27, 5)).toBe(false);
    expect(extremeShown([1, 1, 1, 1, 1, 27], 1, 5)).toBe(true);
  });
});
