/** MKCOL and DELETE. */
import { checkWrite, checkWriteTree } from "../conditions.js";
import { type RequestContext, readBody } from "../context.js";
import { ForbiddenError, isNotFound, MethodNotAllowedError, UnsupportedMediaTypeError } from "../errors.js";
import { sendEmpty } from "../respond.js";
import { TreeWalk } from "./tree.js";

export async function mkcol(ctx: RequestContext): Promise<void> {
  await checkWrite(ctx, [{ path: ctx.path, membership: true }]);
  const existing = await ctx.fileSystem.stat(ctx.path).catch((error) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (existing) throw new MethodNotAllowedError(`${ctx.path} already exists`);
  // RFC 4918 §9.3: a body we do not understand is a 415.
  if ((await readBody(ctx.req)).length > 0) throw new UnsupportedMediaTypeError("MKCOL with a body");
  await ctx.fileSystem.mkcol(ctx.path);
  sendEmpty(ctx.res, 201);
}

/**
 * DELETE (RFC 4918 §9.6): members that cannot be deleted (locked without their token, file-system
 * errors) stay with their ancestors, the rest is deleted, and the answer is a 207 naming them.
 */
export async function remove(ctx: RequestContext): Promise<void> {
  // Checked here: member by member, the root's members would go before its own removal failed.
  if (ctx.path === "/") throw new ForbiddenError("the root cannot be deleted");
  const info = await ctx.fileSystem.stat(ctx.path);
  const locked = await checkWriteTree(ctx, [{ path: ctx.path, recursive: true, membership: true }]);
  const walk = new TreeWalk(ctx, locked);
  await walk.delete(info);
  walk.finish(204);
}
