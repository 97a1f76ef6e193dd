import type { BlockedState } from "../client.js";
import type { CommandContext, CommandSpec } from "../commands/spec.js";
import type { LoggedCommand } from "./encoding.js";

/** Where propagated commands go: the append-only file. */
export interface PropagationSink {
  /** Before a write command runs (a rewrite in progress saves the current state of its keys). */
  beforeWrite(spec: CommandSpec, dbIndex: number, argv: readonly string[]): void;
  /** One unit to log; `atomic` wraps it in MULTI/EXEC. */
  append(commands: LoggedCommand[], atomic: boolean): void;
}

export const isWrite = (spec: CommandSpec) => spec.flags.includes("write");

/**
 * Decides what each command logs, as Redis's call()/propagatePendingCommands do: a write command
 * that changed data (the `dirty` counter moved) logs its argv unless its handler called
 * `ctx.propagate`; the commands of one EXEC are logged as one MULTI/EXEC unit when there are several;
 * a key deleted by expiry logs a DEL of its own. Without a sink (AOF off, or while loading) nothing
 * is recorded and a command costs one property check.
 */
export class Propagation {
  sink: PropagationSink | undefined;
  /** Changes to data so far (Redis's server.dirty): every modified key, every emptied database. */
  dirty = 0;
  private pending: LoggedCommand[] = [];
  private depth = 0;
  /** ctx.propagate calls of the innermost running command. */
  private explicit = 0;
  private readonly savedExplicit: number[] = [];
  private readonly savedDirty: number[] = [];

  get active(): boolean {
    return this.sink !== undefined;
  }

  /** Before a command's handler runs. Must be paired with `leave` (also when the handler threw). */
  enter(spec: CommandSpec, dbIndex: number, argv: readonly string[]): void {
    if (isWrite(spec)) this.sink?.beforeWrite(spec, dbIndex, argv);
    this.depth++;
    this.savedExplicit.push(this.explicit);
    this.savedDirty.push(this.dirty);
    this.explicit = 0;
  }

  leave(spec: CommandSpec, dbIndex: number, argv: readonly string[]): void {
    const explicit = this.explicit;
    this.explicit = this.savedExplicit.pop() ?? 0;
    const changed = this.dirty !== this.savedDirty.pop();
    if (explicit === 0 && changed && isWrite(spec)) this.pending.push({ db: dbIndex, argv });
    if (--this.depth === 0) this.flush();
  }

  /** What a handler asked to log (ctx.propagate). */
  record(db: number, commands: readonly string[][]): void {
    if (!this.sink) return;
    this.explicit++;
    for (const argv of commands) this.pending.push({ db, argv });
    if (this.depth > 0) return;
    this.explicit = 0;
    this.flush();
  }

  /** A key deleted because its TTL passed: a DEL of its own, before the command that noticed it. */
  expired(db: number, key: string): void {
    this.sink?.append([{ db, argv: ["DEL", key] }], false);
  }

  /**
   * A command that blocked logs when it is served later: what its serve() passed to ctx.propagate,
   * or else its own argv (replayed, it does not block and takes the same data).
   */
  whenServed(blocked: BlockedState, spec: CommandSpec, dbIndex: number, argv: readonly string[]): void {
    const serve = blocked.serve;
    blocked.serve = (readyKey) => {
      this.enter(spec, dbIndex, argv);
      try {
        return serve.call(blocked, readyKey);
      } finally {
        this.leave(spec, dbIndex, argv);
      }
    };
  }

  private flush(): void {
    const commands = this.pending;
    if (commands.length === 0) return;
    this.pending = [];
    this.sink?.append(commands, commands.length > 1);
  }
}

/** CommandContext.propagate: shared by every context, so building one allocates no closure. */
export function propagate(this: CommandContext, ...commands: string[][]): void {
  this.server.propagation.record(this.db.id, commands);
}
