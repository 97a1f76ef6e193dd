/**
 * Jobs in a real browser: a job made with the form is followed live (new → active → done) on its
 * page without a reload, its history is shown, the Jobs table follows live events and its search
 * box finds a job by a word in its params.
 */
import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { call, PASSWORD } from "../helpers.js";
import { type InPage, itBrowser, logIn, openPage, screenshot, sharedBrowserUI } from "./browser.js";

const shared = sharedBrowserUI("jobs");

async function createJob(
  topic: string,
  params: string,
  options: Record<string, unknown> = {},
): Promise<number> {
  const reply = await call(shared.ui.base, "POST", "/api/jobs", {
    bearer: PASSWORD,
    json: { topic, params, options },
  });
  expect(reply.status).toBe(201);
  return reply.body.job.jobId;
}

const jobStatus = async (id: number) =>
  (await call(shared.ui.base, "GET", `/api/jobs/${id}`, { bearer: PASSWORD })).body.job.status as string;

/** Marks the document; a reload or a new page load would lose the mark. */
const mark = (page: Page) => page.evaluate(() => ((globalThis as unknown as InPage).__same = true));
const marked = (page: Page) => page.evaluate(() => (globalThis as unknown as InPage).__same === true);

describe("jobs in chromium", () => {
  itBrowser(
    "creates a job with the form and follows it new → active → done live, with its history",
    async () => {
      const { page, context, problems } = await openPage(shared.browser);
      await logIn(page, shared.ui.base, "/jobs/new");
      // The topic field suggests the workers' topics.
      await expect
        .poll(() =>
          page
            .locator("#topic-list option")
            .evaluateAll((options) => options.map((o) => (o as unknown as InPage).value as string)),
        )
        .toEqual(expect.arrayContaining(["echo", "sleep"]));
      await page.fill('input[name="topic"]', "sleep");
      await page.fill('textarea[name="params"]', '{"ms": 800, "note": "zebra-quartz"}');
      await page.fill('input[name="delay"]', "1500");
      await page.fill('input[name="maxAttempts"]', "2");
      await screenshot(page, "new-job");
      await mark(page);
      await page.click("#new-job button[type=submit]");
      await page.waitForURL(/\/jobs\/\d+$/);
      const id = Number(new URL(page.url()).pathname.split("/").pop());
      // Every state the page shows, recorded in the page as it changes.
      await page.evaluate(() => {
        const w = globalThis as unknown as InPage;
        w.__seen = [];
        const record = () => {
          const state = w.document.querySelector("#job-status")?.dataset.status;
          if (state && w.__seen[w.__seen.length - 1] !== state) w.__seen.push(state);
        };
        record();
        new w.MutationObserver(record).observe(w.document.body, {
          subtree: true,
          attributes: true,
          childList: true,
        });
      });
      await page.waitForFunction(
        () =>
          (globalThis as unknown as InPage).document.querySelector("#job-status")?.dataset.status === "done",
        null,
        {
          timeout: 10_000,
        },
      );
      expect(await page.evaluate(() => (globalThis as unknown as InPage).__seen as string[])).toEqual([
        "new",
        "active",
        "done",
      ]);
      expect(await marked(page)).toBe(true);
      expect(await jobStatus(id)).toBe("done");
      await expect.poll(() => page.locator("#result").textContent()).toBe("slept 800 ms");
      expect(await page.locator("#params").textContent()).toBe('{"ms": 800, "note": "zebra-quartz"}');
      expect(await page.locator(".progress-line progress").getAttribute("value")).toBe("100");
      // The history from OurDB: every stored version, newest first.
      await expect
        .poll(async () => {
          const states = await page.locator("#history li .badge").allTextContents();
          return states.filter((s, i) => s !== states[i - 1]);
        })
        .toEqual(["done", "active", "new"]);
      // Done: neither cancel nor retry applies.
      expect(await page.getByRole("button", { name: "Cancel" }).isDisabled()).toBe(true);
      expect(await page.getByRole("button", { name: "Retry" }).isDisabled()).toBe(true);
      expect(await problems()).toEqual([]);
      await context.close();
    },
  );

  itBrowser("cancels a waiting job and retries it from its page", async () => {
    const id = await createJob("sleep", '{"ms": 50}', { delay: 60_000 });
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base, `/jobs/${id}`);
    await expect.poll(() => page.locator("#job-status").getAttribute("data-status")).toBe("new");
    expect(await page.getByRole("button", { name: "Retry" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => page.locator("#job-status").getAttribute("data-status")).toBe("error");
    await expect.poll(() => page.locator("#error").textContent()).toBe("cancelled");
    expect(await jobStatus(id)).toBe("error");
    await page.getByRole("button", { name: "Retry" }).click();
    await expect.poll(() => page.locator("#job-status").getAttribute("data-status")).not.toBe("error");
    await expect.poll(() => jobStatus(id), { timeout: 10_000 }).toBe("done");
    await expect.poll(() => page.locator("#job-status").getAttribute("data-status")).toBe("done");
    expect(await problems()).toEqual([]);
    await context.close();
  });

  itBrowser("the Jobs table follows live events and the search box finds a job by a word", async () => {
    for (const word of ["apple", "banana", "cherry"])
      await createJob("echo", JSON.stringify({ fruit: word }));
    const failing = await createJob("sleep", "not a duration", { maxAttempts: 1 });
    const wanted = await createJob("echo", JSON.stringify({ animal: "quokka-7781", note: "find me" }));
    await expect.poll(() => jobStatus(failing)).toBe("error");
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base, "/jobs");
    await page.locator(`tr[data-job-id="${wanted}"]`).waitFor();
    await mark(page);
    // A job made elsewhere appears and moves on in the table without a reload.
    const live = await createJob("sleep", '{"ms": 600, "note": "made elsewhere"}');
    const row = page.locator(`tr[data-job-id="${live}"]`);
    await row.waitFor();
    await expect.poll(() => row.locator(".status").textContent(), { timeout: 10_000 }).toBe("done");
    expect(await marked(page)).toBe(true);
    // Search: only the job whose params hold the word.
    await page.fill('input[name="q"]', "quokka-7781");
    await page.click("form.filters button[type=submit]");
    await page.waitForURL(/q=quokka-7781/);
    await expect
      .poll(() =>
        page.locator("tr[data-job-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-job-id"))),
      )
      .toEqual([String(wanted)]);
    // The filters live in the URL: a link shows the same list.
    await page.goto(`${shared.ui.base}/jobs?status=error`);
    await expect
      .poll(() =>
        page.locator("tr[data-job-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-job-id"))),
      )
      .toEqual([String(failing)]);
    expect(await page.locator('input[name="status"][value="error"]').isChecked()).toBe(true);
    await page.goto(`${shared.ui.base}/jobs`);
    await page.locator(`tr[data-job-id="${live}"]`).waitFor();
    await screenshot(page, "jobs");
    expect(await problems()).toEqual([]);
    await context.close();
  });

  itBrowser("screenshots Overview and a job page (light and dark) with data", async () => {
    const id = await createJob("sleep", '{"ms": 300, "file": "report-2026.pdf"}');
    await expect.poll(() => jobStatus(id), { timeout: 10_000 }).toBe("done");
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base);
    await page.locator("#counts table").waitFor();
    await page.locator("#timeline figure").first().waitFor();
    await screenshot(page, "overview");
    await page.goto(`${shared.ui.base}/jobs/${id}`);
    await expect.poll(() => page.locator("#history li").count()).toBeGreaterThanOrEqual(3);
    await screenshot(page, "job");
    expect(await problems()).toEqual([]);
    await context.close();
    const dark = await openPage(shared.browser, { dark: true });
    await logIn(dark.page, shared.ui.base, `/jobs/${id}`);
    await expect.poll(() => dark.page.locator("#history li").count()).toBeGreaterThanOrEqual(3);
    await screenshot(dark.page, "job-dark");
    expect(await dark.problems()).toEqual([]);
    await dark.context.close();
  });
  itBrowser("pages through the table with the cursor", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 55; i++) ids.push(await createJob("page-test", String(i)));
    const { page, context, problems } = await openPage(shared.browser);
    await logIn(page, shared.ui.base, "/jobs?topic=page-test");
    const shown = () =>
      page
        .locator("tr[data-job-id]")
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-job-id"))));
    await expect.poll(async () => (await shown()).length).toBe(50);
    const first = await shown();
    expect(first[0]).toBe(ids[54]);
    await page.getByRole("link", { name: "Next page »" }).click();
    await page.waitForURL(/cursor=/);
    await expect.poll(shown).toEqual(ids.slice(0, 5).reverse());
    await page.getByRole("link", { name: "« First page" }).click();
    await expect.poll(async () => (await shown())[0]).toBe(ids[54]);
    expect(await problems()).toEqual([]);
    await context.close();
  });
});
