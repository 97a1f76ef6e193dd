/** POST /api/login, POST /api/logout, GET /api/session. */
import { z } from "zod";
import {
  clearSessionCookie,
  cookieValue,
  SESSION_COOKIE,
  SESSION_MAX_AGE_S,
  sessionCookie,
} from "../auth.js";
import type { UIContext } from "../context.js";

export function sessionRoutes(ui: UIContext): void {
  ui.routes.add(
    {
      method: "POST",
      url: "/api/login",
      tag: "session",
      summary: "Log in with ui.password (or the token printed at start); sets the session cookie",
      body: z.strictObject({ password: z.string().max(4096) }),
      public: true,
    },
    ({ body }, request, reply) => {
      const { id, session } = ui.auth.login(body.password, request.ip);
      reply.header("set-cookie", sessionCookie(id, SESSION_MAX_AGE_S));
      return { csrfToken: session.csrfToken, expiresAt: session.expiresAt, readOnly: ui.auth.readOnly };
    },
  );

  ui.routes.add(
    { method: "POST", url: "/api/logout", tag: "session", summary: "End the session of the cookie" },
    (_input, request, reply) => {
      const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
      if (id !== undefined) ui.auth.logout(id);
      clearSessionCookie(reply);
      return { ok: true };
    },
  );

  ui.routes.add(
    {
      method: "GET",
      url: "/api/session",
      tag: "session",
      summary: "Who is calling: cookie session (with its CSRF token) or bearer",
    },
    (_input, request) => ({
      via: request.caller?.via,
      readOnly: ui.auth.readOnly,
      ...(request.caller?.session
        ? { csrfToken: request.caller.session.csrfToken, expiresAt: request.caller.session.expiresAt }
        : {}),
    }),
  );
}
