/** PUT: the body streamed into the FileSystem, which replaces the file atomically. */
import { checkWrite } from "../conditions.js";
import { headerOf, type RequestContext } from "../context.js";
import { BadRequestError, isNotFound, PreconditionFailedError } from "../errors.js";
import { sendEmpty } from "../respond.js";
import { etagListMatches } from "./get.js";

export async function put(ctx: RequestContext): Promise<void> {
  if (headerOf(ctx, "content-range") !== undefined) {
    throw new BadRequestError("partial PUT with Content-Range is not supported");
  }
  await checkWrite(ctx, [{ path: ctx.path, membership: true }]);
  const existing = await ctx.fileSystem.stat(ctx.path).catch((error) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  const ifMatch = headerOf(ctx, "if-match");
  if (ifMatch !== undefined && (!existing || !etagListMatches(ifMatch, existing.etag))) {
    throw new PreconditionFailedError("If-Match does not match");
  }
  const ifNoneMatch = headerOf(ctx, "if-none-match");
  if (ifNoneMatch !== undefined && existing && etagListMatches(ifNoneMatch, existing.etag)) {
    throw new PreconditionFailedError("If-None-Match matches");
  }
  const length = headerOf(ctx, "content-length");
  const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
  const written =
    (await ctx.fileSystem.write(ctx.path, ctx.req, size)) ?? (await ctx.fileSystem.stat(ctx.path));
  sendEmpty(ctx.res, existing ? 204 : 201, { ETag: written.etag });
}
