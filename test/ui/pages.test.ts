/** The web pages' static serving: the shell on every page path, assets, CSP, compression, traversal. */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY, PAGE_PATHS } from "../../src/ui/pages.js";
import { call, PASSWORD, startUI, type UIHarness } from "./helpers.js";

const WEB = path.resolve(import.meta.dirname, "../../web");
let root: string;
let ui: UIHarness;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "heroagent-pages-"));
  ui = await startUI(root);
});

afterAll(async () => {
  await ui?.factory.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A GET with the path sent exactly as written (fetch would normalize "..", "%2e" and "\\"). */
function rawGet(
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const { hostname, port } = new URL(ui.base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: rawPath, method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Every file under web/ as "/"-separated paths. */
function webFiles(dir = WEB): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? webFiles(full) : [path.relative(WEB, full).split(path.sep).join("/")];
  });
}

describe("web pages", () => {
  it("answers index.html on every page path without a login, with a strict CSP", async () => {
    const index = fs.readFileSync(path.join(WEB, "index.html"), "utf8");
    for (const page of PAGE_PATHS) {
      const url = page.replace(":id", "42");
      const response = await fetch(`${ui.base}${url}`, { headers: { "accept-encoding": "identity" } });
      expect(response.status, url).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await response.text()).toBe(index);
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe");
    // The shell has no inline script or style for the CSP to block.
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it("serves every file of web/ under /assets with its content type, ETag and no-cache", async () => {
    const types: Record<string, string> = {
      ".js": "text/javascript; charset=utf-8",
      ".css": "text/css; charset=utf-8",
      ".svg": "image/svg+xml",
    };
    const files = webFiles().filter((f) => f !== "index.html");
    expect(files).toEqual(
      expect.arrayContaining(["app.js", "api.js", "dom.js", "style.css", "pages/jobs.js"]),
    );
    for (const file of files) {
      const response = await fetch(`${ui.base}/assets/${file}`, {
        headers: { "accept-encoding": "identity" },
      });
      expect(response.status, file).toBe(200);
      expect(response.headers.get("content-type"), file).toBe(types[path.extname(file)]);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("content-encoding")).toBeNull();
      expect(Buffer.from(await response.arrayBuffer()).equals(fs.readFileSync(path.join(WEB, file)))).toBe(
        true,
      );
      const etag = response.headers.get("etag") as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await fetch(`${ui.base}/assets/${file}`, {
        headers: { "accept-encoding": "identity", "if-none-match": etag },
      });
      expect(again.status).toBe(304);
    }
  });

  it("sends brotli or gzip, precompressed, when the client takes it", async () => {
    const original = fs.readFileSync(path.join(WEB, "app.js"));
    const br = await rawGet("/assets/app.js", { "accept-encoding": "gzip, deflate, br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toBe("accept-encoding");
    expect(br.body.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(br.body).equals(original)).toBe(true);
    const gzip = await rawGet("/assets/app.js", { "accept-encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.body).equals(original)).toBe(true);
    expect(gzip.headers.etag).not.toBe(br.headers.etag);
    const refused = await rawGet("/assets/app.js", { "accept-encoding": "br;q=0, gzip" });
    expect(refused.headers["content-encoding"]).toBe("gzip");
    const html = await rawGet("/jobs", { "accept-encoding": "br" });
    expect(html.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(html.body).toString()).toBe(
      fs.readFileSync(path.join(WEB, "index.html"), "utf8"),
    );
  });

  it("answers HEAD for pages and assets", async () => {
    const response = await fetch(`${ui.base}/assets/style.css`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await fetch(`${ui.base}/files`, { method: "HEAD" })).status).toBe(200);
  });

  it("never leaves web/: traversal attempts find nothing", async () => {
    const secret = fs.readFileSync(path.resolve(WEB, "../package.json"));
    const attempts = [
      "/assets/../package.json",
      "/assets/../../package.json",
      "/assets/pages/../../package.json",
      "/assets/..%2fpackage.json",
      "/assets/%2e%2e/package.json",
      "/assets/%2e%2e%2fpackage.json",
      "/assets/%2E%2E/%2E%2E/package.json",
      "/assets/..%5cpackage.json",
      "/assets/..\\package.json",
      "/assets//etc/passwd",
      "/assets/%2fetc%2fpasswd",
      "/assets/pages/%2e%2e/%2e%2e/src/ui/pages.ts",
      "/assets/.%2e/package.json",
      "/assets/app.js%00.css",
      "/assets/index.html/../../package.json",
    ];
    for (const attempt of attempts) {
      const response = await rawGet(attempt);
      expect(response.status, attempt).not.toBe(200);
      expect(response.body.includes(secret.subarray(0, 60)), attempt).toBe(false);
      expect(response.body.toString()).not.toContain("devDependencies");
      expect(response.body.toString()).not.toContain("root:");
    }
  });

  it("answers 404 as JSON for an unknown asset, and keeps the API behind the login", async () => {
    const missing = await call(ui.base, "GET", "/assets/nope.js");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("HEROAGENT_ERR_NOT_FOUND");
    expect((await call(ui.base, "GET", "/assets/")).status).toBe(404);
    expect((await call(ui.base, "GET", "/assets/pages")).status).toBe(404);
    // index.html is the shell of the page paths, not an asset.
    expect((await call(ui.base, "GET", "/assets/index.html")).status).toBe(404);
    expect((await call(ui.base, "GET", "/api/services")).status).toBe(401);
    // Paths that are not pages are not public either: no shell for them.
    const other = await call(ui.base, "GET", "/nope");
    expect([401, 404]).toContain(other.status);
    expect(String(other.headers.get("content-type"))).toContain("json");
    // Mutations on page paths do not exist.
    expect((await call(ui.base, "POST", "/jobs")).status).not.toBe(200);
  });

  it("leaves the pages out of the OpenAPI document", async () => {
    const doc = await call(ui.base, "GET", "/api/openapi.json", { bearer: PASSWORD });
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.every((p) => p.startsWith("/api/") || ["/healthz", "/readyz", "/metrics"].includes(p))).toBe(
      true,
    );
  });
});
