/**
 * An in-process connection to the server (RedisServer.connectLocal): commands go to the dispatcher
 * as argument lists, without a socket and without RESP on the way in. Replies come back as the same
 * bytes a socket would carry and are read by a ReplyReader, so every command behaves exactly as over
 * the network (MULTI, WATCH, blocking commands, CLIENT LIST and KILL). Code running next to the
 * embedded server (the job system) uses it to skip the kernel and a client library on its hot path.
 *
 * The connection is authenticated (it is the process itself). Pub/sub works: while a connection is
 * subscribed (RESP2), or as RESP3 pushes after HELLO 3, `message`, `pmessage` and `smessage` arrays go
 * to its push listener instead of a command. MONITOR needs a socket.
 */
import type { Client, ClientSocket } from "./client.js";
import { ReplyError, ReplyReader } from "./resp/reply-reader.js";

/**
 * What a command argument may be: strings are sent as their UTF-8 bytes, Buffers as they are,
 * numbers as ioredis writes them.
 */
export type LocalArgument = string | Buffer | number;

/** The connection closed (server stopped, CLIENT KILL, QUIT, close()) before the reply came. */
export class ConnectionClosedError extends Error {
  override name = "ConnectionClosedError";
  constructor() {
    super("Connection is closed.");
  }
}

/** Commands whose replies would not come one per command. */
const SOCKET_ONLY = new Set(["monitor", "sync", "psync"]);
/**
 * Commands confirmed with a [name, channel, count] array once per channel or pattern they name (with
 * none named, once per one they leave, at least once), and the subscriptions each changes.
 */
const SUBSCRIPTIONS = new Map<string, "channels" | "patterns" | "shards">([
  ["subscribe", "channels"],
  ["unsubscribe", "channels"],
  ["psubscribe", "patterns"],
  ["punsubscribe", "patterns"],
  ["ssubscribe", "shards"],
  ["sunsubscribe", "shards"],
]);
const PUSHES = new Set(["message", "pmessage", "smessage"]);
/** Answered slots at the head of the waiting list that are dropped even while it is not empty. */
const COMPACT_AT = 1024;

interface Waiter {
  /** The command's name in lower case: some replies change how the next ones are read. */
  name: string;
  /** How many arguments it has: the channels or patterns a subscription command names. */
  names: number;
  /** A subscription command's confirmations still to come, counted when the first one arrives. */
  left: number;
  reply(value: unknown): void;
  fail(error: Error): void;
}

/** A command ready to queue: its name in lower case, and its arguments as the server keeps them. */
interface Prepared {
  name: string;
  argv: string[];
}

/** What the server lends a local connection: a registered client on `socket`, and how to run it. */
export interface LocalHost {
  admit(socket: ClientSocket): Client;
  run(client: Client): void;
  forget(client: Client): void;
  maxBulkLength: number;
}

export class LocalConnection {
  readonly client: Client;
  private readonly socket: LocalSocket;
  private readonly reader = new ReplyReader();
  private waiting: Waiter[] = [];
  private head = 0;
  private closeListeners: (() => void)[] = [];
  private pushListener: ((message: unknown[]) => void) | undefined;
  /**
   * The subscriptions and protocol as of the last reply read (the server's own state may be ahead):
   * in RESP2, a message array is a push only while subscribed; in RESP3, pushes have their own type.
   */
  private readonly subscriptions = {
    channels: new Set<unknown>(),
    patterns: new Set<unknown>(),
    shards: new Set<unknown>(),
  };
  private resp = 2;

  constructor(private readonly host: LocalHost) {
    this.socket = new LocalSocket(
      (chunk) => this.reader.feed(chunk, (value, push) => this.answer(value, push)),
      () => this.closed(),
    );
    this.client = host.admit(this.socket);
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Runs one command; resolves with its reply, rejects with a ReplyError or ConnectionClosedError. */
  async send(args: readonly LocalArgument[]): Promise<unknown> {
    const [reply] = await this.sendAll([args]);
    if (reply instanceof ReplyError) throw reply;
    return reply;
  }

  /**
   * Runs several commands in one go, like a pipeline: resolves with every reply in order, an error
   * reply as a ReplyError in its place; rejects only if the connection closes first.
   */
  sendAll(commands: readonly (readonly LocalArgument[])[]): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) return reject(new ConnectionClosedError());
      this.client.lastInteraction = Date.now();
      const replies = new Array<unknown>(commands.length);
      if (commands.length === 0) return resolve(replies);
      // Every argument converted before anything is queued: one that cannot be leaves nothing behind.
      const argvs = commands.map((args) => this.prepare(args));
      let received = 0;
      let failed = false;
      for (const [i, argv] of argvs.entries()) {
        this.expect(
          argv,
          (value) => {
            replies[i] = value;
            if (++received === commands.length) resolve(replies);
          },
          (error) => {
            if (!failed) reject(error);
            failed = true;
          },
        );
      }
      this.host.run(this.client);
    });
  }

  /** Closes at once: commands without a reply yet reject with ConnectionClosedError. */
  close(): void {
    this.socket.destroy();
  }

  /** Hears the messages of the channels and patterns this connection subscribed to. */
  onPush(listener: (message: unknown[]) => void): void {
    this.pushListener = listener;
  }

  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  /**
   * What to queue for `args`: its arguments as the server keeps them, or the refusal of a command a
   * local connection does not send.
   */
  private prepare(args: readonly LocalArgument[]): Prepared | ReplyError {
    if (args.length === 0) return new ReplyError("ERR empty command"); // RESP has none: *0 is skipped
    const name = String(args[0]).toLowerCase();
    if (SOCKET_ONLY.has(name))
      return new ReplyError(`ERR '${name}' needs a socket connection, not a local one`);
    for (const arg of args) {
      if (tooLong(arg, this.host.maxBulkLength))
        return new ReplyError("ERR Protocol error: invalid bulk length");
    }
    return { name, argv: args.map(toBinary) };
  }

  /**
   * Queues a prepared command, and what to do with its reply. A refused one keeps its place: a
   * stand-in the server refuses goes instead (so a MULTI it was part of is aborted, as Redis aborts
   * one with a command refused while queueing), and the refusal is its reply.
   */
  private expect(
    prepared: Prepared | ReplyError,
    reply: (value: unknown) => void,
    fail: (error: Error) => void,
  ): void {
    if (prepared instanceof ReplyError) {
      this.waiting.push({ name: "", names: 0, left: 0, reply: () => reply(prepared), fail });
      this.client.queue.push([""]); // no such command
      return;
    }
    const { name, argv } = prepared;
    this.waiting.push({ name, names: argv.length - 1, left: 0, reply, fail });
    this.client.queue.push(argv);
  }

  private answer(value: unknown, push: boolean): void {
    if (Array.isArray(value) && PUSHES.has(value[0]) && (push || (this.resp === 2 && this.subscribed))) {
      // Not from inside the reply reader: a listener may send a command, whose reply is read at once.
      queueMicrotask(() => this.pushListener?.(value));
      return;
    }
    const waiter = this.waiting[this.head];
    if (!waiter) return; // nothing asked for it
    if (!this.follow(waiter, value)) return; // more confirmations to come
    this.waiting[this.head++] = undefined as unknown as Waiter;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AT && this.head * 2 >= this.waiting.length) {
      // Never empty (a command always waits behind a blocked one): drop the answered slots anyway.
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    waiter.reply(value);
  }

  /**
   * Follows what `waiter`'s reply changes in how the next ones are read (subscriptions, protocol);
   * false while the command has more confirmations to come.
   */
  private follow(waiter: Waiter, value: unknown): boolean {
    const { name } = waiter;
    const kind = SUBSCRIPTIONS.get(name);
    if (kind !== undefined) {
      if (!Array.isArray(value) || value[0] !== name) return true; // refused, or queued in MULTI: one reply
      const subscriptions = this.subscriptions[kind];
      if (waiter.left === 0) waiter.left = waiter.names > 0 ? waiter.names : Math.max(1, subscriptions.size);
      if (!name.endsWith("unsubscribe")) subscriptions.add(value[1]);
      else subscriptions.delete(value[1]);
      return --waiter.left === 0;
    }
    if (name === "hello" && Array.isArray(value)) this.resp = value[value.indexOf("proto") + 1] === 3 ? 3 : 2;
    else if (name === "reset" && value === "RESET") {
      this.resp = 2;
      for (const subscriptions of Object.values(this.subscriptions)) subscriptions.clear();
    }
    return true;
  }

  private get subscribed(): boolean {
    const { channels, patterns, shards } = this.subscriptions;
    return channels.size + patterns.size + shards.size > 0;
  }

  private closed(): void {
    this.host.forget(this.client);
    const unanswered = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    for (const waiter of unanswered) waiter.fail(new ConnectionClosedError());
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

/**
 * The server keeps every value as a "binary string": one character per byte (latin1). A string is
 * sent as its UTF-8 bytes, a Buffer as it is, anything else as ioredis writes it (null as "", an
 * integer past 2^53 with all its digits).
 */
function toBinary(arg: unknown): string {
  if (typeof arg === "string") return utf8(arg);
  if (typeof arg === "number")
    return Number.isInteger(arg) && !Number.isSafeInteger(arg) ? BigInt(arg).toString() : String(arg);
  if (Buffer.isBuffer(arg)) return arg.toString("latin1");
  return arg === null || arg === undefined ? "" : utf8(String(arg));
}

const utf8 = (text: string): string =>
  NON_ASCII.test(text) ? Buffer.from(text, "utf8").toString("latin1") : text;

const NON_ASCII = /[\u0080-\uffff]/;

/** Longer than proto-max-bulk-len bytes (a string's UTF-8 is at most 3 bytes a character). */
function tooLong(arg: unknown, max: number): boolean {
  if (typeof arg === "string") return arg.length * 3 > max && Buffer.byteLength(arg) > max;
  return Buffer.isBuffer(arg) && arg.length > max;
}

/** A socket that hands the server's reply bytes straight to the connection. */
class LocalSocket implements ClientSocket {
  destroyed = false;
  readonly writableLength = 0;
  readonly remoteAddress = "local";
  private corked = false;
  private held: Buffer[] = [];

  constructor(
    private readonly receive: (chunk: Buffer) => void,
    private readonly onClosed: () => void,
  ) {}

  write(chunk: Buffer): boolean {
    if (this.destroyed) return false;
    if (this.corked) this.held.push(chunk);
    else this.receive(chunk);
    return true;
  }

  cork(): void {
    this.corked = true;
  }

  uncork(): void {
    this.corked = false;
    const held = this.held;
    this.held = [];
    if (held.length > 0) this.receive(held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held));
  }

  pause(): void {}

  resume(): void {}

  /** QUIT and protocol errors end a connection once its replies are written: here, at once. */
  end(): void {
    this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.onClosed();
  }
}
