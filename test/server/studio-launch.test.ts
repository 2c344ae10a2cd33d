/**
 * The launch step and the QR poster (issue 14), in process: the checklist lists what blocks the launch and
 * what is unverified (BACE's placeholder wording, no consent text, a localhost public address); a launch needs
 * the confirmation posted from that page (a bare POST changes nothing); the poster's PNG and SVG carry a QR code
 * that decodes (jsQR) back to exactly the study link, and so does the A4 PDF's QR image, whose text (read back
 * with pdftotext) has the title, the call to take part and the link.
 */
import { Resvg } from '@resvg/resvg-js';
import jsQR from 'jsqr';
import { PDFDocument } from 'pdf-lib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POSTER_CALL } from '../../src/render/poster.js';
import { HAS_PDFTOTEXT, pdfImages, pdfText } from '../helpers/pdf.js';
import { ownerStudio, serverBackends, type studioClient, type TestApp, testApp } from './helpers.js';

let t: TestApp;
let c: ReturnType<typeof studioClient>;

/** RGBA pixels of a PNG, decoded by resvg's image decoder (an SVG showing the PNG at its own size). */
function pngPixels(png: Buffer): { data: Uint8ClampedArray; width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}"><image width="${width}" height="${height}" xlink:href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  const out = new Resvg(svg).render();
  return { data: new Uint8ClampedArray(out.pixels), width: out.width, height: out.height };
}

function decode(p: { data: Uint8ClampedArray; width: number; height: number }): string | undefined {
  return jsQR(p.data, p.width, p.height)?.data;
}

for (const backend of serverBackends()) {
  describe(`launch on ${backend.name}`, () => {
    beforeEach(async () => {
      ({ t, c } = await ownerStudio(backend));
    });
    afterEach(async () => {
      await t.close();
    });

    it('shows the checklist: placeholder wording, no consent text and a localhost address are unverified', async () => {
      const id = await c.createStudy({ title: 'Barriers', instruments: ['bace3'], acknowledge: ['bace3'] });
      const r = await c.get(`/studies/${id}/launch`);
      expect(r.statusCode).toBe(200);
      const item = (key: string) =>
        new RegExp(`<li class="check-(\\w+)" id="check-${key}">`).exec(r.body)?.[1];
      expect(item('ready')).toBe('done');
      expect(item('wording')).toBe('unverified');
      expect(r.body).toMatch(/bace3_14[^<]*placeholder|placeholder wording/);
      expect(item('consent')).toBe('unverified');
      expect(item('address')).toBe('unverified');
      expect(r.body).toContain('the public address is http://localhost');
      expect(r.body).toContain('4 items are unverified: launching confirms you have seen them');
      expect(r.body).toContain(`Launch “Barriers” now`);

      // A bare POST (e.g. an old bookmark or form) asks for the confirmation and changes nothing.
      const bare = await c.post(`/studies/${id}/launch`, {});
      expect(bare.statusCode).toBe(303);
      expect(bare.headers.location).toBe(`/studies/${id}/launch`);
      expect((await t.store.studies.byId(id))!.status).toBe('draft');

      const ok = await c.post(`/studies/${id}/launch`, { confirmed: '1' });
      expect(ok.headers.location).toBe(`/studies/${id}/share?launched=1`);
      expect((await t.store.studies.byId(id))!.status).toBe('open');
      expect((await c.get(`/studies/${id}/launch`)).body).toContain('The study is already open');
    });

    it('blocks the launch on the checklist when something a launch needs is missing', async () => {
      const id = await c.createStudy({ title: 'Depression', instruments: ['phq9'] });
      const r = await c.get(`/studies/${id}/launch`);
      expect(r.body).toContain('<li class="check-blocking" id="check-ready">');
      expect(r.body).toContain('add at least one support contact');
      expect(r.body).not.toContain('now</button>');
      expect((await c.post(`/studies/${id}/launch`, { confirmed: '1' })).statusCode).toBe(409);
      expect((await t.store.studies.byId(id))!.status).toBe('draft');
    });

    it('serves a poster whose QR code (PNG and SVG) decodes to the study link', async () => {
      const id = await c.createStudy({ title: 'Sleep and exams among first-year students' });
      const study = (await t.store.studies.byId(id))!;
      const link = `${t.config.publicUrl}/s/${study.publicToken}`;
      const pageRes = await c.get(`/studies/${id}/poster`);
      expect(pageRes.statusCode).toBe(200);
      expect(pageRes.body).toContain(link);
      expect(pageRes.body).toContain('@media print');

      const png = await c.get(`/studies/${id}/poster.png`);
      expect(png.statusCode).toBe(200);
      expect(png.headers['content-type']).toBe('image/png');
      expect(png.headers['content-disposition']).toBe(`attachment; filename="study-${id}-poster.png"`);
      const pixels = pngPixels(png.rawPayload);
      expect([pixels.width, pixels.height]).toEqual([2480, 3507]);
      expect(decode(pixels)).toBe(link);

      const svg = await c.get(`/studies/${id}/poster.svg`);
      expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(svg.body).toContain('>Sleep and exams among<');
      expect(svg.body).toContain('>first-year students<');
      const r = new Resvg(svg.body, { fitTo: { mode: 'width', value: 1200 } }).render();
      expect(decode({ data: new Uint8ClampedArray(r.pixels), width: r.width, height: r.height })).toBe(link);
    });

    it('serves the poster as an A4 PDF whose QR image decodes to the study link', async () => {
      const id = await c.createStudy({ title: 'Sleep and exams among first-year students' });
      const link = `${t.config.publicUrl}/s/${(await t.store.studies.byId(id))!.publicToken}`;
      expect((await c.get(`/studies/${id}/poster`)).body).toContain(`href="/studies/${id}/poster.pdf"`);
      const res = await c.get(`/studies/${id}/poster.pdf`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="study-${id}-poster.pdf"`);
      const doc = await PDFDocument.load(res.rawPayload);
      expect(doc.getPageCount()).toBe(1);
      const { width, height } = doc.getPage(0).getSize();
      expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
      expect(doc.getTitle()).toBe('Sleep and exams among first-year students');
      const images = await pdfImages(res.rawPayload);
      expect(images).toHaveLength(1);
      expect(decode(images[0]!)).toBe(link);
    });

    it.skipIf(!HAS_PDFTOTEXT)(
      'writes the title, the call to take part and the link as text in the PDF poster (needs pdftotext: apt-get install poppler-utils)',
      async () => {
        const id = await c.createStudy({ title: 'Sleep and exams among first-year students' });
        const link = `${t.config.publicUrl}/s/${(await t.store.studies.byId(id))!.publicToken}`;
        const text = pdfText((await c.get(`/studies/${id}/poster.pdf`)).rawPayload);
        expect(text).toContain('Sleep and exams among first-year students');
        expect(text).toContain(POSTER_CALL);
        expect(text).toContain(link);
      },
    );

    it('refuses a PDF poster whose title has a character the fonts lack, naming it', async () => {
      const id = await c.createStudy({ title: 'Sleep 🙂 study' });
      const res = await c.get(`/studies/${id}/poster.pdf`);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('The study title has the character &quot;🙂&quot; (U+1F642)');
    });
  });
}

describe('a public address respondents can reach', () => {
  it('has no address line problem with a real domain, and a decodable poster for it', async () => {
    const app = await testApp({ config: { publicUrl: 'https://survey.example.org' } });
    try {
      const u = await app.createUser({ email: 'o@example.org', name: 'O' });
      const who = await app.signIn(u.email, u.password);
      const { studioClient } = await import('./helpers.js');
      const cc = studioClient(app, who);
      const id = await cc.createStudy({ title: 'Reachable' });
      const r = await cc.get(`/studies/${id}/launch`);
      expect(r.body).toContain('<li class="check-done" id="check-address">');
      const token = (await app.store.studies.byId(id))!.publicToken;
      const png = await cc.get(`/studies/${id}/poster.png`);
      expect(decode(pngPixels(png.rawPayload))).toBe(`https://survey.example.org/s/${token}`);
    } finally {
      await app.close();
    }
  });
});
