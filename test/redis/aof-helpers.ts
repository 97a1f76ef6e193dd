/** Servers with an append-only file in a temporary directory, and what they logged. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { encodeCommand } from "../../src/redis/aof/encoding.js";
import { RedisServer, type RedisServerOptions } from "../../src/redis/index.js";

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh directory, removed after the test; returns the path of an AOF inside it. */
export function aofPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heroredis-aof-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "appendonly.aof");
}

/** Builds (does not start) a server on a free port with the AOF at `file`; stopped after the test. */
export function aofServer(
  file: string,
  options: RedisServerOptions = {},
): { server: RedisServer; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const server = new RedisServer(
    { port: 0, unixSocketPath: "", appendonly: true, aofPath: file, ...options },
    {
      onInternalError: (error) => {
        throw error;
      },
      log: (level, message, fields) => logs.push({ level, message, ...(fields ? { fields } : {}) }),
    },
  );
  cleanups.push(() => server.stop());
  return { server, logs };
}

/** Starts a server on the AOF at `file` (replaying it). */
export async function startAofServer(
  file: string,
  options: RedisServerOptions = {},
): Promise<{ server: RedisServer; logs: LogLine[] }> {
  const started = aofServer(file, options);
  await started.server.start();
  return started;
}

/** The AOF text of `commands`, each one a multibulk. */
export const aofText = (...commands: string[][]) => commands.map((argv) => encodeCommand(argv)).join("");

export const readAof = (file: string) => fs.readFileSync(file, "latin1");

/** The commands of an AOF text, for readable assertions. */
export function parseAof(text: string): string[][] {
  const commands: string[][] = [];
  let pos = 0;
  while (pos < text.length) {
    const lineEnd = text.indexOf("\r\n", pos);
    const argc = Number(text.slice(pos + 1, lineEnd));
    pos = lineEnd + 2;
    const argv: string[] = [];
    for (let i = 0; i < argc; i++) {
      const end = text.indexOf("\r\n", pos);
      const length = Number(text.slice(pos + 1, end));
      argv.push(text.slice(end + 2, end + 2 + length));
      pos = end + 2 + length + 2;
    }
    commands.push(argv);
  }
  return commands;
}

/** Waits for the AOF's end-of-turn write (commands are written once per event-loop turn). */
export const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
