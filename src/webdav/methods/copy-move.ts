/**
 * COPY and MOVE (RFC 4918 §§9.8, 9.9): Destination, Depth and Overwrite. A member that fails is
 * reported in a 207 Multi-Status while the others are copied or moved (see tree.ts).
 */
import { checkWriteTree, type LockedMember } from "../conditions.js";
import { headerOf, type RequestContext } from "../context.js";
import { BadRequestError, ForbiddenError, isNotFound, PreconditionFailedError } from "../errors.js";
import type { ResourceInfo } from "../filesystem/types.js";
import { destinationPathOf, isWithin } from "../paths.js";
import { TreeWalk } from "./tree.js";

interface Transfer {
  source: ResourceInfo;
  destination: string;
  /** True when the destination existed (and was replaced). */
  replaced: boolean;
  /** Locked members of the source (MOVE) whose tokens were not submitted: they stay where they are. */
  lockedSource: LockedMember[];
}

export async function copy(ctx: RequestContext): Promise<void> {
  const depth = (headerOf(ctx, "depth") ?? "infinity").toLowerCase();
  if (depth !== "0" && depth !== "infinity") throw new BadRequestError(`COPY with Depth: ${depth}`);
  const transfer = await prepare(ctx, false);
  if (!transfer) return;
  const walk = new TreeWalk(ctx);
  await walk.copy(transfer.source, transfer.destination, depth === "infinity");
  walk.finish(transfer.replaced ? 204 : 201);
}

export async function move(ctx: RequestContext): Promise<void> {
  const depth = (headerOf(ctx, "depth") ?? "infinity").toLowerCase();
  if (depth !== "infinity") throw new BadRequestError(`MOVE with Depth: ${depth}`);
  const transfer = await prepare(ctx, true);
  if (!transfer) return;
  const walk = new TreeWalk(ctx, transfer.lockedSource);
  await walk.move(transfer.source, transfer.destination);
  walk.finish(transfer.replaced ? 204 : 201);
}

/**
 * Validates the request, checks locks and removes an existing destination when Overwrite allows.
 * Undefined when the request was already answered: a 207 naming the locked members of the
 * destination (nothing is done then) or those that could not be removed from it (RFC 4918 §9.8.8).
 */
async function prepare(ctx: RequestContext, isMove: boolean): Promise<Transfer | undefined> {
  const destination = destinationPathOf(headerOf(ctx, "destination"), ctx.req.headers.host, ctx.basePath);
  const overwrite = (headerOf(ctx, "overwrite") ?? "T").toUpperCase();
  if (overwrite !== "T" && overwrite !== "F") throw new BadRequestError(`bad Overwrite header: ${overwrite}`);
  const source = await ctx.fileSystem.stat(ctx.path);
  if (destination === ctx.path) throw new ForbiddenError("source and destination are the same resource");
  if (source.isCollection && isWithin(destination, ctx.path)) {
    throw new ForbiddenError("cannot copy or move a collection into itself");
  }
  // Overwriting an ancestor of the source would delete the source first (mod_dav refuses it too).
  if (overwrite === "T" && isWithin(ctx.path, destination)) {
    throw new ForbiddenError("the destination contains the source");
  }
  const targets = [{ path: destination, recursive: true, membership: true }];
  if (isMove) targets.push({ path: ctx.path, recursive: true, membership: true });
  const locked = await checkWriteTree(ctx, targets);
  const existing = await ctx.fileSystem.stat(destination).catch((error) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (existing && overwrite === "F")
    throw new PreconditionFailedError("destination exists and Overwrite is F");
  const lockedDestination = locked.filter((member) => isWithin(member.path, destination));
  if (lockedDestination.length > 0) {
    const walk = new TreeWalk(ctx);
    for (const member of lockedDestination) {
      const isCollection = await ctx.fileSystem.stat(member.path).then(
        (info) => info.isCollection,
        () => false,
      );
      walk.fail(member.path, isCollection, member.error);
    }
    walk.finish(207);
    return undefined;
  }
  if (existing) {
    // Overwrite: T is a DELETE of the destination first (§9.8.4); what it cannot remove is reported.
    const walk = new TreeWalk(ctx);
    if (!(await walk.delete(existing))) {
      walk.finish(207);
      return undefined;
    }
  }
  return {
    source,
    destination,
    replaced: existing !== undefined,
    lockedSource: locked.filter((member) => !isWithin(member.path, destination)),
  };
}
