/** Human-readable output of `heroagent job …`: compact, one value per line, long values cut. */
import type { Job } from "../jobs/job.js";

const VALUE_CHARS_SHOWN = 200;

const time = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

/** A value on one line: quoted (JSON) when it has control characters or edge spaces, cut when long. */
export function oneLine(value: string | null): string {
  if (value === null) return "-";
  const cut = value.length > VALUE_CHARS_SHOWN;
  const shown = cut ? value.slice(0, VALUE_CHARS_SHOWN) : value;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
  const plain = shown !== "" && !/[\u0000-\u001f\u007f]/.test(shown) && shown.trim() === shown;
  const text = plain ? shown : JSON.stringify(shown);
  return cut ? `${text}… (${Buffer.byteLength(value)} bytes)` : text;
}

/** `key: value` lines (for get, create, cancel, retry, wait). */
export function formatJob(job: Job): string {
  const lines: [string, string][] = [
    ["jobId", String(job.jobId)],
    ["version", String(job.version)],
    ["topic", job.topic],
    ["status", job.status],
    ["params", oneLine(job.params)],
    ["result", oneLine(job.result)],
    ["error", oneLine(job.error)],
    ["attempts", `${job.attempts}/${job.maxAttempts}`],
    ["priority", String(job.priority)],
    ["timeout", `${job.timeout} s`],
    ["progress", `${job.progress}%`],
    ["workerId", job.workerId ?? "-"],
    ["createdAt", time(job.createdAt)],
    ["runAt", time(job.runAt)],
    ["startedAt", time(job.startedAt)],
    ["finishedAt", time(job.finishedAt)],
    ["updatedAt", time(job.updatedAt)],
    [
      "logs",
      job.logsDropped > 0
        ? `${job.logs.length} lines (${job.logsDropped} dropped)`
        : `${job.logs.length} lines`,
    ],
  ];
  const width = Math.max(...lines.map(([key]) => key.length));
  const out = lines.map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${value}`);
  for (const line of job.logs) out.push(`  | ${line}`);
  return `${out.join("\n")}\n`;
}

/** One line per version, newest first (history). */
export function formatVersion(job: Job): string {
  const parts = [
    `v${job.version}`,
    time(job.updatedAt),
    job.status.padEnd(6),
    `attempts ${job.attempts}/${job.maxAttempts}`,
    `worker ${job.workerId ?? "-"}`,
  ];
  if (job.error !== null) parts.push(`error ${oneLine(job.error)}`);
  else if (job.result !== null) parts.push(`result ${oneLine(job.result)}`);
  return `${parts.join("  ")}\n`;
}

/** A table of jobs (list). */
export function formatTable(jobs: readonly Job[]): string {
  const header = ["ID", "TOPIC", "STATUS", "ATTEMPTS", "CREATED", "FINISHED"];
  const rows = jobs.map((job) => [
    String(job.jobId),
    job.topic,
    job.status,
    `${job.attempts}/${job.maxAttempts}`,
    time(job.createdAt),
    time(job.finishedAt),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] as string).length)),
  );
  return [header, ...rows]
    .map(
      (row) =>
        `${row
          .map((cell, i) => cell.padEnd(widths[i] as number))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}
