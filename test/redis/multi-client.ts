/** Helpers for tests where several raw connections take turns: blocking commands above all. */
import net from "node:net";
import { describe, expect } from "vitest";
import type { RedisServer } from "../../src/redis/index.js";
import { itWithTools } from "../helpers/tools.js";
import { resp, startRealRedis, startServer } from "./helpers.js";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `count` clients are blocked on the embedded server. */
export async function blockedClients(server: RedisServer, count: number): Promise<void> {
  for (let i = 0; i < 200 && server.state.blocking.blockedCount !== count; i++) await sleep(5);
  expect(server.state.blocking.blockedCount).toBe(count);
}

/**
 * One step of a multi-client script: which connection, what it sends (commands separated by " | "
 * go out in one write, pipelined; "close" disconnects it; or commands as argument lists), and how
 * long to wait afterwards.
 */
export type Step = [connection: number, commands: string | string[][], waitMs?: number];

/** Runs `steps` against `port` and returns what each connection received, in connection order. */
export async function runScript(port: number, steps: Step[]): Promise<string[]> {
  const sockets = new Map<number, net.Socket>();
  const received = new Map<number, string>();
  const open = async (n: number) => {
    const existing = sockets.get(n);
    if (existing) return existing;
    const socket = net.connect({ port, host: "127.0.0.1" });
    await new Promise((resolve) => socket.once("connect", resolve));
    received.set(n, "");
    socket.on("data", (chunk) => received.set(n, received.get(n) + chunk.toString("latin1")));
    socket.on("error", () => {});
    sockets.set(n, socket);
    return socket;
  };
  for (const [n, commands, waitMs = 40] of steps) {
    const socket = await open(n);
    if (commands === "close") socket.destroy();
    else {
      const argvs = typeof commands === "string" ? commands.split(" | ").map((c) => c.split(" ")) : commands;
      socket.write(Buffer.concat(argvs.map((argv) => resp(...argv))));
    }
    await sleep(waitMs);
  }
  await sleep(100);
  for (const socket of sockets.values()) socket.destroy();
  // HELLO's client id is a per-server counter.
  const masked = (text: string) => text.replace(/(\$2\r\nid\r\n):\d+/g, "$1:<id>");
  return [...received.entries()].sort(([a], [b]) => a - b).map(([n, text]) => `${n}: ${masked(text)}`);
}

/**
 * One test per scenario: run against redis-server and the embedded server, the replies of every
 * connection must be identical, and no client may stay blocked.
 */
export function describeScenariosAgainstRedis(title: string, scenarios: Record<string, Step[]>): void {
  describe(title, () => {
    const test = itWithTools(["redis-server"]);
    for (const [name, steps] of Object.entries(scenarios)) {
      test(name, async () => {
        const server = await startServer();
        const realPort = await startRealRedis();
        const expected = await runScript(realPort, steps);
        const actual = await runScript(server.port, steps);
        expect(actual).toEqual(expected);
        expect(server.state.blocking.blockedCount).toBe(0);
      });
    }
  });
}
