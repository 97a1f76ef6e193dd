/**
 * Request URLs to resource paths and back. A resource path is "/" or "/a/b": decoded, normalized,
 * without the base path and without a trailing slash. Everything that could climb out of the root
 * (dot-dot segments, encoded slashes or backslashes, NUL bytes) is refused here, before any
 * FileSystem sees it.
 */
import { BadGatewayError, BadRequestError, ForbiddenError, NotFoundError } from "./errors.js";

/** "" for "/", "/dav" for "dav/", "/dav/", "/dav". */
export function normalizeBasePath(basePath: string): string {
  const trimmed = basePath.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "" : `/${trimmed}`;
}

/** The path part of a request target (origin-form or absolute-form), query and fragment removed. */
function pathOfTarget(target: string): string {
  let path = target;
  if (!path.startsWith("/")) {
    if (!/^https?:\/\//i.test(path)) throw new BadRequestError(`bad request target: ${target}`);
    path = path.replace(/^https?:\/\/[^/?#]*/i, "") || "/";
  }
  // A fragment is never part of a request target; a client that sends one is confused, and acting
  // on the path before it (say, deleting that collection) would be unsafe.
  if (path.includes("#")) throw new BadRequestError(`fragment in request target: ${target}`);
  const end = path.indexOf("?");
  return end === -1 ? path : path.slice(0, end);
}

/** Decodes the request target to a resource path, or throws 400/403/404. */
export function resourcePathOf(target: string, basePath: string): string {
  const raw = pathOfTarget(target);
  if (basePath !== "" && raw !== basePath && !raw.startsWith(`${basePath}/`)) {
    throw new NotFoundError(raw);
  }
  const segments: string[] = [];
  for (const encoded of raw.slice(basePath.length).split("/")) {
    if (encoded === "" || encoded === ".") continue;
    const segment = decodeSegment(encoded);
    if (segment === "..") throw new ForbiddenError(`path climbs out of the root: ${raw}`);
    if (segment.includes("/") || segment.includes("\\")) {
      throw new ForbiddenError(`encoded slash or backslash in path: ${raw}`);
    }
    if (segment.includes("\0")) throw new ForbiddenError(`NUL byte in path: ${raw}`);
    if (segment === ".") continue;
    segments.push(segment);
  }
  return `/${segments.join("/")}`;
}

function decodeSegment(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new BadRequestError(`malformed percent-encoding in path: ${encoded}`);
  }
}

/**
 * The resource path a Destination header names. It must point at this server (same host) and
 * under the base path; another host is a 502 as RFC 4918 §9.8.5 suggests.
 */
export function destinationPathOf(header: string | undefined, host: string | undefined, basePath: string) {
  if (!header) throw new BadRequestError("missing Destination header");
  if (header.startsWith("/")) return resourcePathOf(header, basePath);
  let url: URL;
  try {
    url = new URL(header);
  } catch {
    throw new BadRequestError(`bad Destination header: ${header}`);
  }
  if (host !== undefined && url.host.toLowerCase() !== host.toLowerCase()) {
    throw new BadGatewayError(`Destination is on another server: ${url.host}`);
  }
  // URL() resolved "." and ".." segments already; a raw "%2e%2e" stays encoded and is refused.
  return resourcePathOf(url.pathname, basePath);
}

export function parentOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

/** True when `path` is `ancestor` or inside it. */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === "/" || path === ancestor || path.startsWith(`${ancestor}/`);
}

// Characters kept as they are in hrefs: RFC 3986 unreserved plus sub-delims that clients accept.
const HREF_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;
const HREF_SAFE_ALL = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]*$/;

function encodeSegment(segment: string): string {
  // Most names need no encoding; one regex test beats a per-character loop (PROPFIND of 10,000 files).
  if (HREF_SAFE_ALL.test(segment)) return segment;
  let out = "";
  for (const char of segment) {
    if (HREF_SAFE.test(char)) out += char;
    else
      for (const byte of Buffer.from(char, "utf8"))
        out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The percent-encoded href of a resource, with the base path and a trailing slash on collections. */
export function hrefOf(path: string, basePath: string, isCollection: boolean): string {
  const encoded = path === "/" ? "" : path.split("/").map(encodeSegment).join("/");
  const href = `${basePath}${encoded}`;
  if (isCollection) return `${href}/`;
  return href === "" ? "/" : href;
}
