/**
 * A small XML writer and parser, sufficient for REFI-QDA (.qde, .qdc) and Word's document.xml.
 *
 * Writer: elements with ordered attributes and text; text escapes & < > and CR (as &#13;, which XML line-end
 * normalisation would otherwise turn into LF); attributes also escape " and TAB/LF/CR (which attribute-value
 * normalisation would turn into spaces). Characters XML 1.0 cannot carry (most C0 controls, U+FFFE/U+FFFF,
 * lone surrogates) are replaced with U+FFFD and counted, so a caller can warn.
 *
 * Parser: XML 1.0 elements, attributes, text, CDATA, the five predefined entities and character references,
 * comments and processing instructions (skipped), namespaces (each element gets its namespace URI and local
 * name), line-end and attribute-value normalisation. A DOCTYPE is skipped; one that declares entities is refused
 * (no entity expansion, so no "billion laughs" and no external entities). Errors throw `XmlParseError` with line
 * and column.
 */

export interface XmlElement {
  readonly type: 'element';
  /** Qualified name as written, e.g. "w:t" or "Project". */
  readonly name: string;
  /** Local name, e.g. "t". */
  readonly local: string;
  /** Namespace URI, or null. */
  readonly ns: string | null;
  /** Attributes by qualified name, values normalised and decoded. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}

interface XmlText {
  readonly type: 'text';
  readonly text: string;
}

export type XmlNode = XmlElement | XmlText;

// ---------------------------------------------------------------------------------------------------------
// Writer

/** Characters not allowed in XML 1.0 documents (also lone surrogates). */
const INVALID =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Count of characters XML 1.0 cannot carry. */
export function countInvalidXmlChars(s: string): number {
  return s.match(INVALID)?.length ?? 0;
}

/** Escape text content. */
export function escapeText(s: string): string {
  return s
    .replace(INVALID, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Escape an attribute value (for double quotes). */
export function escapeAttr(s: string): string {
  return s
    .replace(INVALID, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** An element to write: name, attributes in order (undefined values left out), children. */
export interface XmlOut {
  readonly name: string;
  readonly attrs?: readonly (readonly [string, string | undefined])[];
  readonly children?: readonly (XmlOut | string)[];
}

/** Build an element to write. */
export function el(
  name: string,
  attrs: readonly (readonly [string, string | undefined])[] = [],
  children: readonly (XmlOut | string | null | undefined | false)[] = [],
): XmlOut {
  return {
    name,
    attrs,
    children: children.filter((c): c is XmlOut | string => c !== null && c !== undefined && c !== false),
  };
}

/**
 * Serialise to a document with an XML declaration. Elements with only element children are indented with
 * `indent` (default two spaces); elements with text are written on one line, their text exactly as given.
 */
export function writeXml(root: XmlOut, options: { indent?: string } = {}): string {
  const ind = options.indent ?? '  ';
  const out: string[] = ['<?xml version="1.0" encoding="utf-8"?>\n'];
  const write = (e: XmlOut, depth: number) => {
    const pad = ind.repeat(depth);
    const attrs = (e.attrs ?? [])
      .filter((a): a is readonly [string, string] => a[1] !== undefined)
      .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
      .join('');
    const kids = e.children ?? [];
    if (kids.length === 0) {
      out.push(`${pad}<${e.name}${attrs}/>\n`);
      return;
    }
    if (kids.some((k) => typeof k === 'string')) {
      const inner = kids.map((k) => (typeof k === 'string' ? escapeText(k) : inline(k))).join('');
      out.push(`${pad}<${e.name}${attrs}>${inner}</${e.name}>\n`);
      return;
    }
    out.push(`${pad}<${e.name}${attrs}>\n`);
    for (const k of kids) write(k as XmlOut, depth + 1);
    out.push(`${pad}</${e.name}>\n`);
  };
  const inline = (e: XmlOut): string => {
    const attrs = (e.attrs ?? [])
      .filter((a): a is readonly [string, string] => a[1] !== undefined)
      .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
      .join('');
    const kids = e.children ?? [];
    if (!kids.length) return `<${e.name}${attrs}/>`;
    return `<${e.name}${attrs}>${kids.map((k) => (typeof k === 'string' ? escapeText(k) : inline(k))).join('')}</${e.name}>`;
  };
  write(root, 0);
  return out.join('');
}

// ---------------------------------------------------------------------------------------------------------
// Parser

export class XmlParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'XmlParseError';
  }
}

const NAME_START = String.raw`A-Za-z_:\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD`;
const NAME_RE = new RegExp(
  String.raw`[${NAME_START}][${NAME_START}\-.0-9\u00B7\u0300-\u036F\u203F-\u2040]*`,
  'y',
);
const WS = /[ \t\n]*/y;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Parse a document and return its root element. */
export function parseXml(input: string, options: { maxDepth?: number } = {}): XmlElement {
  const maxDepth = options.maxDepth ?? 512;
  const src = (input.charCodeAt(0) === 0xfeff ? input.slice(1) : input).replace(/\r\n?/g, '\n');
  let pos = 0;
  // Typed as a never-returning function so that `if (!x) fail(…)` narrows `x` after it.
  const fail: (msg: string, at?: number) => never = (msg, at = pos) => {
    const before = src.slice(0, at);
    const line = (before.match(/\n/g)?.length ?? 0) + 1;
    const column = at - before.lastIndexOf('\n');
    throw new XmlParseError(msg, line, column);
  };
  const decode = (raw: string, at: number): string =>
    raw.replace(/&([^;&<\s]*);?/g, (m, ent: string, off: number) => {
      if (!m.endsWith(';')) fail(`"&" must start an entity reference like &amp;`, at + off);
      // Own keys only: `in` would also take "constructor" or "toString" from Object.prototype.
      const named = Object.hasOwn(PREDEFINED, ent) ? PREDEFINED[ent] : undefined;
      if (named !== undefined) return named;
      const hex = /^#x([0-9A-Fa-f]+)$/.exec(ent)?.[1];
      const dec = /^#([0-9]+)$/.exec(ent)?.[1];
      const cp =
        hex !== undefined
          ? Number.parseInt(hex, 16)
          : dec !== undefined
            ? Number.parseInt(dec, 10)
            : undefined;
      if (cp !== undefined) {
        if (!isXmlChar(cp)) fail(`&${ent}; is not a character allowed in XML`, at + off);
        return String.fromCodePoint(cp);
      }
      return fail(`Unknown entity &${ent}; (only the five predefined entities are supported)`, at + off);
    });
  const name = (): string => {
    NAME_RE.lastIndex = pos;
    const m = NAME_RE.exec(src);
    if (!m) fail('Expected a name');
    pos += m[0].length;
    return m[0];
  };
  const ws = () => {
    WS.lastIndex = pos;
    // WS matches the empty string too, so there is always a match.
    const m = WS.exec(src);
    if (m) pos += m[0].length;
  };
  const skipMisc = () => {
    for (;;) {
      ws();
      if (src.startsWith('<?', pos)) {
        const e = src.indexOf('?>', pos);
        if (e < 0) fail('Unterminated processing instruction');
        pos = e + 2;
      } else if (src.startsWith('<!--', pos)) {
        const e = src.indexOf('-->', pos + 4);
        if (e < 0) fail('Unterminated comment');
        pos = e + 3;
      } else return;
    }
  };

  interface Frame {
    name: string;
    local: string;
    ns: string | null;
    attributes: Record<string, string>;
    children: XmlNode[];
    scope: Map<string, string | null>;
  }
  const resolve = (
    qname: string,
    scope: Map<string, string | null>,
    isAttr: boolean,
    at: number,
  ): [string | null, string] => {
    const i = qname.indexOf(':');
    if (i < 0) return [isAttr ? null : (scope.get('') ?? null), qname];
    const prefix = qname.slice(0, i);
    if (prefix === 'xml') return ['http://www.w3.org/XML/1998/namespace', qname.slice(i + 1)];
    if (prefix === 'xmlns') return ['http://www.w3.org/2000/xmlns/', qname.slice(i + 1)];
    const uri = scope.get(prefix);
    if (uri === undefined) fail(`Namespace prefix "${prefix}" is not declared`, at);
    return [uri ?? null, qname.slice(i + 1)];
  };

  skipMisc();
  if (src.startsWith('<!DOCTYPE', pos)) {
    let depth = 0;
    let i = pos + 9;
    for (; i < src.length; i++) {
      const c = src[i];
      if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (c === '>' && depth === 0) break;
    }
    const decl = src.slice(pos, i);
    if (/<!ENTITY/.test(decl))
      fail('DOCTYPE entity declarations are not supported (they could expand without limit)');
    pos = i + 1;
    skipMisc();
  }
  if (src[pos] !== '<') fail('Expected the root element');

  const stack: Frame[] = [];
  let root: XmlElement | null = null;
  const rootScope = new Map<string, string | null>();
  const pushText = (t: string) => {
    const top = stack[stack.length - 1];
    if (!top) {
      if (/\S/.test(t)) fail('Text outside the root element');
      return;
    }
    const last = top.children[top.children.length - 1];
    if (last?.type === 'text') top.children[top.children.length - 1] = { type: 'text', text: last.text + t };
    else top.children.push({ type: 'text', text: t });
  };
  const finish = (f: Frame): XmlElement => ({
    type: 'element',
    name: f.name,
    local: f.local,
    ns: f.ns,
    attributes: f.attributes,
    children: f.children,
  });

  while (pos < src.length) {
    if (root && stack.length === 0) {
      skipMisc();
      if (pos < src.length) fail('Content after the root element');
      break;
    }
    const lt = src.indexOf('<', pos);
    if (lt !== pos) {
      const end = lt < 0 ? src.length : lt;
      const raw = src.slice(pos, end);
      if (raw.includes(']]>')) fail('"]]>" is not allowed in text', pos + raw.indexOf(']]>'));
      pushText(decode(raw, pos));
      pos = end;
      continue;
    }
    if (src.startsWith('<!--', pos)) {
      const e = src.indexOf('-->', pos + 4);
      if (e < 0) fail('Unterminated comment');
      pos = e + 3;
      continue;
    }
    if (src.startsWith('<?', pos)) {
      const e = src.indexOf('?>', pos);
      if (e < 0) fail('Unterminated processing instruction');
      pos = e + 2;
      continue;
    }
    if (src.startsWith('<![CDATA[', pos)) {
      const e = src.indexOf(']]>', pos + 9);
      if (e < 0) fail('Unterminated CDATA section');
      if (!stack.length) fail('CDATA outside the root element');
      pushText(src.slice(pos + 9, e));
      pos = e + 3;
      continue;
    }
    if (src.startsWith('</', pos)) {
      const at = pos;
      pos += 2;
      const n = name();
      ws();
      if (src[pos] !== '>') fail(`Expected ">" to close </${n}`);
      pos++;
      const top = stack.pop();
      if (!top) fail(`Unexpected closing tag </${n}>`, at);
      if (top.name !== n) fail(`Closing tag </${n}> does not match <${top.name}>`, at);
      const done = finish(top);
      const parent = stack.at(-1);
      if (parent) parent.children.push(done);
      else root = done;
      continue;
    }
    if (src.startsWith('<!', pos)) fail('Unexpected markup declaration');
    // start tag
    const at = pos;
    pos++;
    const qname = name();
    const rawAttrs: [string, string, number][] = [];
    for (;;) {
      const before = pos;
      ws();
      if (src.startsWith('/>', pos) || src[pos] === '>') break;
      if (pos === before) fail(`Expected whitespace, ">" or "/>" in <${qname}>`);
      const aAt = pos;
      const an = name();
      ws();
      if (src[pos] !== '=') fail(`Expected "=" after attribute ${an}`);
      pos++;
      ws();
      const q = src[pos];
      if (q !== '"' && q !== "'") fail(`Attribute ${an} needs a quoted value`);
      const e = src.indexOf(q, pos + 1);
      if (e < 0) fail(`Unterminated value of attribute ${an}`);
      const raw = src.slice(pos + 1, e);
      if (raw.includes('<'))
        fail(`"<" is not allowed in the value of attribute ${an}`, pos + 1 + raw.indexOf('<'));
      if (rawAttrs.some((a) => a[0] === an)) fail(`Duplicate attribute ${an}`, aAt);
      rawAttrs.push([an, decode(raw.replace(/[\t\n]/g, ' '), pos + 1), aAt]);
      pos = e + 1;
    }
    const selfClose = src.startsWith('/>', pos);
    pos += selfClose ? 2 : 1;
    const parentScope = stack.at(-1)?.scope ?? rootScope;
    let scope = parentScope;
    for (const [an, av] of rawAttrs) {
      if (an === 'xmlns' || an.startsWith('xmlns:')) {
        if (scope === parentScope) scope = new Map(parentScope);
        scope.set(an === 'xmlns' ? '' : an.slice(6), av === '' ? null : av);
      }
    }
    const [ns, local] = resolve(qname, scope, false, at);
    const attributes: Record<string, string> = {};
    for (const [an, av, aAt] of rawAttrs) {
      resolve(an, scope, true, aAt);
      attributes[an] = av;
    }
    const frame: Frame = { name: qname, local, ns, attributes, children: [], scope };
    if (stack.length >= maxDepth) fail(`Elements are nested deeper than ${maxDepth} levels`, at);
    if (root) fail('A document has only one root element', at);
    if (selfClose) {
      const done = finish(frame);
      const parent = stack.at(-1);
      if (parent) parent.children.push(done);
      else root = done;
    } else stack.push(frame);
  }
  const open = stack.at(-1);
  if (open) fail(`Element <${open.name}> is not closed`);
  if (!root) fail('The document has no root element');
  for (const ch of src) {
    const cp = ch.codePointAt(0);
    // one character from iterating a string is never empty
    if (cp === undefined) throw new Error('internal: code point of an empty string; this is a bug in nabz.');
    if (!isXmlChar(cp))
      fail(
        `Character U+${cp.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`,
        src.indexOf(ch),
      );
  }
  return root;
}

// ---------------------------------------------------------------------------------------------------------
// Navigation helpers

/** Child elements, optionally only those with a local name. */
export function childElements(e: XmlElement, local?: string): XmlElement[] {
  return e.children.filter(
    (c): c is XmlElement => c.type === 'element' && (local === undefined || c.local === local),
  );
}

/** The first child element with a local name. */
export function firstChild(e: XmlElement, local: string): XmlElement | undefined {
  return e.children.find((c): c is XmlElement => c.type === 'element' && c.local === local);
}

/** All text inside an element (descendants included), in document order. */
export function textContent(e: XmlElement): string {
  let s = '';
  const walk = (n: XmlNode) => {
    if (n.type === 'text') s += n.text;
    else n.children.forEach(walk);
  };
  walk(e);
  return s;
}
