#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { describeError } from "../errors.js";
import { jobCommand } from "./job.js";
import { ourdbCommand } from "./ourdb.js";
import { startCommand } from "./start.js";
import { workerCommand } from "./worker.js";

// ../../package.json from both src/cli (tsx) and dist/cli (built).
const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command("heroagent")
  .description("Redis-compatible server, WebDAV, web UI and a job system in one process")
  .version(packageJson.version);
program.addCommand(startCommand());
program.addCommand(ourdbCommand());
program.addCommand(workerCommand());
program.addCommand(jobCommand());

try {
  await program.parseAsync();
} catch (error) {
  // Operator errors (a missing record, a locked database) are one line, not a stack trace.
  process.stderr.write(`heroagent: ${describeError(error)}\n`);
  process.exitCode = 1;
}
