/**
 * HTTP Basic authentication against configured users with scrypt password hashes. A verified
 * Authorization header is remembered for a while (keyed by an HMAC of it), because scrypt takes
 * tens of milliseconds by design and clients send the header with every request.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Principal } from "./context.js";
import { UnauthorizedError, WebDAVConfigError } from "./errors.js";
import { parsePasswordHash, verifyPassword } from "./password-hash.js";

export interface WebDAVUser {
  username: string;
  /** "scrypt:N:r:p:salt:hash", as made by hashPassword(). */
  passwordHash: string;
  /** May read (GET, HEAD, PROPFIND, OPTIONS) but not change anything. */
  readOnly?: boolean;
}

const CACHE_TTL_MS = 5 * 60 * 1000;
const CACHE_MAX_ENTRIES = 1000;

export class BasicAuthenticator {
  private readonly users = new Map<
    string,
    { user: WebDAVUser; hash: ReturnType<typeof parsePasswordHash> }
  >();
  private readonly cacheKey = randomBytes(32);
  private readonly verified = new Map<string, { principal: Principal; expiresAt: number }>();
  /** Verified against for unknown users, so they take as long as known ones. */
  private readonly decoy = parsePasswordHash(
    "scrypt:16384:8:1:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
  );

  constructor(users: readonly WebDAVUser[]) {
    for (const user of users) {
      if (this.users.has(user.username))
        throw new WebDAVConfigError(`duplicate WebDAV user ${user.username}`);
      try {
        this.users.set(user.username, { user, hash: parsePasswordHash(user.passwordHash) });
      } catch (error) {
        throw new WebDAVConfigError(`WebDAV user ${user.username}: ${(error as Error).message}`);
      }
    }
  }

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** The authenticated principal; throws UnauthorizedError for missing or wrong credentials. */
  async authenticate(req: IncomingMessage): Promise<Principal> {
    const header = req.headers.authorization;
    if (!header?.toLowerCase().startsWith("basic ")) throw new UnauthorizedError();
    const key = createHmac("sha256", this.cacheKey).update(header).digest("base64");
    const cached = this.verified.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const [username, password] =
      colon === -1 ? [decoded, ""] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    const entry = this.users.get(username);
    const ok = await verifyPassword(password, entry?.hash ?? this.decoy);
    if (!entry || !ok) throw new UnauthorizedError("wrong username or password");
    const principal = { username, readOnly: entry.user.readOnly === true };
    if (this.verified.size >= CACHE_MAX_ENTRIES) this.verified.clear();
    this.verified.set(key, { principal, expiresAt: Date.now() + CACHE_TTL_MS });
    return principal;
  }
}
