/** MKCOL and DELETE. */
import { checkWrite } from "../conditions.js";
import { type RequestContext, readBody } from "../context.js";
import { isNotFound, MethodNotAllowedError, UnsupportedMediaTypeError } from "../errors.js";
import { sendEmpty } from "../respond.js";

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

export async function remove(ctx: RequestContext): Promise<void> {
  await ctx.fileSystem.stat(ctx.path);
  await checkWrite(ctx, [{ path: ctx.path, recursive: true, membership: true }]);
  await ctx.fileSystem.remove(ctx.path);
  ctx.lockSystem.removeTree(ctx.path);
  sendEmpty(ctx.res, 204);
}
