/**
 * Password hashes for WebDAV users: scrypt from node:crypto, written as
 * "scrypt:N:r:p:<salt base64>:<hash base64>", verified in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { WebDAVConfigError } from "./errors.js";

const DEFAULT_COST = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;
const FORMAT = /^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function scryptAsync(
  password: string,
  salt: Buffer,
  length: number,
  cost: { N: number; r: number; p: number },
) {
  return new Promise<Buffer>((resolve, reject) => {
    // maxmem: 128·N·r bytes plus headroom, so large but valid cost parameters are accepted.
    const options = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** A new hash of `password`, for the `webdav.users` configuration. */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LENGTH, cost);
  return `scrypt:${cost.N}:${cost.r}:${cost.p}:${salt.toString("base64")}:${hash.toString("base64")}`;
}

export function isPasswordHash(text: string): boolean {
  return FORMAT.test(text);
}

/** Throws WebDAVConfigError when `text` is not a hash this module can verify. */
export function parsePasswordHash(text: string): ParsedHash {
  const match = FORMAT.exec(text);
  if (!match) {
    throw new WebDAVConfigError('password hash must look like "scrypt:N:r:p:salt:hash" (see hashPassword)');
  }
  const [, N, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  return {
    N: Number(N),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt, "base64"),
    hash: Buffer.from(hash, "base64"),
  };
}

export async function verifyPassword(password: string, parsed: ParsedHash): Promise<boolean> {
  const candidate = await scryptAsync(password, parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(candidate, parsed.hash);
}
