// @ts-check
/** New job: topic (suggested from the stored topics and the workers' handlers), params, options. */
import { get, post } from "../api.js";
import { append, errorBox, h, replace } from "../dom.js";

/** @param {import("../app.js").PageContext} ctx */
export async function render(ctx) {
  const { main, signal, query } = ctx;
  const topics = h("datalist", { id: "topic-list" });
  const message = h("div");
  /**
   * @param {string} label
   * @param {string} name
   * @param {string} hint
   * @param {Record<string, unknown>} [attrs]
   */
  const number = (label, name, hint, attrs = {}) =>
    h("label", null, label, h("input", { type: "number", name, placeholder: hint, ...attrs }));
  const form = h(
    "form",
    { class: "stack", id: "new-job" },
    h(
      "label",
      null,
      "Topic",
      h("input", {
        name: "topic",
        required: true,
        list: "topic-list",
        autocomplete: "off",
        value: query.get("topic") ?? "",
        maxlength: 200,
      }),
    ),
    topics,
    h(
      "label",
      null,
      "Params (text given to the handler; often JSON)",
      h(
        "textarea",
        { name: "params", rows: 8, spellcheck: "false", placeholder: '{"ms": 800}' },
        query.get("params") ?? "",
      ),
    ),
    h(
      "div",
      { class: "options" },
      number("Timeout (s)", "timeout", "server default", { min: 0.001, step: "any" }),
      number("Max attempts", "maxAttempts", "server default", { min: 1, step: 1 }),
      number("Delay (ms)", "delay", "0", { min: 0, step: 1 }),
      number("Priority", "priority", "0", { min: -1000, max: 1000, step: 1 }),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", disabled: ctx.readOnly }, "Create job")),
  );
  append(
    main,
    h("h1", null, "New job"),
    ctx.readOnly ? h("p", { class: "notice" }, "The UI is read-only: jobs cannot be created here.") : null,
    message,
    form,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    /** @type {Record<string, number>} */
    const options = {};
    for (const name of ["timeout", "maxAttempts", "delay", "priority"]) {
      const text = String(data.get(name) ?? "").trim();
      if (text !== "") options[name] = Number(text);
    }
    const submit = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
    submit.disabled = true;
    try {
      const { job } = await post("/api/jobs", {
        topic: String(data.get("topic") ?? "").trim(),
        params: String(data.get("params") ?? ""),
        options,
      });
      ctx.navigate(`/jobs/${job.jobId}`);
    } catch (error) {
      replace(message, errorBox(error));
      submit.disabled = false;
    }
  });

  const [counts, services] = await Promise.all([
    get("/api/jobs/counts", signal).catch(() => ({ counts: {} })),
    get("/api/services", signal).catch(() => ({ services: [] })),
  ]);
  /** @type {Set<string>} */
  const names = new Set(Object.keys(counts.counts));
  for (const service of services.services) {
    if (service.name === "jobs" && Array.isArray(service.details?.topics)) {
      for (const topic of service.details.topics) names.add(String(topic));
    }
  }
  replace(
    topics,
    [...names].sort().map((t) => h("option", { value: t })),
  );
}
