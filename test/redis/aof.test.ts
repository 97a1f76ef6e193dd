/** The append-only file: what is logged, replay at start, repair of a cut tail, appendfsync always. */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import { itWithTools } from "../helpers/tools.js";
import { aofPath, aofServer, aofText, nextTurn, parseAof, readAof, startAofServer } from "./aof-helpers.js";
import { ioredis, rawExchange, resp, startRealRedis } from "./helpers.js";

const pipeline = (...commands: string[][]) => Buffer.concat(commands.map((argv) => resp(...argv)));

describe("what the AOF logs", () => {
  it("writes each write command that changed data as RESP, with SELECT and Redis's rewrites", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const before = Date.now();
    await rawExchange(
      server.port,
      pipeline(
        ["SET", "a", "1", "EX", "100"],
        ["INCRBYFLOAT", "f", "1.5"],
        ["GET", "a"],
        ["set", "b", "2", "NX"],
        ["SET", "b", "3", "NX"],
        ["DEL", "missing"],
        ["EXPIRE", "missing", "10"],
        ["SELECT", "2"],
        ["SET", "x", "y"],
        ["EXPIRE", "x", "100"],
        ["PERSIST", "x"],
        ["PERSIST", "x"],
        ["GETEX", "x", "PX", "5000"],
        ["SETEX", "s", "10", "v"],
        ["EXPIRE", "s", "-1"],
      ),
    );
    const after = Date.now();
    await nextTurn();
    const logged = parseAof(readAof(file));
    const times = logged
      .filter((argv) => /PXAT|PEXPIREAT/.test(argv.join(" ")))
      .map((argv) => Number(argv.at(-1)));
    expect(logged.map((argv) => argv.map((arg) => (/^\d{13}$/.test(arg) ? "<ms>" : arg)))).toEqual([
      ["SELECT", "0"],
      ["SET", "a", "1", "PXAT", "<ms>"],
      ["SET", "f", "1.5", "KEEPTTL"],
      ["set", "b", "2", "NX"],
      ["SELECT", "2"],
      ["SET", "x", "y"],
      ["PEXPIREAT", "x", "<ms>"],
      ["PERSIST", "x"],
      ["PEXPIREAT", "x", "<ms>"],
      ["SET", "s", "v", "PXAT", "<ms>"],
      ["DEL", "s"],
    ]);
    const offsets = [100_000, 100_000, 5000, 10_000];
    times.forEach((at, i) => {
      expect(at).toBeGreaterThanOrEqual(before + (offsets[i] as number));
      expect(at).toBeLessThanOrEqual(after + (offsets[i] as number));
    });
  });

  it("logs a key deleted by expiry as DEL, lazily or by the active cycle", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    await client.set("lazy", "1", "PX", 1);
    await client.set("active", "1", "PX", 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await client.get("lazy")).toBeNull();
    await vi.waitFor(() => expect(parseAof(readAof(file))).toContainEqual(["DEL", "active"]), {
      timeout: 2000,
    });
    const logged = parseAof(readAof(file));
    expect(logged).toContainEqual(["DEL", "lazy"]);
    expect(logged.filter((argv) => argv[0] === "DEL")).toHaveLength(2);
  });

  itWithTools(["redis-check-aof"])("is a file redis-check-aof calls valid", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    await client.set("bin", Buffer.from([0, 13, 10, 255, 36]));
    await client.rpush("list", "a", "b\r\n");
    await client.select(5);
    await client.incr("n");
    await server.stop();
    const output = execFileSync("redis-check-aof", [file], { encoding: "utf8" });
    expect(output).toContain("is valid");
  });

  itWithTools(["redis-server"])("is loaded by a real redis-server into the same data", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    await client.set("bin", Buffer.from([0, 13, 10, 255]));
    await client.rpush("list", "a", "b", "c");
    await client.lpop("list");
    await client.set("ttl", "v", "EX", 1000);
    await client.select(3);
    await client.incrby("n", 41);
    await client.incr("n");
    await server.stop();
    const port = await startRealRedis(["--appendonly", "yes", "--dir", path.dirname(file)]);
    const real = ioredis(port);
    expect(await real.getBuffer("bin")).toEqual(Buffer.from([0, 13, 10, 255]));
    expect(await real.lrange("list", 0, -1)).toEqual(["b", "c"]);
    expect(await real.ttl("ttl")).toBeGreaterThan(990);
    await real.select(3);
    expect(await real.get("n")).toBe("42");
  });
});

describe("replay at start", () => {
  it("loads the file before clients are accepted, databases and TTLs included", async () => {
    const file = aofPath();
    const first = await startAofServer(file);
    const client = ioredis(first.server.port);
    await client.set("k", "v");
    await client.set("ttl", "v", "PX", 100_000);
    await client.rpush("list", "a", "b");
    await client.select(7);
    await client.set("seven", "7");
    await client.swapdb(7, 8);
    await first.server.stop();

    const { server, logs } = await startAofServer(file);
    expect(logs).toContainEqual({
      level: "info",
      message: "append-only file loaded",
      fields: { aofPath: file, commands: 7 },
    });
    const again = ioredis(server.port);
    expect(await again.get("k")).toBe("v");
    expect(await again.pttl("ttl")).toBeGreaterThan(90_000);
    expect(await again.lrange("list", 0, -1)).toEqual(["a", "b"]);
    await again.select(8);
    expect(await again.get("seven")).toBe("7");
  });

  it("lets nothing expire while loading, as Redis does", async () => {
    const file = aofPath();
    const past = String(Date.now() - 60_000);
    fs.writeFileSync(
      file,
      aofText(
        ["SET", "a", "1", "PXAT", past],
        ["APPEND", "a", "x"],
        ["PERSIST", "a"],
        ["SET", "b", "1"],
        ["PEXPIREAT", "b", past],
        ["APPEND", "b", "y"],
        ["PERSIST", "b"],
      ),
    );
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    expect(await client.mget("a", "b")).toEqual(["1x", "1y"]);
    expect(await client.ttl("a")).toBe(-1);
  });

  it("skips # annotation lines, as Redis's loader does", async () => {
    const file = aofPath();
    fs.writeFileSync(file, `#TS:1700000000\r\n${aofText(["SET", "a", "1"])}#TS:1700000001\r\n`);
    const { server } = await startAofServer(file);
    expect(await ioredis(server.port).get("a")).toBe("1");
  });

  it("creates a missing file and its directory", async () => {
    const file = path.join(path.dirname(aofPath()), "deeper", "dir", "appendonly.aof");
    await startAofServer(file);
    expect(readAof(file)).toBe("");
  });
});

describe("a damaged file", () => {
  const complete = aofText(["SET", "a", "1"], ["SET", "b", "2"]);

  for (const [name, tail] of [
    ["a cut bulk string", "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nab"],
    ["a cut header", "*3\r\n$3\r\nSET\r\n$"],
    ["a lone star", "*"],
    ["a bulk without its CRLF", "*2\r\n$3\r\nDEL\r\n$1\r\na"],
    ["a MULTI without EXEC", aofText(["MULTI"], ["DEL", "a"], ["SET", "c", "3"])],
    ["a cut MULTI", `${aofText(["MULTI"], ["DEL", "a"])}*1\r\n$4\r\nEX`],
  ] as const) {
    it(`is repaired at start when it ends with ${name}: cut to the last whole command, with a warning`, async () => {
      const file = aofPath();
      fs.writeFileSync(file, complete + tail, "latin1");
      const { server, logs } = await startAofServer(file);
      expect(readAof(file)).toBe(complete);
      expect(logs).toContainEqual({
        level: "warn",
        message: "the append-only file ended with an incomplete command: removed it",
        fields: { aofPath: file, truncatedAt: complete.length, removedBytes: tail.length },
      });
      const client = ioredis(server.port);
      expect(await client.mget("a", "b", "c")).toEqual(["1", "2", null]);
      await client.set("d", "4");
      await nextTurn();
      expect(parseAof(readAof(file)).at(-1)).toEqual(["set", "d", "4"]);
    });
  }

  for (const [name, garbage, at, detail] of [
    ["a line that is no command", "hello world\r\n", 0, `expected '*', found "hello world"`],
    ["a bad bulk header", "*1\r\n#3\r\nDEL\r\n", 4, `expected '$', found "#3"`],
    ["a bulk longer than announced", "*1\r\n$3\r\nDELX\r\n", 11, "a bulk string is not followed by CRLF"],
    ["a negative count", "*-1\r\n", 0, `bad argument count "*-1"`],
  ] as const) {
    it(`with ${name} before whole commands refuses to start, naming the offset`, async () => {
      const file = aofPath();
      const content = complete + garbage + aofText(["SET", "z", "9"]);
      fs.writeFileSync(file, content, "latin1");
      const { server } = aofServer(file);
      const offset = complete.length + at;
      await expect(server.start()).rejects.toThrow(
        `cannot load the append-only file ${file}: bad format at byte ${offset}: ${detail}`,
      );
      expect(readAof(file)).toBe(content);
      expect(server.port).toBe(0); // it never listened
    });
  }

  it("with an unknown command refuses to start, naming it and its offset", async () => {
    const file = aofPath();
    fs.writeFileSync(file, complete + aofText(["NOSUCH", "x"]));
    const { server } = aofServer(file);
    await expect(server.start()).rejects.toThrow(
      `cannot load the append-only file ${file}: the command at byte ${complete.length}: ERR unknown command 'NOSUCH'`,
    );
  });
});

describe("appendfsync always", () => {
  it("sends the replies of a batch only once its commands are written and fsynced, with one fsync", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file, { appendfsync: "always" });
    await ioredis(server.port).ping(); // the initial SELECT-free state: nothing logged yet
    const fsync = vi.spyOn(fs, "fsyncSync");
    try {
      const socket = net.connect({ port: server.port, host: "127.0.0.1" });
      await new Promise((resolve) => socket.once("connect", resolve));
      const seen = new Promise<{ reply: string; fsyncs: number; text: string }>((resolve) =>
        socket.once("data", (chunk) =>
          resolve({ reply: String(chunk), fsyncs: fsync.mock.calls.length, text: readAof(file) }),
        ),
      );
      socket.write(pipeline(["SET", "a", "1"], ["SET", "b", "2"], ["GET", "a"]));
      const { reply, fsyncs, text } = await seen;
      socket.destroy();
      expect(reply).toBe("+OK\r\n+OK\r\n$1\r\n1\r\n");
      expect(fsyncs).toBe(1);
      expect(parseAof(text)).toEqual([
        ["SELECT", "0"],
        ["SET", "a", "1"],
        ["SET", "b", "2"],
      ]);
      // A read-only command waits for nothing.
      expect(await ioredis(server.port).get("a")).toBe("1");
      expect(fsync.mock.calls.length).toBe(1);
    } finally {
      fsync.mockRestore();
    }
  });

  it("keeps every acknowledged write when the process is killed with SIGKILL", async () => {
    const file = aofPath();
    const script = new URL("./fixtures/aof-writer.ts", import.meta.url).pathname;
    const child = spawn(process.execPath, ["--import", "tsx", script, file], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once("data", (chunk) => resolve(Number(String(chunk).trim())));
      child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
    });
    const client = new Redis({ port, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => {});
    const acknowledged: string[] = [];
    let counter = 0;
    const writer = async (id: number) => {
      for (let i = 0; ; i++) {
        await client.set(`k${id}:${i}`, "x".repeat(i % 300));
        acknowledged.push(`k${id}:${i}`);
        counter = Math.max(counter, await client.incr("counter"));
      }
    };
    const writers = [0, 1, 2, 3].map((id) => writer(id).catch(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 400));
    child.kill("SIGKILL");
    await Promise.all(writers);
    client.disconnect();
    expect(acknowledged.length).toBeGreaterThan(20);

    const { server } = await startAofServer(file);
    const check = ioredis(server.port);
    const values = await check.mget(...acknowledged);
    expect(values.filter((value) => value === null)).toEqual([]);
    expect(Number(await check.get("counter"))).toBeGreaterThanOrEqual(counter);
  });
});

describe("a disk that refuses writes", () => {
  it("refuses write commands with MISCONF until the AOF can be written again", async () => {
    const file = aofPath();
    const { server, logs } = await startAofServer(file);
    const client = ioredis(server.port);
    const write = vi.spyOn(fs, "writeSync").mockImplementation(() => {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    });
    try {
      await client.set("a", "1");
      await nextTurn();
      await expect(client.set("b", "2")).rejects.toThrow("MISCONF Errors writing to the AOF file: ENOSPC");
      expect(await client.get("a")).toBe("1");
      expect(logs.map((line) => line.message)).toContain("cannot write the append-only file");
    } finally {
      write.mockRestore();
    }
    await vi.waitFor(() => expect(parseAof(readAof(file))).toContainEqual(["set", "a", "1"]), {
      timeout: 3000,
    });
    expect(await client.set("b", "2")).toBe("OK");
    const info = await client.info("persistence");
    expect(info).toContain("aof_enabled:1");
    expect(info).toContain("aof_last_write_status:ok");
  });
});

describe("a server started again", () => {
  it("reloads the file into an empty keyspace instead of replaying it over the old data", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    await client.rpush("list", "a", "b");
    client.disconnect();
    await server.stop();
    await server.start();
    expect(await ioredis(server.port).lrange("list", 0, -1)).toEqual(["a", "b"]);
  });
});
