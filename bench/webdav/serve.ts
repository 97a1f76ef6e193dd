/**
 * Child-process entry of the WebDAV benchmark: serves ROOT with one of the Node servers on a free
 * loopback port and prints {"port": N} once listening, so each server's memory is its own.
 * Usage: tsx bench/webdav/serve.ts heroagent|webdav-server ROOT
 */
import webdavServer from "webdav-server";
import { LocalFileSystem } from "../../src/webdav/filesystem/local.js";
import { WebDAVServer } from "../../src/webdav/server.js";

const [kind, root] = process.argv.slice(2);
if (!root) throw new Error("usage: serve.ts heroagent|webdav-server ROOT");

if (kind === "heroagent") {
  const server = new WebDAVServer({ fileSystem: new LocalFileSystem(root), port: 0 });
  await server.start();
  console.log(JSON.stringify({ port: server.port }));
} else if (kind === "webdav-server") {
  const { v2 } = webdavServer;
  const server = new v2.WebDAVServer({ port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) =>
    server.setFileSystem("/", new v2.PhysicalFileSystem(root), () => resolve()),
  );
  const http = await new Promise<import("node:http").Server>((resolve) =>
    server.start((s) => resolve(s as import("node:http").Server)),
  );
  const address = http.address();
  console.log(JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 }));
} else {
  throw new Error(`unknown server ${kind}`);
}
