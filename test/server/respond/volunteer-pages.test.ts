/**
 * The follow-up volunteer pages (respond/volunteerPages.ts) as pure functions of their view: the study's
 * description, the messages and the personal link are escaped, in English and Urdu.
 */
import { describe, expect, it } from 'vitest';
import { resolveStudy } from '../../../src/core/study/resolve.js';
import { getInstrument, instrumentIds } from '../../../src/instruments/index.js';
import { renderVolunteer } from '../../../src/server/respond/volunteerPages.js';

const EVIL = `<script>alert("x")</script>'`;

function common(lang: string) {
  const r = resolveStudy(
    {
      id: 'fu',
      title: 'Screening',
      languages: ['en', 'ur'],
      instruments: [{ instrument: 'phq9' }],
      followUp: { eligibleIf: 'band.phq9_total in ["Moderate"]', description: { en: EVIL, ur: EVIL } },
    },
    getInstrument,
    instrumentIds(),
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return { resolved: r.value, lang, hidden: { _csrf: EVIL } };
}

describe('volunteer pages', () => {
  for (const lang of ['en', 'ur']) {
    it(`escape the description, hidden fields and the personal link (${lang})`, () => {
      const form = renderVolunteer(common(lang), { kind: 'form', errors: ['contact', 'agree'] });
      expect(form.status).toBe(400);
      expect(form.body).toContain('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;</p>');
      expect(form.body).toContain(
        'name="_csrf" value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;"',
      );
      expect(form.body).not.toContain('<script>alert');
      expect(form.body).toContain('<a href="#f-email">');
      expect(form.body).toContain(
        '<input type="checkbox" name="agree" value="1" id="f-agree" aria-invalid="true" aria-describedby="e-agree">',
      );

      const done = renderVolunteer(common(lang), { kind: 'done', personalLink: `https://x/v/"${EVIL}` });
      expect(done.body).toContain('<a href="https://x/v/&quot;&lt;script&gt;');
      expect(done.body).not.toContain('<script>alert');
      expect(renderVolunteer(common(lang), { kind: 'gone' }).status).toBe(404);
    });
  }
});
