/**
 * Child-process entry of the WebDAV benchmark: serves ROOT with one of the Node servers on a free
 * loopback port and prints {"port": N} once listening, so each server's memory and CPU are its own.
 * Exits cleanly on SIGTERM, which lets `node --cpu-prof` write its profile.
 * Usage: node serve.mjs heroagent|webdav-server ROOT (servers.ts bundles it with esbuild)
 */
import { createRequire } from "node:module";
import { LocalFileSystem } from "../../src/webdav/filesystem/local.js";
import { WebDAVServer } from "../../src/webdav/server.js";

const [kind, root, modules] = process.argv.slice(2);
if (!root) throw new Error("usage: serve.mjs heroagent|webdav-server ROOT [NODE_MODULES_DIR]");

let stop: () => Promise<void> = async () => undefined;
process.on("SIGTERM", () => {
  void stop().finally(() => process.exit(0));
});

if (kind === "heroagent") {
  const server = new WebDAVServer({ fileSystem: new LocalFileSystem(root), port: 0 });
  await server.start();
  stop = () => server.stop();
  console.log(JSON.stringify({ port: server.port }));
} else if (kind === "webdav-server") {
  // Loaded from the project's node_modules as it is published (plain CommonJS, not bundled).
  const require = createRequire(`${modules ?? process.cwd()}/`);
  const { v2 } = require("webdav-server") as typeof import("webdav-server");
  const server = new v2.WebDAVServer({ port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) =>
    server.setFileSystem("/", new v2.PhysicalFileSystem(root), () => resolve()),
  );
  const http = await new Promise<import("node:http").Server>((resolve) =>
    server.start((s) => resolve(s as import("node:http").Server)),
  );
  stop = () =>
    new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
  const address = http.address();
  console.log(JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 }));
} else {
  throw new Error(`unknown server ${kind}`);
}
