/**
 * The views of the People, audit, share, new-study, exports, review, text-pack and own-instrument parts of the
 * studio as pure functions (issue 13), without a server: what a user typed or a study's author wrote — a
 * name, an address, a title, a licensee, a statement — is shown escaped, never as markup.
 */
import { describe, expect, it } from 'vitest';
import { getInstrument } from '../../src/instruments/index.js';
import { newStudyView } from '../../src/server/studio/dashboardView.js';
import { exportsView } from '../../src/server/studio/exports.js';
import { presentView, type ShareModel, shareView } from '../../src/server/studio/overviewView.js';
import { ownForm } from '../../src/server/studio/own.js';
import { auditView, type PeopleModel, peopleView } from '../../src/server/studio/peopleView.js';
import { reviewCard } from '../../src/server/studio/review.js';
import { textPanel } from '../../src/server/studio/textpacks.js';
import { html } from '../../src/server/ui/html.js';

const EVIL = `<script>alert("x")</script> 'q'`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;q&#39;';

/** The page shows `EVIL` only escaped. */
function expectEscaped(page: string): void {
  expect(page).toContain(ESCAPED);
  expect(page).not.toContain('<script>');
  expect(page).not.toContain(`"x"`);
}

describe('peopleView and auditView', () => {
  const when = new Date('2026-12-01T10:20:00Z');
  const model: PeopleModel = {
    studyId: 4,
    grants: [{ userId: 7, email: 'a@example.org', displayName: EVIL, role: 'analyst', grantedAt: when }],
    pending: [{ studyId: 4, studyTitle: 'S', email: "o'brien@example.org", role: 'viewer', invitedAt: when }],
    links: [],
    made: { link: `http://x/join/abc"${EVIL}`, role: 'viewer', expiresAt: when },
    notice: `Invitation recorded for ${EVIL}.`,
    error: { message: `"${EVIL}" is not a role`, email: EVIL, role: 'analyst' },
  };

  it('lists members, invitations and the link just made, everything typed escaped', () => {
    const page = peopleView(model, 'tok').text;
    expectEscaped(page);
    expect(page).toContain(`<td>${ESCAPED}</td><td>a@example.org</td><td>analyst</td><td>2026-12-01</td>`);
    expect(page).toContain(`<button>Change ${ESCAPED}'s role</button>`);
    expect(page).toContain('<option value="analyst" selected>analyst</option>');
    expect(page).toContain('<td>o&#39;brien@example.org</td><td>viewer</td>');
    expect(page).toContain(`value="http://x/join/abc&quot;${ESCAPED}"`);
    expect(page).toContain(`<p class="ok" role="status">Invitation recorded for ${ESCAPED}.</p>`);
    expect(page).toContain('Could not change the roles:');
    expect(page).not.toContain('Open invitation links');
  });

  it('shows the audit entries escaped, the chain state and the link to older entries', () => {
    const page = auditView({
      studyId: 4,
      entries: [{ at: when, action: 'role.grant', by: EVIL, detail: { note: EVIL }, hash: 'ab'.repeat(32) }],
      chainOk: false,
      older: 51,
    }).text;
    expectEscaped(page);
    expect(page).toContain('<td>2026-12-01 10:20:00 UTC</td><td><code>role.grant</code></td>');
    expect(page).toContain('<code>{&quot;note&quot;:&quot;&lt;script&gt;');
    expect(page).toContain('The audit chain is broken');
    expect(page).toContain('<a href="/studies/4/audit?older=51">Older entries</a>');
    expect(auditView({ studyId: 4, entries: [], chainOk: true, older: undefined }).text).toContain(
      '<p class="muted">No entries.</p>',
    );
  });
});

describe('shareView and presentView', () => {
  const model: ShareModel = {
    studyId: 3,
    status: 'closed',
    link: `http://x/s/t?a="${EVIL}`,
    whatsapp: 'https://wa.me/?text=a%20b',
    launched: false,
    revoked: '2',
    invitationOnly: true,
    qr: '<svg role="img"></svg>',
    invitations: html`<section id="invite-links"></section>`,
    referrals: {
      seeds: [
        { link: 'http://x/s/t?r=A', isNew: false },
        { link: `http://x/s/t?r=${EVIL}`, isNew: true },
      ],
      canSeed: true,
      waves: [{ wave: 0, links: 2, responses: 5 }],
    },
  };

  it('shows the link escaped, the QR code as drawn, the seed links and the waves', () => {
    const page = shareView(model, 'tok').text;
    expectEscaped(page);
    expect(page).toContain('the link shows a "closed" page until you reopen it');
    expect(page).toContain('<p class="ok">2 unused invitation link(s) revoked.</p>');
    expect(page).toContain('<div class="qr"><svg role="img"></svg></div><section id="invite-links">');
    expect(page).toContain(`<li class="ok"><span class="link">http://x/s/t?r=${ESCAPED}</span></li>`);
    expect(page).toContain('>New seed link</button>');
    expect(page).toContain('<tr><td>0</td><td class="n">2</td><td class="n">5</td></tr>');
    const owner = shareView({ ...model, status: 'open', referrals: undefined, launched: true }, 'tok').text;
    expect(owner).toContain('<p class="ok">The study is open.</p>');
    expect(owner).not.toContain('id="referrals"');
  });

  it('puts the title escaped above the QR code', () => {
    const page = presentView({ title: EVIL, link: 'http://x/s/t', qr: '<svg></svg>' }).text;
    expect(page).toBe(
      `<div class="present"><h1 dir="auto">${ESCAPED}</h1><p>Scan to answer anonymously, or open:</p><p class="link">http://x/s/t</p><div class="qr big"><svg></svg></div></div>`,
    );
  });
});

describe('newStudyView, exportsView and reviewCard', () => {
  it('shows the new-study form again with what was typed, escaped', () => {
    const page = newStudyView('tok', 5, { title: EVIL, instruments: ['phq9'] }, [
      { path: 'title', code: 'x', message: EVIL },
    ]).text;
    expectEscaped(page);
    expect(page).toContain(`value="${ESCAPED}"`);
    expect(page).toContain('suppress groups smaller than k = 5');
  });

  it('offers the export form, or the definition problems instead', () => {
    const m = { studyId: 2, n: 12, imported: 3, isOwner: true, issues: undefined, times: false };
    const page = exportsView(m, 'tok').text;
    expect(page).toContain('12 responses (3 imported from exports');
    expect(page).toContain('href="/studies/2/import"');
    expect(page).toContain('Only dates are exported');
    expect(page).toContain('name="format" value="csv" checked>');
    const bad = exportsView(
      { ...m, isOwner: false, issues: [{ path: 'x', code: 'y', message: EVIL }] },
      'tok',
    );
    expectEscaped(bad.text);
    expect(bad.text).not.toContain('<form');
    expect(bad.text).not.toContain('/import');
  });

  it('names the responses of each burst on its buttons, and is empty when nothing is flagged', () => {
    const flags = {
      total: 9,
      bursts: [[3, 4]],
      reviews: new Map([[3, { decision: 'keep' as const, releasedAfter: 9 }]]),
    };
    const card = reviewCard(5, flags, 'tok').text;
    expect(card).toContain('<td>4, 5</td><td>kept, not reviewed</td>');
    expect(card).toContain('>Keep responses 4, 5 for viewers</button>');
    expect(reviewCard(5, { ...flags, bursts: [] }, 'tok').text).toBe('');
  });
});

describe('textPanel and ownForm', () => {
  const pss = getInstrument('pss10');
  const phq = getInstrument('phq9');
  if (!pss || !phq) throw new Error('library instruments missing');

  it('lists the text packs with who supplied them, escaped, and the form again after a failed post', () => {
    const page = textPanel({
      resolved: pss,
      draft: {
        languages: ['en'],
        instruments: [
          {
            instrument: 'pss10',
            textPacks: [
              {
                instrument: 'pss10',
                version: pss.version,
                language: 'en',
                licensee: EVIL,
                source: EVIL,
                items: {},
              },
            ],
          },
        ],
      },
      base: '/studies/1',
      csrf: 'tok',
      err: { issues: [{ path: 'text', code: 'x', message: EVIL }], fields: { licensee: EVIL } },
    }).text;
    expectEscaped(page);
    expect(page).toContain(`<td dir="auto">${ESCAPED}</td><td dir="auto">${ESCAPED}</td><td>not stated</td>`);
    expect(page).toContain('>Remove the en text of PSS-10</button>');
    expect(page).toContain('<details open>');
    expect(page).toContain('lack text — the study cannot launch until they have it');
  });

  it("fills the own-instrument form from an instrument's items, and from what was typed after a failure", () => {
    const edit = ownForm({ base: '/studies/1', csrf: 'tok', instrument: phq }).text;
    expect(edit).toContain('<input type="hidden" name="_form" value="own:phq9">');
    expect(edit).toContain('aria-label="Reverse key phq9_1"');
    expect(edit).toContain('aria-label="phq9_1 in the score" checked>');
    expect(edit).toContain('<button class="primary">Save PHQ-9</button>');
    const again = ownForm({
      base: '/studies/1',
      csrf: 'tok',
      err: { issues: [{ path: 'id', code: 'x', message: EVIL }], fields: { id: EVIL, statements: EVIL } },
    }).text;
    expectEscaped(again);
    expect(again).toContain('<button class="primary">Create the instrument</button>');
  });
});
