// @ts-check
/**
 * Redis browser: the server's INFO in brief, keys of one database by pattern and type one SCAN
 * step at a time, and any key's value, TTL and size, with delete. A key whose bytes are not UTF-8
 * is shown escaped (`ab\xff\xfe`) and opened and deleted by its exact bytes (`key64`).
 */
import { ApiError, del, get, withQuery } from "../api.js";
import { empty, errorBox, fmtDuration, h, replace } from "../dom.js";

const TYPES = ["", "string", "list", "set", "zset", "hash", "stream"];

/**
 * A key as the API lists it: its text, or for bytes that are not UTF-8 their escaped form (`name`)
 * and the bytes themselves in base64url (`key64`).
 * @typedef {string | { name: string, key64: string }} KeyEntry
 */
/** @typedef {{ name: string, key64?: string }} KeyRef */

const ESCAPED_NOTE = "Bytes that are not UTF-8 are shown as \\xHH, and a backslash as \\\\.";

/** @param {KeyEntry} entry @returns {KeyRef} */
const keyRef = (entry) => (typeof entry === "string" ? { name: entry } : entry);

/** @param {import("../app.js").PageContext} ctx */
export async function render(ctx) {
  const { main, signal, query } = ctx;
  const pattern = query.get("pattern") || "*";
  const type = TYPES.includes(query.get("type") ?? "") ? (query.get("type") ?? "") : "";
  const db = /^\d{1,6}$/.test(query.get("db") ?? "") ? Number(query.get("db")) : 0;
  /** `path` with this page's database (left out for db 0, the default). */
  const inDb = (/** @type {string} */ path, /** @type {Record<string, unknown>} */ extra = {}) =>
    withQuery(path, { ...extra, db: db || undefined });
  /** The API URL of a key: by its text, or by its exact bytes when they are not UTF-8. */
  const keyUrl = (/** @type {KeyRef} */ ref) =>
    ref.key64 !== undefined
      ? inDb("/api/redis/key", { key64: ref.key64 })
      : inDb(`/api/redis/keys/${encodeURIComponent(ref.name)}`);
  /** The list's button of a key. */
  const keyButton = (/** @type {KeyRef} */ ref) =>
    list.querySelector(
      ref.key64 !== undefined
        ? `button[data-key64="${CSS.escape(ref.key64)}"]`
        : `button[data-key="${CSS.escape(ref.name)}"]`,
    );
  const dbSelect = h("select", { name: "db" }, h("option", { value: String(db), selected: true }, `db${db}`));
  const info = h("dl", { class: "facts inline", id: "redis-info" });
  const list = h("ul", { class: "keys", id: "keys" });
  const more = h("button", { type: "button", hidden: true }, "Scan further");
  const status = h("p", { class: "muted" });
  const value = h(
    "section",
    { class: "value", id: "value", "aria-live": "polite" },
    empty("Pick a key to see its value."),
  );
  const form = h(
    "form",
    { class: "filters", role: "search" },
    h("label", null, "Database ", dbSelect),
    h("label", null, "Pattern ", h("input", { name: "pattern", value: pattern, placeholder: "*" })),
    h(
      "label",
      null,
      "Type ",
      h(
        "select",
        { name: "type" },
        TYPES.map((t) => h("option", { value: t, selected: t === type }, t || "any")),
      ),
    ),
    h("button", { type: "submit" }, "Scan"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    ctx.navigate(
      withQuery("/redis", {
        db: data.get("db") === "0" ? undefined : String(data.get("db") ?? ""),
        pattern: String(data.get("pattern") ?? ""),
        type: String(data.get("type") ?? ""),
      }),
    );
  });
  dbSelect.addEventListener("change", () => form.requestSubmit());
  main.append(
    h("h1", null, "Redis"),
    info,
    form,
    h("div", { class: "split" }, h("div", null, list, status, more), value),
  );

  let cursor = "0";
  let found = 0;
  const scan = async () => {
    more.disabled = true;
    try {
      // A SCAN step may return few keys (or none) while the cursor goes on: take a few steps.
      let added = 0;
      do {
        const reply = await get(inDb("/api/redis/keys", { pattern, type, cursor, count: 200 }), signal);
        cursor = reply.cursor;
        for (const ref of /** @type {KeyEntry[]} */ (reply.keys).map(keyRef)) {
          const binary = ref.key64 !== undefined;
          list.append(
            h(
              "li",
              null,
              h(
                "button",
                {
                  type: "button",
                  class: "link",
                  "data-key": binary ? undefined : ref.name,
                  "data-key64": ref.key64,
                  title: binary ? `Not UTF-8. ${ESCAPED_NOTE}` : undefined,
                  onclick: () => show(ref),
                },
                ref.name,
              ),
            ),
          );
        }
        added += reply.keys.length;
        found += reply.keys.length;
      } while (cursor !== "0" && added < 100 && !signal.aborted);
      status.textContent = `${found} key${found === 1 ? "" : "s"}${cursor === "0" ? " (scan complete)" : " so far"}`;
      more.hidden = cursor === "0";
      if (found === 0 && cursor === "0") replace(list, h("li", { class: "empty" }, "No keys match."));
    } catch (error) {
      if (!signal.aborted) replace(status, errorBox(error));
    }
    more.disabled = false;
  };
  more.addEventListener("click", scan);

  /** Counts the keys clicked: a value that arrives after a later click is not shown. */
  let shows = 0;
  /** @param {KeyRef} ref */
  const show = async (ref) => {
    const turn = ++shows;
    for (const b of list.querySelectorAll("button[aria-pressed]")) b.removeAttribute("aria-pressed");
    keyButton(ref)?.setAttribute("aria-pressed", "true");
    const key = ref.name;
    try {
      const reply = await get(keyUrl(ref), signal);
      if (turn !== shows) return;
      replace(
        value,
        keyView(reply, ctx, async () => {
          if (!confirm(`Delete the key "${key}"?`)) return;
          try {
            await del(keyUrl(ref));
            keyButton(ref)?.closest("li")?.remove();
            replace(value, h("p", { class: "notice" }, `Deleted ${key}.`));
          } catch (error) {
            value.append(errorBox(error));
          }
        }),
      );
    } catch (error) {
      if (turn !== shows || signal.aborted) return;
      if (error instanceof ApiError && error.status === 404)
        replace(value, errorBox(`The key "${key}" is gone.`));
      else replace(value, errorBox(error));
    }
  };

  const loadInfo = async () => {
    try {
      const sections = (await get("/api/redis/info", signal)).info;
      const server = sections.server ?? {};
      const memory = sections.memory ?? {};
      const clients = sections.clients ?? {};
      const keyspace = sections.keyspace ?? {};
      // "db3" → "keys=12,expires=0,avg_ttl=0": the databases that hold keys, and this one.
      const counts = new Map([[db, 0]]);
      for (const [name, text] of Object.entries(keyspace)) {
        const match = /^db(\d+)$/.exec(name);
        if (match) counts.set(Number(match[1]), Number(/keys=(\d+)/.exec(String(text))?.[1] ?? 0));
      }
      replace(
        dbSelect,
        [...counts.keys()]
          .sort((a, b) => a - b)
          .map((n) =>
            h("option", { value: String(n), selected: n === db }, `db${n} · ${counts.get(n)} keys`),
          ),
      );
      const facts = [
        ["version", server.redis_version ?? "—"],
        ["uptime", server.uptime_in_seconds ? fmtDuration(Number(server.uptime_in_seconds) * 1000) : "—"],
        [`keys (db${db})`, String(counts.get(db))],
        ["memory", memory.used_memory_human ?? "—"],
        ["clients", clients.connected_clients ?? "—"],
      ];
      replace(
        info,
        facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
      );
    } catch (error) {
      if (!signal.aborted) replace(info, errorBox(error));
    }
  };
  await Promise.all([loadInfo(), scan()]);
}

/**
 * @param {{ key: string, key64?: string, type: string, ttl: number, length: number, value: any, truncated: boolean, escaped?: boolean }} reply
 * @param {import("../app.js").PageContext} ctx
 * @param {() => void} onDelete
 */
function keyView(reply, ctx, onDelete) {
  const ttl = reply.ttl < 0 ? "no expiry" : fmtDuration(reply.ttl);
  const unit = reply.type === "string" ? "bytes" : "elements";
  return [
    h(
      "div",
      { class: "row" },
      h(
        "h2",
        { class: "key-name", title: reply.key64 !== undefined ? `Not UTF-8. ${ESCAPED_NOTE}` : undefined },
        reply.key,
      ),
      h("span", { class: "spacer" }),
      ctx.readOnly ? null : h("button", { type: "button", class: "danger", onclick: onDelete }, "Delete"),
    ),
    h(
      "dl",
      { class: "facts inline" },
      h("dt", null, "type"),
      h("dd", { id: "key-type" }, reply.type),
      h("dt", null, "TTL"),
      h("dd", null, ttl),
      h("dt", null, "size"),
      h("dd", null, `${reply.length} ${unit}`),
    ),
    reply.truncated ? h("p", { class: "notice" }, "Only the first part is shown.") : null,
    reply.escaped ? h("p", { class: "notice", id: "value-escaped" }, ESCAPED_NOTE) : null,
    valueView(reply.type, reply.value),
  ];
}

/**
 * @param {string} type
 * @param {any} value
 */
function valueView(type, value) {
  /** @param {string[]} heads @param {unknown[][]} rows */
  const table = (heads, rows) =>
    h(
      "table",
      { class: "grid-table" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          heads.map((t) => h("th", null, t)),
        ),
      ),
      h(
        "tbody",
        null,
        rows.map((cells) =>
          h(
            "tr",
            null,
            cells.map((c) => h("td", null, h("code", null, String(c)))),
          ),
        ),
      ),
    );
  switch (type) {
    case "string":
      return h("pre", { id: "key-value" }, String(value));
    case "list":
      return table(
        ["index", "element"],
        value.map((/** @type {string} */ v, /** @type {number} */ i) => [i, v]),
      );
    case "set":
      return table(
        ["member"],
        value.map((/** @type {string} */ v) => [v]),
      );
    case "zset":
      return table(
        ["member", "score"],
        value.map((/** @type {{member: string, score: number}} */ v) => [v.member, v.score]),
      );
    case "hash":
      return table(["field", "value"], Object.entries(value));
    case "stream":
      return table(
        ["id", "fields"],
        value.map((/** @type {{id: string, fields: Record<string, string>}} */ e) => [
          e.id,
          JSON.stringify(e.fields),
        ]),
      );
    default:
      return h("pre", null, JSON.stringify(value, null, 2));
  }
}
