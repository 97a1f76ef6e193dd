import fs from "node:fs";

/** The file ends inside a command (a crash during a write): everything from `offset` on is partial. */
export class TruncatedCommand extends Error {
  override readonly name = "TruncatedCommand";
  constructor(readonly offset: number) {
    super(`the append-only file ends inside a command that starts at byte ${offset}`);
  }
}

/** Bytes that are no RESP command, with whole commands after them: a file that must not be cut. */
export class BadFormat extends Error {
  override readonly name = "BadFormat";
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(`bad format at byte ${offset}: ${detail}`);
  }
}

export interface AofRecord {
  argv: string[];
  /** Byte offsets of the command in the file: [start, end). */
  start: number;
  end: number;
}

const CHUNK = 1024 * 1024;
const MAX_LINE = 64 * 1024;
const MAX_ARGS = 2 ** 31 - 1;
/** What a header cut by the end of the file can look like. */
const CUT_HEADER = { "*": /^\*\d*\r?$/, $: /^\$\d*\r?$/ };
const CR = 13;
const LF = 10;

/**
 * Reads an append-only file one RESP multibulk command at a time, as Redis's
 * loadSingleAppendOnlyFile does: `*<argc>` then `$<len>` + bytes for each argument; lines starting
 * with `#` are annotations and skipped. Reads the file in chunks, so a big file is not held whole.
 */
export class AofReader {
  private buf = Buffer.alloc(0);
  /** File offset of buf[0]. */
  private base = 0;
  private pos = 0;
  private eof = false;

  constructor(
    private readonly fd: number,
    private readonly maxBulkLength: number,
  ) {}

  /** The next command, or undefined at the end of the file. Throws TruncatedCommand or BadFormat. */
  next(): AofRecord | undefined {
    while (this.available(1) && this.buf[this.pos] === 0x23 /* '#' */) {
      const start = this.offset;
      if (this.line("#") === undefined) throw new TruncatedCommand(start);
    }
    if (!this.available(1)) return undefined;
    const start = this.offset;
    const header = this.line("*");
    if (header === undefined) throw new TruncatedCommand(start);
    const argc = count(header, MAX_ARGS);
    if (argc === undefined || argc < 1) throw new BadFormat(start, `bad argument count ${describe(header)}`);
    const argv: string[] = [];
    for (let i = 0; i < argc; i++) argv.push(this.bulk(start));
    return { argv, start, end: this.offset };
  }

  private get offset(): number {
    return this.base + this.pos;
  }

  private bulk(commandStart: number): string {
    const at = this.offset;
    const header = this.line("$");
    if (header === undefined) throw new TruncatedCommand(commandStart);
    const length = count(header, this.maxBulkLength);
    if (length === undefined) throw new BadFormat(at, `bad bulk length ${describe(header)}`);
    if (!this.available(length + 2)) throw new TruncatedCommand(commandStart);
    const value = this.buf.toString("latin1", this.pos, this.pos + length);
    if (this.buf[this.pos + length] !== CR || this.buf[this.pos + length + 1] !== LF) {
      throw new BadFormat(this.offset + length, "a bulk string is not followed by CRLF");
    }
    this.pos += length + 2;
    return value;
  }

  /**
   * The line at the current position without its CRLF, which must start with `type`. Undefined when
   * the file ends inside it and what is there could be the start of such a line (a cut write);
   * anything else is BadFormat.
   */
  private line(type: "*" | "$" | "#"): string | undefined {
    const at = this.offset;
    let searched = 0;
    for (;;) {
      const end = this.buf.indexOf("\r\n", this.pos + searched, "latin1");
      if (end >= 0) {
        const text = this.buf.toString("latin1", this.pos, end);
        if (text[0] !== type) throw new BadFormat(at, `expected '${type}', found ${describe(text)}`);
        this.pos = end + 2;
        return text;
      }
      searched = Math.max(0, this.buf.length - this.pos - 1);
      if (searched > MAX_LINE) throw new BadFormat(at, "a line longer than 64 KiB");
      if (!this.available(this.buf.length - this.pos + 1)) break;
    }
    const partial = this.buf.toString("latin1", this.pos);
    if (type === "#" || CUT_HEADER[type].test(partial)) return undefined;
    throw new BadFormat(at, `expected '${type}', found ${describe(partial)}`);
  }

  /** Makes `n` bytes from the current position available; false when the file is shorter. */
  private available(n: number): boolean {
    while (this.buf.length - this.pos < n) {
      if (this.eof) return false;
      const rest = this.buf.subarray(this.pos);
      const chunk = Buffer.allocUnsafe(Math.max(CHUNK, n - rest.length));
      const read = fs.readSync(this.fd, chunk, 0, chunk.length, this.base + this.buf.length);
      if (read === 0) this.eof = true;
      this.base += this.pos;
      this.buf = Buffer.concat([rest, chunk.subarray(0, read)]);
      this.pos = 0;
    }
    return true;
  }
}

/** A count after the type byte: decimal digits only, at most `max`. */
function count(header: string, max: number): number | undefined {
  const digits = header.slice(1);
  if (!/^\d{1,12}$/.test(digits)) return undefined;
  const value = Number(digits);
  return value <= max ? value : undefined;
}

function describe(line: string): string {
  const shown = line.length > 32 ? `${line.slice(0, 32)}…` : line;
  return JSON.stringify(shown);
}
