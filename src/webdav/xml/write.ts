/** XML output: escaping, and serialization of namespace-resolved elements (dead property values). */
import type { XmlElement, XmlNode } from "./parse.js";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\r": "&#13;",
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"\r]/g, (char) => ESCAPES[char] as string);
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/**
 * Serializes `element` with its namespace as the default namespace, so the text stands on its own
 * wherever it is embedded (inside D:prop, or stored as a dead property).
 */
export function serializeElement(element: XmlElement, inheritedDefault?: string): string {
  let out = `<${element.name}`;
  if (element.ns !== inheritedDefault) out += ` xmlns="${escapeXml(element.ns)}"`;
  for (const [name, value] of Object.entries(element.attributes)) out += ` ${name}="${escapeXml(value)}"`;
  if (element.children.length === 0) return `${out}/>`;
  out += ">";
  for (const child of element.children) out += serializeNode(child, element.ns);
  return `${out}</${element.name}>`;
}

function serializeNode(node: XmlNode, inheritedDefault: string): string {
  return typeof node === "string" ? escapeXml(node) : serializeElement(node, inheritedDefault);
}

/** The children of `element` serialized, for a property value. */
export function serializeChildren(element: XmlElement): string {
  return element.children.map((child) => serializeNode(child, element.ns)).join("");
}
