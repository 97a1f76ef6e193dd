import { formatDouble } from "./numbers.js";

const SLAB = 64 * 1024;
/** Up to this length a string is copied into the slab byte by byte. */
const SHORT = 64;
const COLON = 58;
const DOLLAR = 36;
const STAR = 42;

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
    this.raw(`-${message.replace(/[\r\n]/g, " ")}\r\n`);
  }

  int(value: number | bigint): void {
    if (typeof value === "number" && value >= 0 && value < 1e15 && Number.isInteger(value)) {
      this.header(COLON, value);
    } else this.raw(`:${value}\r\n`);
  }

  bulk(value: string | null | undefined): void {
    if (value === null || value === undefined) this.nil();
    else if (value.length <= SHORT) {
      // Header, value and CRLF straight into the slab: no intermediate string per element.
      const length = value.length;
      this.header(DOLLAR, length);
      if (this.end + length + 2 > this.slab.length) this.grow(length + 2);
      const slab = this.slab;
      let at = this.end;
      for (let i = 0; i < length; i++) slab[at++] = value.charCodeAt(i);
      slab[at++] = 13;
      slab[at++] = 10;
      this.written += at - this.end;
      this.end = at;
    } else {
      // A long value is copied once, not first concatenated with its header.
      this.raw(`$${value.length}\r\n`);
      this.raw(value);
      this.raw("\r\n");
    }
  }

  nil(): void {
    this.raw(this.resp === 3 ? "_\r\n" : "$-1\r\n");
  }

  nilArray(): void {
    this.raw(this.resp === 3 ? "_\r\n" : "*-1\r\n");
  }

  array(length: number): void {
    this.header(STAR, length);
  }

  /** `<type><n>\r\n` for a non-negative integer n below 10^15, written digit by digit. */
  private header(type: number, n: number): void {
    if (this.end + 20 > this.slab.length) this.grow(20);
    const slab = this.slab;
    let at = this.end;
    slab[at++] = type;
    if (n < 10) slab[at++] = 48 + n;
    else {
      let digits = 2;
      for (let limit = 100; n >= limit; limit *= 10) digits++;
      let rest = n;
      for (let i = digits - 1; i >= 0; i--) {
        slab[at + i] = 48 + (rest % 10);
        rest = Math.floor(rest / 10);
      }
      at += digits;
    }
    slab[at++] = 13;
    slab[at++] = 10;
    this.written += at - this.end;
    this.end = at;
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
    if (length <= SHORT) {
      // Most replies are a few bytes: a loop beats the call into Buffer.write.
      const slab = this.slab;
      let at = this.end;
      for (let i = 0; i < length; i++) slab[at++] = text.charCodeAt(i);
    } else this.slab.write(text, this.end, length, "latin1");
    this.end += length;
    this.written += length;
  }

  get pending(): boolean {
    return this.end > this.start || this.done.length > 0;
  }

  /**
   * Everything appended since the last take when it is one piece (the usual case), without the
   * array `take` returns; undefined when there is nothing or several pieces (then call `take`).
   */
  takeSingle(): Buffer | undefined {
    if (this.done.length > 0 || this.end === this.start) return undefined;
    const out = this.slab.subarray(this.start, this.end);
    this.start = this.end;
    return out;
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
