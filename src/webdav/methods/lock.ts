/** LOCK (create or refresh) and UNLOCK, RFC 4918 §§9.10, 9.11. */

import { Readable } from "node:stream";
import { checkIfHeader, checkWrite } from "../conditions.js";
import { headerOf, type RequestContext, readXmlBody } from "../context.js";
import { BadRequestError, ConflictError, ForbiddenError, isNotFound } from "../errors.js";
import { submittedTokens } from "../if-header.js";
import { activeLockXml } from "../live-properties.js";
import type { ActiveLock, LockRequest } from "../locks/types.js";
import { sendEmpty, sendXml } from "../respond.js";
import { childElements, findDavChild, isDav, type XmlElement } from "../xml/parse.js";
import { serializeChildren } from "../xml/write.js";

/** Longest lock we grant; clients asking for more (or Infinite) get this and refresh. */
const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
const DEFAULT_TIMEOUT_SECONDS = 3600;

export async function lock(ctx: RequestContext): Promise<void> {
  const body = await readXmlBody(ctx.req);
  if (!body) return refreshLock(ctx);
  const request = parseLockInfo(ctx, body);
  await checkIfHeader(ctx);
  const created = await ctx.fileSystem.stat(ctx.path).then(
    () => false,
    (error) => {
      if (isNotFound(error)) return true;
      throw error;
    },
  );
  if (created) await checkWrite(ctx, [{ path: ctx.path, membership: true }]);
  const active = ctx.lockSystem.create(request);
  if (created) {
    // RFC 4918 §7.3: locking an unmapped URL creates an empty resource.
    try {
      await ctx.fileSystem.write(ctx.path, Readable.from([]));
    } catch (error) {
      ctx.lockSystem.unlock(active.token);
      throw error;
    }
  }
  sendLockDiscovery(ctx, active, created ? 201 : 200, { "Lock-Token": `<${active.token}>` });
}

async function refreshLock(ctx: RequestContext): Promise<void> {
  const lists = await checkIfHeader(ctx);
  if (!lists) throw new BadRequestError("LOCK without a body needs an If header naming the lock to refresh");
  const covering = new Set(ctx.lockSystem.covering(ctx.path).map((active) => active.token));
  const token = [...submittedTokens(lists)].find((candidate) => covering.has(candidate));
  if (!token)
    throw new ConflictError("no submitted lock token covers this resource", "lock-token-matches-request-uri");
  const active = ctx.lockSystem.refresh(token, parseTimeout(ctx));
  sendLockDiscovery(ctx, active, 200);
}

export async function unlock(ctx: RequestContext): Promise<void> {
  const header = headerOf(ctx, "lock-token");
  const token = header?.trim().replace(/^<|>$/g, "");
  if (!token) throw new BadRequestError("UNLOCK needs a Lock-Token header");
  await ctx.fileSystem.stat(ctx.path); // 404 or 403 (outside the root) before any lock is looked at
  const active = ctx.lockSystem.get(token);
  if (!active || !ctx.lockSystem.covering(ctx.path).includes(active)) {
    throw new ConflictError("the lock token does not cover this resource", "lock-token-matches-request-uri");
  }
  if (active.principal && ctx.principal && active.principal !== ctx.principal.username) {
    throw new ForbiddenError("the lock belongs to another user");
  }
  ctx.lockSystem.unlock(token);
  sendEmpty(ctx.res, 204);
}

function sendLockDiscovery(ctx: RequestContext, active: ActiveLock, status: number, headers = {}) {
  const body = `<D:prop xmlns:D="DAV:"><D:lockdiscovery>${activeLockXml(active, ctx.basePath)}</D:lockdiscovery></D:prop>`;
  sendXml(ctx.res, status, body, headers);
}

function parseLockInfo(ctx: RequestContext, body: XmlElement): LockRequest {
  if (!isDav(body, "lockinfo")) throw new BadRequestError("LOCK body must be a DAV:lockinfo element");
  const scopeElement = findDavChild(body, "lockscope");
  const scope = scopeElement && childElements(scopeElement).find((child) => child.ns === "DAV:")?.name;
  if (scope !== "exclusive" && scope !== "shared")
    throw new BadRequestError("lockscope must be exclusive or shared");
  const type = findDavChild(body, "locktype");
  if (!type || !findDavChild(type, "write")) throw new BadRequestError("only write locks exist");
  const depthHeader = (headerOf(ctx, "depth") ?? "infinity").toLowerCase();
  if (depthHeader !== "0" && depthHeader !== "infinity")
    throw new BadRequestError(`LOCK with Depth: ${depthHeader}`);
  const owner = findDavChild(body, "owner");
  return {
    root: ctx.path,
    scope,
    depth: depthHeader === "0" ? 0 : "infinity",
    ...(owner ? { owner: serializeChildren(owner) } : {}),
    timeoutSeconds: parseTimeout(ctx),
    ...(ctx.principal ? { principal: ctx.principal.username } : {}),
  };
}

/** The first usable value of the Timeout header ("Second-600, Infinite"), capped. */
function parseTimeout(ctx: RequestContext): number {
  const header = headerOf(ctx, "timeout");
  if (!header) return DEFAULT_TIMEOUT_SECONDS;
  for (const part of header.split(",").map((value) => value.trim().toLowerCase())) {
    if (part === "infinite") return MAX_TIMEOUT_SECONDS;
    const match = /^second-(\d+)$/.exec(part);
    if (match) return Math.min(Number(match[1]), MAX_TIMEOUT_SECONDS);
  }
  return DEFAULT_TIMEOUT_SECONDS;
}
