/**
 * The most recent log lines, kept in memory for the UI's Logs page: a pino destination (see
 * createLogger) that parses each JSON line into a LogLine, keeps the last `capacity`, and hands new
 * ones to subscribers (the live tail). Secrets registered with mask() never enter it.
 */

export const LOG_LEVEL_NUMBERS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevelName = keyof typeof LOG_LEVEL_NUMBERS;

export interface LogLine {
  /** Increases by one per line: tells a reader what it missed. */
  seq: number;
  time: number;
  level: LogLevelName;
  service: string | undefined;
  msg: string;
  /** The line's other fields. */
  fields: Record<string, unknown>;
}

export interface LogQuery {
  limit?: number;
  /** This level and above. */
  level?: LogLevelName;
  service?: string;
  /** Case-insensitive text in the message or the fields. */
  text?: string;
}

const MASK = "[redacted]";

export class LogBuffer {
  private readonly ring: (LogLine | undefined)[];
  private next = 0;
  private seq = 0;
  private readonly listeners = new Set<(line: LogLine) => void>();
  private readonly secrets: string[] = [];

  constructor(readonly capacity = 2000) {
    this.ring = new Array(capacity);
  }

  /** Replaces `secret` wherever it would appear in a kept line (as is, or escaped inside JSON). */
  mask(secret: string): void {
    if (secret === "") return;
    this.secrets.push(secret);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) this.secrets.push(escaped);
  }

  /** The pino destination's entry point: one JSON line (or several, newline-separated). */
  write(chunk: string): void {
    for (const text of chunk.split("\n")) {
      if (text.trim() !== "") this.keep(this.parse(text));
    }
  }

  /** The kept lines matching `query`, oldest first, at most `limit` (the newest ones). */
  lines(query: LogQuery = {}): LogLine[] {
    const min = LOG_LEVEL_NUMBERS[query.level ?? "trace"];
    const text = query.text?.toLowerCase();
    const out: LogLine[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const line = this.ring[(this.next + i) % this.capacity];
      if (!line || LOG_LEVEL_NUMBERS[line.level] < min) continue;
      if (query.service !== undefined && line.service !== query.service) continue;
      if (text !== undefined && !searchable(line).includes(text)) continue;
      out.push(line);
    }
    return query.limit !== undefined ? out.slice(-query.limit) : out;
  }

  /** Calls `listener` with every new line; returns the unsubscribe function. */
  subscribe(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private parse(text: string): LogLine {
    let masked = text;
    for (const secret of this.secrets) masked = masked.split(secret).join(MASK);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(masked);
    } catch {
      parsed = { msg: masked };
    }
    const { time, level, msg, service, pid: _pid, hostname: _hostname, name: _name, ...fields } = parsed;
    return {
      seq: ++this.seq,
      time: typeof time === "number" ? time : Date.now(),
      level: levelName(level),
      service: typeof service === "string" ? service : undefined,
      msg: typeof msg === "string" ? msg : "",
      fields,
    };
  }

  private keep(line: LogLine): void {
    this.ring[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
    for (const listener of this.listeners) {
      try {
        listener(line);
      } catch {
        // a failing reader (a closed stream) must not break logging
      }
    }
  }
}

function levelName(level: unknown): LogLevelName {
  let name: LogLevelName = "info";
  for (const [candidate, number] of Object.entries(LOG_LEVEL_NUMBERS)) {
    if (typeof level === "number" && level >= number) name = candidate as LogLevelName;
  }
  return name;
}

function searchable(line: LogLine): string {
  return `${line.msg} ${JSON.stringify(line.fields)}`.toLowerCase();
}
