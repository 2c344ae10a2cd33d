/**
 * The follow-up volunteer pages (issue 14), in the respondent's language: the form (contact details kept apart
 * from the answers), the thank-you with the personal link, the personal page (status, withdraw), and the pages
 * for a link with nothing behind it. Pure functions of their view, on the respondent page shell (render.ts):
 * same CSP, no third-party requests.
 */
import type { VolunteerFormError } from '../../core/study/followUp.js';
import { localize, type UiStrings, uiStrings } from '../../core/study/i18n.js';
import { attr, type Html, html } from '../ui/html.js';
import { paragraphs } from './html.js';
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

/** A labelled contact field, its hint and its problems (each described by id). */
function input(id: string, name: string, label: string, type: string, errs: string[], hint?: string): Html {
  const described = [hint ? `h-${name}` : '', ...errs.map((_, i) => `e-${name}-${i}`)].filter(Boolean);
  return html`<div class="q${errs.length ? ' bad' : ''}"><label for="${id}">${label}</label>${
    hint && html`<p class="h" id="h-${name}">${hint}</p>`
  }${errs.map((e, i) => html`<p class="er" id="e-${name}-${i}">${e}</p>`)}<input type="${type}" name="${name}" id="${id}" dir="ltr" maxlength="${name === 'name' ? 80 : 254}"${attr(
    'aria-describedby',
    described.length ? described.join(' ') : undefined,
  )}${errs.length > 0 && html` aria-invalid="true"`}></div>`;
}

/** The start of the page's form and its hidden fields (the respondent page shell's, render.ts). */
function formStart(c: RespondCommon, s: UiStrings): Html {
  return html`${formOpen(c, s)}${hiddenFields(c)}`;
}

/** A heading and one paragraph: the pages for a link with nothing behind it, and the start of others. */
function headed(title: string, text: string): Html {
  return html`<h1>${title}</h1><p>${text}</p>`;
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
  const summary =
    errors.length > 0 &&
    html`<div class="es" id="es" role="alert" tabindex="-1" autofocus><h2>${s.errorSummaryTitle}</h2><ul>${errors.map(
      (e) => html`<li><a href="#${FIELD_OF[e]}">${msg[e]}</a></li>`,
    )}</ul></div>`;
  const agreeErr = of('agree');
  const main = html`<h1>${v.title}</h1>${summary}${description && html`<div>${paragraphs(description.text)}</div>`}<p>${v.intro}</p><p>${v.apart}</p>${formStart(c, s)}${input('f-name', 'name', v.name, 'text', [], v.nameHint)}${input('f-email', 'email', v.email, 'email', of('contact', 'email'), v.contactHint)}${input('f-phone', 'phone', v.phone, 'tel', of('phone'))}<div class="q${agreeErr.length ? ' bad' : ''}">${agreeErr.map(
    (e) => html`<p class="er" id="e-agree">${e}</p>`,
  )}<label><input type="checkbox" name="agree" value="1" id="f-agree"${
    agreeErr.length > 0 && html` aria-invalid="true" aria-describedby="e-agree"`
  }> ${v.agree}</label></div><div class="bt"><button class="p">${v.submit}</button></div></form>`;
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
        html`${headed(v.doneTitle, v.doneText)}<h2>${v.personalLink}</h2><p dir="ltr"><a href="${view.personalLink}">${view.personalLink}</a></p>`,
        200,
        true,
      );
    case 'status': {
      const main = html`${headed(v.statusTitle, v.statusText)}${formStart(c, uiStrings(c.lang))}<p class="h">${v.withdrawHint}</p><div class="bt"><button name="withdraw" value="1">${v.withdraw}</button></div></form>`;
      return finish(c, v.statusTitle, main, 200, true);
    }
    case 'gone':
      return finish(c, v.goneTitle, headed(v.goneTitle, v.goneText), 404, true);
    case 'unavailable':
      return finish(c, v.unavailableTitle, headed(v.unavailableTitle, v.unavailableText), 404, true);
  }
}
