// @ts-check
/** Log in with ui.password (or the token the server printed at start). */
import { login, session } from "../api.js";
import { errorBox, h, replace } from "../dom.js";

/**
 * Only a path inside the app (never another origin) may follow the login. It is read as the
 * browser reads it: "/\host" or "/<tab>/host" are "//host", another origin, which history
 * refuses to go to.
 */
function nextPath(/** @type {string | null} */ next) {
  if (!next?.startsWith("/")) return "/";
  let url;
  try {
    url = new URL(next, location.origin);
  } catch {
    return "/";
  }
  if (url.origin !== location.origin || url.pathname.startsWith("/login")) return "/";
  return url.pathname + url.search + url.hash;
}

/** @param {import("../app.js").PageContext} ctx */
export function render(ctx) {
  const target = nextPath(ctx.query.get("next"));
  if (session.loggedIn) {
    ctx.navigate(target, true);
    return;
  }
  const message = h("div", { id: "login-message" });
  const password = h("input", {
    type: "password",
    name: "password",
    id: "password",
    required: true,
    autocomplete: "current-password",
    autofocus: true,
  });
  const submit = h("button", { type: "submit" }, "Log in");
  const form = h(
    "form",
    { class: "login stack" },
    h("h1", null, h("img", { src: "/assets/icon.svg", alt: "", width: 28, height: 28 }), " HeroAgent"),
    h("label", { for: "password" }, "Password"),
    password,
    h(
      "p",
      { class: "muted" },
      "ui.password from the configuration, or the token the server logged at start.",
    ),
    message,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(message);
    try {
      await login(password.value);
      ctx.navigate(target, true);
    } catch (error) {
      replace(message, errorBox(error));
      password.select();
      submit.disabled = false;
    }
  });
  ctx.main.append(form);
  password.focus();
}
