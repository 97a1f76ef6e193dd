/**
 * Preconditions of write methods: the If header must hold (else 412), and every lock on a resource
 * the request changes must have its token submitted in it (else 423), RFC 4918 §§6, 7, 10.4.
 */
import { headerOf, type RequestContext } from "./context.js";
import { LockedError, PreconditionFailedError } from "./errors.js";
import { type IfCondition, type IfList, parseIfHeader, submittedTokens } from "./if-header.js";
import type { ActiveLock } from "./locks/types.js";
import { destinationPathOf, parentOf } from "./paths.js";

export interface WriteTarget {
  path: string;
  /** The whole subtree changes (DELETE, MOVE source, overwritten destination). */
  recursive?: boolean;
  /** The parent's membership changes (created, deleted or moved resources). */
  membership?: boolean;
}

/** The parsed If header (undefined without one), after checking that it holds. */
export async function checkIfHeader(ctx: RequestContext): Promise<IfList[] | undefined> {
  const header = headerOf(ctx, "if");
  if (header === undefined) return undefined;
  const lists = parseIfHeader(header);
  for (const list of lists) if (await listHolds(ctx, list)) return lists;
  throw new PreconditionFailedError("no list of the If header holds");
}

/** Throws unless the If header holds and unlocks every lock on `targets`. */
export async function checkWrite(ctx: RequestContext, targets: readonly WriteTarget[]): Promise<void> {
  const lists = await checkIfHeader(ctx);
  const submitted = lists ? submittedTokens(lists) : new Set<string>();
  for (const lock of locksAffecting(ctx, targets)) {
    if (!submitted.has(lock.token)) throw new LockedError(`${lock.root} is locked`);
    if (lock.principal && ctx.principal && lock.principal !== ctx.principal.username) {
      throw new LockedError(`${lock.root} is locked by another user`);
    }
  }
}

function locksAffecting(ctx: RequestContext, targets: readonly WriteTarget[]): Set<ActiveLock> {
  const locks = new Set<ActiveLock>();
  const add = (found: ActiveLock[]) => {
    for (const lock of found) locks.add(lock);
  };
  for (const target of targets) {
    add(ctx.lockSystem.covering(target.path));
    if (target.recursive) add(ctx.lockSystem.inside(target.path));
    if (target.membership && target.path !== "/") add(ctx.lockSystem.covering(parentOf(target.path)));
  }
  return locks;
}

async function listHolds(ctx: RequestContext, list: IfList): Promise<boolean> {
  let path = ctx.path;
  if (list.resource !== undefined) {
    try {
      path = destinationPathOf(list.resource, ctx.req.headers.host, ctx.basePath);
    } catch {
      return false; // a resource on another server or outside the base path never matches
    }
  }
  for (const condition of list.conditions) {
    if ((await conditionHolds(ctx, path, condition)) === condition.not) return false;
  }
  return true;
}

async function conditionHolds(ctx: RequestContext, path: string, condition: IfCondition): Promise<boolean> {
  if (condition.token !== undefined) {
    return ctx.lockSystem.covering(path).some((lock) => lock.token === condition.token);
  }
  const etag = await ctx.fileSystem.stat(path).then(
    (info) => info.etag,
    () => undefined,
  );
  return etag !== undefined && stripWeak(etag) === stripWeak(condition.etag ?? "");
}

function stripWeak(etag: string): string {
  return etag.startsWith("W/") ? etag.slice(2) : etag;
}
