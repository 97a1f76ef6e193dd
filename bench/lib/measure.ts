/** Small timing helpers shared by the benchmarks. */
import { prng } from "../../support/prng.js";

export { prng };

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Runs `op` `count` times in one loop (awaiting only real promises); returns ops per second. */
export async function serialRate(
  count: number,
  op: (i: number) => unknown,
  maxMs = Number.POSITIVE_INFINITY,
): Promise<number> {
  const start = performance.now();
  let done = 0;
  while (done < count) {
    const r = op(done);
    if (r instanceof Promise) await r;
    done++;
    // Checking the clock every 64 ops keeps its cost out of fast loops.
    if ((done & 63) === 0 && performance.now() - start > maxMs) break;
  }
  return (done * 1000) / (performance.now() - start);
}

/**
 * `workers` async loops share `count` operations; each loop awaits its own operation before taking the
 * next, as independent clients would. Returns operations per second.
 */
export async function concurrentRate(
  workers: number,
  count: number,
  op: (i: number) => unknown,
  maxMs = Number.POSITIVE_INFINITY,
): Promise<number> {
  const start = performance.now();
  let next = 0;
  let done = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && next < count) {
      const i = next++;
      const r = op(i);
      if (r instanceof Promise) await r;
      done++;
      if ((done & 63) === 0 && performance.now() - start > maxMs) stop = true;
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return (done * 1000) / (performance.now() - start);
}

/** `n` random integers from 1 to `max`. */
export function randomIds(n: number, max: number, seed: number): Uint32Array {
  const rnd = prng(seed);
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = 1 + Math.floor(rnd() * max);
  return ids;
}

export function formatRate(opsPerSec: number | undefined): string {
  if (opsPerSec === undefined || !Number.isFinite(opsPerSec)) return "–";
  if (opsPerSec >= 100_000) return `${Math.round(opsPerSec / 1000).toLocaleString("en-US")}k`;
  return Math.round(opsPerSec).toLocaleString("en-US");
}
