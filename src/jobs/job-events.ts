/**
 * Worker events: what workers (and the lease reaper) report through the `heroevents` stream, and
 * the JobManager alone persists to OurDB. In-process workers use the same path, so there is one
 * protocol (docs/jobs-protocol.md).
 *
 * Every entry has `type`, `jobId`, `topic`, `token` (the claim's lock token), `workerId`, `time`
 * (epoch ms) and, by type:
 * - active:   `attempt` — the worker claimed the job and runs it (attempt = this run's number);
 * - progress: `progress` (0…100) — not stored as a version, passed on to listeners;
 * - done:     `result`;
 * - failed:   `error`, `final` ("1": do not retry, e.g. cancelled or result too large);
 * - released: `reason` — a stopping worker gives the job back; the run does not count;
 * - lost:     `reason` — the reaper found the worker's lease expired; the run counts.
 * done, failed and released may carry `logs`: how many log lines the run pushed. With `logs 0` the
 * JobManager does not read the logs list; without the field (older workers, the reaper) it does.
 */
export type WorkerEvent =
  | (EventBase & { type: "active"; attempt: number })
  | (EventBase & { type: "progress"; progress: number })
  | (EventBase & ReportBase & { type: "done"; result: string | null })
  | (EventBase & ReportBase & { type: "failed"; error: string; final: boolean })
  | (EventBase & ReportBase & { type: "released" | "lost"; reason: string });

export interface EventBase {
  jobId: number;
  topic: string;
  token: string;
  workerId: string;
  time: number;
}

/** The end of a run. */
export interface ReportBase {
  /** Log lines the run pushed; undefined when not counted (then the logs list is read). */
  logs?: number;
}

export type WorkerEventType = WorkerEvent["type"];

/** Field/value pairs for XADD. A null result is sent as an absent field. */
export function encodeEvent(event: WorkerEvent): string[] {
  const fields = [
    "type",
    event.type,
    "jobId",
    String(event.jobId),
    "topic",
    event.topic,
    "token",
    event.token,
    "workerId",
    event.workerId,
    "time",
    String(event.time),
  ];
  switch (event.type) {
    case "active":
      fields.push("attempt", String(event.attempt));
      return fields;
    case "progress":
      fields.push("progress", String(event.progress));
      return fields;
    case "done":
      if (event.result !== null) fields.push("result", event.result);
      break;
    case "failed":
      fields.push("error", event.error, "final", event.final ? "1" : "0");
      break;
    default:
      fields.push("reason", event.reason);
  }
  if (event.logs !== undefined) fields.push("logs", String(event.logs));
  return fields;
}

/** Parses a stream entry's field list; undefined for an entry that is not a well-formed event. */
export function decodeEvent(flat: readonly string[]): WorkerEvent | undefined {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i] as string] = flat[i + 1] as string;
  const jobId = Number(f.jobId);
  const time = Number(f.time);
  if (!(Number.isInteger(jobId) && jobId > 0) || f.topic === undefined || !Number.isFinite(time)) {
    return undefined;
  }
  const base: EventBase = { jobId, topic: f.topic, token: f.token ?? "", workerId: f.workerId ?? "", time };
  switch (f.type) {
    case "active": {
      const attempt = Number(f.attempt);
      return Number.isInteger(attempt) && attempt > 0 ? { ...base, type: "active", attempt } : undefined;
    }
    case "progress": {
      const progress = Number(f.progress);
      return progress >= 0 && progress <= 100 ? { ...base, type: "progress", progress } : undefined;
    }
    case "done":
      return withLogs({ ...base, type: "done", result: f.result ?? null }, f.logs);
    case "failed":
      return withLogs(
        { ...base, type: "failed", error: f.error ?? "failed", final: f.final === "1" },
        f.logs,
      );
    case "released":
    case "lost":
      return withLogs({ ...base, type: f.type, reason: f.reason ?? "" }, f.logs);
    default:
      return undefined;
  }
}

/** A count that is not a non-negative integer is as good as none: the logs list is read. */
function withLogs(event: Exclude<WorkerEvent, { type: "active" | "progress" }>, logs?: string): WorkerEvent {
  if (logs !== undefined && /^\d{1,9}$/.test(logs)) event.logs = Number(logs);
  return event;
}
