/** Path traversal through every method, symlinks out of the root, Basic auth and HTTPS. */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalFileSystem } from "../../src/webdav/filesystem/local.js";
import { MemoryFileSystem } from "../../src/webdav/filesystem/memory.js";
import { hashPassword } from "../../src/webdav/password-hash.js";
import { WebDAVServer } from "../../src/webdav/server.js";
import { rawRequest } from "./helpers.js";

const METHODS = [
  "GET",
  "HEAD",
  "PUT",
  "DELETE",
  "MKCOL",
  "COPY",
  "MOVE",
  "PROPFIND",
  "PROPPATCH",
  "LOCK",
  "UNLOCK",
];
const TRAVERSALS = [
  "/dav/../secret.txt",
  "/dav/%2e%2e/secret.txt",
  "/dav/%2E%2E/secret.txt",
  "/dav/..%2fsecret.txt",
  "/dav/sub/..%2f..%2fsecret.txt",
  "/dav/..%5csecret.txt",
  "/dav/%2e%2e%5csecret.txt",
  "/dav/..\\secret.txt",
  "/dav/secret.txt%00",
  "/dav/a%00/../../secret.txt",
  "http://127.0.0.1/dav/%2e%2e/secret.txt",
];
const FAST_HASH = { N: 1024, r: 8, p: 1 };
/** A well-formed body per method, so the request gets as far as touching the file system. */
const BODIES: Record<string, string> = {
  PUT: "x",
  LOCK: '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
  PROPPATCH:
    '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:x">1</x></D:prop></D:set></D:propertyupdate>',
};

describe("path traversal", () => {
  const outside = mkdtempSync(join(tmpdir(), "heroagent-traversal-"));
  const root = join(outside, "root");
  let server: WebDAVServer;

  beforeAll(async () => {
    mkdirSync(join(root, "sub"), { recursive: true });
    writeFileSync(join(outside, "secret.txt"), "SECRET");
    mkdirSync(join(outside, "elsewhere"));
    writeFileSync(join(outside, "elsewhere", "inner.txt"), "SECRET");
    symlinkSync(join(outside, "secret.txt"), join(root, "link-file"));
    symlinkSync(join(outside, "elsewhere"), join(root, "link-dir"));
    symlinkSync(join(root, "sub"), join(root, "inner-link"));
    server = new WebDAVServer({ fileSystem: new LocalFileSystem(root), basePath: "/dav", port: 0 });
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
    rmSync(outside, { recursive: true, force: true });
  });

  const outsideUntouched = () => {
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("SECRET");
    expect(readdirSync(outside).sort()).toEqual(["elsewhere", "root", "secret.txt"]);
    expect(readdirSync(join(outside, "elsewhere"))).toEqual(["inner.txt"]);
  };

  it("refuses dot-dot, encoded slashes, backslashes and NUL bytes with every method", async () => {
    for (const method of METHODS) {
      for (const path of TRAVERSALS) {
        const res = await rawRequest(server.port, method, path, { Destination: "/dav/copied" }, "x");
        expect([400, 403, 404], `${method} ${path} -> ${res.status}`).toContain(res.status);
        expect(res.body).not.toContain("SECRET");
      }
    }
    outsideUntouched();
  });

  it("refuses traversal in the Destination of COPY and MOVE", async () => {
    await rawRequest(server.port, "PUT", "/dav/sub/f.txt", {}, "inside");
    for (const method of ["COPY", "MOVE"]) {
      for (const destination of TRAVERSALS.map((path) => path.replace("secret.txt", "stolen.txt"))) {
        const target = destination.startsWith("http")
          ? destination
          : `http://127.0.0.1:${server.port}${destination}`;
        const res = await rawRequest(server.port, method, "/dav/sub/f.txt", { Destination: target });
        expect([400, 403, 404, 502], `${method} to ${destination} -> ${res.status}`).toContain(res.status);
      }
    }
    outsideUntouched();
  });

  it("maps absolute-looking paths inside the root", async () => {
    const res = await rawRequest(server.port, "GET", "/dav//etc/passwd");
    expect(res.status).toBe(404);
  });

  it("does not follow symlinks that leave the root, with any method", async () => {
    for (const method of METHODS) {
      for (const path of [
        "/dav/link-file",
        "/dav/link-dir/inner.txt",
        "/dav/link-dir/new.txt",
        "/dav/link-dir",
      ]) {
        const headers = {
          Destination: `http://127.0.0.1:${server.port}/dav/x`,
          "Lock-Token": "<urn:uuid:x>",
        };
        const res = await rawRequest(server.port, method, path, headers, BODIES[method]);
        expect([403, 404], `${method} ${path} -> ${res.status}`).toContain(res.status);
        expect(res.body).not.toContain("SECRET");
      }
    }
    const copyInto = await rawRequest(server.port, "COPY", "/dav/sub", {
      Destination: `http://127.0.0.1:${server.port}/dav/link-dir/copied`,
    });
    expect(copyInto.status).toBe(403);
    outsideUntouched();
  });

  it("hides links that leave the root from listings but serves those inside it", async () => {
    const listing = await rawRequest(server.port, "PROPFIND", "/dav/", { Depth: "1" });
    expect(listing.body).not.toContain("link-file");
    expect(listing.body).not.toContain("link-dir");
    expect(listing.body).toContain("/dav/inner-link/");
    expect((await rawRequest(server.port, "GET", "/dav/inner-link/f.txt")).body).toBe("inside");
  });

  it("never serves the reserved metadata folder", async () => {
    await rawRequest(
      server.port,
      "PROPPATCH",
      "/dav/sub/f.txt",
      {},
      '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:x">1</x></D:prop></D:set></D:propertyupdate>',
    );
    expect((await rawRequest(server.port, "PROPFIND", "/dav/sub/.heroagent/", { Depth: "1" })).status).toBe(
      403,
    );
    expect((await rawRequest(server.port, "PUT", "/dav/.heroagent/x", {}, "x")).status).toBe(403);
    expect((await rawRequest(server.port, "PROPFIND", "/dav/sub/", { Depth: "1" })).body).not.toContain(
      ".heroagent",
    );
  });
});

describe("Basic authentication", () => {
  let server: WebDAVServer;
  const basic = (user: string, password: string) => ({
    Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
  });

  beforeAll(async () => {
    server = new WebDAVServer({
      fileSystem: new MemoryFileSystem(),
      port: 0,
      users: [
        { username: "ann", passwordHash: await hashPassword("s3cret", FAST_HASH) },
        { username: "viewer", passwordHash: await hashPassword("look", FAST_HASH), readOnly: true },
        // htpasswd -nbBC 5 bea 'b-crypt'
        { username: "bea", passwordHash: "$2y$05$/ocHVqjDxMf8.x0w7QTpd.Jo/9Gfx0Mjs5YYlQW/5elRAqgb/dJn." },
      ],
    });
    await server.start();
  });
  afterAll(() => server.stop());

  it("asks for credentials, and accepts only the right ones", async () => {
    const anonymous = await rawRequest(server.port, "PROPFIND", "/", { Depth: "0" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toMatch(/^Basic realm=/);
    expect((await rawRequest(server.port, "GET", "/", basic("ann", "wrong"))).status).toBe(401);
    expect((await rawRequest(server.port, "GET", "/", basic("nobody", "s3cret"))).status).toBe(401);
    expect((await rawRequest(server.port, "PUT", "/a.txt", basic("ann", "s3cret"), "hi")).status).toBe(201);
    // The second request is served from the verified-credentials cache; a wrong one must still fail.
    expect((await rawRequest(server.port, "GET", "/a.txt", basic("ann", "s3cret"))).body).toBe("hi");
    expect((await rawRequest(server.port, "GET", "/a.txt", basic("ann", "s3cret!"))).status).toBe(401);
  });

  it("accepts bcrypt hashes as htpasswd writes them", async () => {
    expect((await rawRequest(server.port, "PUT", "/b.txt", basic("bea", "b-crypt"), "bee")).status).toBe(201);
    expect((await rawRequest(server.port, "GET", "/b.txt", basic("bea", "b-crypt"))).body).toBe("bee");
    expect((await rawRequest(server.port, "GET", "/b.txt", basic("bea", "b-crypT"))).status).toBe(401);
    expect((await rawRequest(server.port, "GET", "/b.txt", basic("bea", "s3cret"))).status).toBe(401);
    expect((await rawRequest(server.port, "GET", "/b.txt", basic("ann", "b-crypt"))).status).toBe(401);
  });

  it("answers OPTIONS without credentials", async () => {
    const res = await rawRequest(server.port, "OPTIONS", "/");
    expect(res.status).toBe(200);
    expect(res.headers.dav).toBe("1, 2");
  });

  it("lets read-only users read but not write", async () => {
    const viewer = basic("viewer", "look");
    expect((await rawRequest(server.port, "PROPFIND", "/", { ...viewer, Depth: "1" })).status).toBe(207);
    for (const method of ["PUT", "DELETE", "MKCOL", "PROPPATCH", "LOCK", "UNLOCK", "MOVE", "COPY"]) {
      expect((await rawRequest(server.port, method, "/a.txt", viewer, "x")).status, method).toBe(403);
    }
    expect((await rawRequest(server.port, "GET", "/a.txt", viewer)).body).toBe("hi");
  });

  it("refuses users whose password is not a supported hash", () => {
    const plain = new WebDAVServer({
      fileSystem: new MemoryFileSystem(),
      users: [{ username: "x", passwordHash: "plain" }],
    });
    return expect(plain.start()).rejects.toThrow(/scrypt/);
  });

  it("refuses users whose bcrypt hash is malformed, naming the user", () => {
    const truncated = new WebDAVServer({
      fileSystem: new MemoryFileSystem(),
      users: [
        { username: "bea", passwordHash: "$2y$05$/ocHVqjDxMf8.x0w7QTpd.Jo/9Gfx0Mjs5YYlQW/5elRAqgb/dJn" },
      ],
    });
    return expect(truncated.start()).rejects.toThrow(/WebDAV user bea: .*bcrypt hash is malformed/);
  });
});

function httpsGet(port: number, options: { ca?: string }) {
  return new Promise<{ status: number; subject: string }>((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port,
        method: "OPTIONS",
        path: "/",
        ...(options.ca ? { ca: options.ca } : { rejectUnauthorized: false }),
      },
      (res) => {
        const subject = String(
          (res.socket as import("node:tls").TLSSocket).getPeerCertificate().subject?.CN ?? "",
        );
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, subject }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("HTTPS", () => {
  it("serves with a generated self-signed certificate", async () => {
    const server = new WebDAVServer({
      fileSystem: new MemoryFileSystem(),
      port: 0,
      https: { enabled: true },
    });
    await server.start();
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      expect(await httpsGet(server.port, {})).toEqual({ status: 200, subject: "127.0.0.1" });
    } finally {
      await server.stop();
    }
  });

  it("serves with a configured certificate that clients can verify", async () => {
    const dir = mkdtempSync(join(tmpdir(), "heroagent-tls-"));
    const pems = await generate([{ name: "commonName", value: "webdav-test" }], {
      keySize: 2048,
      extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
    });
    writeFileSync(join(dir, "cert.pem"), pems.cert);
    writeFileSync(join(dir, "key.pem"), pems.private);
    const server = new WebDAVServer({
      fileSystem: new MemoryFileSystem(),
      port: 0,
      https: { enabled: true, certFile: join(dir, "cert.pem"), keyFile: join(dir, "key.pem") },
    });
    await server.start();
    try {
      expect(await httpsGet(server.port, { ca: pems.cert })).toEqual({ status: 200, subject: "webdav-test" });
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
