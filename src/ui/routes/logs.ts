/** GET /api/logs (the recent lines, filtered) and GET /api/logs/stream (the live tail, SSE). */
import { z } from "zod";
import { LOG_LEVEL_NUMBERS, type LogLevelName } from "../../log-buffer.js";
import type { UIContext } from "../context.js";
import type { EventStreams } from "../event-streams.js";
import { intString } from "../route.js";

const level = z.enum(Object.keys(LOG_LEVEL_NUMBERS) as [LogLevelName, ...LogLevelName[]]);
const recentQuery = z.strictObject({
  limit: intString(1, 10_000).optional(),
  level: level.optional(),
  service: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
});
const tailQuery = z.strictObject({ level: level.optional(), service: z.string().max(100).optional() });

export function logRoutes(ui: UIContext, streams: EventStreams): void {
  const logs = ui.factory.logs;
  ui.routes.add(
    {
      method: "GET",
      url: "/api/logs",
      tag: "logs",
      summary: `The recent log lines (the last ${logs.capacity} kept in memory), oldest first`,
      query: recentQuery,
    },
    ({ query }) => ({
      lines: logs.lines({
        limit: query.limit ?? 500,
        level: query.level,
        service: query.service,
        text: query.q,
      }),
    }),
  );
  ui.routes.add(
    {
      method: "GET",
      url: "/api/logs/stream",
      tag: "logs",
      summary: "Server-Sent Events: every new log line at or above level (event: log)",
      query: tailQuery,
      produces: "text/event-stream",
    },
    ({ query }, request, reply) =>
      streams.serve(request, reply, (send) => {
        const min = LOG_LEVEL_NUMBERS[query.level ?? "info"];
        return logs.subscribe((line) => {
          if (LOG_LEVEL_NUMBERS[line.level] < min) return;
          if (query.service !== undefined && line.service !== query.service) return;
          send("log", line);
        });
      }),
  );
}
