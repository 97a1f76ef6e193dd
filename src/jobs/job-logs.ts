/** Keeps a job's logs and error text bounded so one job record always fits in an OurDB record. */
import { ERROR_BYTES_MAX, LOG_BYTES_MAX, LOG_LINE_CHARS_MAX, LOG_LINES_MAX, utf8Bytes } from "./limits.js";

/** Control characters would grow sixfold as JSON escapes; a log line is one line of text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

export function cleanLogLine(line: string): string {
  const flat = String(line).replace(CONTROL, " ");
  return flat.length > LOG_LINE_CHARS_MAX ? `${flat.slice(0, LOG_LINE_CHARS_MAX)}…` : flat;
}

/** The newest lines within the bounds; `dropped` grows by the number of lines left out. */
export function boundLogs(lines: readonly string[], dropped = 0): { logs: string[]; logsDropped: number } {
  const kept: string[] = [];
  let bytes = 0;
  for (let i = lines.length - 1; i >= 0 && kept.length < LOG_LINES_MAX; i--) {
    const line = cleanLogLine(lines[i] ?? "");
    bytes += utf8Bytes(line);
    if (bytes > LOG_BYTES_MAX) break;
    kept.push(line);
  }
  return { logs: kept.reverse(), logsDropped: dropped + lines.length - kept.length };
}

/** Appends lines to a job's logs, dropping the oldest past the bounds. */
export function appendLogs(
  job: { logs: readonly string[]; logsDropped: number },
  lines: readonly string[],
): { logs: string[]; logsDropped: number } {
  return boundLogs([...job.logs, ...lines], job.logsDropped);
}

/** Failing a job must never fail, so an oversized error text is cut, with a marker saying so. */
export function boundErrorText(text: string): string {
  const bytes = utf8Bytes(text);
  if (bytes <= ERROR_BYTES_MAX) return text;
  const marker = ` … [error text cut: ${bytes} bytes]`;
  const head = Buffer.from(text, "utf8").subarray(0, ERROR_BYTES_MAX - utf8Bytes(marker));
  // A cut inside a multi-byte character decodes to U+FFFD (3 bytes); drop it to stay in bounds.
  return `${head.toString("utf8").replace(/\uFFFD$/, "")}${marker}`;
}
