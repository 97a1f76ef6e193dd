// @ts-check
/**
 * One job: its state, progress, data (as text), timestamps, logs and every stored version (the
 * history from OurDB), with cancel and retry. Live job events update it while it is shown.
 */
import { ApiError, get, post, withQuery } from "../api.js";
import { badge, errorBox, every, fmtDuration, fmtTime, h, replace, throttle } from "../dom.js";
import * as live from "../live.js";

/**
 * @typedef {{ jobId: number, version: number, topic: string, params: string, status: string, result: string | null, error: string | null, createdAt: number, startedAt: number | null, finishedAt: number | null, updatedAt: number, timeout: number, attempts: number, maxAttempts: number, runAt: number, priority: number, workerId: string | null, progress: number, logs: string[], logsDropped: number }} Job
 */

/** @param {import("../app.js").PageContext} ctx */
export async function render(ctx) {
  const { main, signal } = ctx;
  const id = Number(ctx.params[0]);
  const title = h("h1", null, `Job #${id}`);
  const status = h("span", { id: "job-status", class: "job-status" });
  const actions = h("div", { class: "actions" });
  const progress = h("div", { class: "progress-line" });
  const message = h("div");
  const content = h("div", { id: "job" });
  const history = h("ol", { class: "timeline", id: "history" });
  main.append(
    h("p", { class: "crumbs" }, h("a", { href: "/jobs" }, "Jobs"), " / ", `#${id}`),
    h("div", { class: "row" }, title, status, h("span", { class: "spacer" }), actions),
    progress,
    message,
    content,
    h("h2", null, "History"),
    h("p", { class: "muted" }, "Every stored version of this job, newest first."),
    history,
  );

  /** @param {string} state @param {number} value */
  const showState = (state, value) => {
    replace(status, badge(state));
    status.dataset.status = state;
    replace(
      progress,
      h("progress", { max: 100, value, "aria-label": "progress" }),
      h("span", null, `${value}%`),
    );
  };

  /** @param {Job} job */
  const showActions = (job) => {
    if (ctx.readOnly) {
      replace(actions);
      return;
    }
    /** @param {string} action */
    const act = async (action) => {
      for (const b of actions.querySelectorAll("button")) b.disabled = true;
      try {
        await post(`/api/jobs/${id}/${action}`);
        replace(message);
      } catch (error) {
        replace(message, errorBox(error));
      }
      await load();
    };
    const again = withQuery("/jobs/new", {
      topic: job.topic,
      params: job.params.length <= 4000 ? job.params : "",
    });
    replace(
      actions,
      h(
        "button",
        {
          type: "button",
          disabled: !(job.status === "new" || job.status === "active"),
          onclick: () => act("cancel"),
        },
        "Cancel",
      ),
      h("button", { type: "button", disabled: job.status !== "error", onclick: () => act("retry") }, "Retry"),
      h("a", { href: again, class: "button quiet" }, "Run again"),
    );
  };

  const load = async () => {
    try {
      const [{ job }, { history: versions }] = await Promise.all([
        get(`/api/jobs/${id}`, signal),
        get(`/api/jobs/${id}/history`, signal),
      ]);
      title.textContent = `Job #${job.jobId} · ${job.topic}`;
      showState(job.status, job.progress);
      running = job.status === "active";
      showActions(job);
      replace(content, details(job));
      replace(history, versions.map(version));
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status === 404)
        replace(content, errorBox(`There is no job #${id}.`));
      else replace(message, errorBox(error));
    }
  };
  // Progress and log lines are not stored versions (no job event): while the job runs, read them every 2 s.
  let running = false;
  every(
    async () => {
      if (!running) return;
      const { job } = await get(`/api/jobs/${id}`, signal);
      if (job.status !== "active") return;
      showState(job.status, job.progress);
      const logs = content.querySelector("#logs");
      if (logs && job.logs.length) logs.textContent = job.logs.join("\n");
    },
    2000,
    signal,
  );
  // Progress events can come many times a second: the state is shown at once, the rest reloads
  // at most once a second (and always after the last event).
  const reload = throttle(load, 1000, signal);
  live.on(
    "job",
    (event) => {
      if (event.jobId !== id) return;
      running = event.status === "active";
      showState(event.status, event.progress);
      reload();
    },
    signal,
  );
  await load();
}

/** @param {Job} job */
function details(job) {
  const ran = job.startedAt && job.finishedAt ? fmtDuration(job.finishedAt - job.startedAt) : "—";
  const facts = [
    ["attempts", `${job.attempts} of ${job.maxAttempts}`],
    ["created", fmtTime(job.createdAt)],
    ["runs from", fmtTime(job.runAt)],
    ["started", fmtTime(job.startedAt)],
    ["finished", fmtTime(job.finishedAt)],
    ["ran for", ran],
    ["updated", fmtTime(job.updatedAt)],
    ["timeout", `${job.timeout} s`],
    ["priority", String(job.priority)],
    ["worker", job.workerId ?? "—"],
    ["version", String(job.version)],
  ];
  return [
    h(
      "dl",
      { class: "facts wide" },
      facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
    ),
    h("h2", null, "Params"),
    h("pre", { id: "params" }, job.params || "(empty)"),
    job.error !== null
      ? [h("h2", null, "Error"), h("pre", { id: "error", class: "error-text" }, job.error)]
      : [
          h("h2", null, "Result"),
          h("pre", { id: "result" }, job.result ?? (job.status === "done" ? "(none)" : "not finished yet")),
        ],
    h("h2", null, "Logs"),
    job.logsDropped > 0 ? h("p", { class: "muted" }, `${job.logsDropped} earlier lines were dropped.`) : null,
    h("pre", { id: "logs", class: "logs" }, job.logs.length ? job.logs.join("\n") : "(no log lines)"),
  ];
}

/** @param {Job} v */
function version(v) {
  return h(
    "li",
    { "data-version": v.version },
    h("span", { class: "when" }, fmtTime(v.updatedAt)),
    badge(v.status),
    h("span", null, `v${v.version}`),
    h(
      "span",
      { class: "muted" },
      `attempt ${v.attempts}/${v.maxAttempts} · ${v.progress}%${v.workerId ? ` · ${v.workerId}` : ""}`,
    ),
    v.error !== null ? h("code", { class: "error-text" }, v.error) : null,
  );
}
