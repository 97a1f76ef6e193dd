import type { Client } from "../client.js";
import type { Database } from "../keyspace/database.js";
import type { Reply } from "../resp/reply.js";
import type { ServerState } from "../server-state.js";

/** Redis's command flags, as COMMAND INFO reports them. */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "no_multi"
  | "allow_busy"
  | "movablekeys";

export interface CommandContext {
  client: Client;
  server: ServerState;
  /** The client's selected database. */
  db: Database;
  reply: Reply;
  /** True while EXEC runs the queued commands: blocking commands must not block. */
  inExec: boolean;
  /**
   * Logs `commands` to the AOF instead of this command's argv, the way Redis rewrites what it
   * propagates (SPOP → SREM, BLPOP → LPOP, relative TTLs → absolute ones). Each call adds commands in
   * order; with no argument the command logs nothing. Without a call, a write command that changed
   * data logs its argv. Also valid later, from a blocked client's serve(). Call it as a method.
   */
  propagate(...commands: string[][]): void;
}

export type CommandHandler = (ctx: CommandContext, argv: string[]) => void;

/**
 * One command, as data (Redis keeps the same in src/commands/*.json): the dispatcher checks arity,
 * authentication and unknown names once, and COMMAND / COMMAND DOCS are served from these specs.
 */
export interface CommandSpec {
  /** Lower case; a subcommand is named "container|sub" (e.g. "client|list"). */
  name: string;
  /** Exact argument count including the name, or -N for "at least N". */
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions: first, last (-1 = last argument), step; 0,0,0 for none. */
  keys: readonly [first: number, last: number, step: number];
  group: string;
  summary: string;
  since: string;
  complexity?: string;
  handler?: CommandHandler;
  subcommands?: readonly CommandSpec[];
}

/** Builds a spec with the common defaults (no keys). */
export function command(spec: Omit<CommandSpec, "keys"> & { keys?: CommandSpec["keys"] }): CommandSpec {
  return { keys: [0, 0, 0], ...spec };
}

/**
 * A spec builder for one command family (one key at position 1 unless told otherwise), so a family's
 * table reads as one line per command.
 */
export function familyCommand(group: string) {
  return (
    name: string,
    arity: number,
    flags: CommandFlag[],
    since: string,
    summary: string,
    complexity: string,
    handler: CommandHandler,
    keys: CommandSpec["keys"] = [1, 1, 1],
  ): CommandSpec => command({ name, arity, flags, keys, group, since, summary, complexity, handler });
}

export class CommandTable {
  private readonly commands = new Map<string, CommandSpec>();
  /**
   * Each command also under its upper-case name: clients send one case or the other, and finding a
   * name as sent spares a lower-cased copy of it per command.
   */
  private readonly asSent = new Map<string, CommandSpec>();

  constructor(specs: Iterable<CommandSpec>) {
    for (const spec of specs) {
      if (this.commands.has(spec.name)) throw new Error(`duplicate command spec ${spec.name}`);
      this.commands.set(spec.name, spec);
      this.asSent.set(spec.name, spec).set(spec.name.toUpperCase(), spec);
    }
  }

  get(name: string): CommandSpec | undefined {
    return this.commands.get(name);
  }

  /** The command named `name` in any case. */
  find(name: string): CommandSpec | undefined {
    return this.asSent.get(name) ?? this.commands.get(name.toLowerCase());
  }

  all(): IterableIterator<CommandSpec> {
    return this.commands.values();
  }

  get size(): number {
    return this.commands.size;
  }
}

/** The key names of `argv` for `spec` (COMMAND GETKEYS, WATCH-style bookkeeping). */
export function keysOf(spec: CommandSpec, argv: readonly string[]): string[] {
  const [first, last, step] = spec.keys;
  if (first === 0) return [];
  const end = last < 0 ? argv.length + last : last;
  const keys: string[] = [];
  for (let i = first; i <= end && i < argv.length; i += step) keys.push(argv[i] as string);
  return keys;
}
