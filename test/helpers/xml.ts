/**
 * A strict reader of the XML subset SVG files use (elements, attributes, text, comments, CDATA, the XML
 * declaration): it throws on anything not well-formed — tags that do not nest, unquoted or repeated
 * attributes, a bare "<" or "&" in text or values, more or less than one root — and returns the elements.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  /** Text directly inside the element, entities decoded. */
  text: string;
  children: XmlElement[];
  parent?: XmlElement;
}

const NAME = "[A-Za-z_][\\w.:-]*";
const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (raw.includes("<")) throw new Error(`bare "<" in ${where}`);
  return raw.replace(/&([^;&\s]*);?/g, (m, ref: string) => {
    if (!m.endsWith(";")) throw new Error(`bare "&" in ${where}`);
    if (ref in ENTITIES) return ENTITIES[ref];
    const code = /^#x([0-9a-fA-F]+)$/.exec(ref)?.[1] ?? /^#([0-9]+)$/.exec(ref)?.[1];
    if (code === undefined) throw new Error(`unknown entity &${ref}; in ${where}`);
    return String.fromCodePoint(parseInt(code, ref.startsWith("#x") ? 16 : 10));
  });
}

function parseAttrs(raw: string, tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const re = new RegExp(`\\s+(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, "y");
  let pos = 0;
  while (pos < raw.length) {
    if (/^\s*$/.test(raw.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(raw);
    if (!m) throw new Error(`malformed attributes in <${tag}>: ${raw.slice(pos, pos + 40)}`);
    if (m[1] in attrs) throw new Error(`attribute ${m[1]} repeated in <${tag}>`);
    attrs[m[1]] = decode(m[2] ?? m[3], `attribute ${m[1]} of <${tag}>`);
    pos = re.lastIndex;
  }
  return attrs;
}

/** The elements of a well-formed XML document in document order (the first is the root); throws otherwise. */
export function parseXml(doc: string): XmlElement[] {
  const token = new RegExp(
    `<!--[\\s\\S]*?-->|<!\\[CDATA\\[[\\s\\S]*?\\]\\]>|<\\?xml[^>]*\\?>|</(${NAME})\\s*>|<(${NAME})((?:\\s+[^>]*?)?)(/?)>|<|[^<]+`,
    "g",
  );
  const all: XmlElement[] = [];
  const open: XmlElement[] = [];
  let roots = 0;
  for (const m of doc.matchAll(token)) {
    const [whole, close, name, rawAttrs, selfClosing] = m;
    const top = open[open.length - 1];
    if (close) {
      if (top?.name !== close) throw new Error(`</${close}> closes <${top?.name ?? "nothing"}>`);
      open.pop();
    } else if (name) {
      if (!top && roots++ > 0) throw new Error(`second root element <${name}>`);
      const el: XmlElement = { name, attrs: parseAttrs(rawAttrs, name), text: "", children: [], parent: top };
      top?.children.push(el);
      all.push(el);
      if (!selfClosing) open.push(el);
    } else if (whole === "<") {
      throw new Error(`bare "<" at ${m.index}`);
    } else if (whole.startsWith("<![CDATA[")) {
      if (!top) throw new Error("CDATA outside the root element");
      top.text += whole.slice(9, -3);
    } else if (!whole.startsWith("<")) {
      if (top) top.text += decode(whole, `<${top.name}>`);
      else if (whole.trim()) throw new Error(`text outside the root element: ${whole.trim().slice(0, 40)}`);
    }
  }
  if (open.length) throw new Error(`<${open[open.length - 1].name}> is never closed`);
  if (!roots) throw new Error("no root element");
  return all;
}
