/** Writing responses: plain statuses, XML bodies, and errors (mapped to a status by statusOf). */

import type { IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import { RangeNotSatisfiableError, statusOf, WebDAVError } from "./errors.js";
import { escapeXml, XML_DECLARATION } from "./xml/write.js";

export const REALM = "HeroAgent WebDAV";

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, "Content-Length": "0" });
  res.end();
}

export function sendXml(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
) {
  const bytes = Buffer.from(XML_DECLARATION + body, "utf8");
  res.writeHead(status, {
    ...headers,
    "Content-Type": 'application/xml; charset="utf-8"',
    "Content-Length": String(bytes.length),
  });
  res.end(bytes);
}

export function statusLine(status: number): string {
  const reasons: Record<number, string> = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    423: "Locked",
    424: "Failed Dependency",
    500: "Internal Server Error",
    502: "Bad Gateway",
    507: "Insufficient Storage",
  };
  return `HTTP/1.1 ${status} ${reasons[status] ?? ""}`.trimEnd();
}

export type ErrorReporter = (error: unknown, req: IncomingMessage) => void;

/** A member of a collection that a COPY, MOVE or DELETE could not process, and why. */
export interface MemberFailure {
  /** Its percent-encoded href, with the base path. */
  href: string;
  error: unknown;
}

/**
 * 207 Multi-Status listing only the members that failed, each with the status its error maps to
 * (statusOf) and the precondition element when the error has one, as RFC 4918 §9.6.2 shows.
 * Successes (201, 204) and the ancestors that could not be processed because of them (424) are
 * left out, as §§9.6.1, 9.8.3 and 9.9.2 ask.
 */
export function sendMultiStatus(
  req: IncomingMessage,
  res: ServerResponse,
  failures: readonly MemberFailure[],
  report: ErrorReporter,
): void {
  let body = '<D:multistatus xmlns:D="DAV:">';
  for (const { href, error } of failures) {
    const status = statusOf(error);
    if (status >= 500) report(error, req);
    body += `<D:response><D:href>${escapeXml(href)}</D:href><D:status>${statusLine(status)}</D:status>`;
    if (error instanceof WebDAVError && error.condition) body += `<D:error><D:${error.condition}/></D:error>`;
    body += "</D:response>";
  }
  sendXml(res, 207, `${body}</D:multistatus>`);
}

/** Answers with the status `error` maps to; a precondition element in the body when it has one. */
export function sendError(req: IncomingMessage, res: ServerResponse, error: unknown, report: ErrorReporter) {
  const status = statusOf(error);
  if (status >= 500) report(error, req);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (status === 401) headers["WWW-Authenticate"] = `Basic realm="${REALM}", charset="UTF-8"`;
  if (error instanceof RangeNotSatisfiableError) headers["Content-Range"] = `bytes */${error.size}`;
  // An unread request body (say, a rejected 1 GiB PUT) is not worth reading just to keep the connection.
  if (!req.complete) headers.Connection = "close";
  if (error instanceof WebDAVError && error.condition) {
    const body = `<D:error xmlns:D="DAV:"><D:${error.condition}/></D:error>`;
    sendXml(res, status, body, headers);
    return;
  }
  // Our own errors say what was wrong; a file-system error's text names server paths, so it stays here.
  const message =
    status < 500 && error instanceof WebDAVError ? error.message : (STATUS_CODES[status] ?? "error");
  const bytes = Buffer.from(`${message}\n`, "utf8");
  res.writeHead(status, {
    ...headers,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(bytes.length),
  });
  res.end(bytes);
}

export { escapeXml };
