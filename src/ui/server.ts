/**
 * UIServer: the fastify app of the UI's REST API and operations endpoints, on its own listener.
 * Every error leaves as `{ error: { code, message } }`; every request passes Auth.check first.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Config } from "../config.js";
import { describeError, UIRequestError } from "../errors.js";
import type { ServerFactory } from "../factory.js";
import type { Logger } from "../logger.js";
import { Auth } from "./auth.js";
import { acceptedEncoding, COMPRESS_MIN, compressText } from "./compress.js";
import { RedisClients, requireRunning, type UIContext } from "./context.js";
import { errorReply, notFound } from "./errors.js";
import { EventStreams } from "./event-streams.js";
import { JobFeed } from "./job-feed.js";
import { JobTimeline } from "./job-timeline.js";
import { Metrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { pageRoutes } from "./pages.js";
import { RouteTable } from "./route.js";
import { eventRoutes } from "./routes/events.js";
import { filesRoutes } from "./routes/files.js";
import { jobsRoutes } from "./routes/jobs.js";
import { logRoutes } from "./routes/logs.js";
import { opsRoutes } from "./routes/ops.js";
import { REDIS_KEY_MAX, redisRoutes } from "./routes/redis.js";
import { servicesRoutes } from "./routes/services.js";
import { sessionRoutes } from "./routes/session.js";
import { systemRoutes } from "./routes/system.js";
import { SystemHistory } from "./system-history.js";

/** JSON bodies: job params (up to 1 MiB) with room for escaping. */
const JSON_BODY_LIMIT = 4 * 1024 * 1024;

/** The whole body as text, or a 413 past `limit` bytes. */
async function readText(stream: AsyncIterable<Buffer>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit) {
      throw new UIRequestError(
        413,
        "HEROAGENT_ERR_PAYLOAD_TOO_LARGE",
        `JSON bodies are limited to ${limit} bytes`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON or text reply (not a stream, not an asset) past COMPRESS_MIN, compressed if accepted. */
async function compressed(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (typeof payload !== "string" || payload.length < COMPRESS_MIN) return payload;
  if (reply.hasHeader("content-encoding")) return payload;
  const type = String(reply.getHeader("content-type") ?? "");
  if (!type.includes("json") && !type.startsWith("text/plain")) return payload;
  const encoding = acceptedEncoding(request.headers["accept-encoding"], ["br", "gzip"]);
  if (!encoding) return payload;
  reply.header("content-encoding", encoding).header("vary", "accept-encoding");
  reply.removeHeader("content-length");
  return compressText(payload, encoding);
}

export class UIServer {
  private app?: FastifyInstance;
  /** What lives as long as the listener: stopped with it. */
  private running?: { metrics: Metrics; streams: EventStreams; feed: JobFeed; system: SystemHistory };
  private readonly redis: RedisClients;
  /** ui.password, or a random token made once per process (so it survives a restart of the UI). */
  private readonly secret: string;
  private readonly generated: boolean;
  private announced = false;

  constructor(
    private readonly config: Config,
    private readonly factory: ServerFactory,
    private readonly logger: Logger,
  ) {
    this.generated = config.ui.password === "";
    this.secret = this.generated ? randomBytes(24).toString("base64url") : config.ui.password;
    // The Logs page never shows the login secret (the start line below carries a generated one).
    factory.logs.mask(this.secret);
    this.redis = new RedisClients(config, logger);
  }

  async start(): Promise<void> {
    // Stopping closes every connection, as the WebDAV server does: a client that stalls a
    // download (or keeps a connection alive) must not hold the process's stop.
    const app = Fastify({
      logger: false,
      bodyLimit: JSON_BODY_LIMIT,
      trustProxy: false,
      forceCloseConnections: true,
      // A path parameter may be a Redis key (up to 64 KiB): the router's default cuts at 100.
      maxParamLength: REDIS_KEY_MAX,
      // The router's own refusals (a malformed %-escape) leave as the API's JSON errors too; they
      // pass no hook, so they carry the onSend headers themselves.
      frameworkErrors: (error, _request, reply) => {
        const { status, code, message } = errorReply(error);
        return (reply as FastifyReply)
          .code(status)
          .headers({ "cache-control": "no-store", "x-content-type-options": "nosniff" })
          .type("application/json")
          .send({ error: { code, message } });
      },
    });
    const auth = new Auth(this.secret, this.config.ui.readOnly);
    const routes = new RouteTable(app, auth.publicRoutes);
    const context: UIContext = {
      config: this.config,
      factory: this.factory,
      auth,
      routes,
      logger: this.logger,
      jobs: () => {
        requireRunning(this.factory, "jobs");
        return this.factory.getJobManager();
      },
      redis: (db) => this.redis.embeddedClient(db),
      queueRedis: () => this.redis.queueClient(),
    };
    this.configure(app, auth, routes);
    const feed = new JobFeed(context.jobs);
    const streams = new EventStreams();
    const system = new SystemHistory();
    const timeline = new JobTimeline();
    feed.subscribe((event) => timeline.record(event));
    const metrics = new Metrics(context, feed);
    sessionRoutes(context);
    servicesRoutes(context);
    jobsRoutes(context, timeline);
    redisRoutes(context);
    filesRoutes(context);
    systemRoutes(context, system);
    logRoutes(context, streams);
    eventRoutes(context, streams, feed);
    opsRoutes(context, metrics);
    pageRoutes(context);
    routes.add(
      {
        method: "GET",
        url: "/api/openapi.json",
        tag: "meta",
        summary: "This API as an OpenAPI 3.1 document",
      },
      () => openApiDocument(routes.specs, "0.1.0"),
    );
    try {
      await app.listen({ host: this.config.ui.host, port: this.config.ui.port });
    } catch (error) {
      metrics.stop();
      await app.close().catch(() => undefined);
      throw error;
    }
    this.app = app;
    this.running = { metrics, streams, feed, system };
    feed.start();
    system.start();
    this.announce();
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    const running = this.running;
    this.running = undefined;
    running?.streams.stop();
    running?.metrics.stop();
    running?.feed.stop();
    running?.system.stop();
    this.redis.close();
    await app?.close();
  }

  get port(): number {
    return (this.app?.server.address() as AddressInfo | null)?.port ?? 0;
  }

  get url(): string | undefined {
    if (!this.app) return undefined;
    const host = this.config.ui.host.includes(":") ? `[${this.config.ui.host}]` : this.config.ui.host;
    return `http://${host}:${this.port}/`;
  }

  private configure(app: FastifyInstance, auth: Auth, routes: RouteTable): void {
    // Uploads read the raw request stream, whatever its media type (a .json file too); elsewhere
    // JSON is parsed and any other media type reaches its route unparsed (and is refused there).
    const json = app.getDefaultJsonParser("error", "error");
    app.removeContentTypeParser(["text/plain", "application/json"]);
    app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
    app.addContentTypeParser("application/json", (request, payload, done) => {
      if (routes.rawBodyRoutes.has(`${request.method} ${request.routeOptions.url}`))
        return done(null, undefined);
      readText(payload, JSON_BODY_LIMIT).then(
        (text) => json(request, text, done),
        (error: Error) => done(error, undefined),
      );
    });
    app.addHook("onRequest", async (request) => auth.check(request));
    app.addHook("onSend", async (request, reply, payload) => {
      // API replies are never cached; static assets set their own cache-control.
      if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
      reply.header("x-content-type-options", "nosniff");
      return compressed(request, reply, payload);
    });
    app.setNotFoundHandler((request) => {
      throw notFound(`no route ${request.method} ${request.url.split("?", 1)[0]}`);
    });
    app.setErrorHandler((error, request, reply) => {
      const { status, code, message } = errorReply(error);
      if (status >= 500) {
        this.logger.error(
          { method: request.method, route: request.routeOptions.url, error: describeError(error) },
          "API request failed",
        );
      }
      return reply.code(status).type("application/json").send({ error: { code, message } });
    });
  }

  /** The one log line with the login token when no password is configured (first start only). */
  private announce(): void {
    const fields = { url: this.url, readOnly: this.config.ui.readOnly };
    if (this.generated && !this.announced) {
      this.logger.warn(
        fields,
        `web UI: no ui.password set; log in with this token (shown once): ${this.secret}`,
      );
    } else {
      this.logger.info(fields, "web UI ready");
    }
    this.announced = true;
  }
}
