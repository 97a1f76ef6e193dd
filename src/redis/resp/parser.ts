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

/**
 * Buffer.prototype.latin1Slice is what buf.toString("latin1", …) ends in; calling it directly skips
 * the encoding dispatch, a measurable share of parsing small arguments. Falls back if it is gone.
 */
type Latin1Sliceable = { latin1Slice(start: number, end: number): string };
const hasLatin1Slice =
  typeof (Buffer.prototype as unknown as Partial<Latin1Sliceable>).latin1Slice === "function";
const latin1 = (buf: Buffer, start: number, end: number): string =>
  hasLatin1Slice
    ? (buf as unknown as Latin1Sliceable).latin1Slice(start, end)
    : buf.toString("latin1", start, end);
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
  /** The previous command's name (see commandName). */
  private lastName = "";
  /** Where the CR of the last header read by `lengthLine` is, or -1. */
  private lineEnd = -1;
  /** Set by the connection: before AUTH the limits are much lower, as in Redis. */
  authenticated = true;

  constructor(private readonly limits: ParserLimits) {}

  /**
   * Feeds a chunk; returns the complete commands in it and, on garbage, the protocol error that
   * follows them (the connection is then to be closed, as Redis does, after replying to the rest).
   */
  feed(chunk: Buffer): { commands: string[][]; error?: ProtocolError } {
    const commands: string[][] = [];
    const error = this.feedInto(chunk, commands);
    return error ? { commands, error } : { commands };
  }

  /** Like `feed`, appending the commands to `out` (no allocation per chunk on the hot path). */
  feedInto(chunk: Buffer, out: string[][]): ProtocolError | undefined {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength < this.needed) return undefined;
    const buf = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingLength);
    let pos = 0;
    try {
      pos = this.parse(buf, out);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.pending = [];
      this.pendingLength = 0;
      return error;
    }
    const rest = buf.length - pos;
    if (rest > 0) this.pending = [buf.subarray(pos)];
    else if (this.pending.length === 1) this.pending.pop();
    else this.pending = [];
    this.pendingLength = rest;
    return undefined;
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
      this.argv.push(this.argv.length === 0 ? this.commandName(buf, pos, end) : latin1(buf, pos, end));
      pos = end + 2;
      this.bulkLength = -1;
      if (--this.remaining === 0) {
        commands.push(this.argv);
        this.argv = undefined;
      }
    }
    return pos;
  }

  /**
   * A command's name: the same string object as the previous command's when the bytes are the same
   * (pipelines repeat names). That spares a string per command, and the dispatcher's lookup finds
   * the hash already computed.
   */
  private commandName(buf: Buffer, start: number, end: number): string {
    const last = this.lastName;
    if (last.length === end - start) {
      let same = true;
      for (let i = 0; i < last.length; i++) {
        if (last.charCodeAt(i) !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return last;
    }
    const name = latin1(buf, start, end);
    if (name.length <= 32) this.lastName = name;
    return name;
  }

  private wait(pos: number, needed: number): number {
    this.needed = needed;
    return pos;
  }

  private multibulkHeader(buf: Buffer, pos: number): number {
    const count = this.lengthLine(buf, pos + 1);
    if (this.lineEnd < 0) {
      if (buf.length - pos > MAX_INLINE) throw new ProtocolError("too big mbulk count string");
      return -1;
    }
    if (this.lineEnd + 1 >= buf.length) return -1;
    if (Number.isNaN(count) || count > MAX_MULTIBULK) throw new ProtocolError("invalid multibulk length");
    if (!this.authenticated && count > UNAUTHENTICATED_MULTIBULK) {
      throw new ProtocolError("unauthenticated multibulk length");
    }
    if (count > 0) {
      this.argv = [];
      this.remaining = count;
    }
    return this.lineEnd + 2;
  }

  private bulkHeader(buf: Buffer, pos: number): number {
    const length = this.lengthLine(buf, pos + 1);
    if (this.lineEnd < 0) {
      if (buf.length - pos > MAX_INLINE) throw new ProtocolError("too big bulk count string");
      return -1;
    }
    if (this.lineEnd + 1 >= buf.length) return -1;
    // Checked once the line is complete, as Redis does.
    if (buf[pos] !== 36 /* '$' */) {
      throw new ProtocolError(`expected '$', got '${String.fromCharCode(buf[pos] as number)}'`);
    }
    if (Number.isNaN(length) || length < 0 || length > this.limits.maxBulkLength) {
      throw new ProtocolError("invalid bulk length");
    }
    if (!this.authenticated && length > UNAUTHENTICATED_BULK) {
      throw new ProtocolError("unauthenticated bulk length");
    }
    this.bulkLength = length;
    return this.lineEnd + 2;
  }

  /**
   * The decimal from `start` to the next CR, read as Redis's string2ll does (optional '-', no '+',
   * no leading zero but "0", at most 20 characters): NaN when invalid. Sets `lineEnd` to the CR's
   * index, or -1 when no CR has arrived yet. One pass, no native calls: headers are a few bytes.
   */
  private lengthLine(buf: Buffer, start: number): number {
    const end = buf.length;
    let i = start;
    const negative = i < end && buf[i] === 45;
    if (negative) i++;
    const digits = i;
    let value = 0;
    let valid = true;
    for (; i < end; i++) {
      const c = buf[i] as number;
      if (c === CR) break;
      if (c === 0) {
        // Redis finds the CR with strchr, which stops at a NUL: the line never ends.
        i = end;
        break;
      }
      const d = c - 48;
      if (d < 0 || d > 9) valid = false;
      else value = value * 10 + d;
    }
    this.lineEnd = i < end ? i : -1;
    if (i >= end) return Number.NaN;
    const length = i - digits;
    if (!valid || length === 0 || i - start > 20 || (buf[digits] === 48 && (length > 1 || negative))) {
      return Number.NaN;
    }
    return negative ? -value : value;
  }

  private inline(buf: Buffer, pos: number, commands: string[][]): number {
    let lf = buf.indexOf(LF, pos);
    // Redis finds the newline with strchr, which stops at a NUL: such a line never ends.
    for (let i = pos; i < lf; i++) {
      if (buf[i] === 0) {
        lf = -1;
        break;
      }
    }
    if (lf < 0) {
      if (buf.length - pos > MAX_INLINE) throw new ProtocolError("too big inline request");
      return -1;
    }
    const end = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    const args = splitPlainLine(buf, pos, end) ?? splitInlineArgs(latin1(buf, pos, end));
    if (args === undefined) throw new ProtocolError("unbalanced quotes in request");
    if (args.length > 0) commands.push(args);
    return lf + 1;
  }
}

/** C's isspace, on a byte. */
const isSpaceByte = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * The arguments of an inline line without quotes, straight from the bytes (what telnet users and
 * redis-benchmark's PING_INLINE send); undefined when a quote needs the full splitInlineArgs.
 * Same rules: leading whitespace skipped, space/\n/\r/\t/NUL end an argument, NUL ends the line.
 */
function splitPlainLine(buf: Buffer, start: number, end: number): string[] | undefined {
  const args: string[] = [];
  let i = start;
  while (i < end) {
    const first = buf[i] as number;
    if (first === 0) return args;
    if (isSpaceByte(first)) {
      i++;
      continue;
    }
    const from = i;
    for (; i < end; i++) {
      const c = buf[i] as number;
      if (c === 34 || c === 39) return undefined;
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0) break;
    }
    args.push(latin1(buf, from, i));
    if (i < end && buf[i] === 0) return args;
    i++;
  }
  return args;
}
