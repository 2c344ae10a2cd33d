/**
 * The studio's shared form helpers and page shell (studio/forms.ts, studio/layout.ts) and the sign-in and setup
 * pages (auth/pages.ts) as pure functions: every user-supplied string is escaped (element content and
 * attribute values), and what they return is `Html`, so a view inserts it without escaping it twice.
 */
import { describe, expect, it } from 'vitest';
import { setupPage, setupUnavailablePage, signInPage } from '../../src/server/auth/pages.js';
import { checkbox, checkGroup, input, select, textarea } from '../../src/server/studio/forms.js';
import { csrfField, issuesHtml, layout, postButton } from '../../src/server/studio/layout.js';
import { Html, html } from '../../src/server/ui/html.js';
import type { User } from '../../src/store/index.js';

const EVIL = `<script>alert("x")</script>'`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;';

/** The text has the escaped form of EVIL and nothing of it unescaped. */
function escapedOnly(text: string): void {
  expect(text).toContain(ESCAPED);
  expect(text).not.toContain('<script>alert');
  expect(text).not.toContain('"x"');
}

describe('studio form helpers', () => {
  it('escape labels, values, hints, placeholders and problems, and return Html', () => {
    const state = { error: EVIL, autofocus: true };
    const pieces = [
      input('p', 'title', EVIL, EVIL, { hint: EVIL, placeholder: EVIL, lang: 'ur', state }),
      textarea('p', 'text', EVIL, EVIL, { hint: EVIL, state, className: 'json' }),
      select('p', 'kind', EVIL, EVIL, [{ value: EVIL, label: EVIL }], EVIL, state),
      checkbox('p', 'agree', EVIL, true, { value: EVIL, hint: EVIL, state, describedBy: 'p-x-e' }),
      checkGroup('p', 'items', EVIL, [{ value: EVIL, label: EVIL, on: false }], state),
    ];
    for (const piece of pieces) {
      expect(piece).toBeInstanceOf(Html);
      escapedOnly(piece.text);
    }
    // Inserted into a view as it is: not escaped a second time.
    const form = html`<form>${pieces}</form>`.text;
    expect(form).not.toContain('&amp;lt;');
    expect(form).toContain(pieces.map(String).join(''));
  });

  it('tie a problem to its control and give the focus to the first one', () => {
    const one = input('p', 'n', 'Name', '', { hint: 'h', state: { error: 'Missing', autofocus: true } }).text;
    expect(one).toBe(
      '<div class="field"><label for="p-n">Name</label><span class="hint" id="p-n-h">h</span><span class="field-error" id="p-n-e">Missing</span><input type="text" id="p-n" name="n" value="" aria-describedby="p-n-h p-n-e" aria-invalid="true" autofocus></div>',
    );
    const group = checkGroup(
      'g',
      'x',
      'X',
      [
        { value: 'a', label: 'A', on: true },
        { value: 'b', label: 'B', on: false },
      ],
      { error: 'Pick one', autofocus: true },
    ).text;
    expect(group.match(/autofocus/g)).toHaveLength(1);
    expect(group.match(/aria-describedby="g-x-e"/g)).toHaveLength(2);
    expect(
      select('s', 'k', 'K', 'b', [
        { value: 'a', label: 'A' },
        { value: 'b', label: 'B' },
      ]).text,
    ).toContain('<option value="b" selected>B</option>');
  });
});

describe('studio page shell', () => {
  const user = { id: 1, email: 'a@example.org', displayName: EVIL, isAdmin: false } as unknown as User;

  it('escapes the title, the user, the study and the CSRF token; the body is inserted as it is', () => {
    const page = layout({
      title: EVIL,
      user,
      csrf: EVIL,
      body: html`<h1>${EVIL}</h1>`,
      study: { id: 3, title: EVIL, status: 'open', role: 'owner' },
      active: 'edit',
    });
    expect(page).toBeInstanceOf(Html);
    const text = page.text;
    expect(text.match(new RegExp(ESCAPED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'))).toHaveLength(5);
    expect(text).not.toContain('<script>alert');
    expect(text).toContain('<a href="/studies/3/edit" aria-current="page">Design</a>');
    expect(text).toContain('<span class="badge open">open</span>');
  });

  it('escapes problems, CSRF fields and one-button forms', () => {
    escapedOnly(issuesHtml([{ path: EVIL, message: EVIL }], EVIL).text);
    expect(issuesHtml([]).text).toBe('');
    expect(issuesHtml([{ message: 'm' }], undefined, true).text).toBe(
      '<div class="errors" role="alert" tabindex="-1" autofocus><p><strong>Please fix these problems:</strong></p><ul><li>m</li></ul></div>',
    );
    escapedOnly(csrfField(EVIL).text);
    escapedOnly(postButton(EVIL, EVIL, EVIL, { className: EVIL, hidden: { [EVIL]: EVIL } }).text);
  });
});

describe('sign-in and setup pages', () => {
  it('escape what the visitor typed and the messages', () => {
    for (const page of [
      signInPage({ csrf: EVIL, next: EVIL, email: EVIL, errors: [EVIL], notice: EVIL }),
      setupPage({ csrf: EVIL, action: EVIL, email: EVIL, name: EVIL, errors: [EVIL] }),
      setupUnavailablePage(EVIL),
    ]) {
      expect(page).toBeInstanceOf(Html);
      escapedOnly(page.text);
    }
    const signIn = signInPage({ csrf: 't', email: `a"b'c` }).text;
    expect(signIn).toContain('value="a&quot;b&#39;c"');
    expect(signIn).not.toContain('name="next"');
    expect(signIn).not.toContain('class="errors"');
  });
});
