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
import { ConnectionClosedError, onlyReply, ReplyBatch, ReplyRouter } from "./resp/reply-router.js";

export { ConnectionClosedError };

/**
 * What a command argument may be: strings are sent as their UTF-8 bytes, Buffers as they are,
 * numbers as ioredis writes them.
 */
export type LocalArgument = string | Buffer | number;

/** Commands whose replies would not come one per command. */
const SOCKET_ONLY = new Set(["monitor", "sync", "psync"]);

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
  private readonly router = new ReplyRouter();
  private closeListeners: (() => void)[] = [];

  constructor(private readonly host: LocalHost) {
    this.socket = new LocalSocket(
      (chunk) => this.reader.feed(chunk, (value, push) => this.router.answer(value, push)),
      () => this.closed(),
    );
    this.client = host.admit(this.socket);
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Runs one command; resolves with its reply, rejects with a ReplyError or ConnectionClosedError. */
  send(args: readonly LocalArgument[]): Promise<unknown> {
    return onlyReply(this.sendAll([args]));
  }

  /**
   * Runs several commands in one go, like a pipeline: resolves with every reply in order, an error
   * reply as a ReplyError in its place; rejects only if the connection closes first.
   */
  sendAll(commands: readonly (readonly LocalArgument[])[]): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) return reject(new ConnectionClosedError());
      this.client.lastInteraction = Date.now();
      // Every argument converted before anything is queued: one that cannot be leaves nothing behind.
      const argvs = commands.map((args) => this.prepare(args));
      const batch = new ReplyBatch(commands.length, resolve, reject);
      for (const [i, argv] of argvs.entries()) this.expect(argv, batch, i);
      if (commands.length > 0) this.host.run(this.client);
    });
  }

  /** Closes at once: commands without a reply yet reject with ConnectionClosedError. */
  close(): void {
    this.socket.destroy();
  }

  /** Hears the messages of the channels and patterns this connection subscribed to. */
  onPush(listener: (message: unknown[]) => void): void {
    this.router.onPush(listener);
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
  private expect(prepared: Prepared | ReplyError, batch: ReplyBatch, index: number): void {
    if (prepared instanceof ReplyError) {
      this.router.expect("", 0, batch, index, prepared);
      this.client.queue.push([""]); // no such command
      return;
    }
    const { name, argv } = prepared;
    this.router.expect(name, argv.length - 1, batch, index);
    this.client.queue.push(argv);
  }

  private closed(): void {
    this.host.forget(this.client);
    this.router.closed();
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
