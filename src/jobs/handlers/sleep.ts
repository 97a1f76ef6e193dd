import { setTimeout as sleep } from "node:timers/promises";
import type { JobHandler } from "../worker.js";

/**
 * Built-in topic "sleep": waits `{"ms": N}` (or a bare number of milliseconds), reporting progress
 * every tenth of the way; stops early when the job is cancelled or times out.
 */
export const sleepHandler: JobHandler = async (job, ctx) => {
  const ms = parseDuration(job.params);
  const step = ms / 10;
  for (let i = 1; i <= 10; i++) {
    await sleep(step, undefined, { signal: ctx.signal });
    ctx.progress(i * 10);
  }
  return `slept ${ms} ms`;
};

function parseDuration(params: string): number {
  let value: unknown = params.trim();
  try {
    value = JSON.parse(params);
  } catch {
    // a bare number is fine too
  }
  const ms = typeof value === "object" && value !== null ? (value as { ms?: unknown }).ms : Number(value);
  if (!(typeof ms === "number" && Number.isFinite(ms) && ms >= 0)) {
    throw new Error('sleep params must be {"ms": N} or a number of milliseconds');
  }
  return ms;
}
