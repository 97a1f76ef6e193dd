/**
 * The System page's charts: every SAMPLE_MS the host's CPU (busy share of all cores, from the
 * os.cpus() tick counters), memory and load, and this process's CPU (share of one core), RSS and
 * heap, kept for the last HISTORY_MS in memory.
 */
import os from "node:os";

export interface SystemSample {
  time: number;
  /** Busy share of the whole host, 0 … 1. */
  cpu: number;
  /** CPU time of this process per wall time: 1 = one core busy. */
  processCpu: number;
  memUsed: number;
  memTotal: number;
  rss: number;
  heapUsed: number;
  load1: number;
}

export const SAMPLE_MS = 2000;
const HISTORY_MS = 15 * 60_000;

function hostTicks(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

export class SystemHistory {
  private readonly samples: SystemSample[] = [];
  private timer?: NodeJS.Timeout;
  private lastHost = hostTicks();
  private lastProcess = process.cpuUsage();
  private lastTime = performance.now();

  start(): void {
    this.timer ??= setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The kept samples, or only those taken after `since` (epoch ms). */
  history(since = 0): { intervalMs: number; samples: SystemSample[] } {
    return { intervalMs: SAMPLE_MS, samples: this.samples.filter((sample) => sample.time > since) };
  }

  /** Takes one sample now (the timer's job; tests call it directly). */
  sample(): SystemSample {
    const host = hostTicks();
    const cpuNow = process.cpuUsage();
    const timeNow = performance.now();
    const hostTotal = host.total - this.lastHost.total;
    const processMicros = cpuNow.user - this.lastProcess.user + cpuNow.system - this.lastProcess.system;
    const elapsedMicros = (timeNow - this.lastTime) * 1000;
    const memory = process.memoryUsage();
    const sample: SystemSample = {
      time: Date.now(),
      cpu: hostTotal > 0 ? round((host.busy - this.lastHost.busy) / hostTotal) : 0,
      processCpu: elapsedMicros > 0 ? round(processMicros / elapsedMicros) : 0,
      memUsed: os.totalmem() - os.freemem(),
      memTotal: os.totalmem(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      load1: round(os.loadavg()[0] ?? 0),
    };
    this.lastHost = host;
    this.lastProcess = cpuNow;
    this.lastTime = timeNow;
    this.samples.push(sample);
    while (this.samples.length > 0 && (this.samples[0] as SystemSample).time < sample.time - HISTORY_MS) {
      this.samples.shift();
    }
    return sample;
  }
}

const round = (value: number) => Math.round(Math.max(0, value) * 1000) / 1000;
