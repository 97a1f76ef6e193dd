/**
 * Stream entry IDs: <ms>-<seq>, two unsigned 64-bit parts. One ID is one 128-bit bigint
 * (ms × 2⁶⁴ + seq), so IDs compare with `<`, serve as Map keys, and the successor of X-(2⁶⁴-1) is
 * (X+1)-0 by plain addition, as Redis's streamIncrID does.
 */
import { parseInt64 } from "../resp/numbers.js";

export type StreamId = bigint;

const SEQ_BITS = 64n;
export const UINT64_MAX = (1n << 64n) - 1n;
export const MIN_ID: StreamId = 0n;
export const MAX_ID: StreamId = (UINT64_MAX << SEQ_BITS) | UINT64_MAX;

export const makeId = (ms: bigint, seq: bigint): StreamId => (ms << SEQ_BITS) | seq;
export const msOf = (id: StreamId): bigint => id >> SEQ_BITS;
export const seqOf = (id: StreamId): bigint => id & UINT64_MAX;

/** "ms-seq", as Redis writes an ID in replies. */
export function formatId(id: StreamId): string {
  if (id < 1n << SEQ_BITS) return `0-${id}`;
  return `${id >> SEQ_BITS}-${id & UINT64_MAX}`;
}

/** Redis's string2ull: string2ll for canonical numbers, else strtoull (spaces, "+", "007", "-3" wraps). */
export function parseUint64(text: string): bigint | undefined {
  const exact = parseInt64(text);
  if (exact !== undefined) return exact < 0n ? undefined : exact;
  const match = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (!match) return undefined;
  const value = BigInt(match[2] as string);
  if (value > UINT64_MAX) return undefined; // ERANGE
  return match[1] === "-" ? (UINT64_MAX + 1n - value) & UINT64_MAX : value;
}

/** A parsed ID argument; `seqGiven` is false for XADD's "<ms>-*" form. */
export interface ParsedId {
  id: StreamId;
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply. `missingSeq` completes an ID given as "<ms>"; `strict` refuses
 * "-" and "+"; `allowAutoSeq` accepts "<ms>-*". The argument is read as a C string (up to a NUL byte).
 */
export function parseStreamId(
  arg: string,
  missingSeq: bigint,
  strict: boolean,
  allowAutoSeq = false,
): ParsedId | undefined {
  if (arg.length > 127) return undefined;
  const text = cString(arg);
  if (text === "-") return strict ? undefined : { id: MIN_ID, seqGiven: true };
  if (text === "+") return strict ? undefined : { id: MAX_ID, seqGiven: true };
  const dash = text.indexOf("-");
  const ms = parseUint64(dash < 0 ? text : text.slice(0, dash));
  if (ms === undefined) return undefined;
  if (dash < 0) return { id: makeId(ms, missingSeq), seqGiven: true };
  const seqText = text.slice(dash + 1);
  if (allowAutoSeq && seqText === "*") return { id: makeId(ms, 0n), seqGiven: false };
  const seq = parseUint64(seqText);
  return seq === undefined ? undefined : { id: makeId(ms, seq), seqGiven: true };
}

/** The argument as C code sees it: up to the first NUL byte. */
export function cString(arg: string): string {
  const nul = arg.indexOf("\0");
  return nul < 0 ? arg : arg.slice(0, nul);
}
