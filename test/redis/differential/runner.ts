/**
 * The differential runner's moving parts: a raw RESP connection that sends one command at a time
 * and collects its replies, the two servers (started once per file), and the transcript of one
 * sequence on one server, which is what the test compares.
 */
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import { RedisServer } from "../../../src/redis/index.js";
import { freePort } from "../../../support/ports.js";
import {
  canonical,
  escapeBytes,
  RespReader as Reader,
  type RespNode,
  type RespReader,
} from "./resp-reader.js";
import type { Sequence } from "./sequence.js";

/** How long a command may take to answer (a blocking command with a timeout answers late). */
const REPLY_TIMEOUT_MS = 3_000;
/** Commands that may answer with several replies (one per channel, or a message and the count). */
const MANY_REPLIES = new Set([
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "publish",
  "spublish",
]);
/** For those: the quiet time after which no more replies are expected. */
const MORE_REPLIES_QUIET_MS = 30;

/** A multibulk request. */
export function encodeCommand(argv: readonly string[]): Buffer {
  let text = `*${argv.length}\r\n`;
  for (const arg of argv) text += `$${Buffer.byteLength(arg, "latin1")}\r\n${arg}\r\n`;
  return Buffer.from(text, "latin1");
}

/** What one command got: its replies (usually one), or that the connection closed or stayed silent. */
export interface CommandOutcome {
  replies: { bytes: Buffer; node: RespNode }[];
  closed: boolean;
  timedOut: boolean;
}

/** One raw connection; commands are sent one at a time and their replies awaited. */
export class RespConnection {
  private readonly reader: RespReader = new Reader();
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.reader.feed(chunk);
      this.wake?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on("error", () => {});
  }

  static open(port: number): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: "127.0.0.1" }, () => resolve(new RespConnection(socket)));
      socket.setNoDelay(true);
      socket.once("error", reject);
    });
  }

  async command(argv: readonly string[], timeoutMs = REPLY_TIMEOUT_MS): Promise<CommandOutcome> {
    if (this.closed) return { replies: [], closed: true, timedOut: false };
    this.socket.write(encodeCommand(argv));
    const replies: CommandOutcome["replies"] = [];
    const first = await this.nextReply(timeoutMs);
    if (first === undefined) return { replies, closed: this.closed, timedOut: !this.closed };
    replies.push(first);
    const quiet = MANY_REPLIES.has((argv[0] ?? "").toLowerCase()) ? MORE_REPLIES_QUIET_MS : 0;
    for (;;) {
      const more = await this.nextReply(quiet);
      if (more === undefined) break;
      replies.push(more);
    }
    return { replies, closed: false, timedOut: false };
  }

  /** Replies that arrived after the last command's (a server that answered once too often). */
  async leftovers(quietMs = 5): Promise<CommandOutcome["replies"]> {
    const replies: CommandOutcome["replies"] = [];
    for (;;) {
      const more = await this.nextReply(quietMs);
      if (more === undefined) return replies;
      replies.push(more);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  /** The next complete reply, waiting up to `timeoutMs` for it (0: only what is already here). */
  private async nextReply(timeoutMs: number): Promise<{ bytes: Buffer; node: RespNode } | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.reader.next();
      if (reply !== undefined) return reply;
      const left = deadline - Date.now();
      if (this.closed || left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

/**
 * Replies that legitimately differ between two servers, masked in both before comparing: HELLO's
 * client id (a per-server counter).
 */
function masked(argv: readonly string[], bytes: Buffer, node: RespNode): Buffer {
  if ((argv[0] ?? "").toLowerCase() !== "hello" || !("items" in node) || node.items === null) return bytes;
  return Buffer.from(bytes.toString("latin1").replace(/(\$2\r\nid\r\n):\d+\r\n/, "$1:<id>\r\n"), "latin1");
}

/** One line per command: what was sent and what came back, in a form that diffs well. */
export async function transcript(port: number, sequence: Sequence): Promise<string[]> {
  const connection = await RespConnection.open(port);
  try {
    const flushed = await connection.command(["FLUSHALL"]);
    if (flushed.replies[0]?.bytes.toString() !== "+OK\r\n") throw new Error("FLUSHALL failed");
    if (sequence.resp === 3) {
      const hello = await connection.command(["HELLO", "3"]);
      if (hello.replies[0]?.node.type !== "%") throw new Error("HELLO 3 failed");
    }
    const unordered = new Set(sequence.unordered ?? []);
    const lines: string[] = [];
    for (const [index, argv] of sequence.commands.entries()) {
      const outcome = await connection.command(argv);
      lines.push(
        `${index} ${argv.map((a) => escapeBytes(Buffer.from(a, "latin1"))).join(" ")} → ${describe(argv, outcome, unordered.has(index))}`,
      );
    }
    const extra = await connection.leftovers();
    if (extra.length > 0)
      lines.push(`(after the last command) ${extra.map((r) => escapeBytes(r.bytes)).join(" ")}`);
    return lines;
  } finally {
    connection.close();
  }
}

function describe(argv: readonly string[], outcome: CommandOutcome, unordered: boolean): string {
  if (outcome.replies.length === 0) return outcome.closed ? "(connection closed)" : "(no reply)";
  const parts = outcome.replies.map(({ bytes, node }) =>
    unordered ? `unordered ${canonical(node)}` : escapeBytes(masked(argv, bytes, node)),
  );
  return parts.join(" | ") + (outcome.closed ? " (then closed)" : "");
}

/** The embedded server for the whole file; internal errors are collected for the running test. */
export async function startEmbedded(): Promise<{ server: RedisServer; internalErrors: unknown[] }> {
  const internalErrors: unknown[] = [];
  const server = new RedisServer(
    { port: 0, unixSocketPath: "" },
    { onInternalError: (error, name) => internalErrors.push({ command: name, error }) },
  );
  await server.start();
  return { server, internalErrors };
}

/** Debian's redis-server on a free port, no persistence, for the whole file. */
export async function startRedisServer(): Promise<{ port: number; stop: () => void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const stop = () => child.kill("SIGKILL");
  process.once("exit", stop); // also when the process dies of an error before its cleanup runs
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      (await RespConnection.open(port)).close();
      return { port, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  stop();
  throw new Error("redis-server did not start");
}

/**
 * Raw bytes (inline commands, broken frames) on a fresh connection: everything the server answers
 * until it closes the connection or stays quiet, and whether it closed.
 */
export function rawTranscript(port: number, data: string, quietMs = 100): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(`${escapeBytes(Buffer.concat(chunks))}${closed ? " (closed)" : ""}`);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
    };
    socket.on("connect", () => {
      socket.write(Buffer.from(data, "latin1"));
      arm();
    });
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      arm();
    });
    socket.on("end", () => finish(true));
    socket.on("error", reject);
  });
}
