import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Instrument, InstrumentSchema } from '../../../src/core/instrument/schema.js';
import type { Answers } from '../../../src/core/response/submission.js';
import { parsePageSubmission } from '../../../src/core/response/submission.js';
import { buildFlow, type Flow } from '../../../src/core/study/pages.js';
import { type ResolvedStudy, resolveStudy } from '../../../src/core/study/resolve.js';
import { RESPOND_JS } from '../../../src/server/respond/assets.js';
import { chooseEncoding, compressBody } from '../../../src/server/respond/compress.js';
import { languageLinksAt, type RespondContext, renderPage } from '../../../src/server/respond/render.js';
import { RESPOND_CSP } from '../../../src/server/ui/headers.js';

const EVIL = `<script>alert("x")</script> & 'q' <img src=x onerror=alert(1)>`;

const mini: Instrument = InstrumentSchema.parse({
  id: 'mini',
  version: '1',
  title: { en: 'Mini scale', ur: 'مختصر پیمانہ' },
  shortTitle: 'MINI',
  citation: 'Test instrument',
  licence: { name: 'test', textIncluded: true, terms: 'none', attribution: `MINI © Test & Co. <Licensed>` },
  instructions: { en: 'How much has each stopped you?' },
  languages: ['en'],
  scales: [
    {
      id: 's',
      options: [
        { value: 0, label: { en: 'Not at all' } },
        { value: 1, label: { en: EVIL } },
        { value: 2, label: { en: 'Quite a lot' } },
        { value: 3, label: { en: 'A lot' } },
      ],
      notApplicableLabel: { en: 'Not applicable' },
    },
  ],
  items: [
    { id: 'm1', scale: 's', text: { en: `Item with ${EVIL}` }, required: true },
    { id: 'm2', scale: 's', text: { en: 'Second item', ur: 'دوسرا سوال' }, notApplicable: true },
  ],
});

const studyInput = {
  id: 's1',
  title: `Study ${EVIL}`,
  languages: ['en', 'ur'],
  instruments: [{ instrument: 'mini' }],
  questions: [
    {
      id: 'age',
      type: 'number',
      text: { en: 'Age (years)', ur: 'عمر (سال)' },
      min: 18,
      max: 80,
      integer: true,
      required: true,
    },
    {
      id: 'gender',
      type: 'single',
      text: { en: 'Gender', ur: 'جنس' },
      options: [
        { value: 1, label: { en: 'Female', ur: 'خاتون' } },
        { value: 2, label: { en: 'Male', ur: 'مرد' } },
      ],
    },
    {
      id: 'hobbies',
      type: 'multiple',
      text: { en: 'Hobbies' },
      options: [
        { value: 1, label: { en: 'Reading' } },
        { value: 2, label: { en: 'Sport' } },
      ],
    },
    { id: 'comment', type: 'longtext', text: { en: 'Anything else?' }, maxLength: 200 },
  ],
  collection: {
    consent: {
      version: 3,
      text: { en: `First paragraph ${EVIL}\n\nSecond paragraph\nwith a line break.`, ur: 'پہلا پیراگراف' },
    },
    eligibility: {
      questions: [
        {
          id: 'student',
          type: 'single',
          text: { en: 'Are you a student?' },
          options: [
            { value: 1, label: { en: 'Yes' } },
            { value: 0, label: { en: 'No' } },
          ],
          required: true,
        },
      ],
      eligibleIf: 'student = 1',
      ineligibleMessage: { en: `Sorry ${EVIL}` },
    },
    supportContacts: [
      {
        name: { en: `Counselling <i>service</i>` },
        phone: '+92 51 111-222-333',
        hours: { en: '9–5' },
        url: 'https://help.example.org/x?a=1&b=2',
        description: { en: 'Free & confidential' },
      },
      { name: { en: 'Helpline' }, phone: '0800 12345' },
    ],
    thankYou: { en: `Thanks ${EVIL}` },
  },
};

function setup(): { resolved: ResolvedStudy; flow: Flow } {
  const r = resolveStudy(studyInput, (id) => (id === 'mini' ? mini : undefined), ['mini']);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  // The schema refuses a javascript: link (test/server/hardening.test.ts); the renderer must not print one even
  // so (a definition stored before that check).
  (r.value.study.collection.supportContacts[1] as { url?: string }).url = 'javascript:alert(1)';
  const f = buildFlow(r.value);
  if (!f.ok) throw new Error(JSON.stringify(f.issues));
  return { resolved: r.value, flow: f.value };
}
const { resolved, flow } = setup();
const common = {
  resolved,
  lang: 'en',
  action: '/s/abc',
  hidden: { _csrf: 'tok"en<' },
  idempotencyKey: 'idem-"1"',
};
const page = (pageId: string, extra: Partial<Extract<RespondContext, { view: 'page' }>> = {}) =>
  renderPage({
    ...common,
    view: 'page',
    flow,
    pageId,
    answers: { student: { kind: 'value', value: 1 } },
    ...extra,
  });

const TAGS = new Set(
  'html head meta title style body header nav main footer script h1 h2 p a progress div ul li form input button fieldset legend label span br textarea bdi strong'.split(
    ' ',
  ),
);
const ATTRS = new Set(
  'lang dir charset name content aria-label href hreflang id class max value aria-labelledby role tabindex method action autocomplete data-k data-m data-s data-e data-r data-end novalidate autofocus for type checked required aria-describedby aria-invalid formnovalidate form inputmode maxlength rows rel autocapitalize spellcheck'.split(
    ' ',
  ),
);

/** Every tag and attribute in a page, with script and style contents removed; throws on a stray "<". */
function markup(html: string): { tags: Set<string>; attrs: Set<string> } {
  const stripped = html
    .replace(/<script>[\s\S]*?<\/script>/g, '<script></script>')
    .replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  const tags = new Set<string>();
  const attrs = new Set<string>();
  let count = 0;
  for (const m of stripped.matchAll(
    /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+(?:="[^"<>]*")?)*)\s*>|<!doctype html>/g,
  )) {
    count++;
    if (!m[2]) continue;
    tags.add(m[2].toLowerCase());
    for (const a of (m[3] ?? '').matchAll(/([a-zA-Z-]+)(?:="[^"]*")?/g)) attrs.add(a[1]!.toLowerCase());
  }
  expect(count, 'every "<" starts a well-formed tag').toBe((stripped.match(/</g) ?? []).length);
  return { tags, attrs };
}

function expectSafe(html: string): void {
  const { tags, attrs } = markup(html);
  expect([...tags].filter((t) => !TAGS.has(t))).toEqual([]);
  expect([...attrs].filter((a) => !ATTRS.has(a))).toEqual([]);
  expect(html.match(/<script>/g)?.length ?? 0).toBeLessThanOrEqual(1);
  expect(html).not.toContain('alert("x")</script>');
  // No fetches from the stylesheet or script either.
  const assets = [...html.matchAll(/<(?:style|script)>([\s\S]*?)<\/(?:style|script)>/g)]
    .map((m) => m[1])
    .join('');
  expect(assets).not.toMatch(
    /@import|url\(|https?:|\/\/[a-z]|fetch\(|XMLHttpRequest|sendBeacon|\.src\b|createElement\(['"](?!(?:p|div|h2|ul|li|a)['"])/i,
  );
}

const ALL_VIEWS: RespondContext[] = [
  { ...common, view: 'page', flow, pageId: 'consent', answers: {} },
  { ...common, view: 'page', flow, pageId: 'e1', answers: {} },
  { ...common, view: 'page', flow, pageId: 'p1', answers: {} },
  { ...common, view: 'page', flow, pageId: 'p2', answers: {} },
  { ...common, view: 'review', flow, answers: {} },
  { ...common, view: 'thanks', referralLink: 'https://nabz.example/s/abc?r="x"' },
  { ...common, view: 'support' },
  { ...common, view: 'ineligible' },
  { ...common, view: 'declined' },
  {
    ...common,
    view: 'resume-code',
    code: '<b>K7M-4QX</b>',
    expires: '2026-06-30',
    continueHref: '/s/abc?x="1"',
  },
  { ...common, view: 'resume', notFound: true, code: '"><script>' },
  { ...common, view: 'closed' },
  { view: 'error', kind: 'not_found', lang: 'ur', resolved },
];

describe('renderPage: escaping and no third-party content', () => {
  for (const ctx of ALL_VIEWS) {
    it(`${ctx.view}${'pageId' in ctx ? ` ${ctx.pageId}` : ''} escapes all text and uses only allowed markup`, () => {
      const r = renderPage(ctx);
      expectSafe(r.body);
      expect(r.body.startsWith('<!doctype html><html lang="')).toBe(true);
      expect(r.headers['content-security-policy']).toBe(RESPOND_CSP);
      expect(r.headers['cache-control']).toBe('no-store');
    });
  }

  it('shows hostile text escaped, exactly once as text', () => {
    const r = page('p2');
    expect(r.body).toContain(
      '<title>Mini scale – Study &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &lt;img src=x onerror=alert(1)&gt;</title>',
    );
    expect(r.body).toContain('<legend>1. Item with &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(r.body).toContain('<input type="hidden" name="_csrf" value="tok&quot;en&lt;">');
    expect(r.body).toContain('<input type="hidden" name="_idem" value="idem-&quot;1&quot;">');
    expect(r.body).toContain(
      '<footer><p lang="en" dir="ltr">MINI © Test &amp; Co. &lt;Licensed&gt;</p></footer>',
    );
  });

  it('allows exactly the inline style and script by hash (no unsafe-inline), and nothing else', () => {
    const r = page('p2');
    const style = /<style>([\s\S]*?)<\/style>/.exec(r.body)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(r.body)![1]!;
    const hash = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    expect(RESPOND_CSP).toBe(
      `default-src 'none'; style-src ${hash(style)}; script-src ${hash(script)}; img-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(RESPOND_CSP).not.toContain('unsafe');
  });

  // 3.5 KB: the client-side check builds the same error summary as the server's (was 3 KB before it did).
  it('ships a syntactically valid script of at most 3.5 KB', () => {
    expect(Buffer.byteLength(RESPOND_JS)).toBeLessThanOrEqual(3584);
    expect(() => new Function(RESPOND_JS)).not.toThrow();
    expect(renderPage({ ...common, script: false, view: 'closed' }).body).not.toContain('<script>');
  });
});

describe('renderPage: forms that work without JavaScript', () => {
  it('renders a content page as a POST form with fieldsets, legends, labelled radios and control fields', () => {
    const b = page('p2').body;
    expect(b).toContain(
      '<form method="post" action="/s/abc" id="rf" autocomplete="off" novalidate data-k="s1:p2" data-m="Please answer this question." data-s="Please correct the following" data-e="Error: ">',
    );
    expect(b).toContain('<input type="hidden" name="_page" value="p2">');
    expect(b).toContain('<fieldset class="q l" id="q-m1" data-r><legend>1. Item with');
    expect(b).toContain(
      '<label><input type="radio" name="m1" value="0" id="f-m1" required> Not at all</label>',
    );
    expect(b).toContain('<label><input type="radio" name="m2" value="na"> Not applicable</label>');
    expect(b).not.toContain('name="m1" value="na"');
    expect(b).not.toContain('<h2>Mini scale</h2>');
    expect(b).toContain('<p>How much has each stopped you?</p>');
    expect(b).toContain(
      '<div class="bt"><button class="p" name="_nav" value="next">Next</button><button name="_nav" value="back" formnovalidate>Back</button><button name="_nav" value="save" formnovalidate>Save and continue later</button></div>',
    );
    // Only some items are required: the required one is marked.
    expect(b).toContain('<span class="rq">(Required)</span>');
  });

  it('renders number, multiple-choice and long-text questions with labels and hints', () => {
    const b = page('p1').body;
    expect(b).toContain(
      '<div class="q" id="q-age" data-r><label for="f-age">Age (years) <span class="rq">(Required)</span></label><p class="h" id="h-age">A whole number from 18 to 80</p><input type="text" inputmode="numeric" name="age" id="f-age" aria-describedby="h-age" required maxlength="32" value="">',
    );
    expect(b).toContain('<label><input type="checkbox" name="hobbies" value="2"> Sport</label>');
    expect(b).toContain(
      '<textarea rows="4" name="comment" id="f-comment" aria-describedby="h-comment" maxlength="200"></textarea>',
    );
  });

  it('shows progress as text and a <progress> element', () => {
    const b = page('p1').body;
    expect(b).toContain(
      '<p class="pg" id="pg">Page 3 of 5</p><progress max="5" value="3" aria-labelledby="pg"></progress>',
    );
  });

  it('prefills from stored answers, or from the posted fields after errors', () => {
    const answers: Answers = {
      student: { kind: 'value', value: 1 },
      m1: { kind: 'value', value: 2 },
      m2: { kind: 'na' },
    };
    const b = renderPage({ ...common, view: 'page', flow, pageId: 'p2', answers }).body;
    expect(b).toContain('<input type="radio" name="m1" value="2" checked>');
    expect(b).toContain('<input type="radio" name="m2" value="na" checked>');
    const fields = { age: '17"<', gender: '2', comment: 'a <b> c' };
    const parsed = parsePageSubmission(flow, 'p1', fields, {});
    const r = renderPage({
      ...common,
      view: 'page',
      flow,
      pageId: 'p1',
      answers: {},
      fields,
      errors: parsed.errors,
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain('value="17&quot;&lt;"');
    expect(r.body).toContain('<input type="radio" name="gender" value="2" checked>');
    expect(r.body).toContain('>a &lt;b&gt; c</textarea>');
  });

  it('links errors from a summary at the top and with aria-describedby', () => {
    const parsed = parsePageSubmission(flow, 'p2', { m2: '1' }, {});
    const b = renderPage({
      ...common,
      view: 'page',
      flow,
      pageId: 'p2',
      answers: {},
      fields: { m2: '1' },
      errors: parsed.errors,
    }).body;
    expect(b).toContain(
      '<div class="es" id="es" role="alert" tabindex="-1" autofocus><h2>Please correct the following</h2><ul><li><a href="#f-m1">Please choose an answer for item 1.</a></li></ul></div>',
    );
    expect(b).toContain(
      '<fieldset class="q l bad" id="q-m1" aria-describedby="e-m1" aria-invalid="true" data-r>',
    );
    // Each radio of the group is described by the message too.
    expect(b).toContain(
      '<input type="radio" name="m1" value="0" id="f-m1" aria-describedby="e-m1" required>',
    );
    expect(b).toContain('<input type="radio" name="m1" value="1" aria-describedby="e-m1">');
    expect(b).toContain('<p class="er" id="e-m1">Please choose an answer for item 1.</p>');
    expect(b).toContain('id="f-m1"');
    const num = parsePageSubmission(flow, 'p1', { age: '12' }, {});
    const nb = renderPage({
      ...common,
      view: 'page',
      flow,
      pageId: 'p1',
      answers: {},
      fields: { age: '12' },
      errors: num.errors,
    }).body;
    expect(nb).toContain('aria-describedby="h-age e-age" aria-invalid="true"');
    expect(nb).toContain('<li><a href="#f-age">Age must be a whole number between 18 and 80.</a></li>');
  });

  it('renders consent with paragraphs, version and agree/decline buttons; screening without a save button', () => {
    const c = renderPage({
      ...common,
      view: 'page',
      flow,
      pageId: 'consent',
      answers: {},
      resumeHref: '/s/abc/resume',
    }).body;
    expect(c).toContain('<h1>Information and consent</h1>');
    expect(c).toContain('<p>Second paragraph<br>with a line break.</p>');
    expect(c).toContain('<p class="h">Consent text version 3</p>');
    expect(c).toContain(
      '<button class="p" name="_consent" value="agree">I agree to take part</button><button name="_consent" value="decline">I do not agree</button>',
    );
    expect(c).toContain('<a href="/s/abc/resume">Have a resume code? Continue where you left off</a>');
    const e = renderPage({ ...common, view: 'page', flow, pageId: 'e1', answers: {} }).body;
    expect(e).toContain('<h1>A few questions first</h1>');
    expect(e).toContain('<p class="h">Please answer every question on this page.</p>');
    expect(e).not.toContain('value="save"');
    expect(e).not.toContain('(Required)');
  });

  it('renders the review page with a Change button per page and Submit', () => {
    const answers: Answers = {
      student: { kind: 'value', value: 1 },
      age: { kind: 'value', value: 30 },
      gender: { kind: 'skipped' },
      m1: { kind: 'value', value: 0 },
    };
    const b = renderPage({ ...common, view: 'review', flow, answers }).body;
    expect(b).toContain(
      '<li><span>Questions</span><span>1 of 4 answered</span><button name="_nav" value="goto:p1" formnovalidate>Change<span class="vh"> Questions</span></button></li>',
    );
    expect(b).toContain('<span>1 of 2 answered</span>');
    expect(b).toContain('<button class="p" name="_nav" value="submit">Submit</button>');
    expect(b).toContain('<p class="pg" id="pg">Page 5 of 5</p>');
  });

  it('returns 404 for an unknown page id', () => {
    expect(renderPage({ ...common, view: 'page', flow, pageId: 'p99', answers: {} }).status).toBe(404);
  });
});

describe('renderPage: Urdu, right to left, with English fallback marked', () => {
  const ur = {
    ...common,
    lang: 'ur',
    languageLinks: [
      { lang: 'en', href: '/s/abc?lang=en' },
      { lang: 'ur', href: '/s/abc?lang=ur' },
    ],
  };

  it('sets lang and dir on <html> and uses Urdu UI strings', () => {
    const b = renderPage({ ...ur, view: 'page', flow, pageId: 'p2', answers: {} }).body;
    expect(b.startsWith('<!doctype html><html lang="ur" dir="rtl">')).toBe(true);
    expect(b).toContain('<h1>مختصر پیمانہ</h1>');
    expect(b).toContain('>آگے</button>');
    expect(b).toContain('صفحہ 4 از 5');
    expect(b).toContain(
      '<nav aria-label="زبان"><a href="/s/abc?lang=en" hreflang="en" lang="en" dir="ltr">English</a></nav>',
    );
  });

  it("a session's page: the switch is a button posting the page's form (what was typed is kept)", () => {
    const b = renderPage({
      ...common,
      lang: 'ur',
      languageButtons: ['en', 'ur'],
      view: 'page',
      flow,
      pageId: 'p2',
      answers: {},
    }).body;
    expect(b).toContain(
      '<nav aria-label="زبان"><button class="ln" form="rf" name="_nav" value="lang:en" formnovalidate lang="en" dir="ltr">English</button></nav>',
    );
    expect(b).toMatch(/<form method="post" action="[^"]*" id="rf" /);
    const review = renderPage({
      ...common,
      languageButtons: ['en', 'ur'],
      view: 'review',
      flow,
      answers: {},
    }).body;
    expect(review).toContain('value="lang:ur"');
  });

  it('languageLinksAt: the same URL with lang set, other query values kept; none for one language', () => {
    expect(languageLinksAt('/s/abc?p=submitted&lang=en', ['en', 'ur'])).toEqual([
      { lang: 'en', href: '/s/abc?p=submitted&lang=en' },
      { lang: 'ur', href: '/s/abc?p=submitted&lang=ur' },
    ]);
    expect(languageLinksAt('/s/abc/resume', ['en', 'ur'])![1]).toEqual({
      lang: 'ur',
      href: '/s/abc/resume?lang=ur',
    });
    expect(languageLinksAt('/s/abc?r=AB12', ['en'])).toBeUndefined();
  });

  it('lays out an item without Urdu text in its own language: lang/dir on the whole item, page-language parts marked', () => {
    const b = renderPage({ ...ur, view: 'page', flow, pageId: 'p2', answers: {} }).body;
    // The number stays on the left of the English text ("1. Item …", not "Item … .1" in a right-to-left line).
    expect(b).toContain(
      '<fieldset class="q l" id="q-m1" lang="en" dir="ltr" data-r><legend>1. Item with &lt;script&gt;',
    );
    expect(b).not.toContain('<legend>1. <span lang="en"');
    expect(b).toContain(' <span class="rq" lang="ur" dir="rtl">(لازمی)</span></legend>');
    // Its English options are in the item's language: no span of their own.
    expect(b).toContain('<input type="radio" name="m1" value="2"> Quite a lot</label>');
    // The Urdu item keeps the page's direction; its English-only options are marked.
    expect(b).toContain('<fieldset class="q l" id="q-m2"><legend>2. دوسرا سوال</legend>');
    expect(b).toContain(
      '<input type="radio" name="m2" value="2"> <span lang="en" dir="ltr">Quite a lot</span></label>',
    );
    const p1 = renderPage({ ...ur, view: 'page', flow, pageId: 'p1', answers: {} }).body;
    expect(p1).toContain('<label for="f-age">عمر (سال) <span class="rq">(لازمی)</span></label>');
    expect(p1).toContain('<p class="h" id="h-age">18 سے 80 تک کوئی مکمل عدد</p>');
    expect(p1).toContain('<label><input type="radio" name="gender" value="1" id="f-gender"> خاتون</label>');
  });

  it('does not mark English text on an English page', () => {
    expect(page('p2').body).not.toContain('lang="en" dir="ltr">Item');
  });
});

describe('renderPage: end pages', () => {
  it('support page: the researcher contacts with tel: links, only http(s) websites, shown as an end page', () => {
    const r = renderPage({ ...common, view: 'support' });
    expect(r.body).toContain('<h1>Support is available</h1>');
    expect(r.body).toContain('<h2>Counselling &lt;i&gt;service&lt;/i&gt;</h2><p>Free &amp; confidential</p>');
    expect(r.body).toContain('<a href="tel:+9251111222333">Call <bdi dir="ltr">+92 51 111-222-333</bdi></a>');
    expect(r.body).toContain('<a href="tel:080012345">Call <bdi dir="ltr">0800 12345</bdi></a>');
    expect(r.body).toContain('<p>Hours: 9–5</p>');
    expect(r.body).toContain('<a href="https://help.example.org/x?a=1&amp;b=2" rel="noopener noreferrer">');
    expect(r.body).not.toContain('javascript:');
    expect(r.body).toContain('<body data-end>');
  });

  it('thank-you page with the study text and an optional referral link', () => {
    const b = renderPage({ ...common, view: 'thanks', referralLink: 'https://nabz.example/s/abc?r=2' }).body;
    expect(b).toContain('<p>Thanks &lt;script&gt;');
    expect(b).toContain('<h2>Invite others</h2>');
    expect(b).toContain('<a href="https://nabz.example/s/abc?r=2">https://nabz.example/s/abc?r=2</a>');
    expect(b).toContain('<body data-end>');
  });

  it('ineligible and declined pages are polite ends', () => {
    expect(renderPage({ ...common, view: 'ineligible' }).body).toContain('<p>Sorry &lt;script&gt;');
    const d = renderPage({ ...common, view: 'declined' });
    expect(d.status).toBe(200);
    expect(d.body).toContain('You chose not to take part. No answers have been saved.');
  });

  it('resume code page shows the code; resume form reports an unknown code', () => {
    const c = renderPage({ ...common, view: 'resume-code', code: 'K7M-4QX', expires: '30 June 2026' }).body;
    expect(c).toContain('<p>Your resume code is:</p><p class="code">K7M-4QX</p><p>Write it down');
    expect(c).toContain('The code works until 30 June 2026.');
    const f = renderPage({ ...common, view: 'resume', notFound: true, code: 'K7M-4QZ' });
    expect(f.status).toBe(400);
    expect(f.body).toContain('<input type="text" name="code" id="f-code" dir="ltr"');
    expect(f.body).toContain('aria-describedby="h-code e-code" aria-invalid="true" value="K7M-4QZ"');
    expect(f.body).toContain(
      '<a href="#f-code">That code was not found or has expired. Check it and try again.</a>',
    );
  });

  it('closed and error pages with their statuses', () => {
    expect(renderPage({ ...common, view: 'closed' }).body).toContain('<h1>This study is closed</h1>');
    expect(renderPage({ view: 'error', kind: 'not_found' }).status).toBe(404);
    expect(renderPage({ view: 'error', kind: 'rate_limited' }).status).toBe(429);
    expect(renderPage({ view: 'error', kind: 'expired', status: 419 }).status).toBe(419);
    const e = renderPage({ view: 'error', kind: 'server', lang: 'ur' });
    expect(e.body).toContain('<html lang="ur" dir="rtl">');
    expect(e.body).toContain('<h1>کچھ غلط ہو گیا</h1>');
    expect(e.body).not.toContain('<script>');
  });
});

describe('compressBody', () => {
  it('prefers brotli, then gzip, honouring q=0', () => {
    expect(chooseEncoding('gzip, deflate, br')).toBe('br');
    expect(chooseEncoding('gzip, br;q=0')).toBe('gzip');
    expect(chooseEncoding('identity')).toBeUndefined();
    expect(chooseEncoding(undefined)).toBeUndefined();
    expect(chooseEncoding('*')).toBe('br');
  });

  it('round-trips', () => {
    const html = page('p2').body;
    const br = compressBody(html, 'br');
    expect(br.headers).toEqual({ 'content-encoding': 'br', vary: 'accept-encoding' });
    expect(brotliDecompressSync(br.body).toString('utf8')).toBe(html);
    const gz = compressBody(html, 'gzip');
    expect(gunzipSync(gz.body).toString('utf8')).toBe(html);
    expect(compressBody(html, '').headers).toEqual({ vary: 'accept-encoding' });
  });
});
