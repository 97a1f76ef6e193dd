import { formatDouble } from "./numbers.js";

const SLAB = 64 * 1024;

/**
 * Builds the replies of one connection in RESP2 or RESP3. Replies are appended to a slab and handed
 * out with `take()` as views, so the replies to one batch of pipelined commands leave in one write.
 * Every string is latin1 (one byte per character), which keeps values byte-exact.
 */
export class Reply {
  resp: 2 | 3 = 2;
  private slab = Buffer.allocUnsafe(SLAB);
  private start = 0;
  private end = 0;
  private done: Buffer[] = [];
  /** Bytes appended since the connection began (INFO's total_net_output_bytes and output limits). */
  written = 0;

  simple(text: string): void {
    this.raw(`+${text}\r\n`);
  }

  ok(): void {
    this.raw("+OK\r\n");
  }

  /** An error reply; its message starts with the Redis prefix (ERR, WRONGTYPE, …). */
  error(message: string): void {
    this.raw(`-${message.replace(/[\r\n]+/g, " ")}\r\n`);
  }

  int(value: number | bigint): void {
    this.raw(`:${value}\r\n`);
  }

  bulk(value: string | null | undefined): void {
    if (value === null || value === undefined) this.nil();
    else this.raw(`$${value.length}\r\n${value}\r\n`);
  }

  nil(): void {
    this.raw(this.resp === 3 ? "_\r\n" : "$-1\r\n");
  }

  nilArray(): void {
    this.raw(this.resp === 3 ? "_\r\n" : "*-1\r\n");
  }

  array(length: number): void {
    this.raw(`*${length}\r\n`);
  }

  /** A map of `pairs` entries (RESP2: a flat array of 2 × pairs). */
  map(pairs: number): void {
    this.raw(this.resp === 3 ? `%${pairs}\r\n` : `*${pairs * 2}\r\n`);
  }

  set(length: number): void {
    this.raw(this.resp === 3 ? `~${length}\r\n` : `*${length}\r\n`);
  }

  push(length: number): void {
    this.raw(this.resp === 3 ? `>${length}\r\n` : `*${length}\r\n`);
  }

  double(value: number): void {
    const text = formatDouble(value);
    if (this.resp === 3) this.raw(`,${text}\r\n`);
    else this.bulk(text);
  }

  bool(value: boolean): void {
    if (this.resp === 3) this.raw(value ? "#t\r\n" : "#f\r\n");
    else this.raw(value ? ":1\r\n" : ":0\r\n");
  }

  /** Text meant for people (INFO, CLIENT LIST): a verbatim string in RESP3. */
  verbatim(text: string): void {
    if (this.resp === 3) this.raw(`=${text.length + 4}\r\ntxt:${text}\r\n`);
    else this.bulk(text);
  }

  bulks(values: readonly (string | null)[]): void {
    this.array(values.length);
    for (const value of values) this.bulk(value);
  }

  /** Appends bytes already in RESP form. */
  raw(text: string): void {
    const length = text.length;
    if (this.end + length > this.slab.length) this.grow(length);
    this.slab.write(text, this.end, length, "latin1");
    this.end += length;
    this.written += length;
  }

  get pending(): boolean {
    return this.end > this.start || this.done.length > 0;
  }

  /** Hands out everything appended since the last take. */
  take(): Buffer[] {
    const out = this.done;
    if (this.end > this.start) out.push(this.slab.subarray(this.start, this.end));
    this.done = [];
    this.start = this.end;
    return out;
  }

  private grow(length: number): void {
    if (this.end > this.start) this.done.push(this.slab.subarray(this.start, this.end));
    this.slab = Buffer.allocUnsafe(Math.max(SLAB, length));
    this.start = 0;
    this.end = 0;
  }
}
