// @ts-check
/** Files: the WebDAV root, folder by folder, with upload, download, new folder and delete. */
import { del, get, post, request, withQuery } from "../api.js";
import { append, empty, errorBox, fmtBytes, fmtTime, h, replace } from "../dom.js";

/** @typedef {{ path: string, isCollection: boolean, size: number, modified: string }} Entry */

/** @param {string} path */
const nameOf = (path) => path.slice(path.lastIndexOf("/") + 1);

/**
 * @param {string} folder
 * @param {string} name
 */
const join = (folder, name) => `${folder === "/" ? "" : folder}/${name}`;

/** @param {import("../app.js").PageContext} ctx */
export async function render(ctx) {
  const { main, signal } = ctx;
  const folder = ctx.query.get("path") || "/";
  const message = h("div", { id: "files-message" });
  const listing = h("div", { id: "files" });
  const crumbs = h("nav", { class: "crumbs", "aria-label": "Folder" });
  const parts = folder.split("/").filter(Boolean);
  crumbs.append(h("a", { href: "/files" }, "root"));
  parts.forEach((part, i) => {
    const path = `/${parts.slice(0, i + 1).join("/")}`;
    crumbs.append(
      " / ",
      i === parts.length - 1 ? h("span", null, part) : h("a", { href: withQuery("/files", { path }) }, part),
    );
  });

  const fileInput = h("input", { type: "file", multiple: true, name: "file", id: "upload-input" });
  const upload = h(
    "form",
    { class: "inline-form" },
    h("label", null, "Add files ", fileInput),
    h("button", { type: "submit" }, "Upload"),
  );
  const mkdir = h(
    "form",
    { class: "inline-form" },
    h(
      "label",
      null,
      "New folder ",
      h("input", { name: "name", required: true, placeholder: "name", id: "mkdir-name" }),
    ),
    h("button", { type: "submit" }, "Create"),
  );
  append(
    main,
    h("h1", null, "Files"),
    crumbs,
    ctx.readOnly ? null : h("div", { class: "toolbar" }, upload, mkdir),
    message,
    listing,
  );

  const load = async () => {
    try {
      const reply = await get(withQuery("/api/files", { path: folder }), signal);
      replace(listing, entriesTable(reply.entries, ctx, load, message));
    } catch (error) {
      if (!signal.aborted) replace(listing, errorBox(error));
    }
  };

  upload.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = [...(fileInput.files ?? [])];
    if (files.length === 0) return;
    for (const file of files) {
      replace(message, h("p", { class: "muted" }, `Uploading ${file.name} (${fmtBytes(file.size)})…`));
      try {
        await request("PUT", withQuery("/api/files/content", { path: join(folder, file.name) }), {
          body: file,
        });
      } catch (error) {
        replace(message, errorBox(error));
        await load();
        return;
      }
    }
    replace(message, h("p", { class: "notice" }, `Uploaded ${files.map((f) => f.name).join(", ")}.`));
    upload.reset();
    await load();
  });
  mkdir.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = String(new FormData(mkdir).get("name") ?? "").trim();
    try {
      await post("/api/files/mkdir", { path: join(folder, name) });
      replace(message);
      mkdir.reset();
    } catch (error) {
      replace(message, errorBox(error));
    }
    await load();
  });
  await load();
}

/**
 * @param {Entry[]} entries
 * @param {import("../app.js").PageContext} ctx
 * @param {() => Promise<void>} reload
 * @param {HTMLElement} message
 */
function entriesTable(entries, ctx, reload, message) {
  if (entries.length === 0) return empty("This folder is empty.");
  const sorted = [...entries].sort(
    (a, b) => Number(b.isCollection) - Number(a.isCollection) || a.path.localeCompare(b.path),
  );
  return h(
    "table",
    { class: "grid-table files" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", null, "name"),
        h("th", { class: "num" }, "size"),
        h("th", null, "modified"),
        h("th", null, ""),
      ),
    ),
    h(
      "tbody",
      null,
      sorted.map((entry) => {
        const name = nameOf(entry.path);
        const remove = async () => {
          if (
            !confirm(
              `Delete ${entry.isCollection ? "the folder" : ""} "${name}"${entry.isCollection ? " and everything in it" : ""}?`,
            )
          )
            return;
          try {
            await del(withQuery("/api/files", { path: entry.path }));
            replace(message);
          } catch (error) {
            replace(message, errorBox(error));
          }
          await reload();
        };
        return h(
          "tr",
          { "data-name": name },
          h(
            "td",
            null,
            entry.isCollection
              ? h("a", { href: withQuery("/files", { path: entry.path }), class: "folder" }, `${name}/`)
              : h("span", { class: "file" }, name),
          ),
          h("td", { class: "num" }, entry.isCollection ? "—" : fmtBytes(entry.size)),
          h("td", { class: "time" }, fmtTime(Date.parse(entry.modified))),
          h(
            "td",
            { class: "buttons" },
            entry.isCollection
              ? null
              : h(
                  "a",
                  {
                    href: withQuery("/api/files/content", { path: entry.path }),
                    download: name,
                    class: "button quiet",
                  },
                  "Download",
                ),
            ctx.readOnly
              ? null
              : h("button", { type: "button", class: "danger quiet", onclick: remove }, "Delete"),
          ),
        );
      }),
    ),
  );
}
