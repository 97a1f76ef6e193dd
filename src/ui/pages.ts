/**
 * The HTML pages: the single-page app in web/ (plain ES modules, no build step). Every file is read
 * and compressed (brotli, gzip) once at start and served from memory under /assets/, so a request
 * can only ever reach a file that was in the listing: no path from the URL touches the disk. The
 * page paths all answer index.html; the app asks /api/session and shows its login page on 401.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";
import { acceptedEncoding, type Encoding } from "./compress.js";
import type { UIContext } from "./context.js";
import { notFound } from "./errors.js";

/** web/ next to src/ and dist/: the same relative path from src/ui and dist/ui. */
const WEB_ROOT = fileURLToPath(new URL("../../web/", import.meta.url));

/** The app's paths, each answered with index.html. */
export const PAGE_PATHS = [
  "/",
  "/jobs",
  "/jobs/new",
  "/jobs/:id",
  "/redis",
  "/files",
  "/system",
  "/logs",
  "/login",
] as const;

/** No inline script or style can run: everything comes from /assets. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};
/** Worth compressing (images are already compressed). */
const TEXT_TYPES = new Set([".html", ".js", ".css", ".svg", ".json", ".txt"]);

interface Asset {
  type: string;
  etag: string;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/** Every file under `root` by its "/"-separated relative path. */
export function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (name.startsWith(".")) continue;
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const ext = extname(name).toLowerCase();
      const type = TYPES[ext];
      if (!type) continue;
      const identity = readFileSync(path);
      const etag = createHash("sha256").update(identity).digest("base64url").slice(0, 22);
      const asset: Asset = { type, etag, identity };
      if (TEXT_TYPES.has(ext) && identity.length > 256) {
        const br = brotliCompressSync(identity, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 11,
            [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
          },
        });
        const gzip = gzipSync(identity, { level: 9 });
        if (br.length < identity.length) asset.br = br;
        if (gzip.length < identity.length) asset.gzip = gzip;
      }
      assets.set(relative(root, path).split(sep).join("/"), asset);
    }
  };
  walk(root);
  return assets;
}

/** The best encoding the client accepts that this asset has. */
function pickEncoding(header: string | undefined, asset: Asset): Encoding | undefined {
  const offered = (["br", "gzip"] as const).filter((encoding) => asset[encoding] !== undefined);
  return acceptedEncoding(header, offered);
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  const encoding = pickEncoding(request.headers["accept-encoding"], asset);
  const etag = `"${asset.etag}${encoding ? `-${encoding}` : ""}"`;
  reply
    .header("content-type", asset.type)
    .header("cache-control", "no-cache")
    .header("etag", etag)
    .header("vary", "accept-encoding");
  if (asset.type.startsWith("text/html")) {
    reply
      .header("content-security-policy", CONTENT_SECURITY_POLICY)
      .header("x-frame-options", "DENY")
      .header("referrer-policy", "same-origin");
  }
  const match = request.headers["if-none-match"];
  if (match?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) {
    return reply.code(304).send();
  }
  if (encoding) reply.header("content-encoding", encoding);
  return reply.send(encoding ? asset[encoding] : asset.identity);
}

export function pageRoutes(ui: UIContext): void {
  let assets: Map<string, Asset>;
  try {
    assets = loadAssets(WEB_ROOT);
  } catch (error) {
    ui.logger.warn({ root: WEB_ROOT, error: String(error) }, "web UI pages not found; serving the API only");
    return;
  }
  const index = assets.get("index.html");
  if (!index) {
    ui.logger.warn({ root: WEB_ROOT }, "web UI index.html not found; serving the API only");
    return;
  }
  assets.delete("index.html");
  for (const path of PAGE_PATHS) ui.routes.addPage(path, (request, reply) => send(request, reply, index));
  ui.routes.addPage("/assets/*", (request, reply) => {
    // A lookup in the listing made at start: "..", encoded slashes or absolute paths match nothing.
    const name = (request.params as Record<string, string | undefined>)["*"] ?? "";
    const asset = assets.get(name);
    if (!asset) throw notFound(`no asset ${JSON.stringify(name)}`);
    return send(request, reply, asset);
  });
}
