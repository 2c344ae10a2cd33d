import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  childElements,
  countInvalidXmlChars,
  el,
  escapeAttr,
  escapeText,
  parseXml,
  textContent,
  writeXml,
  XmlParseError,
} from '../../src/lib/xml.js';

describe('XML writer', () => {
  it('escapes text and attributes so CR, LF and TAB survive normalisation', () => {
    expect(escapeText('a < b & c > d\r\ne')).toBe('a &lt; b &amp; c &gt; d&#13;\ne');
    expect(escapeAttr('say "hi"\n\tto <all> & \'you\'\r')).toBe(
      "say &quot;hi&quot;&#10;&#9;to &lt;all&gt; &amp; 'you'&#13;",
    );
  });
  it('replaces characters XML cannot carry and counts them', () => {
    expect(countInvalidXmlChars('a\u0000b\uFFFFc\uD800d😀')).toBe(3);
    expect(escapeText('a\u0001b\uDC00')).toBe('a\uFFFDb\uFFFD');
  });
  it('writes a declaration, indents element-only content, keeps text exact', () => {
    const xml = writeXml(
      el(
        'Project',
        [
          ['xmlns', 'urn:x'],
          ['name', 'A & B'],
          ['skip', undefined],
        ],
        [el('Users', [], [el('User', [['guid', 'g']])]), el('Description', [], ['  two\nlines  '])],
      ),
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:x" name="A &amp; B">\n  <Users>\n    <User guid="g"/>\n  </Users>\n  <Description>  two\nlines  </Description>\n</Project>\n',
    );
  });
});

describe('XML parser', () => {
  it('parses elements, attributes, namespaces, entities, CDATA, comments and PIs', () => {
    const root = parseXml(
      '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<!-- c --><?pi x?>\n<p:Root xmlns:p="urn:p" xmlns="urn:d" a=\'1\' b="x&#10;y&#x9;z &amp; w">\n  <Child>t &lt;1&gt; &quot;q&quot; &apos;s&apos; &#128532;<![CDATA[<raw> & ]]></Child>\n  <!-- skipped -->\n  <Empty/>\n</p:Root>',
    );
    expect(root).toMatchObject({ name: 'p:Root', local: 'Root', ns: 'urn:p' });
    expect(root.attributes).toEqual({ 'xmlns:p': 'urn:p', xmlns: 'urn:d', a: '1', b: 'x\ny\tz & w' });
    const [child, empty] = childElements(root);
    expect(child).toMatchObject({ local: 'Child', ns: 'urn:d' });
    expect(textContent(child!)).toBe('t <1> "q" \'s\' 😔<raw> & ');
    expect(empty!.children).toEqual([]);
  });

  it('normalises line ends and literal whitespace in attributes, as XML requires', () => {
    const root = parseXml('<a x="1\n2\t3">l1\r\nl2\rl3&#13;</a>');
    expect(root.attributes.x).toBe('1 2 3');
    expect(textContent(root)).toBe('l1\nl2\nl3\r');
  });

  it('round-trips any text and attribute through writer and parser', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.string({ unit: 'binary', maxLength: 30 }),
        (t, a) => {
          const bad = (c: number) =>
            (c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffe || c === 0xffff;
          const clean = (s: string) =>
            Array.from(s, (ch) => (bad(ch.codePointAt(0)!) ? '\uFFFD' : ch)).join('');
          const xml = writeXml(el('r', [['a', a]], [el('t', [], [t])]));
          const root = parseXml(xml);
          expect(root.attributes.a).toBe(clean(a));
          expect(textContent(childElements(root)[0]!)).toBe(clean(t));
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['<a><b></a>', /does not match <b>/],
    ['<a>', /not closed/],
    ['<a x="1" x="2"/>', /Duplicate attribute x/],
    ['<a>&nbsp;</a>', /Unknown entity &nbsp;/],
    // names inherited from Object.prototype are not entities (they decoded to "function Object() …")
    ['<a>&constructor;</a>', /Unknown entity &constructor;/],
    ['<a b="&toString;"/>', /Unknown entity &toString;/],
    ['<a>AT&T</a>', /entity reference/],
    ['<a x="<"/>', /not allowed in the value/],
    ['<a/><b/>', /Content after the root|only one root/],
    ['<p:a/>', /prefix "p" is not declared/],
    ['<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>', /entity declarations are not supported/],
    ['<a>&#0;</a>', /not a character allowed/],
    ['text', /root element/],
  ])('rejects %s', (xml, re) => {
    expect(() => parseXml(xml)).toThrow(re);
  });

  it('errors carry line and column', () => {
    try {
      parseXml('<a>\n  <b>\n</a>');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(XmlParseError);
      expect((e as XmlParseError).line).toBe(3);
    }
  });

  it('refuses pathological nesting instead of overflowing', () => {
    expect(() => parseXml(`${'<a>'.repeat(600)}${'</a>'.repeat(600)}`)).toThrow(/deeper than 512/);
  });
});
