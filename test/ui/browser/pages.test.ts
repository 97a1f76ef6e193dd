/**
 * The web UI in a real browser: login, the services on Overview (stop and start one), the Redis
 * and file browsers, inert job data, first-load sizes, and a screenshot of every page.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { describe, expect } from "vitest";
import { call, PASSWORD, startUI } from "../helpers.js";
import {
  ARTIFACTS,
  type InPage,
  itBrowser,
  logIn,
  openPage,
  screenshot,
  sharedBrowserUI,
  transferredBytes,
} from "./browser.js";

const shared = sharedBrowserUI("pages");

const api = (method: string, url: string, json?: unknown) =>
  call(shared.ui.base, method, url, { bearer: PASSWORD, ...(json !== undefined ? { json } : {}) });

describe("web UI in chromium", () => {
  itBrowser("logs in: a wrong password shows the error, the right one opens the page asked for", async () => {
    const { page, context, problems } = await openPage(shared.browser);
    await page.goto(`${shared.ui.base}/jobs`);
    await page.waitForURL(`${shared.ui.base}/login?next=%2Fjobs`);
    await page.fill("#password", "not the password");
    await page.click("form.login button[type=submit]");
    await expect.poll(() => page.locator("#login-message").textContent()).toContain("wrong password");
    expect(page.url()).toContain("/login");
    await screenshot(page, "login");
    await page.fill("#password", PASSWORD);
    await page.click("form.login button[type=submit]");
    await page.waitForURL(`${shared.ui.base}/jobs`);
    await page.locator("#job-list").waitFor();
    // Logging out ends the session: the app is back at the login page.
    await page.click("#logout");
    await page.waitForURL(/\/login$/);
    expect((await page.goto(`${shared.ui.base}/api/services`))?.status()).toBe(401);
    expect(await problems()).toEqual([]);
    await context.close();
  });

  itBrowser("shows every service on Overview, stops and starts one", async () => {
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base);
    for (const name of ["redis", "jobs", "webdav", "ui"]) {
      const card = page.locator(`[data-service="${name}"]`);
      await expect.poll(() => card.locator(".badge").textContent()).toBe("running");
      const where = name === "jobs" ? /^embedded \(in-process\)$/ : /127\.0\.0\.1:\d+|unix:/;
      expect(await card.locator("dd").first().textContent()).toMatch(where);
    }
    const webdav = page.locator('[data-service="webdav"]');
    await webdav.getByRole("button", { name: "Stop", exact: true }).click();
    await expect.poll(() => webdav.locator(".badge").textContent()).toBe("stopped");
    expect(shared.ui.factory.status().find((s) => s.name === "webdav")?.state).toBe("stopped");
    expect(await webdav.getByRole("button", { name: "Stop", exact: true }).isDisabled()).toBe(true);
    await webdav.getByRole("button", { name: "Start", exact: true }).click();
    await expect.poll(() => webdav.locator(".badge").textContent()).toBe("running");
    expect(shared.ui.factory.status().find((s) => s.name === "webdav")?.state).toBe("running");
    // The UI cannot stop itself: no buttons on its card.
    expect(await page.locator('[data-service="ui"] button').count()).toBe(0);
    expect(await problems()).toEqual([]);
    await context.close();
  });

  itBrowser("renders job data as text: script and onerror payloads stay inert", async () => {
    const payload = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;
    const created = await api("POST", "/api/jobs", { topic: "echo", params: payload });
    expect(created.status).toBe(201);
    const id = created.body.job.jobId;
    await expect.poll(async () => (await api("GET", `/api/jobs/${id}`)).body.job.status).toBe("done");
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base, `/jobs/${id}`);
    await expect.poll(() => page.locator("#params").textContent()).toBe(payload);
    await expect.poll(() => page.locator("#result").textContent()).toBe(payload);
    await page.goto(`${shared.ui.base}/jobs`);
    await expect.poll(() => page.locator(`tr[data-job-id="${id}"] td.data`).textContent()).toContain(payload);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (globalThis as unknown as InPage).__xss)).toBeUndefined();
    expect(await page.locator("main img, main script").count()).toBe(0);
    expect(await problems()).toEqual([]);
    await context.close();
  });

  itBrowser("browses Redis keys by pattern and type, shows values and deletes with confirm", async () => {
    const address = String(shared.ui.factory.status().find((s) => s.name === "redis")?.address);
    const [host, port] = address.split(":") as [string, string];
    const redis = new Redis({ host, port: Number(port), lazyConnect: true });
    await redis.connect();
    await redis.set("shop:greeting", "hello <b>world</b>");
    await redis.rpush("shop:queue", "a", "b", "c");
    await redis.hset("shop:user:1", { name: "Ada", role: "admin" });
    await redis.zadd("shop:scores", 3, "x", 7, "y");
    await redis.set("other:key", "1", "EX", 600);
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base, "/redis");
    await page.fill('input[name="pattern"]', "shop:*");
    await page.click('form[role="search"] button[type=submit]');
    await page.waitForURL(/pattern=shop/);
    const keys = page.locator("#keys button[data-key]");
    await expect
      .poll(async () => (await keys.allTextContents()).sort())
      .toEqual(["shop:greeting", "shop:queue", "shop:scores", "shop:user:1"]);
    await page.click('#keys button[data-key="shop:user:1"]');
    await expect.poll(() => page.locator("#key-type").textContent()).toBe("hash");
    expect(await page.locator("#value table").textContent()).toContain("Ada");
    await page.click('#keys button[data-key="shop:greeting"]');
    await expect.poll(() => page.locator("#key-value").textContent()).toBe("hello <b>world</b>");
    await page.click('#keys button[data-key="shop:queue"]');
    await expect.poll(() => page.locator("#key-type").textContent()).toBe("list");
    await screenshot(page, "redis");
    // Type filter: only the sorted set.
    await page.selectOption('select[name="type"]', "zset");
    await page.click('form[role="search"] button[type=submit]');
    await expect.poll(() => keys.allTextContents()).toEqual(["shop:scores"]);
    await page.click('#keys button[data-key="shop:scores"]');
    await expect.poll(() => page.locator("#key-type").textContent()).toBe("zset");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.locator("#value").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => redis.exists("shop:scores")).toBe(0);
    await expect.poll(() => keys.count()).toBe(0);
    // Another database: picked from the ones INFO lists, and its keys only.
    await redis.select(2);
    await redis.set("shop:in-db2", "second");
    await page.goto(`${shared.ui.base}/redis`);
    await expect
      .poll(() => page.locator('select[name="db"] option').allTextContents())
      .toContain("db2 · 1 keys");
    await page.selectOption('select[name="db"]', "2");
    await page.waitForURL(/db=2/);
    await expect.poll(() => keys.allTextContents()).toEqual(["shop:in-db2"]);
    await page.click('#keys button[data-key="shop:in-db2"]');
    await expect.poll(() => page.locator("#key-value").textContent()).toBe("second");
    redis.disconnect();
    expect(await problems()).toEqual([]);
    await context.close();
  });

  itBrowser("opens and deletes a Redis key whose bytes are not UTF-8, not its lossy twin", async () => {
    const address = String(shared.ui.factory.status().find((s) => s.name === "redis")?.address);
    const [host, port] = address.split(":") as [string, string];
    const redis = new Redis({ host, port: Number(port), lazyConnect: true });
    await redis.connect();
    const bin = Buffer.concat([Buffer.from("bin:ab"), Buffer.from([0xff, 0xfe])]);
    const twin = "bin:ab\uFFFD\uFFFD";
    await redis.set(bin, Buffer.from([0x76, 0xff]));
    await redis.set(twin, "twin");
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base, "/redis?pattern=bin%3A*");
    const keys = page.locator("#keys button");
    await expect
      .poll(async () => (await keys.allTextContents()).sort())
      .toEqual(["bin:ab\\xff\\xfe", twin].sort());
    const button = page.locator(`#keys button[data-key64="${bin.toString("base64url")}"]`);
    await button.click();
    await expect.poll(() => page.locator("#key-value").textContent()).toBe("v\\xff");
    expect(await page.locator("#value .key-name").textContent()).toBe("bin:ab\\xff\\xfe");
    expect(await page.locator("#value-escaped").isVisible()).toBe(true);
    expect(await button.getAttribute("aria-pressed")).toBe("true");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.locator("#value").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => redis.exists(bin)).toBe(0);
    await expect.poll(() => keys.allTextContents()).toEqual([twin]);
    expect(await redis.get(twin)).toBe("twin");
    await page.click(`#keys button[data-key="${twin}"]`);
    await expect.poll(() => page.locator("#key-value").textContent()).toBe("twin");
    expect(await page.locator("#value-escaped").count()).toBe(0);
    redis.disconnect();
    expect(await problems()).toEqual([]);
    await context.close();
  });

  itBrowser("uploads a file, downloads the same bytes, makes a folder and deletes", async () => {
    const bytes = randomBytes(300_000);
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base, "/files");
    await page.fill("#mkdir-name", "reports");
    await page.getByRole("button", { name: "Create" }).click();
    await page.locator('tr[data-name="reports"] a.folder').click();
    await page.waitForURL(/path=%2Freports/);
    await page.setInputFiles("#upload-input", {
      name: "report 1 (ü).bin",
      mimeType: "application/octet-stream",
      buffer: bytes,
    });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    const row = page.locator('tr[data-name="report 1 (ü).bin"]');
    await row.waitFor();
    expect(
      fs.readFileSync(path.join(shared.ui.home, "files", "reports", "report 1 (ü).bin")).equals(bytes),
    ).toBe(true);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row.getByRole("link", { name: "Download" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("report 1 (ü).bin");
    expect(fs.readFileSync(await download.path()).equals(bytes)).toBe(true);
    await page.setInputFiles("#upload-input", {
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("meeting notes\n"),
    });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    await page.locator('tr[data-name="notes.txt"]').waitFor();
    await screenshot(page, "files");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.locator('tr[data-name="notes.txt"]').getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => page.locator('tr[data-name="notes.txt"]').count()).toBe(0);
    expect(fs.existsSync(path.join(shared.ui.home, "files", "reports", "notes.txt"))).toBe(false);
    // The breadcrumbs lead back to the root.
    await page.locator("nav.crumbs a", { hasText: "root" }).click();
    await page.locator('tr[data-name="reports"]').waitFor();
    expect(await problems()).toEqual([]);
    await context.close();
  });

  itBrowser("loads every page in under 200 KB (compressed) and screenshots it", async () => {
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base);
    const cookies = await context.cookies();
    const job = (await api("POST", "/api/jobs", { topic: "echo", params: '{"for": "the job page"}' })).body
      .job.jobId;
    const sizes: Record<string, number> = {};
    const pages: Array<[string, string, string]> = [
      ["overview", "/", "#services .card"],
      ["jobs", "/jobs", "#job-list"],
      ["job", `/jobs/${job}`, "#history li"],
      ["new-job", "/jobs/new", "#new-job"],
      ["redis", "/redis", "#keys"],
      ["files", "/files", "#files"],
      ["system", "/system", "#system-facts .card"],
      ["logs", "/logs", "#log-lines"],
      ["login", "/login", "form"],
    ];
    for (const [name, url, ready] of pages) {
      // A fresh context each time: nothing cached, only the session cookie.
      const fresh = await openPage(shared.browser);
      if (name !== "login") await fresh.context.addCookies(cookies);
      await fresh.page.goto(`${shared.ui.base}${url}`);
      await fresh.page.locator(ready).first().waitFor();
      await fresh.page.waitForTimeout(300);
      const { total, files } = await transferredBytes(fresh.page);
      sizes[name] = total;
      expect(files, name).toBeGreaterThan(5);
      expect(total, name).toBeGreaterThan(5_000);
      expect(total, name).toBeLessThan(200 * 1024);
      // The other pages are taken where their scenario leaves them with data.
      if (name === "system" || name === "logs") await screenshot(fresh.page, name);
      expect(await fresh.problems(), name).toEqual([]);
      await fresh.context.close();
    }
    fs.writeFileSync(path.join(ARTIFACTS, "first-load.json"), `${JSON.stringify(sizes, null, 2)}\n`);
    // The dark theme: the system preference, and the toggle that overrides it (kept in localStorage).
    const dark = await openPage(shared.browser, { dark: true });
    await dark.context.addCookies(cookies);
    await dark.page.goto(`${shared.ui.base}/`);
    await dark.page.locator("#services .card").first().waitFor();
    const background = () =>
      dark.page.evaluate(() => {
        const w = globalThis as unknown as InPage;
        return w.getComputedStyle(w.document.body).backgroundColor as string;
      });
    expect(await background()).toBe("rgb(15, 20, 25)");
    await dark.page.waitForTimeout(500);
    await screenshot(dark.page, "overview-dark");
    await dark.page.click("#theme");
    expect(await background()).toBe("rgb(246, 247, 249)");
    await dark.page.reload();
    await dark.page.locator("#services .card").first().waitFor();
    expect(await background()).toBe("rgb(246, 247, 249)");
    expect(await dark.problems()).toEqual([]);
    await dark.context.close();
    expect(await problems()).toEqual([]);
    await context.close();
  });
  itBrowser("tails the logs live with level and text filters and pause; charts the system", async () => {
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base, "/logs");
    await page.locator("#log-lines .log-line").first().waitFor();
    await expect.poll(() => page.locator("#tail-state").textContent()).toBe("live");
    const started = page.locator("#log-lines .log-line .msg", { hasText: "service started" });
    const before = await started.count();
    // A line logged now shows up without a reload.
    expect((await api("POST", "/api/services/webdav/restart")).status).toBe(200);
    await expect.poll(() => started.count()).toBe(before + 1);
    // Paused: new lines wait aside, and come in on resume.
    await page.click("#pause");
    expect((await api("POST", "/api/services/webdav/restart")).status).toBe(200);
    await expect.poll(() => page.locator("#tail-state").textContent()).toMatch(/^paused \(\d+ new\)$/);
    expect(await started.count()).toBe(before + 1);
    await page.click("#pause");
    await expect.poll(() => started.count()).toBe(before + 2);
    // Level and text filters, kept in the URL.
    await page.selectOption('select[name="level"]', "warn");
    await page.fill('input[name="q"]', "no users");
    await page.click('form[role="search"] button[type=submit]');
    await page.waitForURL(/level=warn/);
    await expect.poll(() => page.locator("#log-lines .log-line").count()).toBeGreaterThan(0);
    for (const text of await page.locator("#log-lines .log-line").allTextContents()) {
      expect(text).toContain("warn");
      expect(text).toContain("no users");
    }
    await page.goto(`${shared.ui.base}/system`);
    await expect.poll(() => page.locator("#system-charts figure").count()).toBe(3);
    await expect.poll(() => page.locator("#system-charts path.line").count()).toBeGreaterThan(3);
    expect(await page.locator("#disks tbody tr").count()).toBeGreaterThan(0);
    expect(await problems()).toEqual([]);
    await context.close();
  });

  itBrowser("read-only mode disables every change", async () => {
    const readOnly = await startUI(path.dirname(shared.ui.home), { "ui.readOnly": true });
    try {
      const { page, context, problems } = await openPage(shared.browser);
      await logIn(page, readOnly.base);
      await page.locator('[data-service="webdav"] button').first().waitFor();
      expect(await page.locator(".ro-flag").isVisible()).toBe(true);
      const buttons = page.locator("#services button");
      expect(await buttons.count()).toBeGreaterThan(0);
      for (const enabled of await buttons.evaluateAll((all) =>
        all.map((b) => !(b as unknown as InPage).disabled),
      )) {
        expect(enabled).toBe(false);
      }
      await page.goto(`${readOnly.base}/jobs/new`);
      expect(await page.locator("#new-job button[type=submit]").isDisabled()).toBe(true);
      await page.goto(`${readOnly.base}/files`);
      await page.locator("#files").waitFor();
      expect(await page.locator("#upload-input").count()).toBe(0);
      expect(await problems()).toEqual([]);
      await context.close();
    } finally {
      await readOnly.factory.stop();
    }
  });
});
