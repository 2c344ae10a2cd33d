/**
 * The follow-up volunteer pages (issue 14), in the respondent's language: the form (contact details kept apart
 * from the answers), the thank-you with the personal link, the personal page (status, withdraw), and the pages
 * for a link with nothing behind it. Pure functions of their view, on the respondent page shell (render.ts):
 * same CSP, no third-party requests.
 */
import type { VolunteerFormError } from '../../core/study/followUp.js';
import { localize, uiStrings } from '../../core/study/i18n.js';
import { esc, paragraphs } from './html.js';
import { finish, formOpen, hiddenFields, type RenderedPage, type RespondCommon } from './render.js';

export type VolunteerView =
  | { readonly kind: 'form'; readonly errors: readonly VolunteerFormError[] }
  | { readonly kind: 'done'; readonly personalLink: string }
  | { readonly kind: 'status' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'unavailable' };

const FIELD_OF: Readonly<Record<VolunteerFormError, string>> = {
  contact: 'f-email',
  email: 'f-email',
  phone: 'f-phone',
  agree: 'f-agree',
};

function input(id: string, name: string, label: string, type: string, errs: string[], hint?: string): string {
  const described = [hint ? `h-${name}` : '', ...errs.map((_, i) => `e-${name}-${i}`)].filter(Boolean);
  return (
    `<div class="q${errs.length ? ' bad' : ''}"><label for="${id}">${esc(label)}</label>` +
    (hint ? `<p class="h" id="h-${name}">${esc(hint)}</p>` : '') +
    errs.map((e, i) => `<p class="er" id="e-${name}-${i}">${esc(e)}</p>`).join('') +
    `<input type="${type}" name="${name}" id="${id}" dir="ltr" maxlength="${name === 'name' ? 80 : 254}"` +
    `${described.length ? ` aria-describedby="${described.join(' ')}"` : ''}${errs.length ? ' aria-invalid="true"' : ''}></div>`
  );
}

function form(c: RespondCommon, errors: readonly VolunteerFormError[]): RenderedPage {
  const s = uiStrings(c.lang);
  const v = s.volunteer;
  const msg: Record<VolunteerFormError, string> = {
    contact: v.errContact,
    email: v.errEmail,
    phone: v.errPhone,
    agree: v.errAgree,
  };
  const of = (...keys: VolunteerFormError[]) => keys.filter((k) => errors.includes(k)).map((k) => msg[k]);
  const description = localize(c.resolved.study.followUp?.description, c.lang);
  const summary = errors.length
    ? `<div class="es" id="es" role="alert" tabindex="-1" autofocus><h2>${esc(s.errorSummaryTitle)}</h2><ul>${errors
        .map((e) => `<li><a href="#${FIELD_OF[e]}">${esc(msg[e])}</a></li>`)
        .join('')}</ul></div>`
    : '';
  const agreeErr = of('agree');
  const main =
    `<h1>${esc(v.title)}</h1>${summary}` +
    (description ? `<div>${paragraphs(description.text)}</div>` : '') +
    `<p>${esc(v.intro)}</p><p>${esc(v.apart)}</p>${formOpen(c, s)}${hiddenFields(c)}` +
    input('f-name', 'name', v.name, 'text', [], v.nameHint) +
    input('f-email', 'email', v.email, 'email', of('contact', 'email'), v.contactHint) +
    input('f-phone', 'phone', v.phone, 'tel', of('phone')) +
    `<div class="q${agreeErr.length ? ' bad' : ''}">${agreeErr.map((e) => `<p class="er" id="e-agree">${esc(e)}</p>`).join('')}` +
    `<label><input type="checkbox" name="agree" value="1" id="f-agree"${agreeErr.length ? ' aria-invalid="true" aria-describedby="e-agree"' : ''}> ${esc(v.agree)}</label></div>` +
    `<div class="bt"><button class="p">${esc(v.submit)}</button></div></form>`;
  return finish(c, v.title, main, errors.length ? 400 : 200);
}

/** One volunteer page. */
export function renderVolunteer(c: RespondCommon, view: VolunteerView): RenderedPage {
  const v = uiStrings(c.lang).volunteer;
  switch (view.kind) {
    case 'form':
      return form(c, view.errors);
    case 'done':
      return finish(
        c,
        v.doneTitle,
        `<h1>${esc(v.doneTitle)}</h1><p>${esc(v.doneText)}</p><h2>${esc(v.personalLink)}</h2><p dir="ltr"><a href="${esc(view.personalLink)}">${esc(view.personalLink)}</a></p>`,
        200,
        true,
      );
    case 'status': {
      const s = uiStrings(c.lang);
      const main =
        `<h1>${esc(v.statusTitle)}</h1><p>${esc(v.statusText)}</p>${formOpen(c, s)}${hiddenFields(c)}` +
        `<p class="h">${esc(v.withdrawHint)}</p><div class="bt"><button name="withdraw" value="1">${esc(v.withdraw)}</button></div></form>`;
      return finish(c, v.statusTitle, main, 200, true);
    }
    case 'gone':
      return finish(c, v.goneTitle, `<h1>${esc(v.goneTitle)}</h1><p>${esc(v.goneText)}</p>`, 404, true);
    case 'unavailable':
      return finish(
        c,
        v.unavailableTitle,
        `<h1>${esc(v.unavailableTitle)}</h1><p>${esc(v.unavailableText)}</p>`,
        404,
        true,
      );
  }
}
