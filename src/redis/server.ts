import fs from "node:fs";
import net from "node:net";
import { AppendOnlyFile } from "./aof/append-only-file.js";
import { Client, type ClientSocket } from "./client.js";
import { allCommands } from "./commands/index.js";
import { type CommandSpec, CommandTable } from "./commands/spec.js";
import { dispatch } from "./dispatcher.js";
import { RedisServerError } from "./errors.js";
import { LocalConnection } from "./local-connection.js";
import { type RedisServerOptions, resolveRedisOptions } from "./options.js";
import { ServerState } from "./server-state.js";

/** Past this many unwritten reply bytes a client is not read from until its socket drains. */
const PAUSE_READING_AT = 4 * 1024 * 1024;

export interface RedisServerHooks {
  /** A handler threw something other than a RedisError: a bug worth logging. */
  onInternalError?: (error: unknown, command: string) => void;
  /** Events worth a log line: the AOF loaded, repaired, rewritten, or failing to write. */
  log?: (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The embedded Redis-compatible server: TCP and Unix-socket listeners over one keyspace. Commands
 * are data (commands/*.ts); this class only moves bytes between sockets and the dispatcher.
 */
export class RedisServer {
  readonly state: ServerState;
  private readonly listeners: net.Server[] = [];
  private readonly toFlush = new Set<Client>();
  private flushScheduled = false;
  /** Clients whose replies wait for the AOF fsync (appendfsync always). */
  private readonly awaitingFsync = new Set<Client>();
  private readonly hooks: RedisServerHooks;
  /** Between start() and stop(): local connections may open. */
  private running = false;

  constructor(
    options: RedisServerOptions = {},
    hooks: RedisServerHooks = {},
    commands: Iterable<CommandSpec> = allCommands(),
  ) {
    const resolved = resolveRedisOptions(options);
    this.state = new ServerState(
      resolved,
      new CommandTable(commands),
      (client) => this.run(client),
      (client) => this.deliver(client),
      (client) => {
        client.closing = true;
        client.socket.destroy();
        this.forget(client); // at once, as Redis's freeClient: a pipelined CLIENT LIST no longer shows it
      },
    );
    this.state.onInternalError = hooks.onInternalError;
    this.hooks = hooks;
  }

  /** Where clients connect: "host:port" and/or the socket path. */
  get addresses(): { tcp?: string; unix?: string } {
    const { port, unixSocketPath } = this.state.listening;
    return {
      ...(this.state.options.port !== null ? { tcp: `${this.state.options.host}:${port}` } : {}),
      ...(unixSocketPath ? { unix: unixSocketPath } : {}),
    };
  }

  get port(): number {
    return this.state.listening.port;
  }

  /** Loads the append-only file (when on), then listens. */
  async start(): Promise<void> {
    const { host, port, unixSocketPath } = this.state.options;
    try {
      await this.openAppendOnlyFile();
      if (port !== null) {
        const tcp = await this.listen({ host, port });
        this.state.listening.port = (tcp.address() as net.AddressInfo).port;
      }
      if (unixSocketPath) {
        await removeStaleSocket(unixSocketPath);
        await this.listen({ path: unixSocketPath });
        this.state.listening.unixSocketPath = unixSocketPath;
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.state.keyspace.startActiveExpiry();
    this.running = true;
  }

  /**
   * An in-process connection (local-connection.ts): the same commands and replies as over a socket,
   * without the socket. Throws while the server is not running; closes when it stops.
   */
  connectLocal(): LocalConnection {
    if (!this.running) throw new RedisServerError("REDIS_ERR_NOT_RUNNING", "the Redis server is not running");
    return new LocalConnection({
      admit: (socket) => this.admit(socket, "local:0", "local:0"),
      run: (client) => this.run(client),
      forget: (client) => this.forget(client),
      maxBulkLength: this.state.options.maxBulkLength,
    });
  }

  /** Disconnects every client, closes the listeners and removes the socket file. */
  async stop(): Promise<void> {
    this.running = false;
    this.state.keyspace.stopActiveExpiry();
    const closing = this.listeners
      .splice(0)
      .map((server) => new Promise<void>((done) => server.close(() => done())));
    for (const client of this.state.clients.values()) client.socket.destroy();
    await Promise.all(closing);
    this.state.aof?.close();
    this.state.aof = undefined;
    if (this.state.listening.unixSocketPath) {
      fs.rmSync(this.state.listening.unixSocketPath, { force: true });
      this.state.listening.unixSocketPath = "";
    }
  }

  /**
   * Rewrites the append-only file from the current keyspace, in the background (BGREWRITEAOF);
   * resolves once the new file replaced the old one. It also happens by itself when the file doubled.
   */
  rewriteAppendOnlyFile(): Promise<void> {
    const aof = this.state.aof;
    if (!aof) return Promise.reject(new RedisServerError("REDIS_ERR_AOF", "appendonly is off"));
    return aof.startRewrite();
  }

  private async openAppendOnlyFile(): Promise<void> {
    const { appendonly, aofPath, appendfsync, aofRewriteMinSize } = this.state.options;
    if (!appendonly) return;
    const aof = new AppendOnlyFile(
      this.state,
      { path: aofPath, fsync: appendfsync, rewriteMinSize: aofRewriteMinSize },
      (level, message, fields) => this.hooks.log?.(level, message, fields),
      () => this.releaseReplies(),
    );
    try {
      await aof.open();
    } catch (error) {
      if (error instanceof RedisServerError) throw error;
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new RedisServerError("REDIS_ERR_AOF", `cannot open the append-only file ${aofPath}: ${reason}`, {
        cause: error,
      });
    }
    this.state.aof = aof;
  }

  /** The AOF is on disk: the replies that waited for it go out. */
  private releaseReplies(): void {
    for (const client of this.awaitingFsync) this.writeNow(client);
    this.awaitingFsync.clear();
  }

  private listen(where: net.ListenOptions): Promise<net.Server> {
    const server = net.createServer((socket) => this.accept(socket, where.path));
    return new Promise((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) => {
        const at = where.path ?? `${where.host}:${where.port}`;
        reject(
          new RedisServerError("REDIS_ERR_LISTEN", `cannot listen on ${at}: ${error.code ?? error.message}`, {
            cause: error,
          }),
        );
      });
      server.listen(where, () => {
        this.listeners.push(server);
        resolve(server);
      });
    });
  }

  private accept(socket: net.Socket, path: string | undefined): void {
    const state = this.state;
    const address = path ? `${path}:0` : `${socket.remoteAddress}:${socket.remotePort}`;
    const local = path ? `${path}:0` : `${socket.localAddress}:${socket.localPort}`;
    const client = this.admit(socket, address, local, state.options.password !== undefined);
    if (!path) socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.read(client, chunk));
    socket.on("drain", () => socket.resume());
    socket.on("error", () => {}); // a reset connection just closes
    socket.on("close", () => this.forget(client));
  }

  /** A new client on `socket`, counted and listed (an in-process one needs no AUTH). */
  private admit(socket: ClientSocket, address: string, local: string, passwordRequired = false): Client {
    const client = new Client(socket, address, local, this.state.options.maxBulkLength, passwordRequired);
    this.state.clients.set(client.id, client);
    this.state.stats.connectionsReceived++;
    return client;
  }

  private read(client: Client, chunk: Buffer): void {
    this.state.stats.netInputBytes += chunk.length;
    client.lastInteraction = Date.now();
    const error = client.parser.feedInto(chunk, client.queue);
    if (error) client.protocolError = error.message;
    this.run(client);
  }

  /** Runs the client's queued commands until it blocks or runs out, then writes the replies. */
  private run(client: Client): void {
    if (client.running) return;
    client.running = true;
    try {
      while (!client.blocked && !client.closing && client.queueHead < client.queue.length) {
        const argv = client.queue[client.queueHead++] as string[];
        dispatch(this.state, client, argv);
        this.state.blocking.serveReady();
      }
    } finally {
      client.running = false;
    }
    if (client.queueHead >= client.queue.length) {
      if (client.queue.length === 1) client.queue.pop();
      else client.queue.length = 0;
      client.queueHead = 0;
      if (client.protocolError !== undefined && !client.closing) {
        client.reply.error(client.protocolError);
        client.closing = true;
      }
    }
    this.write(client);
  }

  private deliver(client: Client): void {
    this.toFlush.add(client);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      for (const pending of this.toFlush) this.write(pending);
      this.toFlush.clear();
    });
  }

  private write(client: Client): void {
    if (this.state.aof?.holdsReplies) {
      this.awaitingFsync.add(client);
      return;
    }
    this.writeNow(client);
  }

  private writeNow(client: Client): void {
    const socket = client.socket;
    if (socket.destroyed) return;
    const single = client.reply.takeSingle();
    const chunks = single ? undefined : client.reply.take();
    if (single) socket.write(single);
    else if (chunks && chunks.length === 1) socket.write(chunks[0] as Buffer);
    else if (chunks && chunks.length > 1) {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
    if (socket.writableLength > this.state.options.maxOutputBuffer) {
      socket.destroy(); // like Redis's client-output-buffer-limit: a client that does not read is dropped
      return;
    }
    if (socket.writableLength > PAUSE_READING_AT) socket.pause();
    if (client.closing && !client.blocked) socket.end();
  }

  private forget(client: Client): void {
    const state = this.state;
    state.blocking.unblock(client);
    state.pubsub.forget(client);
    state.watches.unwatchAll(client);
    state.monitors.delete(client);
    state.clients.delete(client.id);
    this.toFlush.delete(client);
    this.awaitingFsync.delete(client);
  }
}

/** A socket file left by a dead server is replaced; one a live server answers on is an error. */
async function removeStaleSocket(path: string): Promise<void> {
  if (!fs.existsSync(path)) return;
  if (!fs.statSync(path).isSocket()) {
    throw new RedisServerError("REDIS_ERR_SOCKET_IN_USE", `${path} exists and is not a socket`);
  }
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect({ path }, () => {
      probe.destroy();
      resolve(true);
    });
    probe.on("error", () => resolve(false));
  });
  if (live) throw new RedisServerError("REDIS_ERR_SOCKET_IN_USE", `${path} is in use by a running server`);
  fs.rmSync(path, { force: true });
}
