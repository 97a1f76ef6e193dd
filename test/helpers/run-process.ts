import { spawn } from "node:child_process";

export interface ProcessResult {
  /** latin1, so binary output stays byte-exact. */
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs `command` with `input` on its stdin and collects what it prints. */
export function runProcess(
  command: string,
  args: string[],
  input: string | Buffer = "",
  env: Record<string, string> = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ stdout: Buffer.concat(out).toString("latin1"), stderr: Buffer.concat(err).toString(), code }),
    );
    // A program that never reads its stdin (a one-shot redis-cli) may exit first: EPIPE is expected.
    child.stdin.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") reject(error);
    });
    child.stdin.end(input);
  });
}
