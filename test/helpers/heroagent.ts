/** A `heroagent start` child with the job system on a private Unix socket and data folder. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type CliProcess, runCli } from "./cli.js";

export interface HeroagentOptions {
  /** Job store folder (reused across restarts); default a fresh temp folder. */
  ourdbPath?: string;
  /** Unix socket of the embedded Redis (reused across restarts); default a fresh temp path. */
  socket?: string;
  /** More `heroagent start` flags, e.g. ["--jobs-lease-timeout", "1000"]. */
  flags?: string[];
}

export interface Heroagent {
  cli: CliProcess;
  socket: string;
  ourdbPath: string;
  /** The flags `heroagent job …` needs to reach it. */
  connect: string[];
}

/** A fresh temp folder, removed by the caller (or left in the OS temp dir). */
export function tempFolder(prefix = "heroagent-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Starts `heroagent start` with the embedded Redis (on a Unix socket, TCP on a random port) and
 * the job system; WebDAV and the UI off. Resolves once it logged "heroagent started".
 */
export async function startHeroagent(options: HeroagentOptions = {}): Promise<Heroagent> {
  const socket = options.socket ?? path.join(tempFolder(), "redis.sock");
  const ourdbPath = options.ourdbPath ?? path.join(tempFolder(), "jobsdb");
  const cli = runCli([
    "start",
    "--redis-tcp-port",
    "0",
    "--redis-unix-socket-path",
    socket,
    "--jobs-ourdb-path",
    ourdbPath,
    "--jobs-queue-poll-interval",
    "20",
    "--no-enable-webdav",
    "--no-enable-ui",
    ...(options.flags ?? []),
  ]);
  await cli.waitForLog("heroagent started");
  return { cli, socket, ourdbPath, connect: ["--redis-socket", socket] };
}
