/**
 * The file routes, over the WebDAV service's FileSystem. Paths go through the WebDAV server's own
 * normalization (resourcePathOf): "..", encoded slashes or backslashes and NUL bytes are refused
 * before the FileSystem sees them, and the FileSystem refuses its reserved names.
 */
import { Transform } from "node:stream";
import { z } from "zod";
import { UIRequestError } from "../../errors.js";
import { resourcePathOf } from "../../webdav/index.js";
import type { UIContext } from "../context.js";
import { webdavFileSystem } from "../context.js";
import { badRequest } from "../errors.js";

const pathQuery = z.strictObject({ path: z.string().max(4096).default("/") });
const requiredPath = z.strictObject({ path: z.string().min(1).max(4096) });

/** A resource path ("/" or "/a/b") from the API's `path`, with the WebDAV server's rules. */
export function apiPath(path: string): string {
  // A lone surrogate (JSON "\ud800") names no file and cannot be encoded: refused, not a 500.
  if (/\p{Surrogate}/u.test(path)) throw badRequest("path is not well-formed Unicode");
  // Each segment is encoded so resourcePathOf decodes it back to exactly what the caller sent.
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return resourcePathOf(`/${encoded}`, "");
}

export function filesRoutes(ui: UIContext): void {
  const fs = () => webdavFileSystem(ui.factory);
  ui.routes.add(
    { method: "GET", url: "/api/files", tag: "files", summary: "List a folder", query: pathQuery },
    async ({ query }) => {
      const path = apiPath(query.path);
      const info = await fs().stat(path);
      if (!info.isCollection) throw badRequest(`${path} is a file, not a folder`);
      const entries = (await fs().list(path)).sort((a, b) => a.path.localeCompare(b.path));
      return { path, entries };
    },
  );
  ui.routes.add(
    {
      method: "GET",
      url: "/api/files/content",
      tag: "files",
      summary: "Download a file (streamed)",
      query: requiredPath,
      produces: "application/octet-stream",
    },
    async ({ query }, _request, reply) => {
      const path = apiPath(query.path);
      const info = await fs().stat(path);
      if (info.isCollection) throw badRequest(`${path} is a folder`);
      const name = path.slice(path.lastIndexOf("/") + 1);
      reply
        .header("content-type", "application/octet-stream")
        .header("content-length", String(info.size))
        .header("content-disposition", `attachment; filename*=UTF-8''${extValue(name)}`)
        .header("etag", info.etag);
      return reply.send(await fs().read(path));
    },
  );
  ui.routes.add(
    {
      method: "PUT",
      url: "/api/files/content",
      tag: "files",
      summary: "Upload a file: the request body is its bytes (streamed, at most ui.maxUploadSize)",
      query: requiredPath,
      binaryBody: true,
    },
    async ({ query }, request, reply) => {
      const path = apiPath(query.path);
      if (path === "/") throw badRequest("path names the root folder");
      const limit = ui.config.ui.maxUploadSize;
      const declared = Number(request.headers["content-length"] ?? 0);
      if (limit > 0 && declared > limit) throw tooLarge(limit);
      const body = sizeLimit(limit);
      request.raw.once("error", (error) => body.destroy(error));
      request.raw.once("aborted", () => body.destroy(new Error("upload aborted")));
      try {
        await fs().write(path, request.raw.pipe(body));
      } catch (error) {
        // The rest of the body stays unread: close the connection after the error reply. Kept
        // open, it would sit paused, never notice its client leaving, and hold the UI's stop.
        reply.header("connection", "close");
        throw error;
      }
      reply.code(201);
      return { path, size: (await fs().stat(path)).size };
    },
  );
  ui.routes.add(
    {
      method: "POST",
      url: "/api/files/mkdir",
      tag: "files",
      summary: "Create a folder",
      body: z.strictObject({ path: z.string().min(1).max(4096) }),
    },
    async ({ body }, _request, reply) => {
      const path = apiPath(body.path);
      await fs().mkcol(path);
      reply.code(201);
      return { path };
    },
  );
  ui.routes.add(
    {
      method: "DELETE",
      url: "/api/files",
      tag: "files",
      summary: "Delete a file, or a folder with everything in it",
      query: requiredPath,
    },
    async ({ query }) => {
      const path = apiPath(query.path);
      if (path === "/") throw badRequest("the root folder cannot be deleted");
      await fs().stat(path);
      await fs().remove(path);
      return { deleted: path };
    },
  );
}

/**
 * `text` as an RFC 8187 ext-value's characters: encodeURIComponent leaves ' ( ) * as they are,
 * and a quote in the value breaks parsers (Chrome's among them) that split it at quotes.
 */
const extValue = (text: string) =>
  encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const tooLarge = (limit: number) =>
  new UIRequestError(413, "HEROAGENT_ERR_PAYLOAD_TOO_LARGE", `uploads are limited to ${limit} bytes`);

/** Passes bytes through, failing the stream once more than `limit` went by (0 = no limit). */
function sizeLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (limit > 0 && seen > limit) done(tooLarge(limit));
      else done(null, chunk);
    },
  });
}
