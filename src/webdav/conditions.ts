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
  const locked = await checkWriteTree(ctx, targets);
  if (locked[0]) throw locked[0].error;
}

/** A lock rooted strictly inside a recursive target, whose token the request did not submit. */
export interface LockedMember {
  /** The locked resource (the lock's root). */
  path: string;
  error: LockedError;
}

/**
 * checkWrite for methods that work through a tree member by member (DELETE, COPY, MOVE): a lock on
 * a target itself, on an ancestor or on a target's parent still throws (423 for the whole request),
 * but a lock rooted strictly inside a recursive target is returned instead, so the method can leave
 * that member alone and report it in a 207 Multi-Status (RFC 4918 §§9.6.1, 9.8.8, 9.9.4).
 */
export async function checkWriteTree(
  ctx: RequestContext,
  targets: readonly WriteTarget[],
): Promise<LockedMember[]> {
  const lists = await checkIfHeader(ctx);
  const submitted = lists ? submittedTokens(lists) : new Set<string>();
  const refusal = (lock: ActiveLock): LockedError | undefined => {
    if (!submitted.has(lock.token)) return new LockedError(`${lock.root} is locked`);
    if (lock.principal && ctx.principal && lock.principal !== ctx.principal.username) {
      return new LockedError(`${lock.root} is locked by another user`);
    }
    return undefined;
  };
  const members: LockedMember[] = [];
  for (const lock of locksAffecting(ctx, targets, false)) {
    const error = refusal(lock);
    if (error) throw error;
  }
  for (const lock of locksAffecting(ctx, targets, true)) {
    const error = refusal(lock);
    if (error) members.push({ path: lock.root, error });
  }
  return members;
}

/**
 * The locks a write to `targets` must be allowed by: those on the targets, their ancestors (depth
 * infinity) and parents (`inside` false), or only those rooted strictly inside a recursive target
 * and not already among the former (`inside` true).
 */
function locksAffecting(ctx: RequestContext, targets: readonly WriteTarget[], inside: boolean): ActiveLock[] {
  const top = new Set<ActiveLock>();
  for (const target of targets) {
    for (const lock of ctx.lockSystem.covering(target.path)) top.add(lock);
    if (target.membership && target.path !== "/") {
      for (const lock of ctx.lockSystem.covering(parentOf(target.path))) top.add(lock);
    }
  }
  if (!inside) return [...top];
  const members = new Set<ActiveLock>();
  for (const target of targets) {
    if (!target.recursive) continue;
    for (const lock of ctx.lockSystem.inside(target.path)) if (!top.has(lock)) members.add(lock);
  }
  return [...members];
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
