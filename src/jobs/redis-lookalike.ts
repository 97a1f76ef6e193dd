/**
 * The job system's Redis connection: an ioredis look-alike over a connection that is either
 * in-process (RedisServer.connectLocal(), next to the embedded server) or a socket
 * (socket-connection.ts, for redis-server, Valkey or an embedded server elsewhere). The commands,
 * keys and replies are the ones ioredis would send and return (docs/jobs-protocol.md does not
 * change); what goes away is ioredis' per-command work and, in-process, the socket and RESP on the
 * way in: on the job system's hot path, most of the CPU a job cost.
 *
 * It offers what jobs/ uses of ioredis and nothing more: every Redis command as a method (hgetall's
 * reply as an object, hset's object argument, as ioredis does), multi() and pipeline() with chained
 * commands and exec(), (p)subscribe with "message" and "pmessage" events (subscriptions renewed on
 * reconnect), quit(), disconnect(), `status`, and the "ready", "error" and "end" events.
 * Anything else is undefined, so a call fails at once rather than half-working. Like ioredis with
 * maxRetriesPerRequest: null, commands wait while the server is unreachable and are sent (those cut
 * off without a reply, again) once it is back: a Redis restart pauses the job system.
 */
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import { allCommands } from "../redis/commands/index.js";
import { type RedisServer, ReplyError } from "../redis/index.js";
import { ConnectionClosedError, onlyReply } from "../redis/resp/reply-router.js";
import { type CommandArgument, SocketConnection, type SocketTarget } from "./socket-connection.js";

/** Where a job system next to the embedded server finds it. */
export interface LocalRedisTarget {
  local: RedisServer;
}

/** What the look-alike needs of a connection: LocalConnection and SocketConnection both are one. */
export interface CommandConnection {
  readonly isClosed: boolean;
  send(command: readonly CommandArgument[]): Promise<unknown>;
  sendAll(commands: readonly (readonly CommandArgument[])[]): Promise<unknown[]>;
  onPush(listener: (message: unknown[]) => void): void;
  onClose(listener: (error?: Error) => void): void;
  close(): void;
}

/** How a look-alike gets a new connection, and which names are commands. */
interface Transport {
  open(signal: AbortSignal): CommandConnection | Promise<CommandConnection>;
  isCommand(name: string): boolean;
}

type Argument =
  | CommandArgument
  | null
  | undefined
  | readonly Argument[]
  | Record<string, unknown>
  | Map<string, unknown>;

interface Pending {
  /** Its place in the order commands were made: one cut off is sent again before those made after. */
  order: number;
  commands: CommandArgument[][];
  resolve(replies: unknown[]): void;
  reject(error: unknown): void;
}

const UNSUBSCRIBE = { subscribe: "unsubscribe", psubscribe: "punsubscribe" } as const;

/** ioredis' pace: 50 ms more per failed attempt, at most a second apart. */
const retryDelay = (attempt: number) => Math.min(50 * attempt, 1000);

/** The names the embedded server knows: what a socket connection offers as methods too. */
const KNOWN_COMMANDS = new Set(allCommands().map((spec) => spec.name));
const isKnownCommand = (name: string): boolean => KNOWN_COMMANDS.has(name);

/**
 * A connection to the embedded server of this process; typed as ioredis' Redis, of which it is
 * the subset jobs/ uses.
 */
export function connectLocalRedis(server: RedisServer, name: string): Redis {
  const transport = {
    open: () => server.connectLocal(),
    isCommand: (command: string) => server.state.commands.find(command) !== undefined,
  };
  return withCommands(new LookalikeRedis(transport, name)) as unknown as Redis;
}

/** A connection to a Redis over a socket, the same look-alike. */
export function connectSocketRedis(target: SocketTarget, name: string): Redis {
  const transport = {
    open: (signal: AbortSignal) => SocketConnection.open(target, signal),
    isCommand: isKnownCommand,
  };
  return withCommands(new LookalikeRedis(transport, name)) as unknown as Redis;
}

class LookalikeRedis extends EventEmitter {
  status: "connecting" | "ready" | "reconnecting" | "end" = "connecting";
  private connection: CommandConnection | undefined;
  private offline: Pending[] = [];
  private made = 0;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Aborts the connection being opened: end() must not leave its socket (and timer) behind. */
  private opening: AbortController | undefined;
  /** A QUIT was sent (quit(), call, a batch): when the connection closes, it ends, as in ioredis. */
  private quitting = false;
  /** What to subscribe to again on a new connection. */
  private readonly subscriptions = { subscribe: new Set<string>(), psubscribe: new Set<string>() };

  constructor(
    readonly transport: Transport,
    private readonly name: string,
  ) {
    super();
    queueMicrotask(() => this.connect()); // after the caller has added its listeners, as ioredis
  }

  multi(): Batch {
    return withCommands(new Batch(this, true));
  }

  pipeline(): Batch {
    return withCommands(new Batch(this, false));
  }

  subscribe(...channels: string[]): Promise<number> {
    return this.changeSubscriptions("subscribe", channels, true);
  }

  unsubscribe(...channels: string[]): Promise<number> {
    return this.changeSubscriptions("subscribe", channels, false);
  }

  psubscribe(...patterns: string[]): Promise<number> {
    return this.changeSubscriptions("psubscribe", patterns, true);
  }

  punsubscribe(...patterns: string[]): Promise<number> {
    return this.changeSubscriptions("psubscribe", patterns, false);
  }

  /** Resolves with the number of subscriptions left, as ioredis does. */
  private async changeSubscriptions(
    kind: "subscribe" | "psubscribe",
    names: string[],
    add: boolean,
  ): Promise<number> {
    const reply = (await this.runOne([add ? kind : UNSUBSCRIBE[kind], ...names])) as unknown[];
    const set = this.subscriptions[kind];
    if (add) for (const name of names) set.add(name);
    else if (names.length === 0) set.clear();
    else for (const name of names) set.delete(name);
    return reply[2] as number;
  }

  /**
   * QUIT: the replies asked for so far come first, then the connection ends; if a stop closes it
   * first, it ends all the same (what waited rejects, as on disconnect()).
   */
  async quit(): Promise<"OK"> {
    if (this.status === "end") throw new ConnectionClosedError();
    this.quitting = true;
    if (this.status === "ready") {
      await this.runOne(["QUIT"]).catch((error: unknown) => {
        if (!(error instanceof ConnectionClosedError)) throw error;
      });
    }
    this.end();
    return "OK";
  }

  /** Ends at once: commands without a reply reject with "Connection is closed.". */
  disconnect(): void {
    this.end();
  }

  /** ioredis' call(name, ...args): any command by name. */
  call(name: string, ...args: Argument[]): Promise<unknown> {
    return this.runOne(commandLine(name, args));
  }

  /** One command; an error reply rejects. (Not named `command`: that is COMMAND's method.) */
  runOne(command: CommandArgument[]): Promise<unknown> {
    return onlyReply(this.send([command]));
  }

  /** Several commands sent together; error replies are ReplyErrors in their places. */
  send(commands: CommandArgument[][]): Promise<unknown[]> {
    if (this.status === "end") return Promise.reject(new ConnectionClosedError());
    if (commands.some(isQuit)) this.quitting = true;
    return new Promise((resolve, reject) => this.dispatch({ order: this.made++, commands, resolve, reject }));
  }

  private dispatch(pending: Pending): void {
    const connection = this.connection;
    if (!connection || connection.isClosed) {
      this.offline.push(pending);
      return;
    }
    connection.sendAll(pending.commands).then(pending.resolve, (error: unknown) => {
      if (!(error instanceof ConnectionClosedError) || this.status === "end") return pending.reject(error);
      // Cut off by a stop: sent again on the next connection, before what was made since.
      const later = this.offline.findIndex((other) => other.order > pending.order);
      this.offline.splice(later < 0 ? this.offline.length : later, 0, pending);
      this.reconnectLater();
    });
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.status === "end") return;
    let connection: CommandConnection;
    try {
      this.opening = new AbortController();
      connection = await this.transport.open(this.opening.signal);
    } catch (error) {
      if (this.ended) return;
      this.report(error);
      this.reconnectLater();
      return;
    }
    if (this.ended) return connection.close(); // disconnect() while it opened
    connection.onClose((error) => {
      if (this.quitting) return this.end();
      if (this.status === "end") return;
      if (error) this.report(error);
      this.reconnectLater();
    });
    connection.send(["CLIENT", "SETNAME", this.name]).catch(() => {});
    for (const [kind, names] of Object.entries(this.subscriptions)) {
      if (names.size > 0) connection.send([kind, ...names]).catch(() => {});
    }
    connection.onPush((message) => {
      const [kind, ...rest] = message as string[];
      this.emit(kind as string, ...rest);
    });
    this.connection = connection;
    this.status = "ready";
    this.attempts = 0;
    const waiting = this.offline;
    this.offline = [];
    for (const pending of waiting) this.dispatch(pending);
    this.emit("ready");
  }

  private get ended(): boolean {
    return this.status === "end";
  }

  private reconnectLater(): void {
    if (this.retryTimer || this.status === "end") return;
    this.status = "reconnecting";
    this.retryTimer = setTimeout(() => this.connect(), retryDelay(++this.attempts));
    this.retryTimer.unref();
  }

  /** An "error" event, only when someone listens (ioredis only logs an unheard one). */
  private report(error: unknown): void {
    if (this.listenerCount("error") > 0) this.emit("error", error);
  }

  private end(): void {
    if (this.status === "end") return;
    this.status = "end";
    clearTimeout(this.retryTimer);
    this.opening?.abort();
    this.connection?.close();
    for (const pending of this.offline.splice(0)) pending.reject(new ConnectionClosedError());
    this.emit("end");
  }
}

const isQuit = (command: CommandArgument[]): boolean => {
  const name = command[0];
  return typeof name === "string" && name.length === 4 && name.toLowerCase() === "quit";
};

/** A multi() or pipeline(): commands chained, sent by exec(). */
class Batch {
  private readonly commands: CommandArgument[][] = [];

  constructor(
    readonly redis: LookalikeRedis,
    private readonly transaction: boolean,
  ) {}

  /** Commands queued; as in ioredis, a transaction's MULTI counts. */
  get length(): number {
    return this.commands.length + (this.transaction ? 1 : 0);
  }

  add(command: CommandArgument[]): this {
    this.commands.push(command);
    return this;
  }

  call(name: string, ...args: Argument[]): this {
    return this.add(commandLine(name, args));
  }

  /**
   * [error, reply] per command, as ioredis answers; a transaction answers null when a WATCHed key
   * changed, and rejects (EXECABORT) when a command was refused while queueing.
   */
  async exec(): Promise<[Error | null, unknown][] | null> {
    const commands = this.commands;
    const result = (reply: unknown, i: number): [Error | null, unknown] => {
      if (reply instanceof ReplyError) return [reply, null];
      return [null, commands[i]?.[0] === "hgetall" ? toObject(reply) : reply];
    };
    if (!this.transaction) return (await this.redis.send(commands)).map(result);
    const replies = await this.redis.send([["MULTI"], ...commands, ["EXEC"]]);
    const exec = replies[replies.length - 1];
    if (exec instanceof ReplyError) throw exec;
    return exec === null ? null : (exec as unknown[]).map(result);
  }
}

/**
 * `target` with every Redis command of its transport as a method: `name(...args)` calls `target.call`
 * (or `add`, on a batch) with the arguments flattened as ioredis flattens them.
 */
function withCommands<T extends LookalikeRedis | Batch>(target: T): T {
  const transport = target instanceof Batch ? target.redis.transport : target.transport;
  const methods = new Map<string, (...args: Argument[]) => unknown>();
  return new Proxy(target, {
    get(object, property, receiver) {
      if (typeof property !== "string" || property in object) return Reflect.get(object, property, receiver);
      let method = methods.get(property);
      if (!method) {
        if (!transport.isCommand(property)) return undefined;
        const transform = property === "hgetall" ? toObject : undefined;
        method =
          object instanceof Batch
            ? (...args) => {
                object.add(commandLine(property, args));
                return receiver;
              }
            : (...args) => {
                const reply = (object as LookalikeRedis).runOne(commandLine(property, args));
                return transform ? reply.then(transform) : reply;
              };
        methods.set(property, method);
      }
      return method;
    },
  });
}

/**
 * ioredis' arguments: arrays flattened one level, an object or Map as field/value pairs; each value
 * is converted as ioredis converts it by the connection (a Buffer stays bytes, null is "").
 */
function commandLine(name: string, args: Argument[]): CommandArgument[] {
  const line: CommandArgument[] = [name];
  for (const arg of args) {
    if (Array.isArray(arg)) for (const item of arg) line.push(item as CommandArgument);
    else if (arg instanceof Map) for (const [field, value] of arg) line.push(field, value as CommandArgument);
    else if (typeof arg === "object" && arg !== null && !Buffer.isBuffer(arg))
      for (const [field, value] of Object.entries(arg)) line.push(field, value as CommandArgument);
    else line.push(arg as CommandArgument);
  }
  return line;
}

/** HGETALL's field/value list as an object, as ioredis returns it (a "__proto__" field included). */
function toObject(reply: unknown): Record<string, string> {
  const list = reply as string[];
  const object: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) {
    const field = list[i] as string;
    const value = list[i + 1] as string;
    if (field === "__proto__")
      Object.defineProperty(object, field, { value, enumerable: true, writable: true });
    else object[field] = value;
  }
  return object;
}
