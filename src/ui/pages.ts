/** The HTML pages and their static assets (web/): filled in by the pages increment. */
import type { UIContext } from "./context.js";

export function pageRoutes(_ui: UIContext): void {}
