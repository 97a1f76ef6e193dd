import { crc32 } from "node:zlib";

/**
 * A record in a data file: u16 LE payload length, u32 LE CRC-32 of the payload,
 * the 6-byte location of the previous version, then the payload.
 */
export const HEADER_SIZE = 12;
export const MAX_PAYLOAD = 0xffff;

/** A location packed into one number: file * 2^32 + position. 0 means "none". */
export type Location = number;
const FILE_FACTOR = 2 ** 32;

export const makeLocation = (file: number, position: number): Location => file * FILE_FACTOR + position;
export const locationFile = (loc: Location) => Math.floor(loc / FILE_FACTOR);
export const locationPosition = (loc: Location) => loc % FILE_FACTOR;
export const formatLocation = (loc: Location) => `${locationFile(loc)}:${locationPosition(loc)}`;

/** Writes `loc` as `size` big-endian bytes: the last `size` bytes of the 6-byte (u16 file, u32 position) form. */
export function writeLocation(buf: Uint8Array, offset: number, loc: Location, size: number): void {
  let rest = loc;
  for (let i = size - 1; i >= 0; i--) {
    buf[offset + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

export function readLocation(buf: Uint8Array, offset: number, size: number): Location {
  let loc = 0;
  for (let i = 0; i < size; i++) loc = loc * 256 + (buf[offset + i] as number);
  return loc;
}

export function encodeRecord(payload: Uint8Array, previous: Location): Buffer {
  const record = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  record.writeUInt16LE(payload.length, 0);
  record.writeUInt32LE(crc32(payload), 2);
  writeLocation(record, 6, previous, 6);
  record.set(payload, HEADER_SIZE);
  return record;
}

export interface RecordHeader {
  length: number;
  crc: number;
  previous: Location;
}

export function decodeHeader(buf: Uint8Array, offset = 0): RecordHeader {
  const b = (i: number) => buf[offset + i] as number;
  return {
    length: b(0) | (b(1) << 8),
    crc: (b(2) | (b(3) << 8) | (b(4) << 16) | (b(5) << 24)) >>> 0,
    previous: readLocation(buf, offset + 6, 6),
  };
}

export const payloadMatches = (header: RecordHeader, payload: Uint8Array) => crc32(payload) === header.crc;
