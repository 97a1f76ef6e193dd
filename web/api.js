// @ts-check
/**
 * The REST API client: JSON in and out, the session's CSRF token on every mutation, a 401 sends
 * the app to its login page, and `{error: {code, message}}` replies become ApiError.
 */

/** @type {{ csrfToken: string, readOnly: boolean, loggedIn: boolean }} */
export const session = { csrfToken: "", readOnly: false, loggedIn: false };

/** @type {() => void} */
let onUnauthorized = () => {};

/** @param {() => void} handler called when a request answers 401 */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @typedef {object} RequestOptions
 * @property {unknown} [json] a JSON body
 * @property {BodyInit} [body] a raw body (uploads)
 * @property {AbortSignal} [signal]
 * @property {boolean} [quiet401] do not leave for the login page on 401 (the login itself)
 */

/**
 * @param {string} method
 * @param {string} url
 * @param {RequestOptions} [options]
 * @returns {Promise<any>}
 */
export async function request(method, url, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  if (method !== "GET" && method !== "HEAD" && session.csrfToken) headers["x-csrf-token"] = session.csrfToken;
  /** @type {BodyInit | undefined} */
  let body = options.body;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (body !== undefined) {
    headers["content-type"] = "application/octet-stream";
  }
  /** @type {Response} */
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "NETWORK", "the server cannot be reached");
  }
  const type = response.headers.get("content-type") ?? "";
  const data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  if (response.ok) return data;
  if (response.status === 401 && !options.quiet401) {
    session.loggedIn = false;
    onUnauthorized();
  }
  const error = data && typeof data === "object" ? data.error : undefined;
  throw new ApiError(
    response.status,
    error?.code ?? `HTTP_${response.status}`,
    error?.message ?? `${response.status} ${response.statusText}`,
  );
}

/**
 * @param {string} url
 * @param {AbortSignal} [signal]
 */
export const get = (url, signal) => request("GET", url, signal ? { signal } : {});

/**
 * @param {string} url
 * @param {unknown} [json]
 */
export const post = (url, json) => request("POST", url, json === undefined ? {} : { json });

/** @param {string} url */
export const del = (url) => request("DELETE", url);

/**
 * A URL with a query string of the non-empty values.
 * @param {string} path
 * @param {Record<string, string | number | undefined | null>} query
 */
export function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Asks the server who we are; false when not logged in. */
export async function loadSession() {
  try {
    const reply = await request("GET", "/api/session", { quiet401: true });
    session.csrfToken = reply.csrfToken ?? "";
    session.readOnly = Boolean(reply.readOnly);
    session.loggedIn = true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      session.loggedIn = false;
      return false;
    }
    throw error;
  }
  return true;
}

/** @param {string} password */
export async function login(password) {
  const reply = await request("POST", "/api/login", { json: { password }, quiet401: true });
  session.csrfToken = reply.csrfToken;
  session.readOnly = Boolean(reply.readOnly);
  session.loggedIn = true;
}

export async function logout() {
  try {
    await request("POST", "/api/logout", { quiet401: true });
  } finally {
    session.csrfToken = "";
    session.loggedIn = false;
  }
}
