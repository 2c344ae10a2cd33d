/** The respondent pages' helpers: text as paragraphs (escaped, as Html) and the links a contact may carry. */
import { describe, expect, it } from 'vitest';
import { paragraphs, safeHttpUrl, telHref } from '../../../src/server/respond/html.js';
import { html, isHtml } from '../../../src/server/ui/html.js';

describe('paragraphs', () => {
  it('splits on blank lines, turns single newlines into <br> and escapes every line', () => {
    const p = paragraphs(`One <script>alert("x")</script>\r\nline 'two' & more\n\n  \n\nThree`);
    expect(isHtml(p)).toBe(true);
    expect(p.text).toBe(
      '<p>One &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>line &#39;two&#39; &amp; more</p><p>Three</p>',
    );
  });

  it('is inserted into html`…` as it is (not escaped twice); empty text gives nothing', () => {
    expect(html`<div>${paragraphs('a < b')}</div>`.text).toBe('<div><p>a &lt; b</p></div>');
    expect(paragraphs(' \n\n ').text).toBe('');
  });
});

describe('contact links', () => {
  it('keeps http(s) URLs only and makes tel: links of digits and a leading +', () => {
    expect(safeHttpUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeHttpUrl('https://example.org/a?b=1')).toBe('https://example.org/a?b=1');
    expect(telHref('+92 51 111 222')).toBe('tel:+9251111222');
    expect(telHref('12')).toBeUndefined();
  });
});
