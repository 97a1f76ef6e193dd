/**
 * Request bodies to a namespace-resolved element tree. fast-xml-parser checks well-formedness and
 * keeps prefixes as written; resolving them against the xmlns declarations in scope is done here,
 * because WebDAV names (DAV:prop, property names of any namespace) are (namespace, local name) pairs.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { BadRequestError } from "../errors.js";

export const DAV_NS = "DAV:";

export interface XmlElement {
  ns: string;
  name: string;
  /** Attributes other than namespace declarations, keyed by their qualified name as written. */
  attributes: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type RawNode = Record<string, unknown>;
type Scope = ReadonlyMap<string, string>;

/** Parses a WebDAV request body; throws BadRequestError for malformed XML or unbound prefixes. */
export function parseXml(text: string): XmlElement {
  if (/<!DOCTYPE/i.test(text)) throw new BadRequestError("DOCTYPE is not allowed in WebDAV bodies");
  const validation = XMLValidator.validate(text);
  if (validation !== true) throw new BadRequestError(`malformed XML: ${validation.err.msg}`);
  const nodes = parser.parse(text) as RawNode[];
  const roots = nodes.map((node) =>
    convert(node, new Map([["xml", "http://www.w3.org/XML/1998/namespace"]])),
  );
  const root = roots.find((node): node is XmlElement => typeof node !== "string");
  if (!root) throw new BadRequestError("XML body has no root element");
  return root;
}

function convert(raw: RawNode, parentScope: Scope): XmlNode {
  if ("#text" in raw) return String(raw["#text"]);
  const tag = Object.keys(raw).find((key) => key !== ":@");
  if (tag === undefined) return "";
  const rawAttributes = (raw[":@"] ?? {}) as Record<string, string>;
  const scope = new Map(parentScope);
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === "xmlns") scope.set("", value);
    else if (name.startsWith("xmlns:")) {
      // Namespaces in XML 1.0 forbids undeclaring a prefix (litmus propfind_invalid2 checks this).
      if (value === "") throw new BadRequestError(`empty namespace for prefix ${name.slice(6)}`);
      scope.set(name.slice(6), value);
    } else attributes[name] = value;
  }
  const colon = tag.indexOf(":");
  const prefix = colon === -1 ? "" : tag.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined && prefix !== "") throw new BadRequestError(`unbound namespace prefix: ${prefix}`);
  const children = ((raw[tag] ?? []) as RawNode[]).map((child) => convert(child, scope));
  return { ns: ns ?? "", name: colon === -1 ? tag : tag.slice(colon + 1), attributes, children };
}

/** The child elements of `element`, whitespace and text ignored. */
export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== "string");
}

export function isDav(element: XmlElement, name: string): boolean {
  return element.ns === DAV_NS && element.name === name;
}

export function findDavChild(element: XmlElement, name: string): XmlElement | undefined {
  return childElements(element).find((child) => isDav(child, name));
}

export function textOf(element: XmlElement): string {
  return element.children.map((child) => (typeof child === "string" ? child : textOf(child))).join("");
}
