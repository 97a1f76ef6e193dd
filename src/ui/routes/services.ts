/** GET /api/services and POST /api/services/:name/start|stop|restart. */
import { z } from "zod";
import type { ServiceStatus } from "../../service.js";
import type { UIContext } from "../context.js";
import { conflict, notFound } from "../errors.js";

const SERVICE_NAMES = ["redis", "jobs", "webdav", "ui"] as const;
const actionParams = z.strictObject({
  name: z.enum(SERVICE_NAMES),
  action: z.enum(["start", "stop", "restart"]),
});

/** Each known service, enabled or not, with its uptime. */
export function serviceList(ui: UIContext): Array<ServiceStatus & { enabled: boolean; uptimeMs?: number }> {
  const statuses = ui.factory.status();
  const now = Date.now();
  return SERVICE_NAMES.map((name) => {
    const status = statuses.find((s) => s.name === name);
    if (!status) return { name, state: "stopped", enabled: false };
    const uptimeMs = status.state === "running" && status.startedAt ? now - status.startedAt : undefined;
    return { ...status, enabled: true, ...(uptimeMs !== undefined ? { uptimeMs } : {}) };
  });
}

export function servicesRoutes(ui: UIContext): void {
  ui.routes.add(
    {
      method: "GET",
      url: "/api/services",
      tag: "services",
      summary: "Each service: enabled, state, address, startedAt, uptime and details",
    },
    () => ({ services: serviceList(ui) }),
  );

  ui.routes.add(
    {
      method: "POST",
      url: "/api/services/:name/:action",
      tag: "services",
      summary: "Start, stop or restart one service (not the UI itself)",
      params: actionParams,
    },
    async ({ params }) => {
      const { name, action } = params;
      if (name === "ui") throw conflict("the UI cannot stop or restart itself through its own API");
      if (!ui.factory.getService(name)) throw notFound(`service "${name}" is not enabled in this server`);
      if (action !== "start") await ui.factory.stopService(name);
      if (action !== "stop") await ui.factory.startService(name);
      return { service: serviceList(ui).find((s) => s.name === name) };
    },
  );
}
