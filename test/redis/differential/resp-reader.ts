/**
 * A small RESP2/RESP3 reply reader for the differential suite: each reply keeps its exact bytes (the
 * comparison is byte for byte) and a parsed tree (for replies compared as multisets).
 */

/** A parsed reply: its type byte ("+", "$", "*", "%", …) and its payload. */
export type RespNode =
  | { type: "+" | "-" | "(" | "," | "#" | "_"; text: string }
  | { type: ":"; text: string }
  | { type: "$" | "=" | "!"; text: string | null }
  | { type: "*" | "~" | ">"; items: RespNode[] | null }
  | { type: "%" | "|"; items: RespNode[] };

export interface RespReply {
  bytes: Buffer;
  node: RespNode;
}

const CRLF = "\r\n";

/** Accumulates bytes and hands out complete replies in order. */
export class RespReader {
  private buffer: Buffer = Buffer.alloc(0);

  feed(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
  }

  /** The next complete reply, or undefined while more bytes are needed. Throws on malformed input. */
  next(): RespReply | undefined {
    const parsed = parseNode(this.buffer, 0);
    if (parsed === undefined) return undefined;
    const [node, end] = parsed;
    const bytes = Buffer.from(this.buffer.subarray(0, end));
    this.buffer = this.buffer.subarray(end);
    return { bytes, node };
  }

  get buffered(): number {
    return this.buffer.length;
  }
}

/** The line starting at `pos` (without CRLF) and where the next element starts. */
function line(buf: Buffer, pos: number): [string, number] | undefined {
  const end = buf.indexOf(CRLF, pos, "latin1");
  if (end < 0) return undefined;
  return [buf.toString("latin1", pos, end), end + 2];
}

function parseNode(buf: Buffer, pos: number): [RespNode, number] | undefined {
  if (pos >= buf.length) return undefined;
  const type = String.fromCharCode(buf[pos] as number);
  const header = line(buf, pos + 1);
  if (header === undefined) return undefined;
  const [text, next] = header;
  switch (type) {
    case "+":
    case "-":
    case ":":
    case "(":
    case ",":
    case "#":
    case "_":
      return [{ type, text } as RespNode, next];
    case "$":
    case "=":
    case "!":
      return bulk(buf, type, Number(text), next);
    case "*":
    case "~":
    case ">":
    case "%":
    case "|":
      return aggregate(buf, type, Number(text), next);
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)} in ${escapeBytes(buf)}`);
  }
}

function bulk(
  buf: Buffer,
  type: "$" | "=" | "!",
  length: number,
  pos: number,
): [RespNode, number] | undefined {
  if (length < 0) return [{ type, text: null }, pos];
  if (pos + length + 2 > buf.length) return undefined;
  return [{ type, text: buf.toString("latin1", pos, pos + length) }, pos + length + 2];
}

function aggregate(
  buf: Buffer,
  type: "*" | "~" | ">" | "%" | "|",
  count: number,
  pos: number,
): [RespNode, number] | undefined {
  if (count < 0) return [{ type: type as "*", items: null }, pos];
  const elements = type === "%" || type === "|" ? count * 2 : count;
  const items: RespNode[] = [];
  let at = pos;
  for (let i = 0; i < elements; i++) {
    const parsed = parseNode(buf, at);
    if (parsed === undefined) return undefined;
    items.push(parsed[0]);
    at = parsed[1];
  }
  return [{ type, items } as RespNode, at];
}

/**
 * A canonical text for a reply where order does not matter: the elements of every aggregate sorted
 * (map entries as key/value pairs), so two replies holding the same multisets compare equal.
 */
export function canonical(node: RespNode): string {
  if ("items" in node) {
    if (node.items === null) return `${node.type}nil`;
    if (node.type === "%" || node.type === "|") {
      const pairs: string[] = [];
      for (let i = 0; i < node.items.length; i += 2) {
        pairs.push(`${canonical(node.items[i] as RespNode)}=>${canonical(node.items[i + 1] as RespNode)}`);
      }
      return `${node.type}{${pairs.sort().join(", ")}}`;
    }
    return `${node.type}[${node.items.map(canonical).sort().join(", ")}]`;
  }
  return node.text === null ? `${node.type}nil` : `${node.type}${JSON.stringify(node.text)}`;
}

/** Bytes as readable text: printable ASCII kept, CR LF shown as \r\n, the rest as \xHH. */
export function escapeBytes(bytes: Buffer): string {
  let out = "";
  for (const byte of bytes) {
    if (byte === 13) out += "\\r";
    else if (byte === 10) out += "\\n";
    else if (byte === 92) out += "\\\\";
    else if (byte >= 32 && byte < 127) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}
