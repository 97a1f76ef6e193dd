import fs from "node:fs";
import path from "node:path";
import type { CommandSpec } from "../commands/spec.js";
import type { ServerState } from "../server-state.js";
import { CommandEncoder, type LoggedCommand } from "./encoding.js";
import { fsyncDirectory, tempPathFor, writeText } from "./io.js";
import { type AofLog, loadAppendOnlyFile } from "./loader.js";
import type { PropagationSink } from "./propagation.js";
import { AofRewrite } from "./rewrite.js";
import { NotRewritableError } from "./snapshot.js";

export interface AofOptions {
  path: string;
  fsync: "always" | "everysec";
  /** No automatic rewrite below this size (auto-aof-rewrite-min-size). */
  rewriteMinSize: number;
}

/** A rewrite works in slices of this many milliseconds between other work. */
const REWRITE_SLICE_MS = 5;

/**
 * The append-only file: write commands in RESP, with a SELECT whenever the database changes, the
 * format of Redis's (single-file) AOF, so redis-check-aof reads it. Commands logged during an
 * event-loop turn are written together at the end of the turn; with "always" they are fsynced
 * before any reply of that turn leaves (`holdsReplies`), so an acknowledged write survives a crash.
 */
export class AppendOnlyFile implements PropagationSink {
  private fd = -1;
  private readonly encoder = new CommandEncoder();
  /** Logged but not written yet. */
  private pending = "";
  /** Written but not fsynced yet. */
  private unsynced = false;
  private flushScheduled = false;
  private everysec: NodeJS.Timeout | undefined;
  private fsyncRunning = false;
  private rewrite: AofRewrite | undefined;
  private rewriteWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  /** Set while writing fails (disk full …): write commands are refused with MISCONF meanwhile. */
  writeError: string | undefined;
  size = 0;
  /** The size after the last load or rewrite; the file is rewritten once it doubled. */
  baseSize = 0;
  rewrites = 0;

  constructor(
    private readonly state: ServerState,
    readonly options: AofOptions,
    private readonly log: AofLog,
    /** Called when nothing logged is waiting to be fsynced: held replies may go. */
    private readonly onSynced: () => void,
  ) {}

  /** Replays the file into the keyspace, then opens it for appending and starts logging. */
  async open(): Promise<void> {
    // The file is the whole truth: a server started again after stop() reloads into an empty keyspace.
    if (this.state.keyspace.databases.some((db) => db.size > 0)) this.state.keyspace.flushAll();
    const loaded = await loadAppendOnlyFile(this.state, this.options.path, this.log);
    if (loaded.commands > 0) {
      this.log("info", "append-only file loaded", { aofPath: this.options.path, commands: loaded.commands });
    }
    this.fd = fs.openSync(this.options.path, "a");
    this.size = loaded.size;
    this.baseSize = loaded.size;
    if (this.options.fsync === "everysec") {
      this.everysec = setInterval(() => this.fsyncInBackground(), 1000);
      this.everysec.unref();
    }
    this.state.propagation.sink = this;
  }

  /** Writes and fsyncs what is left, stops a rewrite in progress and closes the file. */
  close(): void {
    if (this.fd < 0) return;
    this.state.propagation.sink = undefined;
    clearInterval(this.everysec);
    if (this.rewrite) this.abortRewrite(new Error("the server stopped"));
    this.writePending();
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** With "always", replies wait while logged commands are not on disk yet. */
  get holdsReplies(): boolean {
    return this.options.fsync === "always" && (this.pending.length > 0 || this.unsynced);
  }

  get rewriting(): boolean {
    return this.rewrite !== undefined;
  }

  beforeWrite(spec: CommandSpec, dbIndex: number, argv: readonly string[]): void {
    if (!this.rewrite) return;
    try {
      this.rewrite.beforeWrite(spec, dbIndex, argv);
    } catch (error) {
      this.abortRewrite(error);
    }
  }

  append(commands: LoggedCommand[], atomic: boolean): void {
    this.pending += this.encoder.encode(commands, atomic);
    this.rewrite?.record(commands, atomic);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes what the turn logged, fsyncs it with "always", then lets held replies go. */
  flush(): void {
    this.flushScheduled = false;
    if (this.fd < 0) return;
    this.writePending();
    if (this.pending.length > 0) {
      setTimeout(() => this.flush(), 1000).unref(); // the disk refused: retry, replies stay held
      return;
    }
    if (this.options.fsync === "always" && this.unsynced) {
      fs.fsyncSync(this.fd);
      this.unsynced = false;
    }
    this.onSynced();
    if (this.shouldRewrite()) this.startRewrite().catch(() => {});
  }

  /**
   * Rewrites the file as the commands that rebuild the current keyspace (BGREWRITEAOF). Resolves once
   * the new file replaced the old one; rejects if the rewrite failed (the old file is kept).
   */
  startRewrite(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.rewriteWaiters.push({ resolve, reject }));
    if (this.rewrite) return done;
    if (this.fd < 0) {
      this.settleRewrite(new Error("the append-only file is not open"));
      return done;
    }
    const rewrite = new AofRewrite(this.state.keyspace, tempPathFor(this.options.path));
    this.rewrite = rewrite;
    this.log("info", "append-only file rewrite started", { aofPath: this.options.path, size: this.size });
    const step = () => {
      if (this.rewrite !== rewrite) return;
      try {
        if (rewrite.step(REWRITE_SLICE_MS)) this.finishRewrite(rewrite);
        else setImmediate(step);
      } catch (error) {
        this.abortRewrite(error);
      }
    };
    setImmediate(step);
    return done;
  }

  /** INFO persistence fields. */
  info(): [string, string | number][] {
    return [
      ["aof_enabled", 1],
      ["aof_rewrite_in_progress", this.rewrite ? 1 : 0],
      ["aof_rewrites", this.rewrites],
      ["aof_last_write_status", this.writeError ? "err" : "ok"],
      ["aof_current_size", this.size],
      ["aof_base_size", this.baseSize],
      ["aof_pending_rewrite", 0],
      ["aof_buffer_length", this.pending.length],
    ];
  }

  private writePending(): void {
    if (this.pending.length === 0) return;
    const length = this.pending.length;
    const { rest, error } = writeText(this.fd, this.pending);
    this.size += length - rest.length;
    this.pending = rest;
    if (length > rest.length) this.unsynced = true;
    if (error) {
      if (this.writeError === undefined) {
        this.log("error", "cannot write the append-only file", {
          aofPath: this.options.path,
          error: error.message,
        });
      }
      this.writeError = error.code ?? error.message;
    } else if (this.writeError !== undefined) {
      this.log("info", "writing the append-only file works again", { aofPath: this.options.path });
      this.writeError = undefined;
    }
  }

  private fsyncInBackground(): void {
    if (!this.unsynced || this.fsyncRunning || this.fd < 0) return;
    this.unsynced = false;
    this.fsyncRunning = true;
    const fd = this.fd;
    fs.fsync(fd, (error) => {
      this.fsyncRunning = false;
      // A file closed meanwhile (stop, or swapped by a rewrite) was fsynced by the closer.
      if (error && fd === this.fd) {
        this.unsynced = true;
        this.log("error", "cannot fsync the append-only file", {
          aofPath: this.options.path,
          error: error.message,
        });
      }
    });
  }

  private shouldRewrite(): boolean {
    return !this.rewrite && this.size >= this.options.rewriteMinSize && this.size >= this.baseSize * 2;
  }

  /** Swaps the complete rewrite in: one synchronous step, so nothing is logged in between. */
  private finishRewrite(rewrite: AofRewrite): void {
    this.writePending(); // the old file stays complete should the swap fail
    const before = this.size;
    const { size, selectedDb } = rewrite.finish();
    fs.renameSync(rewrite.tempPath, this.options.path);
    fsyncDirectory(path.dirname(this.options.path));
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.options.path, "a");
    // Everything logged so far is in the new file, which is fsynced.
    this.pending = "";
    this.unsynced = false;
    this.encoder.selectedDb = selectedDb;
    this.size = size;
    this.baseSize = size;
    this.rewrites++;
    this.rewrite = undefined;
    this.log("info", "append-only file rewritten", { aofPath: this.options.path, before, after: size });
    this.settleRewrite();
    this.onSynced();
  }

  private abortRewrite(error: unknown): void {
    const rewrite = this.rewrite;
    if (!rewrite) return;
    this.rewrite = undefined;
    rewrite.abort();
    // Not again before the file doubles once more: a type that cannot be rewritten stays so.
    this.baseSize = this.size;
    const reason = error instanceof Error ? error.message : String(error);
    const level = error instanceof NotRewritableError ? "warn" : "error";
    this.log(level, "append-only file rewrite failed; the file is kept as it is", {
      aofPath: this.options.path,
      error: reason,
    });
    this.settleRewrite(error instanceof Error ? error : new Error(reason));
  }

  private settleRewrite(error?: Error): void {
    for (const waiter of this.rewriteWaiters.splice(0)) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }
}
