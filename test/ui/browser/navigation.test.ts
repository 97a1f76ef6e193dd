/**
 * The web UI under quick or odd navigation: the login page's "next" that is not a path of this
 * app, and a Redis key clicked while the value of the one before is still on its way.
 */
import { Redis } from "ioredis";
import { describe, expect } from "vitest";
import { PASSWORD } from "../helpers.js";
import { itBrowser, logIn, openPage, sharedBrowserUI } from "./browser.js";

const shared = sharedBrowserUI("nav");

describe("web UI navigation in chromium", () => {
  itBrowser("a login whose next is not a path of this app goes to the Overview", async () => {
    const { page, context, problems } = await openPage(shared.browser);
    // The URL parser reads "/\\host" and "/<tab>/host" as "//host": another origin.
    for (const next of ["/\\example.com/x", "/\t/example.com", "//example.com", "https://example.com/"]) {
      await page.goto(`${shared.ui.base}/login?next=${encodeURIComponent(next)}`);
      await page.fill("#password", PASSWORD);
      await page.click("form.login button[type=submit]");
      await page.waitForURL(`${shared.ui.base}/`);
      await page.locator("#services").waitFor();
      expect(await page.locator("#main .error").count(), next).toBe(0);
      await page.click("#logout");
      await page.waitForURL(/\/login$/);
    }
    expect(await problems()).toEqual([]);
    await context.close();
  });

  itBrowser("shows the Redis key clicked last, whatever order the values arrive in", async () => {
    const address = String(shared.ui.factory.status().find((s) => s.name === "redis")?.address);
    const [host, port] = address.split(":") as [string, string];
    const redis = new Redis({ host, port: Number(port), lazyConnect: true });
    await redis.connect();
    await redis.set("race:slow", "the slow one");
    await redis.set("race:fast", "the fast one");
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base, "/redis?pattern=race%3A*");
    let slowAnswered = false;
    await page.route("**/api/redis/keys/race%3Aslow*", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 600));
      await route.continue();
      slowAnswered = true;
    });
    await page.click('#keys button[data-key="race:slow"]');
    await page.click('#keys button[data-key="race:fast"]');
    await expect.poll(() => page.locator("#key-value").textContent()).toBe("the fast one");
    await expect.poll(() => slowAnswered).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await page.locator("#key-value").textContent()).toBe("the fast one");
    expect(await page.locator("#value .key-name").textContent()).toBe("race:fast");
    redis.disconnect();
    expect(await problems()).toEqual([]);
    await context.close();
  });
});
