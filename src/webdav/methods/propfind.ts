/** PROPFIND (RFC 4918 §9.1): allprop, propname or named properties, at depth 0, 1 or infinity. */
import { headerOf, type RequestContext, readXmlBody } from "../context.js";
import { BadRequestError, ForbiddenError } from "../errors.js";
import type { DeadProperty, ResourceInfo } from "../filesystem/types.js";
import { isLiveProperty, LIVE_PROPERTY_NAMES, liveProperty } from "../live-properties.js";
import { hrefOf } from "../paths.js";
import { statusLine } from "../respond.js";
import { childElements, DAV_NS, findDavChild, isDav, type XmlElement } from "../xml/parse.js";
import { escapeXml } from "../xml/write.js";

interface PropertyName {
  ns: string;
  name: string;
}

type PropfindRequest = { kind: "allprop" } | { kind: "propname" } | { kind: "prop"; names: PropertyName[] };

/** Flush the response in pieces of about this size, so a 10,000-entry listing streams. */
const FLUSH_BYTES = 64 * 1024;

export async function propfind(ctx: RequestContext): Promise<void> {
  const depth = parseDepth(ctx);
  const request = parsePropfind(await readXmlBody(ctx.req));
  const rootInfo = await ctx.fileSystem.stat(ctx.path);
  ctx.res.writeHead(207, { "Content-Type": 'application/xml; charset="utf-8"' });
  let buffer = '<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">';
  const emit = async (info: ResourceInfo) => {
    buffer += await responseXml(ctx, info, request);
    if (buffer.length >= FLUSH_BYTES) {
      const chunk = buffer;
      buffer = "";
      if (!ctx.res.write(chunk)) await new Promise((resolve) => ctx.res.once("drain", resolve));
    }
  };
  await walk(ctx, rootInfo, depth, emit);
  ctx.res.end(`${buffer}</D:multistatus>`);
}

function parseDepth(ctx: RequestContext): 0 | 1 | "infinity" {
  const header = (headerOf(ctx, "depth") ?? "infinity").toLowerCase();
  if (header === "0") return 0;
  if (header === "1") return 1;
  if (header !== "infinity") throw new BadRequestError(`bad Depth header: ${header}`);
  if (!ctx.allowInfinityDepth)
    throw new ForbiddenError("Depth: infinity is disabled", "propfind-finite-depth");
  return "infinity";
}

async function walk(
  ctx: RequestContext,
  info: ResourceInfo,
  depth: 0 | 1 | "infinity",
  emit: (info: ResourceInfo) => Promise<void>,
): Promise<void> {
  await emit(info);
  if (depth === 0 || !info.isCollection) return;
  for (const child of await ctx.fileSystem.list(info.path)) {
    if (depth === "infinity") await walk(ctx, child, depth, emit);
    else await emit(child);
  }
}

function parsePropfind(body: XmlElement | undefined): PropfindRequest {
  if (!body) return { kind: "allprop" };
  if (!isDav(body, "propfind")) throw new BadRequestError("PROPFIND body must be a DAV:propfind element");
  if (findDavChild(body, "propname")) return { kind: "propname" };
  const prop = findDavChild(body, "prop");
  if (prop) return { kind: "prop", names: childElements(prop).map(({ ns, name }) => ({ ns, name })) };
  if (findDavChild(body, "allprop")) return { kind: "allprop" };
  throw new BadRequestError("DAV:propfind needs allprop, propname or prop");
}

/** An empty property element: the DAV: prefix for DAV properties, a default namespace for the others. */
export function emptyElement(ns: string, name: string): string {
  return ns === DAV_NS ? `<D:${name}/>` : `<${name} xmlns="${escapeXml(ns)}"/>`;
}

/**
 * A stored property. Always in default-namespace form: its value's child elements were serialized
 * relative to the property's namespace as the default one.
 */
export function deadPropertyXml(property: DeadProperty): string {
  const attributes = Object.entries(property.attributes ?? {})
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join("");
  const open = `<${property.name} xmlns="${escapeXml(property.ns)}"${attributes}`;
  return property.value === "" ? `${open}/>` : `${open}>${property.value}</${property.name}>`;
}

async function responseXml(
  ctx: RequestContext,
  info: ResourceInfo,
  request: PropfindRequest,
): Promise<string> {
  const source = { info, basePath: ctx.basePath, lockSystem: ctx.lockSystem };
  const found: string[] = [];
  const missing: string[] = [];
  const needsDead =
    request.kind !== "prop" || request.names.some(({ ns, name }) => !isLiveProperty(ns, name));
  const dead = needsDead ? await ctx.fileSystem.getProperties(info.path) : [];
  if (request.kind === "propname") {
    for (const name of LIVE_PROPERTY_NAMES) if (liveProperty(name, source)) found.push(`<D:${name}/>`);
    for (const property of dead) found.push(emptyElement(property.ns, property.name));
  } else if (request.kind === "allprop") {
    for (const name of LIVE_PROPERTY_NAMES) {
      const xml = liveProperty(name, source);
      if (xml) found.push(xml);
    }
    for (const property of dead) found.push(deadPropertyXml(property));
  } else {
    for (const { ns, name } of request.names) {
      const xml = ns === DAV_NS ? liveProperty(name, source) : undefined;
      const property = xml ? undefined : dead.find((p) => p.ns === ns && p.name === name);
      if (xml) found.push(xml);
      else if (property) found.push(deadPropertyXml(property));
      else missing.push(emptyElement(ns, name));
    }
  }
  let xml = `<D:response><D:href>${escapeXml(hrefOf(info.path, ctx.basePath, info.isCollection))}</D:href>`;
  if (found.length > 0 || missing.length === 0) xml += propstat(found, 200);
  if (missing.length > 0) xml += propstat(missing, 404);
  return `${xml}</D:response>`;
}

export function propstat(properties: readonly string[], status: number): string {
  return `<D:propstat><D:prop>${properties.join("")}</D:prop><D:status>${statusLine(status)}</D:status></D:propstat>`;
}
