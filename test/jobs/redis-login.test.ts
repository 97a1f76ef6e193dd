/**
 * The job system logs in to a real Redis as `jobs.redisUrl` says: an ACL user and password, and a
 * database other than 0. (The embedded server has no ACL users; the look-alike's suite covers the
 * password-only form and refusals on it.)
 */
import { Redis } from "ioredis";
import { expect } from "vitest";
import { itWithTools } from "../helpers/tools.js";
import { startRealRedis, startValkey } from "../redis/helpers.js";
import { openManager } from "./backends.js";

/** Only `alice` may log in; the default user is off. */
const ACL = ["--user", "default", "off", "--user", "alice", "on", ">s3cret", "~*", "&*", "+@all"];

const servers: [string, (args: string[]) => Promise<number>][] = [
  ["redis-server", startRealRedis],
  ["valkey-server", startValkey],
];

for (const [program, start] of servers) {
  itWithTools([program])(`runs jobs on ${program} as an ACL user, in database 3`, async () => {
    const port = await start(ACL);
    const manager = await openManager(`redis://alice:s3cret@127.0.0.1:${port}/3`, { workerCount: 2 });
    manager.registerHandler("greet", async (job) => `hello ${job.params}`);
    const job = await manager.createJob("greet", "ann");
    const done = await manager.waitForJob(job.jobId, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: "done", result: "hello ann" });

    const alice = new Redis({ port, host: "127.0.0.1", username: "alice", password: "s3cret", db: 3 });
    try {
      expect(await alice.exists("heroevents")).toBe(1); // the job system's keys are in database 3
      await alice.select(0);
      expect(await alice.dbsize()).toBe(0);
    } finally {
      alice.disconnect();
    }
  });
}
