/** The job routes, through the JobManager's public API only. */
import { z } from "zod";
import { JOB_STATUSES, type JobStatus } from "../../jobs/job.js";
import type { UIContext } from "../context.js";
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
});

export function jobsRoutes(ui: UIContext): void {
  const add = ui.routes.add.bind(ui.routes);
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
      summary: "List jobs, newest first, by topic, status (comma-separated) and creation time",
      query: listQuery,
    },
    ({ query }) => ui.jobs().listJobs({ ...query, status: query.status }),
  );
  add(
    {
      method: "GET",
      url: "/api/jobs/counts",
      tag: "jobs",
      summary: "Jobs per topic and status (walks the whole listing: slow with millions of jobs)",
    },
    async () => ({ counts: await jobCounts(ui) }),
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

export type JobCounts = Record<string, Record<JobStatus, number>>;

const inFlight = new WeakMap<object, Promise<JobCounts>>();

/**
 * Jobs per topic and status from listJobs, one status at a time, 1000 per page. New and active come
 * from the index's bitsets (cheap); done and error read every record, so the cost grows with the
 * store. Callers arriving while a count runs share it.
 */
export function jobCounts(ui: UIContext): Promise<JobCounts> {
  const manager = ui.jobs();
  const running = inFlight.get(manager);
  if (running) return running;
  const counts = countAll(ui).finally(() => inFlight.delete(manager));
  inFlight.set(manager, counts);
  return counts;
}

async function countAll(ui: UIContext): Promise<JobCounts> {
  const counts: JobCounts = {};
  for (const status of JOB_STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await ui.jobs().listJobs({ status, limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const job of page.jobs) {
        counts[job.topic] ??= { new: 0, active: 0, done: 0, error: 0 };
        (counts[job.topic] as Record<JobStatus, number>)[status] += 1;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return counts;
}
