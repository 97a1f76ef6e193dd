/** The WebDAV service as the ServerFactory runs it from the configuration. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { ServerFactory } from "../../src/factory.js";
import { createLogger } from "../../src/logger.js";

const dir = mkdtempSync(join(tmpdir(), "heroagent-webdav-service-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger("info", sink), lines };
}

describe("webdav service", () => {
  it("starts from the config, serves the root directory under the base path and stops", async () => {
    const root = join(dir, "files");
    const config = loadConfig({
      flags: {
        enableRedis: false,
        enableUI: false,
        enableJobs: false,
        "webdav.port": 0,
        "webdav.root": root,
        "webdav.basePath": "/dav",
      },
    });
    const { logger, lines } = captureLogger();
    const factory = new ServerFactory(config, { logger });
    await factory.start();
    try {
      const status = factory.status().find((entry) => entry.name === "webdav");
      expect(status).toMatchObject({ state: "running", details: { users: 0, https: false } });
      const url = status?.details?.url as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dav\/$/);
      expect((await fetch(`${url}hello.txt`, { method: "PUT", body: "hi" })).status).toBe(201);
      expect(readFileSync(join(root, "hello.txt"), "utf8")).toBe("hi");
      expect(lines.some((line) => String(line.msg).includes("no users configured"))).toBe(true);
    } finally {
      await factory.stop();
    }
    expect(factory.status().find((entry) => entry.name === "webdav")?.state).toBe("stopped");
  });

  it("fails to start, naming the service, when the port is taken", async () => {
    const first = new ServerFactory(
      loadConfig({
        flags: {
          enableRedis: false,
          enableUI: false,
          enableJobs: false,
          "webdav.port": 0,
          "webdav.root": dir,
        },
      }),
      { logger: captureLogger().logger },
    );
    await first.start();
    const port = Number(String(first.status()[0]?.address).split(":").pop());
    const second = new ServerFactory(
      loadConfig({
        flags: {
          enableRedis: false,
          enableUI: false,
          enableJobs: false,
          "webdav.port": port,
          "webdav.root": dir,
        },
      }),
      { logger: captureLogger().logger },
    );
    try {
      await expect(second.start()).rejects.toMatchObject({
        code: "HEROAGENT_ERR_SERVICE_START",
        service: "webdav",
      });
    } finally {
      await first.stop();
    }
  });
});
