import { spawn } from "node:child_process";
import type { JobHandler } from "../worker.js";

/** Output kept from each stream (the newest bytes). */
const OUTPUT_MAX = 256 * 1024;

/**
 * Built-in topic "shell", registered only with `jobs.enableShell: true`: runs `{"command": "…"}`
 * (or the params as a command line) with /bin/sh, killed when the job times out or is cancelled.
 * The result is its standard output; a non-zero exit fails the job with the end of standard error.
 */
export const shellHandler: JobHandler = (job, ctx) =>
  new Promise<string>((resolve, reject) => {
    const command = parseCommand(job.params);
    const child = spawn("/bin/sh", ["-c", command], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    const stdout = new Tail();
    const stderr = new Tail();
    child.stdout.on("data", (chunk: Buffer) => stdout.add(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.add(chunk));
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL"); // the whole process group
      } catch {
        // already gone
      }
    };
    ctx.signal.addEventListener("abort", kill, { once: true });
    child.on("error", (error) => reject(error));
    child.on("close", (code, signal) => {
      ctx.signal.removeEventListener("abort", kill);
      if (code === 0) resolve(stdout.text());
      else reject(new Error(`exit ${code ?? signal}: ${stderr.text().trim().slice(-2000)}`));
    });
  });

function parseCommand(params: string): string {
  try {
    const value = JSON.parse(params) as unknown;
    if (
      typeof value === "object" &&
      value !== null &&
      typeof (value as { command?: unknown }).command === "string"
    ) {
      return (value as { command: string }).command;
    }
  } catch {
    // a plain command line
  }
  if (params.trim() === "") throw new Error('shell params must be {"command": "…"} or a command line');
  return params;
}

class Tail {
  private chunks: Buffer[] = [];
  private bytes = 0;

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes - (this.chunks[0]?.length ?? 0) >= OUTPUT_MAX)
      this.bytes -= this.chunks.shift()?.length ?? 0;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - OUTPUT_MAX)).toString("utf8");
  }
}
