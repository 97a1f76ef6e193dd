/**
 * The two servers under test, each in its own process: the embedded server (a Node child running
 * server-process.ts) and Debian's redis-server. Both expose their pid for RSS readings.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitForPort } from "../../support/ports.js";

export { freePort };

export interface ServerUnderTest {
  name: "embedded" | "redis";
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux build we run on). */
const USER_HZ = 100;

/** User + system CPU time a process has used so far, from /proc (µs). */
export function cpuTimeOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces: utime, stime are 14, 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / USER_HZ;
}

/** Resident set size of a process, from /proc (bytes). */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

function stopper(child: ChildProcess): () => Promise<void> {
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill); // a bench that dies of an error leaves no server behind
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
}

let bundled: string | undefined;

/**
 * server-process.ts and src/redis bundled into one plain .mjs with esbuild (tsx's own compiler), so
 * the child runs as deployed code does: no TypeScript loader thread, no loader memory.
 */
async function bundle(): Promise<string> {
  if (bundled) return bundled;
  const esbuild = await import("esbuild");
  const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "redis-bench-")), "server-process.mjs");
  await esbuild.build({
    entryPoints: [path.join(here, "server-process.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked",
    outfile,
    logLevel: "warning",
  });
  bundled = outfile;
  return outfile;
}

/** Removes the bundle's temp folder (the next startEmbedded bundles again). */
export function removeBundle(): void {
  if (bundled) fs.rmSync(path.dirname(bundled), { recursive: true, force: true });
  bundled = undefined;
}

/**
 * The embedded server in a Node child; `nodeArgs` e.g. ["--cpu-prof", "--cpu-prof-dir=…"]. With
 * `unixSocketPath` it listens on that socket too.
 */
export async function startEmbedded(nodeArgs: string[] = [], unixSocketPath = ""): Promise<ServerUnderTest> {
  const port = await freePort();
  const socketArgs = unixSocketPath ? [unixSocketPath] : [];
  const child = spawn(process.execPath, [...nodeArgs, await bundle(), String(port), ...socketArgs], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`embedded server exited (${code}) before it was ready`)));
  });
  return { name: "embedded", port, pid: child.pid as number, stop: stopper(child) };
}

/**
 * Debian's redis-server, waited for until it answers: no persistence, or with `aofDir` an AOF
 * there fsync'd before every reply (`appendfsync always`: each write durable once acknowledged).
 */
export async function startRedis(aofDir?: string): Promise<ServerUnderTest> {
  const port = await freePort();
  if (aofDir) fs.mkdirSync(aofDir, { recursive: true });
  const persistence = aofDir
    ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", aofDir]
    : ["--appendonly", "no"];
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence],
    {
      stdio: "ignore",
    },
  );
  if (await waitForPort(port)) return { name: "redis", port, pid: child.pid as number, stop: stopper(child) };
  child.kill("SIGKILL");
  throw new Error("redis-server did not start");
}
