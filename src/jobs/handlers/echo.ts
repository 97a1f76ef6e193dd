import type { JobHandler } from "../worker.js";

/** Built-in topic "echo": the result is the params, as given. For trying the job system out. */
export const echoHandler: JobHandler = (job) => job.params;
