/**
 * The sign-in and first-run setup pages, in the studio's layout (src/server/studio/layout.ts). Pure functions of
 * their input, built with `html` (every value escaped).
 */

import { csrfField, layout } from '../studio/layout.js';
import { type Html, html } from '../ui/html.js';

/** A small page in the studio layout without a signed-in user (errors, sign-in, setup). */
export function authPage(input: { title: string; body: Html }): Html {
  return layout({ title: input.title, body: input.body });
}

/** The problems of a failed form, listed above it (nothing when there are none). */
export function errorsView(errors: readonly string[]): Html | false {
  return (
    errors.length > 0 &&
    html`<div class="errors" role="alert"><ul>${errors.map((e) => html`<li>${e}</li>`)}</ul></div>`
  );
}

/** The sign-in form. `next` is where to go after signing in (a local path). */
export function signInPage(input: {
  csrf: string;
  next?: string | undefined;
  email?: string | undefined;
  errors?: readonly string[];
  notice?: string | undefined;
}): Html {
  const body = html`<h1>Sign in</h1>${input.notice && html`<p class="ok">${input.notice}</p>`}${errorsView(input.errors ?? [])}<form method="post" action="/signin" class="stack">${csrfField(input.csrf)}${
    input.next && html`<input type="hidden" name="next" value="${input.next}">`
  }<div class="field"><label for="email">E-mail address</label><input type="email" id="email" name="email" autocomplete="username" required value="${input.email ?? ''}"></div><div class="field"><label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required></div><div><button class="primary">Sign in</button></div></form>`;
  return layout({ title: 'Sign in', body });
}

/** The first-run form that creates the owner (administrator) account. */
export function setupPage(input: {
  csrf: string;
  action: string;
  email?: string | undefined;
  name?: string | undefined;
  errors?: readonly string[];
}): Html {
  const body = html`<h1>Create the owner account</h1><p>This account administers this nabz server. The link you opened works once.</p>${errorsView(input.errors ?? [])}<form method="post" action="${input.action}" class="stack">${csrfField(input.csrf)}<div class="field"><label for="name">Your name</label><input type="text" id="name" name="name" autocomplete="name" maxlength="200" value="${input.name ?? ''}"></div><div class="field"><label for="email">E-mail address</label><input type="email" id="email" name="email" autocomplete="username" required maxlength="254" value="${input.email ?? ''}"></div><div class="field"><label for="password">Password</label><p class="hint" id="pw-hint">At least 10 characters; a few unrelated words work well.</p><input type="password" id="password" name="password" autocomplete="new-password" required minlength="10" aria-describedby="pw-hint"></div><div class="field"><label for="password2">Password again</label><input type="password" id="password2" name="password2" autocomplete="new-password" required minlength="10"></div><div><button class="primary">Create account</button></div></form>`;
  return layout({ title: 'Create the owner account', body });
}

/** A setup link that cannot be used (unknown, used, expired, or an owner exists). */
export function setupUnavailablePage(message: string): Html {
  return layout({
    title: 'Set-up link not valid',
    body: html`<h1>This set-up link cannot be used</h1><p>${message}</p><p><a href="/signin">Sign in</a></p>`,
  });
}
