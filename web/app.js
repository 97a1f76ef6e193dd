// @ts-check
/**
 * The app shell: a router over the History API (real paths such as /jobs/42, so links and reloads
 * work), the session check, the theme and the live-stream indicator. Each page is a module loaded
 * when first shown, with `render(ctx)`; ctx.signal aborts when the page is left, which ends its
 * live subscriptions and timers.
 */
import { loadSession, logout, session, setUnauthorizedHandler } from "./api.js";
import { errorBox, h, replace } from "./dom.js";
import * as live from "./live.js";

/**
 * @typedef {object} PageContext
 * @property {HTMLElement} main where the page renders
 * @property {string[]} params the path's captured parts (a job id)
 * @property {URLSearchParams} query
 * @property {AbortSignal} signal aborts when the page is left
 * @property {boolean} readOnly the UI refuses changes: hide or disable them
 * @property {(url: string, replace?: boolean) => void} navigate
 */

/** @typedef {{ render: (ctx: PageContext) => Promise<void> | void }} PageModule */

/** @type {{ pattern: RegExp, title: string, nav: string, load: () => Promise<PageModule> }[]} */
const ROUTES = [
  { pattern: /^\/$/, title: "Overview", nav: "/", load: () => import("./pages/overview.js") },
  { pattern: /^\/jobs$/, title: "Jobs", nav: "/jobs", load: () => import("./pages/jobs.js") },
  { pattern: /^\/jobs\/new$/, title: "New job", nav: "/jobs/new", load: () => import("./pages/new-job.js") },
  { pattern: /^\/jobs\/(\d+)$/, title: "Job", nav: "/jobs", load: () => import("./pages/job.js") },
  { pattern: /^\/redis$/, title: "Redis", nav: "/redis", load: () => import("./pages/redis.js") },
  { pattern: /^\/files$/, title: "Files", nav: "/files", load: () => import("./pages/files.js") },
  { pattern: /^\/system$/, title: "System", nav: "/system", load: () => import("./pages/system.js") },
  { pattern: /^\/logs$/, title: "Logs", nav: "/logs", load: () => import("./pages/logs.js") },
  { pattern: /^\/login$/, title: "Log in", nav: "", load: () => import("./pages/login.js") },
];

const THEME_KEY = "heroagent-theme";
/** @type {AbortController | undefined} */
let current;

/**
 * Goes to `url` inside the app.
 * @param {string} url
 * @param {boolean} [replaceEntry] replace the history entry instead of adding one
 */
export function navigate(url, replaceEntry = false) {
  if (replaceEntry) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  void render();
}

function loginUrl() {
  const here = location.pathname + location.search;
  return here === "/" || location.pathname === "/login"
    ? "/login"
    : `/login?next=${encodeURIComponent(here)}`;
}

async function render() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const path = location.pathname;
  const route = ROUTES.find((r) => r.pattern.test(path));
  const main = /** @type {HTMLElement} */ (document.getElementById("main"));
  const isLogin = path === "/login";
  if (!isLogin && !session.loggedIn) {
    navigate(loginUrl(), true);
    return;
  }
  document.body.classList.toggle("bare", isLogin);
  document.body.classList.toggle("read-only", session.readOnly);
  if (!isLogin) live.connect();
  for (const link of document.querySelectorAll("nav.pages a")) {
    if (link.getAttribute("href") === route?.nav) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  replace(main);
  if (!route) {
    document.title = "Not found · HeroAgent";
    replace(
      main,
      h("h1", null, "Not found"),
      h("p", null, "No page here. ", h("a", { href: "/" }, "Overview")),
    );
    return;
  }
  document.title = `${route.title} · HeroAgent`;
  try {
    const page = await route.load();
    if (controller.signal.aborted) return;
    await page.render({
      main,
      params: (route.pattern.exec(path) ?? []).slice(1),
      query: new URLSearchParams(location.search),
      signal: controller.signal,
      readOnly: session.readOnly,
      navigate,
    });
  } catch (error) {
    if (!controller.signal.aborted) main.append(errorBox(error));
  }
}

/**
 * Same-origin links change the page without a reload.
 * @param {MouseEvent} event
 */
function onClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  const link = event.target instanceof Element ? event.target.closest("a") : null;
  if (!link || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  event.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
}

function effectiveTheme() {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === "light" || saved === "dark") return saved;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function applyTheme() {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === "light" || saved === "dark") document.documentElement.dataset.theme = saved;
  else delete document.documentElement.dataset.theme;
  const button = document.getElementById("theme");
  if (button) button.textContent = effectiveTheme() === "dark" ? "Light theme" : "Dark theme";
}

function setupShell() {
  document.addEventListener("click", onClick);
  window.addEventListener("popstate", () => void render());
  document.getElementById("theme")?.addEventListener("click", () => {
    localStorage.setItem(THEME_KEY, effectiveTheme() === "dark" ? "light" : "dark");
    applyTheme();
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", applyTheme);
  document.getElementById("logout")?.addEventListener("click", async () => {
    live.disconnect();
    await logout().catch(() => undefined);
    navigate("/login");
  });
  const indicator = document.getElementById("live");
  live.onStatus((connected) => {
    if (!indicator) return;
    indicator.textContent = connected ? "live" : "offline";
    indicator.className = connected ? "live on" : "live";
    indicator.title = connected ? "receiving live updates" : "live updates disconnected";
  });
  setUnauthorizedHandler(() => {
    live.disconnect();
    if (location.pathname !== "/login") navigate(loginUrl(), true);
  });
}

async function start() {
  applyTheme();
  setupShell();
  try {
    await loadSession();
  } catch (error) {
    replace(/** @type {HTMLElement} */ (document.getElementById("main")), errorBox(error));
    return;
  }
  await render();
}

void start();
