/** COPY and MOVE (RFC 4918 §§9.8, 9.9): Destination, Depth and Overwrite. */
import { checkWrite } from "../conditions.js";
import { headerOf, type RequestContext } from "../context.js";
import { BadRequestError, ForbiddenError, isNotFound, PreconditionFailedError } from "../errors.js";
import type { FileSystem, ResourceInfo } from "../filesystem/types.js";
import { destinationPathOf, isWithin, joinPath, nameOf } from "../paths.js";
import { sendEmpty } from "../respond.js";

interface Transfer {
  source: ResourceInfo;
  destination: string;
  /** True when the destination existed (and was replaced). */
  replaced: boolean;
}

export async function copy(ctx: RequestContext): Promise<void> {
  const depth = (headerOf(ctx, "depth") ?? "infinity").toLowerCase();
  if (depth !== "0" && depth !== "infinity") throw new BadRequestError(`COPY with Depth: ${depth}`);
  const transfer = await prepare(ctx, false);
  await copyTree(ctx.fileSystem, transfer.source, transfer.destination, depth === "infinity");
  sendEmpty(ctx.res, transfer.replaced ? 204 : 201);
}

export async function move(ctx: RequestContext): Promise<void> {
  const depth = (headerOf(ctx, "depth") ?? "infinity").toLowerCase();
  if (depth !== "infinity") throw new BadRequestError(`MOVE with Depth: ${depth}`);
  const transfer = await prepare(ctx, true);
  await ctx.fileSystem.move(ctx.path, transfer.destination);
  ctx.lockSystem.removeTree(ctx.path);
  sendEmpty(ctx.res, transfer.replaced ? 204 : 201);
}

/** Validates the request, checks locks and removes an existing destination when Overwrite allows. */
async function prepare(ctx: RequestContext, isMove: boolean): Promise<Transfer> {
  const destination = destinationPathOf(headerOf(ctx, "destination"), ctx.req.headers.host, ctx.basePath);
  const overwrite = (headerOf(ctx, "overwrite") ?? "T").toUpperCase();
  if (overwrite !== "T" && overwrite !== "F") throw new BadRequestError(`bad Overwrite header: ${overwrite}`);
  const source = await ctx.fileSystem.stat(ctx.path);
  if (destination === ctx.path) throw new ForbiddenError("source and destination are the same resource");
  if (source.isCollection && isWithin(destination, ctx.path)) {
    throw new ForbiddenError("cannot copy or move a collection into itself");
  }
  const targets = [{ path: destination, recursive: true, membership: true }];
  if (isMove) targets.push({ path: ctx.path, recursive: true, membership: true });
  await checkWrite(ctx, targets);
  const existing = await ctx.fileSystem.stat(destination).catch((error) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (existing && overwrite === "F")
    throw new PreconditionFailedError("destination exists and Overwrite is F");
  if (existing) {
    await ctx.fileSystem.remove(destination);
    ctx.lockSystem.removeTree(destination);
  }
  return { source, destination, replaced: existing !== undefined };
}

async function copyTree(
  fs: FileSystem,
  source: ResourceInfo,
  destination: string,
  deep: boolean,
): Promise<void> {
  if (!source.isCollection) {
    await fs.copyFile(source.path, destination);
    return;
  }
  await fs.mkcol(destination);
  const properties = await fs.getProperties(source.path);
  if (properties.length > 0) {
    await fs.patchProperties(
      destination,
      properties.map((property) => ({ op: "set" as const, property })),
    );
  }
  if (!deep) return;
  for (const child of await fs.list(source.path)) {
    await copyTree(fs, child, joinPath(destination, nameOf(child.path)), true);
  }
}
