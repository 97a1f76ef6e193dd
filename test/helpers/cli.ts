/** Runs the `heroagent` CLI from source (node --import tsx), so no build is needed first. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const mainScript = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Resolves with the first JSON log line on stdout whose msg is `message`. */
  waitForLog(message: string): Promise<Record<string, unknown>>;
  exited: Promise<CliExit>;
  /** Parsed JSON log lines seen so far. */
  logs(): Array<Record<string, unknown>>;
}

/** The caller's environment without HEROAGENT_* variables, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("HEROAGENT_")),
  );
  return { ...base, ...env };
}

export function runCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ["--import", "tsx", mainScript, ...args], {
    cwd: repoRoot,
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ message: string; resolve: (line: Record<string, unknown>) => void }> = [];
  const logs = () =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const notify = () => {
    for (const waiter of [...waiters]) {
      const line = logs().find((entry) => entry.msg === waiter.message);
      if (line) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.on("data", (chunk) => {
    stdout += String(chunk);
    notify();
  });
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<CliExit>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const waitForLog = (message: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      waiters.push({ message, resolve });
      notify();
      // If the process ends first, the line will never come: fail with what it printed.
      exited.then((result) =>
        reject(new Error(`CLI exited (${result.code}) before logging "${message}": ${result.stderr}`)),
      );
    });
  return { child, waitForLog, exited, logs: () => logs() };
}

/** Runs the CLI to its end with `input` on its stdin (a one-shot command such as `job get`). */
export function runCliOnce(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliExit> {
  const child = spawn(process.execPath, ["--import", "tsx", mainScript, ...args], {
    cwd: repoRoot,
    env: cleanEnv(options.env ?? {}),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  child.stdin?.on("error", () => {}); // a command that never reads its stdin may exit first
  child.stdin?.end(options.input ?? "");
  return new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
