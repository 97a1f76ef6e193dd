/** Services and loggers for ServerFactory tests. */
import { connect, createServer, type Server } from "node:net";
import { Writable } from "node:stream";
import type { ServiceSwitch } from "../../src/config.js";
import type { ServiceDefinition } from "../../src/factory.js";
import { createLogger, type Logger } from "../../src/logger.js";
import type { Service, ServiceState, ServiceStatus } from "../../src/service.js";

/** Shared record of lifecycle calls, e.g. ["start:redis", "stop:redis"]. */
export type EventLog = string[];

export interface FakeServiceOptions {
  /** Called inside start(); throw to fail the start. */
  onStart?: () => Promise<void> | void;
  /** Called inside stop(); throw to fail the stop. */
  onStop?: () => Promise<void> | void;
  jobManager?: unknown;
}

/** A service with no I/O that records its calls; hooks let a test make it slow or fail. */
export class FakeService implements Service {
  protected state: ServiceState = "stopped";
  protected startedAt: number | undefined;

  constructor(
    readonly name: string,
    protected readonly events: EventLog,
    protected readonly options: FakeServiceOptions = {},
  ) {}

  async start(): Promise<void> {
    this.events.push(`start:${this.name}`);
    this.state = "starting";
    try {
      await this.options.onStart?.();
      await this.acquire();
    } catch (error) {
      this.state = "failed";
      throw error;
    }
    this.state = "running";
    this.startedAt = Date.now();
  }

  async stop(): Promise<void> {
    this.events.push(`stop:${this.name}`);
    this.state = "stopping";
    await this.release();
    await this.options.onStop?.();
    this.state = "stopped";
  }

  status(): ServiceStatus {
    return { name: this.name, state: this.state, address: this.address(), startedAt: this.startedAt };
  }

  getJobManager(): unknown {
    return this.options.jobManager;
  }

  protected async acquire(): Promise<void> {}
  protected async release(): Promise<void> {}
  protected address(): string | undefined {
    return undefined;
  }
}

/** A real TCP listener on 127.0.0.1; port 0 picks a free port. */
export class TcpListenerService extends FakeService {
  private server: Server | undefined;

  constructor(
    name: string,
    events: EventLog,
    private readonly port: number,
    options: FakeServiceOptions = {},
  ) {
    super(name, events, options);
  }

  get boundPort(): number | undefined {
    const address = this.server?.address();
    return typeof address === "object" && address ? address.port : undefined;
  }

  protected override async acquire(): Promise<void> {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
  }

  protected override async release(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server)
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  }

  protected override address(): string | undefined {
    return this.boundPort === undefined ? undefined : `127.0.0.1:${this.boundPort}`;
  }
}

export function definition(
  name: string,
  enabledBy: ServiceSwitch,
  dependsOn: string[],
  create: () => Service,
): ServiceDefinition {
  return { name, enabledBy, dependsOn, create };
}

/** Holds a port so a service that tries to listen on it fails with EADDRINUSE. */
export async function occupyPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return { port: address.port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Resolves true if something accepts a TCP connection on 127.0.0.1:port, false if refused. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface CapturedLogger {
  logger: Logger;
  /** Parsed JSON log lines written so far. */
  lines: () => Array<Record<string, unknown>>;
}

export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const logger = createLogger("debug", sink);
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
