/** GET and HEAD: files with Range and conditional requests; collections as a small HTML listing. */
import { pipeline } from "node:stream/promises";
import { contentTypeOf } from "../content-type.js";
import { headerOf, type RequestContext } from "../context.js";
import { RangeNotSatisfiableError } from "../errors.js";
import type { ByteRange, ResourceInfo } from "../filesystem/types.js";
import { hrefOf, nameOf } from "../paths.js";
import { escapeXml } from "../xml/write.js";

/** Bodies up to this size are read in one piece and sent with one write, not streamed. */
const SMALL_BODY = 64 * 1024;

export async function get(ctx: RequestContext): Promise<void> {
  // Small files are resolved, stated and read in one go (a GET of one usually sends it whole).
  const small =
    ctx.req.method === "GET" && ctx.fileSystem.statWithContent
      ? await ctx.fileSystem.statWithContent(ctx.path, SMALL_BODY)
      : undefined;
  const info = small?.info ?? (await ctx.fileSystem.stat(ctx.path));
  if (info.isCollection) return sendListing(ctx, info);
  const headers: Record<string, string> = {
    ETag: info.etag,
    "Last-Modified": info.modified.toUTCString(),
    "Content-Type": contentTypeOf(info.path),
    "Accept-Ranges": "bytes",
  };
  if (notModified(ctx, info)) {
    ctx.res.writeHead(304, headers);
    ctx.res.end();
    return;
  }
  const range = requestedRange(ctx, info);
  if (range) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${info.size}`;
  const length = range ? range.end - range.start + 1 : info.size;
  headers["Content-Length"] = String(length);
  if (ctx.req.method === "HEAD" || length === 0) {
    ctx.res.writeHead(range ? 206 : 200, headers);
    ctx.res.end();
    return;
  }
  const status = range ? 206 : 200;
  if (small?.content) {
    const bytes = range ? small.content.subarray(range.start, range.end + 1) : small.content;
    if (bytes.length !== length) throw new Error(`${ctx.path} changed while being read`);
    ctx.res.writeHead(status, headers);
    ctx.res.end(bytes);
    return;
  }
  if (length <= SMALL_BODY && ctx.fileSystem.readAll) {
    const bytes = await ctx.fileSystem.readAll(ctx.path, range ?? { start: 0, end: info.size - 1 });
    if (bytes.length !== length) throw new Error(`${ctx.path} changed while being read`);
    ctx.res.writeHead(status, headers);
    ctx.res.end(bytes);
    return;
  }
  const stream = await ctx.fileSystem.read(ctx.path, range);
  ctx.res.writeHead(status, headers);
  await pipeline(stream, ctx.res);
}

/** If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2). */
function notModified(ctx: RequestContext, info: ResourceInfo): boolean {
  const noneMatch = headerOf(ctx, "if-none-match");
  if (noneMatch !== undefined) return etagListMatches(noneMatch, info.etag);
  const since = headerOf(ctx, "if-modified-since");
  if (since === undefined) return false;
  const time = Date.parse(since);
  return !Number.isNaN(time) && Math.floor(info.modified.getTime() / 1000) <= Math.floor(time / 1000);
}

/** True when a comma-separated entity-tag list (or "*") matches `etag` (weak comparison). */
export function etagListMatches(list: string, etag: string): boolean {
  if (list.trim() === "*") return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return list.split(",").some((tag) => strip(tag) === strip(etag));
}

/** A single byte range (several ranges are answered with the whole file, as RFC 9110 allows). */
function requestedRange(ctx: RequestContext, info: ResourceInfo): ByteRange | undefined {
  const header = headerOf(ctx, "range");
  if (!header || ctx.req.method !== "GET") return undefined;
  const ifRange = headerOf(ctx, "if-range");
  if (ifRange !== undefined && ifRange !== info.etag) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = "", last = ""] = match;
  let start: number;
  let end: number;
  if (first === "") {
    if (last === "") return undefined;
    start = Math.max(0, info.size - Number(last));
    end = info.size - 1;
  } else {
    start = Number(first);
    end = last === "" ? info.size - 1 : Math.min(Number(last), info.size - 1);
  }
  if (start >= info.size || start > end) throw new RangeNotSatisfiableError(info.size);
  return { start, end };
}

async function sendListing(ctx: RequestContext, info: ResourceInfo): Promise<void> {
  const children = (await ctx.fileSystem.list(info.path)).sort((a, b) => a.path.localeCompare(b.path));
  const rows = children.map((child) => {
    const href = escapeXml(hrefOf(child.path, ctx.basePath, child.isCollection));
    const label = escapeXml(nameOf(child.path) + (child.isCollection ? "/" : ""));
    return `<li><a href="${href}">${label}</a></li>`;
  });
  const title = escapeXml(hrefOf(info.path, ctx.basePath, true));
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><ul>${rows.join("")}</ul>\n`;
  const bytes = Buffer.from(html, "utf8");
  ctx.res.writeHead(200, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": String(bytes.length),
  });
  ctx.res.end(ctx.req.method === "HEAD" ? undefined : bytes);
}
