/**
 * Password hashes for WebDAV users, verified in constant time:
 * - scrypt from node:crypto, written as "scrypt:N:r:p:<salt base64>:<hash base64>" (hashPassword);
 * - bcrypt, "$2a$", "$2b$" or "$2y$" as htpasswd and most tools write it, checked with bcryptjs
 *   (pure JavaScript; its asynchronous compare yields to the event loop every 100 ms of work).
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";
import { WebDAVConfigError } from "./errors.js";

const DEFAULT_COST = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SCRYPT_FORMAT = /^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;
/** "$2b$10$" + 22 characters of salt + 31 of hash, in bcrypt's base64 alphabet; cost 4 to 31. */
const BCRYPT_FORMAT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

export const PASSWORD_HASH_FORMATS =
  '"scrypt:N:r:p:salt:hash" (hashPassword) or bcrypt "$2a$", "$2b$", "$2y$" (htpasswd -nbBC 10 user pass)';

interface ScryptHash {
  kind: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

interface BcryptHash {
  kind: "bcrypt";
  /** The hash as written, which bcryptjs parses itself. */
  text: string;
  cost: number;
}

export type ParsedPasswordHash = ScryptHash | BcryptHash;

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

/** A new scrypt hash of `password`, for the `webdav.users` configuration. */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LENGTH, cost);
  return `scrypt:${cost.N}:${cost.r}:${cost.p}:${salt.toString("base64")}:${hash.toString("base64")}`;
}

export function isPasswordHash(text: string): boolean {
  return SCRYPT_FORMAT.test(text) || BCRYPT_FORMAT.test(text);
}

/** Throws WebDAVConfigError when `text` is not a hash this module can verify. */
export function parsePasswordHash(text: string): ParsedPasswordHash {
  const bcryptMatch = BCRYPT_FORMAT.exec(text);
  if (bcryptMatch) return { kind: "bcrypt", text, cost: Number(bcryptMatch[1]) };
  const match = SCRYPT_FORMAT.exec(text);
  if (!match) {
    const hint = text.startsWith("$2") ? " (this bcrypt hash is malformed or truncated)" : "";
    throw new WebDAVConfigError(`password hash must be ${PASSWORD_HASH_FORMATS}${hint}`);
  }
  const [, N, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  return {
    kind: "scrypt",
    N: Number(N),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt, "base64"),
    hash: Buffer.from(hash, "base64"),
  };
}

export async function verifyPassword(password: string, parsed: ParsedPasswordHash): Promise<boolean> {
  if (parsed.kind === "bcrypt") return bcrypt.compare(password, parsed.text);
  const candidate = await scryptAsync(password, parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(candidate, parsed.hash);
}
