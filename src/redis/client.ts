import type { TypeName } from "./keyspace/values.js";
import { RespParser } from "./resp/parser.js";
import { Reply } from "./resp/reply.js";

/** A MULTI in progress: the queued commands, and whether one of them was refused (EXECABORT). */
export interface MultiState {
  queue: string[][];
  aborted: boolean;
}

/**
 * What a blocked client waits for; `serve` retries the command and returns true once it replied.
 * `readyKey` is the key whose new data woke it: Redis 7.0 serves BLPOP a b from that key.
 */
export interface BlockedState {
  dbIndex: number;
  keys: string[];
  serve(readyKey: string): boolean;
  timeout(): void;
  timer: NodeJS.Timeout | undefined;
  /**
   * Also serve()d when a key it waits on stops holding this type (deleted, overwritten, expired,
   * flushed), as Redis's signalDeletedKeyAsReady does for XREADGROUP, which then replies an error.
   */
  wakeWhenNot?: Exclude<TypeName, "string">;
}

/**
 * The part of a net.Socket a client uses: a TCP or Unix socket, or a LocalSocket (an in-process
 * connection, local-connection.ts).
 */
export interface ClientSocket {
  readonly destroyed: boolean;
  readonly writableLength: number;
  /** undefined on a Unix socket (CLIENT LIST's "U" flag). */
  readonly remoteAddress?: string;
  write(chunk: Buffer): boolean;
  cork(): void;
  uncork(): void;
  pause(): unknown;
  resume(): unknown;
  end(): unknown;
  destroy(): unknown;
}

let nextClientId = 1;

/** One connection and everything Redis keeps per client. */
export class Client {
  readonly id = nextClientId++;
  readonly reply = new Reply();
  readonly parser: RespParser;
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  name = "";
  libName = "";
  libVersion = "";
  dbIndex = 0;
  authenticated: boolean;
  /** The commands read but not yet run (they wait while the client is blocked); `queueHead` is the next. */
  queue: string[][] = [];
  queueHead = 0;
  /** Set while its commands run, so a delivery to it (a publish to itself) does not re-enter. */
  running = false;
  /** A protocol error read after the queued commands: replied to and the connection closed after them. */
  protocolError: string | undefined;
  multi: MultiState | undefined;
  /** dbIndex → keys WATCHed there. */
  readonly watched = new Map<number, Set<string>>();
  /** A watched key changed: the next EXEC fails. */
  watchDirty = false;
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  blocked: BlockedState | undefined;
  monitor = false;
  /** QUIT or a protocol error: close once the replies so far are written. */
  closing = false;
  lastCommand = "NULL";
  noEvict = false;
  noTouch = false;

  constructor(
    readonly socket: ClientSocket,
    readonly address: string,
    readonly localAddress: string,
    maxBulkLength: number,
    passwordRequired: boolean,
  ) {
    this.parser = new RespParser({ maxBulkLength });
    this.authenticated = !passwordRequired;
    this.parser.authenticated = this.authenticated;
  }

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  setAuthenticated(value: boolean): void {
    this.authenticated = value;
    this.parser.authenticated = value;
  }
}
