/** Connections: a slow transfer is never cut while bytes flow; an idle connection is closed. */
import { request } from "node:http";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryFileSystem } from "../../src/webdav/filesystem/memory.js";
import { WebDAVServer } from "../../src/webdav/server.js";

const IDLE_MS = 400;

describe("connection timeouts", () => {
  let server: WebDAVServer;
  beforeAll(async () => {
    server = new WebDAVServer({ fileSystem: new MemoryFileSystem(), port: 0, idleTimeoutMs: IDLE_MS });
    await server.start();
  });
  afterAll(() => server.stop());

  it("keeps an upload that lasts longer than the idle timeout while data keeps coming", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: server.port, method: "PUT", path: "/slow.bin" },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      void (async () => {
        for (let i = 0; i < 10; i++) {
          req.write(Buffer.alloc(1024, i));
          await sleep(IDLE_MS / 3);
        }
        req.end();
      })();
    });
    expect(status).toBe(201);
    const res = await fetch(`${server.url}slow.bin`);
    expect((await res.arrayBuffer()).byteLength).toBe(10 * 1024);
  });

  it("closes a connection that sends nothing", async () => {
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1");
      socket.on("error", reject);
      socket.on("close", () => resolve(Date.now() - started));
      socket.resume();
    });
    expect(closedAfter).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(closedAfter).toBeLessThan(IDLE_MS * 10);
  });
});
