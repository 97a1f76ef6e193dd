/**
 * Login, sessions and request checks of the UI's API. A request is let in by a session cookie
 * (made by POST /api/login) or by `Authorization: Bearer <password>` (scripts). Mutations with a
 * cookie must also carry the session's CSRF token in X-CSRF-Token; read-only mode refuses every
 * mutation but login and logout. Failed logins are rate-limited per client address.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { UIRequestError } from "../errors.js";

export const SESSION_COOKIE = "heroagent_session";
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const SESSIONS_MAX = 10_000;
export const LOGIN_FAILURES_MAX = 10;
const LOGIN_WINDOW_MS = 60_000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Allowed in read-only mode although they are POSTs. */
const SESSION_ROUTES = new Set(["/api/login", "/api/logout"]);

interface Session {
  csrfToken: string;
  expiresAt: number;
}

export interface Caller {
  via: "cookie" | "bearer";
  session?: Session & { id: string };
}

declare module "fastify" {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** Compares two secrets in time that depends on neither (their hashes have the same length). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export class Auth {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, number[]>();
  /** Routes ("GET /healthz") served without a login; every other route, known or not, needs one. */
  readonly publicRoutes = new Set<string>();

  constructor(
    /** The password, or the generated token when none is configured. */
    private readonly secret: string,
    readonly readOnly: boolean,
  ) {}

  /** Checks the password and opens a session; throws 401 or 429. */
  login(password: string, address: string): { id: string; session: Session } {
    this.refuseIfLimited(address);
    if (!secretsEqual(password, this.secret)) {
      this.recordFailure(address);
      throw new UIRequestError(401, "HEROAGENT_ERR_UNAUTHORIZED", "wrong password");
    }
    this.sweep();
    const id = randomBytes(32).toString("base64url");
    const session = {
      csrfToken: randomBytes(32).toString("base64url"),
      expiresAt: Date.now() + SESSION_TTL_MS,
    };
    this.sessions.set(id, session);
    return { id, session };
  }

  logout(id: string): void {
    this.sessions.delete(id);
  }

  /**
   * The onRequest check of every request, by the route it matched (not by the raw URL, which may be
   * spelled in other ways): identity, CSRF and read-only mode.
   */
  check(request: FastifyRequest): void {
    const route = request.routeOptions.url ?? "";
    const mutation = !SAFE_METHODS.has(request.method);
    if (mutation && this.readOnly && !SESSION_ROUTES.has(route)) {
      throw new UIRequestError(403, "HEROAGENT_ERR_READ_ONLY", "the UI is read-only (ui.readOnly)");
    }
    if (this.publicRoutes.has(`${request.method} ${route}`)) return;
    const caller = this.identify(request);
    if (!caller) throw new UIRequestError(401, "HEROAGENT_ERR_UNAUTHORIZED", "log in first");
    if (mutation && caller.via === "cookie") {
      const header = request.headers["x-csrf-token"];
      const token = typeof header === "string" ? header : "";
      if (!secretsEqual(token, caller.session?.csrfToken ?? "")) {
        throw new UIRequestError(403, "HEROAGENT_ERR_CSRF", "missing or wrong X-CSRF-Token header");
      }
    }
    request.caller = caller;
  }

  private identify(request: FastifyRequest): Caller | undefined {
    // Only the Bearer scheme is ours: another one (a proxy's Basic login in front of the UI)
    // leaves the request to its cookie.
    const authorization = request.headers.authorization;
    if (authorization !== undefined && /^Bearer\b/i.test(authorization)) {
      this.refuseIfLimited(request.ip);
      const match = /^Bearer (.+)$/i.exec(authorization);
      if (match && secretsEqual(match[1] as string, this.secret)) return { via: "bearer" };
      this.recordFailure(request.ip);
      return undefined;
    }
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const session = id === undefined ? undefined : this.sessions.get(id);
    if (!id || !session) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return { via: "cookie", session: { ...session, id } };
  }

  private refuseIfLimited(address: string): void {
    const now = Date.now();
    const recent = (this.failures.get(address) ?? []).filter((at) => at > now - LOGIN_WINDOW_MS);
    if (recent.length === 0) this.failures.delete(address);
    else this.failures.set(address, recent);
    if (recent.length >= LOGIN_FAILURES_MAX) {
      throw new UIRequestError(429, "HEROAGENT_ERR_RATE_LIMITED", "too many failed logins: wait a minute");
    }
  }

  private recordFailure(address: string): void {
    const list = this.failures.get(address) ?? [];
    list.push(Date.now());
    this.failures.set(address, list);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
    while (this.sessions.size >= SESSIONS_MAX) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
  }
}

export function sessionCookie(id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

export const SESSION_MAX_AGE_S = SESSION_TTL_MS / 1000;

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index !== -1 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/** Clears the cookie of a reply (logout). */
export function clearSessionCookie(reply: FastifyReply): void {
  reply.header("set-cookie", sessionCookie("", 0));
}
