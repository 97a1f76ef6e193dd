/** The job routes, through the JobManager's public API only. */
import { z } from "zod";
import { JOB_STATUSES, type Job, type JobStatus } from "../../jobs/job.js";
import type { UIContext } from "../context.js";
import { type JobTimeline, TIMELINE_RANGES } from "../job-timeline.js";
import { intString } from "../route.js";

const jobId = z.strictObject({ id: intString(1, Number.MAX_SAFE_INTEGER) });
const statusList = z
  .string()
  .transform((text) => text.split(","))
  .pipe(z.array(z.enum(JOB_STATUSES as [JobStatus, ...JobStatus[]])).min(1));
const time = intString(0, 8_640_000_000_000_000);

const createBody = z.strictObject({
  topic: z.string().min(1).max(200),
  params: z
    .string()
    .max(2 * 1024 * 1024)
    .default(""),
  options: z
    .strictObject({
      timeout: z.number().positive().optional(),
      maxAttempts: z.number().int().min(1).optional(),
      backoff: z
        .strictObject({
          type: z.enum(["exponential", "fixed"]).optional(),
          delay: z.number().min(0).optional(),
          maxDelay: z.number().min(0).optional(),
          jitter: z.boolean().optional(),
        })
        .optional(),
      delay: z.number().min(0).optional(),
      runAt: z.number().min(0).optional(),
      priority: z.number().int().optional(),
    })
    .default({}),
});

const listQuery = z.strictObject({
  topic: z.string().min(1).max(200).optional(),
  status: statusList.optional(),
  since: time.optional(),
  until: time.optional(),
  limit: intString(1, 1000).optional(),
  cursor: z.string().max(32).optional(),
  q: z.string().max(200).optional(),
  view: z.enum(["full", "summary"]).default("full"),
});

/** Characters of params, result and error a summary keeps. */
export const SUMMARY_CHARS = 200;

export function jobsRoutes(ui: UIContext, timeline: JobTimeline): void {
  const add = ui.routes.add.bind(ui.routes);
  add(
    {
      method: "GET",
      url: "/api/jobs/timeline",
      tag: "jobs",
      summary:
        "Jobs created, done and failed per time bucket, with run time p50/p95 and wait time p50 " +
        "(since the UI started; 10 s buckets for 15m and 1h, 5 min for 24h)",
      query: z.strictObject({ range: z.enum(TIMELINE_RANGES).default("15m") }),
    },
    ({ query }) => timeline.points(query.range),
  );
  add(
    { method: "POST", url: "/api/jobs", tag: "jobs", summary: "Create a job", body: createBody },
    async ({ body }, _request, reply) => {
      const job = await ui.jobs().createJob(body.topic, body.params, body.options);
      reply.code(201);
      return { job };
    },
  );
  add(
    {
      method: "GET",
      url: "/api/jobs",
      tag: "jobs",
      summary:
        "List jobs, newest first, by topic, status (comma-separated), creation time and text in params, " +
        "result or error (q, case-insensitive); view=summary cuts those values to 200 characters",
      query: listQuery,
    },
    async ({ query }) => {
      const { q, view, ...filters } = query;
      const page = await ui.jobs().listJobs({ ...filters, text: q });
      return view === "summary" ? { ...page, jobs: page.jobs.map(summarize) } : page;
    },
  );
  add(
    {
      method: "GET",
      url: "/api/jobs/counts",
      tag: "jobs",
      summary: "Jobs per topic and status, from the listing index (a few ms at 1M jobs)",
    },
    () => ({ counts: ui.jobs().countJobs() }),
  );
  add(
    {
      method: "GET",
      url: "/api/jobs/:id",
      tag: "jobs",
      summary: "One job, its newest version",
      params: jobId,
    },
    async ({ params }) => ({ job: await ui.jobs().getJob(params.id) }),
  );
  add(
    {
      method: "GET",
      url: "/api/jobs/:id/history",
      tag: "jobs",
      summary: "Every stored version of a job, newest first",
      params: jobId,
    },
    async ({ params }) => ({ history: await ui.jobs().getJobHistory(params.id) }),
  );
  add(
    { method: "POST", url: "/api/jobs/:id/cancel", tag: "jobs", summary: "Cancel a job", params: jobId },
    async ({ params }) => ({ job: await ui.jobs().cancelJob(params.id) }),
  );
  add(
    {
      method: "POST",
      url: "/api/jobs/:id/retry",
      tag: "jobs",
      summary: "Run a failed job again",
      params: jobId,
    },
    async ({ params }) => ({ job: await ui.jobs().retryJob(params.id) }),
  );
}

/** A job for tables: long values cut (marked with "…"), logs left out. */
function summarize(job: Job): Job {
  const cut = (value: string | null) =>
    value !== null && value.length > SUMMARY_CHARS ? `${value.slice(0, SUMMARY_CHARS)}…` : value;
  return {
    ...job,
    params: cut(job.params) as string,
    result: cut(job.result),
    error: cut(job.error),
    logs: [],
  };
}
