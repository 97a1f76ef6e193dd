/** The live properties (RFC 4918 §15) the server computes for every resource. */
import { contentTypeOf } from "./content-type.js";
import type { ResourceInfo } from "./filesystem/types.js";
import type { ActiveLock, LockSystem } from "./locks/types.js";
import { hrefOf, nameOf } from "./paths.js";
import { escapeXml } from "./xml/write.js";

export const LIVE_PROPERTY_NAMES = [
  "creationdate",
  "displayname",
  "getcontentlength",
  "getcontenttype",
  "getetag",
  "getlastmodified",
  "resourcetype",
  "supportedlock",
  "lockdiscovery",
] as const;

const LIVE = new Set<string>(LIVE_PROPERTY_NAMES);

/** Live properties cannot be set or removed with PROPPATCH (except none: displayname is computed). */
export function isLiveProperty(ns: string, name: string): boolean {
  return ns === "DAV:" && LIVE.has(name);
}

const SUPPORTED_LOCK =
  "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>" +
  "<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>";

export interface LivePropertySource {
  info: ResourceInfo;
  basePath: string;
  lockSystem: LockSystem;
}

/** The property element (`<D:name>…</D:name>`), or undefined when it does not apply (length of a collection). */
export function liveProperty(name: string, source: LivePropertySource): string | undefined {
  const { info } = source;
  switch (name) {
    case "creationdate":
      return elementXml(name, info.created.toISOString());
    case "displayname":
      return info.path === "/" ? undefined : elementXml(name, escapeXml(nameOf(info.path)));
    case "getcontentlength":
      return info.isCollection ? undefined : elementXml(name, String(info.size));
    case "getcontenttype":
      return info.isCollection ? undefined : elementXml(name, escapeXml(contentTypeOf(info.path)));
    case "getetag":
      return info.isCollection ? undefined : elementXml(name, escapeXml(info.etag));
    case "getlastmodified":
      return elementXml(name, info.modified.toUTCString());
    case "resourcetype":
      return elementXml(name, info.isCollection ? "<D:collection/>" : "");
    case "supportedlock":
      return elementXml(name, SUPPORTED_LOCK);
    case "lockdiscovery":
      return elementXml(
        name,
        source.lockSystem
          .covering(info.path)
          .map((lock) => activeLockXml(lock, source.basePath))
          .join(""),
      );
    default:
      return undefined;
  }
}

/** Module-level rather than a closure per call: PROPFIND calls it nine times per member. */
function elementXml(name: string, value: string): string {
  return value === "" ? `<D:${name}/>` : `<D:${name}>${value}</D:${name}>`;
}

export function activeLockXml(lock: ActiveLock, basePath: string): string {
  const timeout =
    lock.expiresAt === undefined
      ? "Infinite"
      : `Second-${Math.max(0, Math.round((lock.expiresAt - Date.now()) / 1000))}`;
  const owner = lock.owner === undefined ? "" : `<owner xmlns="DAV:">${lock.owner}</owner>`;
  return (
    `<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:${lock.scope}/></D:lockscope>` +
    `<D:depth>${lock.depth === 0 ? "0" : "infinity"}</D:depth>${owner}<D:timeout>${timeout}</D:timeout>` +
    `<D:locktoken><D:href>${escapeXml(lock.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${escapeXml(hrefOf(lock.root, basePath, false))}</D:href></D:lockroot></D:activelock>`
  );
}
