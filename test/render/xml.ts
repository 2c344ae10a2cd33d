/**
 * A tiny XML well-formedness checker for tests: balanced tags, quoted attributes without raw `<` or `&`,
 * no duplicate attributes, valid entity references, no raw `<` or stray `&` in text. Accepts a leading
 * `<?xml …?>` declaration, `<!DOCTYPE …>`, comments and CDATA. Returns the elements (name, attributes, depth)
 * and the text content, or throws with the offset of the first problem.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly depth: number;
}

export interface XmlDocument {
  readonly elements: XmlElement[];
  /** Text content with entities decoded, pieces joined by single spaces. */
  readonly text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/;

function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/g, (_m, e: string) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(
      e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10),
    );
  });
}

function checkEntities(s: string, at: number): void {
  for (let i = s.indexOf('&'); i >= 0; i = s.indexOf('&', i + 1)) {
    if (!ENTITY.test(s.slice(i)))
      throw new Error(`bad entity reference at ${at + i}: ${JSON.stringify(s.slice(i, i + 12))}`);
  }
}

export function parseXml(src: string): XmlDocument {
  const elements: XmlElement[] = [];
  const texts: string[] = [];
  const stack: string[] = [];
  let i = 0;
  let rootSeen = false;
  while (i < src.length) {
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end < 0) throw new Error(`unterminated processing instruction at ${i}`);
      i = end + 2;
    } else if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      i = end + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i);
      if (end < 0) throw new Error(`unterminated CDATA at ${i}`);
      texts.push(src.slice(i + 9, end));
      i = end + 3;
    } else if (/^<!DOCTYPE/i.test(src.slice(i, i + 9))) {
      if (rootSeen) throw new Error(`DOCTYPE after the root element at ${i}`);
      const end = src.indexOf('>', i);
      i = end + 1;
    } else if (src.startsWith('</', i)) {
      const m = NAME.exec(src.slice(i + 2));
      if (!m) throw new Error(`bad end tag at ${i}`);
      const close = src.indexOf('>', i);
      if (src.slice(i + 2 + m[0].length, close).trim() !== '') throw new Error(`junk in end tag at ${i}`);
      const open = stack.pop();
      if (open !== m[0]) throw new Error(`end tag </${m[0]}> at ${i} does not match <${open ?? '(none)'}>`);
      i = close + 1;
    } else if (src[i] === '<') {
      const m = NAME.exec(src.slice(i + 1));
      if (!m) throw new Error(`raw "<" or bad tag name at ${i}: ${JSON.stringify(src.slice(i, i + 20))}`);
      if (stack.length === 0 && rootSeen) throw new Error(`second root element <${m[0]}> at ${i}`);
      rootSeen = true;
      let j = i + 1 + m[0].length;
      const attributes: Record<string, string> = {};
      for (;;) {
        const ws = /^\s*/.exec(src.slice(j))![0].length;
        j += ws;
        if (src.startsWith('/>', j) || src[j] === '>') break;
        if (ws === 0) throw new Error(`missing space before attribute at ${j}`);
        const an = NAME.exec(src.slice(j));
        if (!an) throw new Error(`bad attribute name at ${j}: ${JSON.stringify(src.slice(j, j + 20))}`);
        j += an[0].length;
        if (src[j] !== '=') throw new Error(`attribute ${an[0]} without value at ${j}`);
        const q = src[j + 1];
        if (q !== '"' && q !== "'") throw new Error(`unquoted attribute ${an[0]} at ${j}`);
        const end = src.indexOf(q, j + 2);
        if (end < 0) throw new Error(`unterminated attribute ${an[0]} at ${j}`);
        const raw = src.slice(j + 2, end);
        if (raw.includes('<')) throw new Error(`raw "<" in attribute ${an[0]} at ${j}`);
        checkEntities(raw, j + 2);
        if (an[0] in attributes) throw new Error(`duplicate attribute ${an[0]} at ${j}`);
        attributes[an[0]] = decode(raw);
        j = end + 1;
      }
      elements.push({ name: m[0], attributes, depth: stack.length });
      if (src.startsWith('/>', j)) j += 2;
      else {
        stack.push(m[0]);
        j += 1;
      }
      i = j;
    } else {
      const next = src.indexOf('<', i);
      const raw = src.slice(i, next < 0 ? src.length : next);
      if (stack.length === 0 && raw.trim() !== '') throw new Error(`text outside the root element at ${i}`);
      checkEntities(raw, i);
      if (raw.trim() !== '') texts.push(decode(raw).trim());
      i = next < 0 ? src.length : next;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed elements: ${stack.join(' > ')}`);
  if (!rootSeen) throw new Error('no root element');
  return { elements, text: texts.join(' ') };
}
