/**
 * Reads the replies a server writes, the client's side of RESP: what an in-process connection
 * (local-connection.ts) turns the server's reply bytes back into. Values are what ioredis returns:
 * strings (bulk strings decoded as UTF-8), numbers, null, arrays, and errors as ReplyError values
 * (inside EXEC's array an error is one element among others). RESP3 maps, sets and pushes arrive
 * as flat arrays, as RESP2 sends them; whether a reply was a RESP3 push is told beside it.
 */

/** An error reply (`-ERR …`, `-WRONGTYPE …`): `message` is the whole line, prefix included. */
export class ReplyError extends Error {
  override name = "ReplyError";
}

/** Thrown inside a parse when the bytes end before the reply does. */
const INCOMPLETE = Symbol("incomplete");
/** What value() returns when it opened an aggregate: its elements come next. */
const OPENED = Symbol("opened");

const CR = 13;
const PUSH = 62; // >

export class ReplyReader {
  /**
   * A reply that has not arrived whole yet, in the chunks it came in (copies: the writer may reuse
   * its bytes), joined only once `wanted` bytes are there: a long reply is read once, not again with
   * every chunk.
   */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private wanted = 0;
  private buf: Buffer = Buffer.alloc(0);
  private at = 0;
  /** Where in `buf` the bytes of the reply being read must reach at least, once it found them short. */
  private needed = 0;
  /**
   * The aggregates of the reply being read, outermost first, with the elements read so far: kept
   * across chunks, so a long array is read once, not again from its start with every chunk.
   */
  private open: { items: unknown[]; length: number }[] = [];
  /** Whether the outermost open aggregate is a RESP3 push. */
  private pushing = false;

  /**
   * Calls `onReply` for every complete reply in the bytes so far, in order; `push` is true for a
   * RESP3 push (`>`), which is not the reply to a command unless it confirms a subscription.
   */
  feed(chunk: Buffer, onReply: (value: unknown, push: boolean) => void): void {
    if (this.pending.length > 0) {
      this.pending.push(Buffer.from(chunk));
      this.pendingLength += chunk.length;
      if (this.pendingLength < this.wanted) return;
      this.buf = Buffer.concat(this.pending, this.pendingLength);
      this.pending = [];
      this.pendingLength = 0;
    } else this.buf = chunk;
    this.at = 0;
    while (this.at < this.buf.length) {
      const start = this.at;
      let value: unknown;
      try {
        value = this.value();
      } catch (error) {
        if (error !== INCOMPLETE) throw error;
        const rest = Buffer.from(this.buf.subarray(start));
        this.pending = [rest];
        this.pendingLength = rest.length;
        this.wanted = Math.max(this.needed - start, rest.length + 1);
        return;
      }
      // A complete value: an element of the innermost open aggregate, which may complete it in turn.
      while (value !== OPENED) {
        const aggregate = this.open[this.open.length - 1];
        if (!aggregate) {
          onReply(value, this.pushing);
          this.pushing = false;
          break;
        }
        aggregate.items.push(value);
        if (aggregate.items.length < aggregate.length) break;
        this.open.pop();
        value = aggregate.items;
      }
    }
  }

  /** The bytes end before the reply does, which needs them to reach `needed` at least. */
  private incomplete(needed: number): never {
    this.needed = needed;
    throw INCOMPLETE;
  }

  private value(): unknown {
    const buf = this.buf;
    if (this.at >= buf.length) this.incomplete(this.at + 1);
    const type = buf[this.at++] as number;
    // Status and error lines may quote what the client sent: UTF-8, like bulk strings.
    const line = this.line(type === 43 || type === 45 ? "utf8" : "latin1");
    switch (type) {
      case 43: // + simple string
        return line;
      case 45: // - error
        return new ReplyError(line);
      case 58: // : integer
        return Number(line);
      case 36: // $ bulk string
      case 61: {
        // = verbatim (RESP3): "txt:" and the text
        const length = lengthOf(line);
        if (length < 0) return null;
        const end = this.at + length;
        if (end + 2 > buf.length) this.incomplete(end + 2);
        const text = buf.toString("utf8", this.at + (type === 61 ? 4 : 0), end);
        this.at = end + 2;
        return text;
      }
      case 42: // * array
      case 126: // ~ set
      case 62: // > push
      case 37: {
        // % map: its keys and values in a row
        const length = lengthOf(line) * (type === 37 ? 2 : 1);
        if (this.open.length === 0) this.pushing = type === PUSH;
        if (length <= 0) return length < 0 ? null : [];
        // Grown as elements arrive: a (broken) server's huge length allocates nothing.
        this.open.push({ items: [], length });
        return OPENED;
      }
      case 95: // _ null
        return null;
      case 44: // , double
        return Number(line.replace("inf", "Infinity"));
      case 35: // # boolean
        return line === "t" ? 1 : 0;
      default:
        throw new ReplyError(`ERR Protocol error: unexpected reply type '${String.fromCharCode(type)}'`);
    }
  }

  /** The text up to the next CRLF, which it skips. */
  private line(encoding: "utf8" | "latin1"): string {
    const end = this.buf.indexOf(CR, this.at);
    if (end < 0 || end + 1 >= this.buf.length) this.incomplete(this.buf.length + 1);
    const text = this.buf.toString(encoding, this.at, end);
    this.at = end + 2;
    return text;
  }
}

const LENGTH = /^-?\d+$/;

/** A bulk string's or an aggregate's length line; -1 is null. */
function lengthOf(line: string): number {
  const length = Number(line);
  if (!LENGTH.test(line) || !Number.isSafeInteger(length) || length < -1)
    throw new ReplyError(`ERR Protocol error: invalid length '${line.slice(0, 32)}'`);
  return length;
}
