/**
 * Server-Sent Events streams of the API (`/api/events`, `/api/logs/stream`): one place that hijacks
 * the reply, writes events, keeps a comment heartbeat so proxies keep the stream open, and ends
 * every open stream on stop() (an open stream would hold the server's close).
 */
import type { FastifyReply, FastifyRequest } from "fastify";

export type SendEvent = (event: string, data: unknown) => void;

const HEARTBEAT_MS = 15_000;

export class EventStreams {
  private readonly open = new Set<() => void>();

  /** Turns the reply into an event stream; `follow(send)` starts feeding it and returns its cleanup. */
  serve(request: FastifyRequest, reply: FastifyReply, follow: (send: SendEvent) => () => void): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-content-type-options": "nosniff",
    });
    // HEAD: the headers alone (an open reply with no body would hold the connection forever).
    if (request.method === "HEAD") {
      res.end();
      return;
    }
    const gone = () => request.raw.destroyed || res.writableEnded;
    const send: SendEvent = (event, data) => {
      if (!gone()) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write(": heroagent events\n\n");
    const heartbeat = setInterval(() => gone() || res.write(": heartbeat\n\n"), HEARTBEAT_MS);
    const cleanup = follow(send);
    const end = () => {
      if (!this.open.delete(end)) return;
      clearInterval(heartbeat);
      cleanup();
      if (!res.writableEnded) res.end();
    };
    this.open.add(end);
    res.on("close", end);
  }

  /** Ends every open stream. */
  stop(): void {
    for (const end of [...this.open]) end();
  }
}
