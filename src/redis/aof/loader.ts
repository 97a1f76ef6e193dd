import fs from "node:fs";
import type { Socket } from "node:net";
import path from "node:path";
import { Client } from "../client.js";
import type { CommandContext, CommandSpec } from "../commands/spec.js";
import { lookupCommand } from "../dispatcher.js";
import { RedisError, RedisServerError } from "../errors.js";
import type { ServerState } from "../server-state.js";
import { propagate } from "./propagation.js";
import { AofReader, BadFormat, TruncatedCommand } from "./reader.js";

export type AofLog = (
  level: "info" | "warn" | "error",
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface LoadResult {
  commands: number;
  /** Size of the file after loading (after a repair, the repaired size). */
  size: number;
}

/** Loading yields to the event loop this often, so a big file does not stall the rest of the process. */
const YIELD_EVERY_MS = 50;

/**
 * Replays the append-only file at `file` into `state`, as Redis does at start. A missing file is
 * created empty. A command cut by the end of the file (a crash during a write) is removed with a
 * warning, and so is a MULTI without its EXEC (Redis's aof-load-truncated); anything else that is
 * not a valid command refuses the start with an error naming the byte offset.
 */
export async function loadAppendOnlyFile(state: ServerState, file: string, log: AofLog): Promise<LoadResult> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, "");
    return { commands: 0, size: 0 };
  }
  const fd = fs.openSync(file, "r");
  const size = fs.fstatSync(fd).size;
  state.setLoading(true);
  try {
    const replay = new Replay(state, file);
    const cut = await replayAll(new AofReader(fd, state.options.maxBulkLength), replay, file);
    if (cut === undefined) return { commands: replay.count, size };
    fs.truncateSync(file, cut);
    log("warn", "the append-only file ended with an incomplete command: removed it", {
      aofPath: file,
      truncatedAt: cut,
      removedBytes: size - cut,
    });
    return { commands: replay.count, size: cut };
  } finally {
    state.setLoading(false);
    fs.closeSync(fd);
  }
}

/** Runs every command of the file; returns the offset to truncate the file at, if it must be. */
async function replayAll(reader: AofReader, replay: Replay, file: string): Promise<number | undefined> {
  /** The commands of a MULTI not yet closed by EXEC, and where the MULTI starts. */
  let multi: { commands: { argv: string[]; start: number }[]; start: number } | undefined;
  let pause = performance.now() + YIELD_EVERY_MS;
  for (;;) {
    let record: ReturnType<AofReader["next"]>;
    try {
      record = reader.next();
    } catch (error) {
      if (error instanceof TruncatedCommand) return multi?.start ?? error.offset;
      if (error instanceof BadFormat) {
        throw new RedisServerError(
          "REDIS_ERR_AOF",
          `cannot load the append-only file ${file}: ${error.message}`,
        );
      }
      throw error;
    }
    if (!record) return multi?.start;
    const name = (record.argv[0] as string).toLowerCase();
    if (name === "multi") multi ??= { commands: [], start: record.start };
    else if (name === "exec") {
      for (const queued of multi?.commands ?? []) replay.run(queued.argv, queued.start);
      multi = undefined;
    } else if (multi) multi.commands.push({ argv: record.argv, start: record.start });
    else replay.run(record.argv, record.start);
    if (performance.now() >= pause) {
      await new Promise((resolve) => setImmediate(resolve));
      pause = performance.now() + YIELD_EVERY_MS;
    }
  }
}

/** Runs logged commands as Redis's AOF fake client does: no reply, no stats, never blocking. */
class Replay {
  private readonly client: Client;
  count = 0;

  constructor(
    private readonly state: ServerState,
    private readonly file: string,
  ) {
    // The fake client has no connection; nothing of it but its state (selected db, reply) is used.
    this.client = new Client(
      undefined as unknown as Socket,
      "aof",
      "aof",
      state.options.maxBulkLength,
      false,
    );
  }

  run(argv: string[], offset: number): void {
    const spec = lookupCommand(this.state.commands, argv);
    if (typeof spec === "string") this.fail(offset, spec);
    const ctx: CommandContext = {
      client: this.client,
      server: this.state,
      db: this.state.keyspace.db(this.client.dbIndex),
      reply: this.client.reply,
      inExec: true,
      propagate,
    };
    try {
      (spec.handler as NonNullable<CommandSpec["handler"]>)(ctx, argv);
    } catch (error) {
      // An error reply while loading is ignored, as in Redis; anything else is a bug worth stopping for.
      if (!(error instanceof RedisError)) this.fail(offset, `${spec.name} failed: ${String(error)}`);
    }
    this.client.reply.take();
    this.count++;
  }

  private fail(offset: number, reason: string): never {
    throw new RedisServerError(
      "REDIS_ERR_AOF",
      `cannot load the append-only file ${this.file}: the command at byte ${offset}: ${reason}`,
    );
  }
}
