/**
 * HTTP Basic authentication against configured users with scrypt or bcrypt password hashes.
 * Both are slow by design (tens to hundreds of milliseconds) and clients send the credentials with
 * every request, so a successful verification is remembered for a minute, keyed by a keyed SHA-256
 * (HMAC, with a random per-process key) of the username, the stored hash and the password: the
 * password itself is never kept, and a different password never matches a remembered one.
 * Concurrent requests with the same new credentials share one verification.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Principal } from "./context.js";
import { UnauthorizedError, WebDAVConfigError } from "./errors.js";
import { type ParsedPasswordHash, parsePasswordHash, verifyPassword } from "./password-hash.js";

export interface WebDAVUser {
  username: string;
  /** "scrypt:N:r:p:salt:hash" as made by hashPassword(), or a bcrypt "$2a$"/"$2b$"/"$2y$" hash. */
  passwordHash: string;
  /** May read (GET, HEAD, PROPFIND, OPTIONS) but not change anything. */
  readOnly?: boolean;
}

export interface BasicAuthenticatorOptions {
  /** How long a successful verification is remembered, in ms. Default 60 s; 0 turns it off. */
  cacheTtlMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

const CACHE_TTL_MS = 60 * 1000;
const CACHE_MAX_ENTRIES = 1000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
/** Checked for unknown users when no user is configured with a hash to stand in (see decoy). */
const SCRYPT_DECOY = "scrypt:16384:8:1:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

export class BasicAuthenticator {
  private readonly users = new Map<string, { user: WebDAVUser; hash: ParsedPasswordHash }>();
  private readonly cacheKey = randomBytes(32);
  private readonly verified = new Map<string, { principal: Principal; expiresAt: number }>();
  private readonly verifying = new Map<string, Promise<boolean>>();
  private readonly ttl: number;
  private readonly now: () => number;
  /**
   * Verified against for unknown users, so they take as long as known ones: the first user's hash
   * (same scheme and cost as the real ones, when they all share them). Its result is ignored.
   */
  private readonly decoy: ParsedPasswordHash;

  constructor(users: readonly WebDAVUser[], options: BasicAuthenticatorOptions = {}) {
    for (const user of users) {
      if (this.users.has(user.username))
        throw new WebDAVConfigError(`duplicate WebDAV user ${user.username}`);
      try {
        this.users.set(user.username, { user, hash: parsePasswordHash(user.passwordHash) });
      } catch (error) {
        throw new WebDAVConfigError(`WebDAV user ${user.username}: ${(error as Error).message}`);
      }
    }
    this.decoy = this.users.values().next().value?.hash ?? parsePasswordHash(SCRYPT_DECOY);
    this.ttl = options.cacheTtlMs ?? CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** The authenticated principal; throws UnauthorizedError for missing or wrong credentials. */
  async authenticate(req: IncomingMessage): Promise<Principal> {
    const header = req.headers.authorization;
    if (!header?.toLowerCase().startsWith("basic ")) throw new UnauthorizedError();
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const [username, password] =
      colon === -1 ? [decoded, ""] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    // RFC 7617 §2: no control characters. Refused before any hash is computed: scrypt, like every
    // HMAC-based function, would take "pw\0" for "pw" (keys are padded with zero bytes).
    if (CONTROL_CHARACTER.test(decoded)) throw new UnauthorizedError("control character in credentials");
    const entry = this.users.get(username);
    if (!entry) {
      await verifyPassword(password, this.decoy).catch(() => false);
      throw new UnauthorizedError("wrong username or password");
    }
    const key = createHmac("sha256", this.cacheKey)
      .update(`${username}\0${entry.user.passwordHash}\0${password}`)
      .digest("base64");
    const cached = this.verified.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.principal;
    if (!(await this.verifyOnce(key, password, entry.hash))) {
      throw new UnauthorizedError("wrong username or password");
    }
    const principal = { username, readOnly: entry.user.readOnly === true };
    if (this.ttl > 0) this.remember(key, principal);
    return principal;
  }

  /** One verification per key at a time: concurrent requests with the same credentials share it. */
  private verifyOnce(key: string, password: string, hash: ParsedPasswordHash): Promise<boolean> {
    let pending = this.verifying.get(key);
    if (!pending) {
      pending = verifyPassword(password, hash)
        .catch(() => false)
        .finally(() => this.verifying.delete(key));
      this.verifying.set(key, pending);
    }
    return pending;
  }

  private remember(key: string, principal: Principal): void {
    const now = this.now();
    if (this.verified.size >= CACHE_MAX_ENTRIES) {
      for (const [old, { expiresAt }] of this.verified) if (expiresAt <= now) this.verified.delete(old);
      if (this.verified.size >= CACHE_MAX_ENTRIES) this.verified.clear();
    }
    this.verified.set(key, { principal, expiresAt: now + this.ttl });
  }
}
