/** GET /api/system: the host (CPU, memory, load, disk, network) and the heroagent process. */
import { existsSync } from "node:fs";
import { readFile, statfs } from "node:fs/promises";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import type { UIContext } from "../context.js";
import { intString } from "../route.js";
import { SAMPLE_MS, type SystemHistory } from "../system-history.js";

export function systemRoutes(ui: UIContext, history: SystemHistory): void {
  ui.routes.add(
    {
      method: "GET",
      url: "/api/system/history",
      tag: "system",
      summary: `Host CPU, memory and load and this process's CPU and memory, every ${SAMPLE_MS / 1000} s for 15 minutes (since: only newer samples)`,
      query: z.strictObject({ since: intString(0, 8_640_000_000_000_000).optional() }),
    },
    ({ query }) => history.history(query.since),
  );
  ui.routes.add(
    {
      method: "GET",
      url: "/api/system",
      tag: "system",
      summary: "CPU, memory, load, disks of the data folders, network bytes, and this process",
    },
    async () => {
      const memory = process.memoryUsage();
      return {
        host: {
          hostname: os.hostname(),
          platform: os.platform(),
          cpus: os.cpus().length,
          loadAverage: os.loadavg(),
          memory: { total: os.totalmem(), free: os.freemem() },
          uptimeSeconds: os.uptime(),
        },
        disks: await disks([ui.config.jobs.ourdbPath, ui.config.webdav.root]),
        network: await networkBytes(),
        process: {
          pid: process.pid,
          node: process.version,
          uptimeSeconds: process.uptime(),
          rss: memory.rss,
          heapUsed: memory.heapUsed,
          heapTotal: memory.heapTotal,
          cpuMicros: process.cpuUsage(),
        },
      };
    },
  );
}

/** Size and free bytes of the file systems holding `paths` (their nearest existing folder). */
async function disks(paths: string[]) {
  const out = [];
  for (const path of new Set(paths.map((p) => nearestExisting(resolve(p))))) {
    try {
      const stats = await statfs(path);
      out.push({ path, total: stats.blocks * stats.bsize, free: stats.bavail * stats.bsize });
    } catch {
      // a folder removed meanwhile: leave it out
    }
  }
  return out;
}

function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/** Received and sent bytes per interface from /proc/net/dev (Linux); [] elsewhere. */
export async function networkBytes(): Promise<Array<{ name: string; rxBytes: number; txBytes: number }>> {
  let text: string;
  try {
    text = await readFile("/proc/net/dev", "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .slice(2)
    .filter((line) => line.includes(":"))
    .map((line) => {
      const [name, rest] = line.split(":") as [string, string];
      const fields = rest.trim().split(/\s+/).map(Number);
      return { name: name.trim(), rxBytes: fields[0] ?? 0, txBytes: fields[8] ?? 0 };
    });
}
