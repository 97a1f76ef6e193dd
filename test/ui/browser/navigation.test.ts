/** The web UI under quick or odd navigation: the login page's "next" that is not a path of this app. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { PASSWORD, startUI, type UIHarness } from "../helpers.js";
import { itBrowser, launch, logIn, openPage } from "./browser.js";

let root: string;
let ui: UIHarness;
let browser: Browser | undefined;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "heroagent-browser-nav-"));
  [ui, browser] = await Promise.all([startUI(root), launch()]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ui?.factory.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("web UI navigation in chromium", () => {
  itBrowser("a login whose next is not a path of this app goes to the Overview", async () => {
    const { page, context, problems } = await openPage(browser as Browser);
    // The URL parser reads "/\\host" and "/<tab>/host" as "//host": another origin.
    for (const next of ["/\\example.com/x", "/\t/example.com", "//example.com", "https://example.com/"]) {
      await page.goto(`${ui.base}/login?next=${encodeURIComponent(next)}`);
      await page.fill("#password", PASSWORD);
      await page.click("form.login button[type=submit]");
      await page.waitForURL(`${ui.base}/`);
      await page.locator("#services").waitFor();
      expect(await page.locator("#main .error").count(), next).toBe(0);
      await page.click("#logout");
      await page.waitForURL(/\/login$/);
    }
    expect(await problems()).toEqual([]);
    await context.close();
  });
});
