/**
 * Redis commands per job, seen by redis-server's MONITOR while a system runs `jobs` no-op jobs:
 * commands sent by clients (MULTI and EXEC included, each command of a pipeline or transaction
 * counted once) and commands run inside Lua scripts (BullMQ), per command name. Idle polling during
 * the run (blocking-pop timeouts, heartbeats, the maintenance loop) is counted too.
 */
import { Redis } from "ioredis";

export interface CommandCounts {
  jobs: number;
  /** Per command name (lower case), per job. */
  client: Map<string, number>;
  lua: Map<string, number>;
}

export async function countCommands(
  target: { host: string; port: number },
  jobs: number,
  run: () => Promise<unknown>,
): Promise<CommandCounts> {
  const redis = new Redis({ ...target, lazyConnect: true });
  await redis.connect();
  const monitor = await redis.monitor();
  const client = new Map<string, number>();
  const lua = new Map<string, number>();
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    const name = String(args[0] ?? "").toLowerCase();
    const into = source === "lua" ? lua : client;
    into.set(name, (into.get(name) ?? 0) + 1);
  });
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the last MONITOR lines
  } finally {
    monitor.disconnect();
    redis.disconnect();
  }
  const perJob = (counts: Map<string, number>) =>
    new Map([...counts].sort((a, b) => b[1] - a[1]).map(([name, n]) => [name, n / jobs]));
  return { jobs, client: perJob(client), lua: perJob(lua) };
}

export function describeCounts(counts: Map<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const parts = [...counts].filter(([, n]) => n >= 0.05).map(([name, n]) => `${name} ${n.toFixed(2)}`);
  return `${total.toFixed(1)} (${parts.join(", ") || "none"})`;
}
