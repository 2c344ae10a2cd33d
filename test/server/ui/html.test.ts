import { describe, expect, it } from 'vitest';
import { attr, EMPTY, esc, Html, html, isHtml, join, raw } from '../../../src/server/ui/html.js';

const hostile = `<script>alert("x")</script> & 'q' <img src=x onerror=alert(1)>`;
const escaped =
  '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &lt;img src=x onerror=alert(1)&gt;';

describe('html tagged template', () => {
  it('escapes every interpolated string, in content and in attribute values', () => {
    const out = html`<p title="${hostile}">${hostile}</p>`;
    expect(out).toBeInstanceOf(Html);
    expect(String(out)).toBe(`<p title="${escaped}">${escaped}</p>`);
    expect(esc(hostile)).toBe(escaped);
  });

  it('inserts Html as it is and never escapes it twice', () => {
    const inner = html`<b>${'a & b'}</b>`;
    expect(String(html`<p>${inner}</p>`)).toBe('<p><b>a &amp; b</b></p>');
    expect(String(html`${html`${html`${'<'}`}`}`)).toBe('&lt;');
    expect(String(html`<div>${raw('<svg><g/></svg>')}</div>`)).toBe('<div><svg><g/></svg></div>');
    expect(raw(inner)).toBe(inner);
  });

  it('joins arrays (nested too), escaping their strings', () => {
    const items = ['x<y', 'z'];
    expect(String(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`)).toBe(
      '<ul><li>x&lt;y</li><li>z</li></ul>',
    );
    expect(String(html`${[['<', ['>']], 1, html`<br>`]}`)).toBe('&lt;&gt;1<br>');
    expect(String(join(['a', html`<i>b</i>`, '<c>'], html`, `))).toBe('a, <i>b</i>, &lt;c&gt;');
    expect(String(join(['a', 'b'], ' & '))).toBe('a &amp; b');
  });

  it('renders null, undefined and false as nothing, numbers as written', () => {
    const none = false as boolean;
    expect(String(html`[${null}${undefined}${none && html`<b>x</b>`}${0}${-1.5}]`)).toBe('[0-1.5]');
    expect(String(EMPTY)).toBe('');
  });

  it('refuses true, objects and non-finite numbers instead of printing them', () => {
    const bad = [true, { a: 1 }, Number.NaN, Number.POSITIVE_INFINITY] as unknown as string[];
    for (const v of bad) expect(() => html`<p>${v}</p>`).toThrow(TypeError);
    expect(() => html`<p>${Number.NaN}</p>`).toThrow(/NaN cannot be shown/);
  });

  it('keeps its literals as written (they are the markup)', () => {
    expect(String(html`<a href="/x?a=1&amp;b=2">&lt;</a>`)).toBe('<a href="/x?a=1&amp;b=2">&lt;</a>');
    expect(isHtml(html``)).toBe(true);
    expect(isHtml('<b>')).toBe(false);
  });

  it('works inside plain template strings and concatenation (pages still built from strings)', () => {
    const h = html`<b>${'<'}</b>`;
    expect(`<p>${h}</p>`).toBe('<p><b>&lt;</b></p>');
    expect(h.text).toBe('<b>&lt;</b>');
  });

  it('builds attributes: escaped value, bare for true, nothing for false/null/undefined', () => {
    expect(
      String(html`<input${attr('value', hostile)}${attr('required', true)}${attr('hidden', false)}>`),
    ).toBe(`<input value="${escaped}" required>`);
    expect(String(attr('x', null))).toBe('');
    expect(String(attr('x', undefined))).toBe('');
    expect(() => attr('onclick="x"', 'y')).toThrow(/not an attribute name/);
  });
});
