/**
 * Fuzz: over 100,000 random and mutated RESP frames over thousands of connections to one embedded
 * server, while a well-behaved ioredis client keeps checking SET/GET. The server must never hit an
 * internal error, must keep that client's replies right, must not grow without bound, and must
 * forget every fuzz connection. The PRNG is seeded: REDIS_FUZZ_SEED=<n> replays a failing run.
 */
import net from "node:net";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { RedisServer } from "../../src/redis/index.js";
import { prng } from "../../support/prng.js";
import { connectionFrames } from "./fuzz-frames.js";

const SEED = Number(process.env.REDIS_FUZZ_SEED ?? 20261127);
const FRAMES = 110_000;
const PARALLEL = 40;
/** After the last byte from the server, how long a fuzz connection waits for more before closing. */
const QUIET_MS = 15;
const CONNECTION_CAP_MS = 1_000;

/** Sends `frames` over one connection in a few writes of random sizes, then waits and closes. */
function fuzzConnection(port: number, frames: string[], rnd: () => number): Promise<void> {
  const data = Buffer.from(frames.join(""), "latin1");
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.setNoDelay(true);
    let quiet: NodeJS.Timeout | undefined;
    const cap = setTimeout(() => socket.destroy(), CONNECTION_CAP_MS);
    const waitQuiet = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => socket.destroy(), QUIET_MS);
    };
    socket.on("connect", () => {
      let at = 0;
      while (at < data.length) {
        const size = 1 + Math.floor(rnd() * Math.max(1, data.length / 3));
        socket.write(data.subarray(at, at + size));
        at += size;
      }
      waitQuiet();
    });
    socket.on("data", waitQuiet);
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(quiet);
      clearTimeout(cap);
      resolve();
    });
  });
}

/** SET then GET of fresh keys with binary values, until `done()`; returns how many checks passed. */
async function checkerLoop(client: Redis, done: () => boolean, failures: string[]): Promise<number> {
  let checks = 0;
  while (!done()) {
    const key = `checker:${checks}`;
    const value = Buffer.from(Array.from({ length: 1 + (checks % 300) }, (_, i) => (i * 7 + checks) & 255));
    try {
      const ok = await client.set(key, value);
      const read = await client.getBuffer(key);
      if (ok !== "OK" || !read?.equals(value))
        failures.push(`SET/GET ${key}: ${ok}, ${read?.toString("hex")}`);
    } catch (error) {
      failures.push(`SET/GET ${key}: ${String(error)}`);
      if (failures.length > 10) return checks;
    }
    checks++;
  }
  return checks;
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

interface FuzzRun {
  frames: number;
  seed: number;
  /** requirepass: fuzz connections then mostly meet NOAUTH and the unauthenticated limits. */
  password?: string;
}

/** One fuzz run against a fresh server; asserts everything the test promises. */
async function fuzz({ frames: total, seed, password }: FuzzRun): Promise<void> {
  const internalErrors: unknown[] = [];
  const server = new RedisServer(
    { port: 0, unixSocketPath: "", ...(password ? { password } : {}) },
    { onInternalError: (error, command) => internalErrors.push({ command, error }) },
  );
  await server.start();
  const client = new Redis({ port: server.port, host: "127.0.0.1", maxRetriesPerRequest: 0, password });
  try {
    await client.ping();
    const before = process.memoryUsage();
    const started = performance.now();
    const rnd = prng(seed);
    let sent = 0;
    let connections = 0;
    let finished = false;
    const failures: string[] = [];
    const checker = checkerLoop(client, () => finished, failures);
    const worker = async () => {
      while (sent < total) {
        const frames = connectionFrames(rnd);
        sent += frames.length;
        connections++;
        await fuzzConnection(server.port, frames, rnd);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    finished = true;
    const checks = await checker;
    const seconds = (performance.now() - started) / 1000;

    expect(internalErrors).toEqual([]);
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(20);
    expect(sent).toBeGreaterThanOrEqual(total);
    expect(connections).toBeGreaterThan(total / 100);
    if (!password) {
      // Many frames run as commands (others are refused, or cut off by a protocol error).
      expect(server.state.stats.commandsProcessed).toBeGreaterThan(total / 3);
    }
    expect(seconds).toBeLessThan(50);
    // Every fuzz connection is forgotten; the good client is the only one left.
    await waitFor(() => server.state.clients.size === 1, 2_000);
    expect(server.state.clients.size).toBe(1);
    expect(server.state.blocking.blockedCount).toBe(0);
    const after = process.memoryUsage();
    expect(after.heapUsed - before.heapUsed).toBeLessThan(256 * 2 ** 20);
    expect(after.rss - before.rss).toBeLessThan(768 * 2 ** 20);
    expect(await client.ping()).toBe("PONG");
    expect(await client.get("checker:0")).not.toBeNull();
    console.log(
      `fuzz seed ${seed}${password ? " (password set)" : ""}: ${sent} frames over ${connections} connections ` +
        `in ${seconds.toFixed(1)} s; ${server.state.stats.commandsProcessed} commands run; ${checks} SET/GET checks; ` +
        `heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)}, rss ${mb(before.rss)} → ${mb(after.rss)}`,
    );
  } finally {
    client.disconnect();
    await server.stop();
  }
}

describe("fuzz: random and mutated RESP frames", () => {
  it(`survives ${FRAMES.toLocaleString("en-US")} frames (seed ${SEED}) while a good client keeps working`, async () => {
    await fuzz({ frames: FRAMES, seed: SEED });
  }, 120_000);

  it(`survives 20,000 frames from clients that never authenticate (seed ${SEED + 1})`, async () => {
    await fuzz({ frames: 20_000, seed: SEED + 1, password: "fuzz-secret" });
  }, 120_000);
});

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
