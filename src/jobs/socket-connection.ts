/**
 * The job system's connection to a Redis over a socket (TCP, TLS or a Unix socket): commands are
 * written as RESP, replies read by the reader and router the in-process connection uses. It stands
 * where ioredis stood on the job system's hot path, whose per-command work (command objects,
 * argument flattening, promises per command) was about a quarter of a job's CPU.
 *
 * A connection is opened once the socket is up and its handshake (AUTH, SELECT, PING) has been
 * answered; it does not reconnect: the look-alike above it (redis-lookalike.ts) opens a new one.
 */
import net from "node:net";
import tls from "node:tls";
import { ReplyError, ReplyReader } from "../redis/resp/reply-reader.js";
import { ConnectionClosedError, onlyReply, ReplyBatch, ReplyRouter } from "../redis/resp/reply-router.js";

/** Where a Redis listens, and how to log in to it. */
export interface SocketTarget {
  host?: string;
  port?: number;
  /** A Unix socket; host and port are then unused. */
  path?: string;
  username?: string;
  password?: string;
  /** The database to SELECT (0 by default). */
  db?: number;
  /** TLS (rediss://): the options of tls.connect, `{}` for the defaults (as ioredis takes them). */
  tls?: tls.ConnectionOptions;
}

/** A command's arguments: a string is sent as UTF-8, a Buffer as it is, a number as its digits. */
export type CommandArgument = string | Buffer | number;

/** How long opening may take (ioredis' connectTimeout). */
const CONNECT_TIMEOUT_MS = 10_000;

/** `redis://[user[:password]@]host[:port][/db]`, or `rediss://` for TLS. */
export function parseRedisUrl(url: string): SocketTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error("invalid Redis URL: expected redis://host:port or rediss://host:port");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    throw new Error(`invalid Redis URL: unknown scheme ${parsed.protocol} (expected redis: or rediss:)`);
  const target: SocketTarget = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: parsed.port === "" ? 6379 : Number(parsed.port),
  };
  if (parsed.username !== "") target.username = decodeURIComponent(parsed.username);
  if (parsed.password !== "") target.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "") {
    if (!/^\d+$/.test(db)) throw new Error(`invalid Redis URL: the database must be a number, not "${db}"`);
    target.db = Number(db);
  }
  if (parsed.protocol === "rediss:") target.tls = {};
  return target;
}

export class SocketConnection {
  private readonly reader = new ReplyReader();
  private readonly router = new ReplyRouter();
  private closeListeners: ((error?: Error) => void)[] = [];
  private closed = false;
  private corked = false;
  /** Why the socket closed, when it was not closed on purpose. */
  private error: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on("data", (chunk: Buffer) => {
      try {
        this.reader.feed(chunk, (value, push) => this.router.answer(value, push));
      } catch (error) {
        // Bytes that are not RESP: nothing after them can be trusted to answer the right command.
        socket.destroy(error as Error);
      }
    });
    socket.on("error", (error) => {
      this.error ??= error;
    });
    socket.on("close", () => {
      this.closed = true;
      this.router.closed();
      for (const listener of this.closeListeners.splice(0)) listener(this.error);
    });
  }

  /**
   * Connects and logs in; rejects if the socket fails, the handshake is refused, it takes 10 s, or
   * `signal` aborts (the socket then closes at once).
   */
  static open(target: SocketTarget, signal?: AbortSignal): Promise<SocketConnection> {
    return new Promise((resolve, reject) => {
      const socket = connectSocket(target);
      const connection = new SocketConnection(socket);
      signal?.addEventListener("abort", () => socket.destroy(), { once: true });
      const timer = setTimeout(
        () => socket.destroy(new Error(`connect timed out after ${CONNECT_TIMEOUT_MS} ms`)),
        CONNECT_TIMEOUT_MS,
      );
      connection.onClose((error) => {
        clearTimeout(timer);
        reject(error ?? new ConnectionClosedError());
      });
      connection.sendAll(handshake(target)).then((replies) => {
        clearTimeout(timer);
        const refusal = replies.find((reply) => reply instanceof ReplyError && !isUnneededAuth(reply));
        if (refusal) {
          socket.destroy(refusal as ReplyError);
          return;
        }
        resolve(connection);
      }, reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs one command; resolves with its reply, rejects with a ReplyError or ConnectionClosedError. */
  send(args: readonly CommandArgument[]): Promise<unknown> {
    return onlyReply(this.sendAll([args]));
  }

  /**
   * Writes several commands at once, like a pipeline: resolves with every reply in order, an error
   * reply as a ReplyError in its place; rejects only if the connection closes first.
   */
  sendAll(commands: readonly (readonly CommandArgument[])[]): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new ConnectionClosedError());
      if (commands.some((command) => command.length === 0)) return reject(new Error("empty Redis command"));
      const batch = new ReplyBatch(commands.length, resolve, reject);
      for (const [i, command] of commands.entries())
        this.router.expect(String(command[0]).toLowerCase(), command.length - 1, batch, i);
      if (commands.length === 0) return;
      if (!this.corked) {
        // What is sent in this tick leaves in one write (one system call), not one per batch.
        this.corked = true;
        this.socket.cork();
        process.nextTick(() => {
          this.corked = false;
          this.socket.uncork();
        });
      }
      for (const chunk of encode(commands)) this.socket.write(chunk);
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

  /** Hears the close, with the socket's error if it failed. */
  onClose(listener: (error?: Error) => void): void {
    if (this.closed) listener(this.error);
    else this.closeListeners.push(listener);
  }
}

function connectSocket(target: SocketTarget): net.Socket {
  if (target.path) return net.connect(target.path);
  const host = target.host ?? "127.0.0.1";
  const port = target.port ?? 6379;
  if (!target.tls) return net.connect(port, host);
  return tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...target.tls });
}

/**
 * AUTH and SELECT, as the target asks, then PING: AUTH and SELECT pass while a restarted Redis
 * loads its data, PING is refused (LOADING) until it is ready, as ioredis' ready check waits.
 */
function handshake(target: SocketTarget): CommandArgument[][] {
  const commands: CommandArgument[][] = [];
  if (target.password !== undefined)
    commands.push(target.username ? ["AUTH", target.username, target.password] : ["AUTH", target.password]);
  if (target.db) commands.push(["SELECT", target.db]);
  commands.push(["PING"]);
  return commands;
}

/** A password given to a server that has none: ioredis goes on, and so do we. */
const isUnneededAuth = (error: ReplyError): boolean =>
  /no password is set|without any password configured/.test(error.message);

/**
 * The commands as RESP, in as few chunks as their arguments allow: one string while they are text
 * and numbers, a Buffer argument written as it is between two.
 */
function encode(commands: readonly (readonly CommandArgument[])[]): (string | Buffer)[] {
  const chunks: (string | Buffer)[] = [];
  let text = "";
  for (const command of commands) {
    text += `*${command.length}\r\n`;
    for (const arg of command) {
      if (typeof arg === "string") text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
      else if (Buffer.isBuffer(arg)) {
        chunks.push(`${text}$${arg.length}\r\n`, arg);
        text = "\r\n";
      } else {
        const value = argumentText(arg);
        text += `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
      }
    }
  }
  chunks.push(text);
  return chunks;
}

/** A number as ioredis writes it (an integer past 2^53 with all its digits); null and undefined as "". */
function argumentText(arg: unknown): string {
  if (typeof arg === "number")
    return Number.isInteger(arg) && !Number.isSafeInteger(arg) ? BigInt(arg).toString() : String(arg);
  return arg === null || arg === undefined ? "" : String(arg);
}
