/**
 * The operations endpoints, served without a login (keep ui.host on 127.0.0.1 or behind a proxy
 * when they must not be public): /healthz, /readyz, /metrics.
 */
import type { UIContext } from "../context.js";
import type { Metrics } from "../metrics.js";
import { serviceList } from "./services.js";

export function opsRoutes(ui: UIContext, metrics: Metrics): void {
  ui.routes.add(
    {
      method: "GET",
      url: "/healthz",
      tag: "operations",
      summary: "200 while the process is up",
      public: true,
    },
    () => ({ status: "ok" }),
  );
  ui.routes.add(
    {
      method: "GET",
      url: "/readyz",
      tag: "operations",
      summary: "200 when every enabled service is running, else 503 naming those that are not",
      public: true,
    },
    (_input, _request, reply) => {
      const notRunning = serviceList(ui)
        .filter((service) => service.enabled && service.state !== "running")
        .map((service) => ({ name: service.name, state: service.state }));
      if (notRunning.length > 0) reply.code(503);
      return { status: notRunning.length ? "not ready" : "ready", notRunning };
    },
  );
  ui.routes.add(
    {
      method: "GET",
      url: "/metrics",
      tag: "operations",
      summary: "Prometheus metrics (text exposition format)",
      public: true,
      produces: "text/plain",
    },
    async (_input, _request, reply) => {
      const text = await metrics.text();
      return reply.header("content-type", metrics.contentType).send(text);
    },
  );
}
