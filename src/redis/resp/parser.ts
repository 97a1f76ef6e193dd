import { ProtocolError } from "../errors.js";
import { splitInlineArgs } from "./inline.js";

export interface ParserLimits {
  /** proto-max-bulk-len: the longest bulk string. */
  maxBulkLength: number;
}

/** Redis's own limits on lines and on clients that have not authenticated yet. */
const MAX_INLINE = 64 * 1024;
const MAX_MULTIBULK = 2 ** 31 - 1;
const UNAUTHENTICATED_MULTIBULK = 10;
const UNAUTHENTICATED_BULK = 16_384;
const CR = 13;
const LF = 10;

/**
 * Incremental RESP request parser: multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline
 * (`GET k\r\n`) commands, arguments as latin1 strings (byte-exact). State survives between chunks,
 * so a 100 MB value arriving in pieces is joined once, not re-parsed per piece.
 */
export class RespParser {
  /** Unconsumed input and how many bytes of it are needed before parsing again. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private needed = 0;
  private argv: string[] | undefined;
  private remaining = 0;
  private bulkLength = -1;
  /** Set by the connection: before AUTH the limits are much lower, as in Redis. */
  authenticated = true;

  constructor(private readonly limits: ParserLimits) {}

  /**
   * Feeds a chunk; returns the complete commands in it and, on garbage, the protocol error that
   * follows them (the connection is then to be closed, as Redis does, after replying to the rest).
   */
  feed(chunk: Buffer): { commands: string[][]; error?: ProtocolError } {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    const commands: string[][] = [];
    if (this.pendingLength < this.needed) return { commands };
    const buf = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingLength);
    let pos = 0;
    try {
      pos = this.parse(buf, commands);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.pending = [];
      this.pendingLength = 0;
      return { commands, error };
    }
    const rest = buf.length - pos;
    this.pending = rest > 0 ? [buf.subarray(pos)] : [];
    this.pendingLength = rest;
    return { commands };
  }

  /** Parses as much as `buf` holds; returns where it stopped and sets `needed`. */
  private parse(buf: Buffer, commands: string[][]): number {
    let pos = 0;
    this.needed = 0;
    while (pos < buf.length) {
      if (this.argv === undefined) {
        const next =
          buf[pos] === 42 /* '*' */ ? this.multibulkHeader(buf, pos) : this.inline(buf, pos, commands);
        if (next < 0) return this.wait(pos, buf.length - pos + 1);
        pos = next;
        continue;
      }
      if (this.bulkLength < 0) {
        const next = this.bulkHeader(buf, pos);
        if (next < 0) return this.wait(pos, buf.length - pos + 1);
        pos = next;
      }
      const end = pos + this.bulkLength;
      if (end + 2 > buf.length) return this.wait(pos, end + 2 - pos);
      this.argv.push(buf.toString("latin1", pos, end));
      pos = end + 2;
      this.bulkLength = -1;
      if (--this.remaining === 0) {
        commands.push(this.argv);
        this.argv = undefined;
      }
    }
    return pos;
  }

  private wait(pos: number, needed: number): number {
    this.needed = needed;
    return pos;
  }

  private multibulkHeader(buf: Buffer, pos: number): number {
    const cr = buf.indexOf(CR, pos);
    if (cr < 0) {
      if (buf.length - pos > MAX_INLINE) throw new ProtocolError("too big mbulk count string");
      return -1;
    }
    if (cr + 1 >= buf.length) return -1;
    const count = parseLength(buf, pos + 1, cr);
    if (count === undefined || count > MAX_MULTIBULK) throw new ProtocolError("invalid multibulk length");
    if (!this.authenticated && count > UNAUTHENTICATED_MULTIBULK) {
      throw new ProtocolError("unauthenticated multibulk length");
    }
    if (count > 0) {
      this.argv = [];
      this.remaining = count;
    }
    return cr + 2;
  }

  private bulkHeader(buf: Buffer, pos: number): number {
    if (buf[pos] !== 36 /* '$' */) {
      throw new ProtocolError(`expected '$', got '${String.fromCharCode(buf[pos] as number)}'`);
    }
    const cr = buf.indexOf(CR, pos);
    if (cr < 0) {
      if (buf.length - pos > MAX_INLINE) throw new ProtocolError("too big bulk count string");
      return -1;
    }
    if (cr + 1 >= buf.length) return -1;
    const length = parseLength(buf, pos + 1, cr);
    if (length === undefined || length < 0 || length > this.limits.maxBulkLength) {
      throw new ProtocolError("invalid bulk length");
    }
    if (!this.authenticated && length > UNAUTHENTICATED_BULK) {
      throw new ProtocolError("unauthenticated bulk length");
    }
    this.bulkLength = length;
    return cr + 2;
  }

  private inline(buf: Buffer, pos: number, commands: string[][]): number {
    const lf = buf.indexOf(LF, pos);
    if (lf < 0) {
      if (buf.length - pos > MAX_INLINE) throw new ProtocolError("too big inline request");
      return -1;
    }
    const end = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    const args = splitInlineArgs(buf.toString("latin1", pos, end));
    if (args === undefined) throw new ProtocolError("unbalanced quotes in request");
    if (args.length > 0) commands.push(args);
    return lf + 1;
  }
}

/** A decimal length as Redis's string2ll reads it (optional '-', no '+', no leading zeros but "0"). */
function parseLength(buf: Buffer, start: number, end: number): number | undefined {
  if (start >= end || end - start > 20) return undefined;
  let i = start;
  const negative = buf[i] === 45;
  if (negative) i++;
  if (i >= end || (buf[i] === 48 && end - i > 1)) return undefined;
  let value = 0;
  for (; i < end; i++) {
    const d = (buf[i] as number) - 48;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
  }
  return negative ? -value : value;
}
