/**
 * Browser tests' helpers: Debian's chromium driven by playwright-core (one browser per test file),
 * login, screenshots to test-artifacts/ui/, and a watch for CSP violations and page errors.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { findTool, itWithTools } from "../../helpers/tools.js";
import { PASSWORD, startUI, type UIHarness } from "../helpers.js";

export const CHROMIUM = "/usr/bin/chromium";
/** `it`, or a skip (a failure under HEROAGENT_REQUIRE_TOOLS=1) naming chromium when it is missing. */
export const itBrowser = itWithTools(["chromium"]);
export const hasChromium = findTool("chromium") !== undefined && fs.existsSync(CHROMIUM);

/**
 * The page's globals inside page.evaluate callbacks: the tests' tsconfig has no DOM library, so
 * they are reached as `globalThis as unknown as InPage` (a type only: nothing crosses over).
 */
// biome-ignore lint/suspicious/noExplicitAny: DOM objects, untyped in the Node test program
export type InPage = Record<string, any>;

export const ARTIFACTS = path.resolve(import.meta.dirname, "../../../test-artifacts/ui");

/**
 * The UI server and the browser the tests of one file share: started before them, stopped after.
 * `browser` is only there when chromium is (itBrowser skips the tests otherwise).
 */
export function sharedBrowserUI(name: string): { readonly ui: UIHarness; readonly browser: Browser } {
  let root = "";
  let ui: UIHarness | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), `heroagent-browser-${name}-`));
    [ui, browser] = await Promise.all([startUI(root), launch()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.factory.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });
  return {
    get ui() {
      return ui as UIHarness;
    },
    get browser() {
      return browser as Browser;
    },
  };
}

export async function launch(): Promise<Browser | undefined> {
  if (!hasChromium) return undefined;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface Watched {
  page: Page;
  context: BrowserContext;
  /** Page errors and CSP violations seen so far. */
  problems: () => Promise<string[]>;
}

/** A fresh context (own cookies) at 1280×800 whose page reports errors and CSP violations. */
export async function openPage(browser: Browser, options: { dark?: boolean } = {}): Promise<Watched> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: options.dark ? "dark" : "light",
    acceptDownloads: true,
  });
  // Fail a step in seconds, not at the test's timeout, so the message says which step.
  context.setDefaultTimeout(8000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  // Runs before the page's own scripts, outside its CSP: records what the CSP blocked.
  await context.addInitScript(() => {
    const w = globalThis as unknown as InPage;
    w.__csp = [];
    w.document.addEventListener("securitypolicyviolation", (event: InPage) => {
      w.__csp.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const problems = async () => {
    const csp = await page
      .evaluate(() => ((globalThis as unknown as InPage).__csp ?? []) as string[])
      .catch(() => []);
    return [...errors, ...csp.map((c) => `csp: ${c}`)];
  };
  return { page, context, problems };
}

/** Logs in through the login page and waits for the app to show `landing`. */
export async function logIn(page: Page, base: string, landing = "/"): Promise<void> {
  await page.goto(`${base}${landing}`);
  await page.waitForURL(/\/login/);
  await page.fill("#password", PASSWORD);
  await page.click("form.login button[type=submit]");
  await page.waitForURL(`${base}${landing}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** Bytes the last navigation transferred (document and every finished request, compressed). */
export async function transferredBytes(page: Page): Promise<{ total: number; files: number }> {
  return page.evaluate(() => {
    const { performance } = globalThis as unknown as InPage;
    const entries: Array<{ transferSize: number }> = [
      ...performance.getEntriesByType("navigation"),
      ...performance.getEntriesByType("resource"),
    ];
    return { total: entries.reduce((sum, e) => sum + e.transferSize, 0), files: entries.length };
  });
}
