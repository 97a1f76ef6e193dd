import type { AppendOnlyFile } from "./aof/append-only-file.js";
import { Propagation } from "./aof/propagation.js";
import { BlockingRegistry } from "./blocking.js";
import type { Client } from "./client.js";
import type { CommandTable } from "./commands/spec.js";
import { Keyspace } from "./keyspace/keyspace.js";
import { ScanCursors } from "./keyspace/scan.js";
import type { ResolvedRedisOptions } from "./options.js";
import { PubSub } from "./pubsub.js";
import { WatchRegistry } from "./watch.js";

export interface ServerStats {
  connectionsReceived: number;
  commandsProcessed: number;
  rejectedConnections: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  netInputBytes: number;
  /** name → calls and total microseconds, for INFO commandstats. */
  commands: Map<string, { calls: number; usec: number; failed: number }>;
}

/** Parameters CONFIG GET/SET honours (values as strings, as Redis keeps them). */
export type ConfigValues = Map<string, string>;

/**
 * Everything the commands share: the keyspace, the clients, and the registries for WATCH, blocking
 * and pub/sub. The network side (RedisServer) owns the sockets and calls `resume` to write replies.
 */
export class ServerState {
  readonly keyspace: Keyspace;
  readonly watches = new WatchRegistry();
  readonly blocking: BlockingRegistry;
  readonly pubsub: PubSub;
  readonly scans = new ScanCursors();
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly startedAt = Date.now();
  readonly config: ConfigValues;
  readonly stats: ServerStats = {
    connectionsReceived: 0,
    commandsProcessed: 0,
    rejectedConnections: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    netInputBytes: 0,
    commands: new Map(),
  };
  /** Told about a handler that threw something other than a RedisError (a bug): the server logs it. */
  onInternalError: ((error: unknown, command: string) => void) | undefined;
  /** Set by RedisServer: the actual TCP port and socket path, for INFO and CLIENT LIST. */
  listening = { port: 0, unixSocketPath: "" };
  /** What write commands log, and the `dirty` counter of changes. */
  readonly propagation = new Propagation();
  /** The append-only file, when `appendonly` is on (set by RedisServer once it is loaded). */
  aof: AppendOnlyFile | undefined;
  /** True while the AOF is replayed: nothing expires, and EXPIRE with a past time does not delete. */
  loading = false;

  constructor(
    readonly options: ResolvedRedisOptions,
    readonly commands: CommandTable,
    /** Runs a client's queued commands and writes its replies (after it was unblocked). */
    readonly resume: (client: Client) => void,
    /** Writes a client's pending replies soon (a message or MONITOR line for another client). */
    readonly deliver: (client: Client) => void,
    /** Closes a connection (CLIENT KILL, QUIT). */
    readonly disconnect: (client: Client) => void,
  ) {
    this.keyspace = new Keyspace(options.databases, {
      modified: (db, key) => {
        this.propagation.dirty++;
        this.watches.modified(db, key);
        this.blocking.changed(db, key);
      },
      expired: (db, key) => {
        this.watches.modified(db, key);
        this.propagation.expired(db.id, key);
        this.blocking.changed(db, key);
      },
      ready: (db, key) => this.blocking.ready(db, key),
      emptying: (db, replacedWith) => {
        this.propagation.dirty++;
        this.watches.emptying(db, replacedWith);
        this.blocking.emptying(db, replacedWith);
      },
    });
    this.blocking = new BlockingRegistry(resume);
    this.pubsub = new PubSub(deliver);
    this.config = new Map([
      ["requirepass", options.password ?? ""],
      ["databases", String(options.databases)],
      ["proto-max-bulk-len", String(options.maxBulkLength)],
      ["port", String(options.port ?? 0)],
      ["bind", options.host],
      ["unixsocket", options.unixSocketPath],
      ["maxmemory", "0"],
      ["maxmemory-policy", "noeviction"],
      ["appendonly", options.appendonly ? "yes" : "no"],
      ["appendfsync", options.appendfsync],
      ["save", ""],
      ["timeout", "0"],
      ["hz", "10"],
      ["notify-keyspace-events", ""],
    ]);
  }

  /** Replaying the AOF: keys do not expire meanwhile (see Database.loading). */
  setLoading(loading: boolean): void {
    this.loading = loading;
    for (const db of this.keyspace.databases) db.loading = loading;
  }
}
