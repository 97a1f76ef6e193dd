/**
 * WebDAV benchmark: HeroAgent's server against Apache httpd + mod_dav (started here on loopback)
 * and npm webdav-server v2, each in its own process over its own directory on the same disk.
 * Workloads: PUT then GET of a 1 GiB file, 1000 × 4 KiB PUT then GET, PROPFIND Depth 1 (allprop)
 * on a folder of 10,000 files.
 *
 * Every server first does one unmeasured round of the same work (our server's hot paths get
 * compiled by the JIT, the page cache is warm for everyone), then `--rounds` measured rounds, the
 * server order alternating from round to round; each figure is the median of its rounds, and the
 * ratios are the medians of the ratios within each round (so a busy moment of the shared machine
 * hits both sides of a ratio alike). Besides the rate, the bench prints the CPU time each server
 * used per unit of work (less sensitive to other load than wall-clock rates) and the client's own
 * CPU use (near 100 % of a core would mean the client, not the server, is the limit). The 1 GiB
 * GET is made with curl when it is installed (its CPU is not in the client figure), since the
 * Node client needs most of a core at 1 GiB/s.
 *
 * Usage: npm run bench:webdav [-- --big-mib 1024 --small 1000 --files 10000 --rounds 5
 *          --concurrency 4 --servers heroagent,apache,webdav-server
 *          --workloads put-big,get-big,put-small,get-small,propfind --profile]
 * --baseline DIR: also measure our server as built from another checkout DIR (say, `git worktree
 * add` of an older commit, or a `git archive` of its src/webdav with this bench/webdav/serve.ts and
 * a node_modules link), named "baseline", for before/after figures from the same run.
 * --profile: only our server, under `node --cpu-prof`, through the warm-up and the rounds of the
 * chosen workloads (files a GET needs are made on disk when its PUT is not chosen); prints the
 * functions with the most self time.
 */
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { describeMachine } from "./lib/machine.js";
import { concurrentRate, median } from "./lib/measure.js";
import { mainProfile, topFunctions } from "./redis/profile.js";
import { curlGet, expectStatus, putFile, send, withPeakRss } from "./webdav/client.js";
import { type BenchServer, removeBundles, startApache, startNodeServer } from "./webdav/servers.js";

const WORKLOADS = ["put-big", "get-big", "put-small", "get-small", "propfind"] as const;
type Workload = (typeof WORKLOADS)[number];
const SERVERS = ["heroagent", "apache", "webdav-server"] as const;

const { values } = parseArgs({
  options: {
    "big-mib": { type: "string", default: "1024" },
    small: { type: "string", default: "1000" },
    files: { type: "string", default: "10000" },
    rounds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "4" },
    servers: { type: "string", default: SERVERS.join(",") },
    workloads: { type: "string", default: WORKLOADS.join(",") },
    profile: { type: "boolean", default: false },
    baseline: { type: "string" },
  },
});
const MiB = 2 ** 20;
const BIG_BYTES = Number(values["big-mib"]) * MiB;
const SMALL_COUNT = Number(values.small);
const FOLDER_FILES = Number(values.files);
const ROUNDS = Math.max(1, Number(values.rounds));
const CONCURRENCY = Math.max(1, Number(values.concurrency));
const serverNames = values.profile ? ["heroagent"] : values.servers.split(",").map((s) => s.trim());
if (values.baseline && !values.profile) serverNames.splice(1, 0, "baseline");
const workloads = values.workloads.split(",").map((w) => w.trim()) as Workload[];
for (const name of serverNames)
  if (![...SERVERS, "baseline"].includes(name)) throw new Error(`unknown server ${name}`);
for (const workload of workloads)
  if (!WORKLOADS.includes(workload)) throw new Error(`unknown workload ${workload}; use ${WORKLOADS}`);

interface Sample {
  /** MiB/s, req/s or ms, as LABELS says. */
  value: number;
  /** Server CPU seconds per unit of work: per GiB, per 1000 requests, per PROPFIND. */
  serverCpu: number;
  /** Client (this process) CPU time as a share of the wall-clock time. */
  clientCpu: number;
}

const LABELS: Record<Workload, { label: string; higherIsBetter: boolean; cpuUnit: string }> = {
  "put-big": { label: `PUT ${values["big-mib"]} MiB (MiB/s)`, higherIsBetter: true, cpuUnit: "s/GiB" },
  "get-big": { label: `GET ${values["big-mib"]} MiB (MiB/s)`, higherIsBetter: true, cpuUnit: "s/GiB" },
  "put-small": { label: `PUT ${SMALL_COUNT} × 4 KiB (req/s)`, higherIsBetter: true, cpuUnit: "ms/req" },
  "get-small": { label: `GET ${SMALL_COUNT} × 4 KiB (req/s)`, higherIsBetter: true, cpuUnit: "ms/req" },
  propfind: { label: `PROPFIND Depth 1, ${FOLDER_FILES} files (ms)`, higherIsBetter: false, cpuUnit: "ms" },
};

/** Runs `work` and returns its figure with the server's and the client's CPU use meanwhile. */
async function timed(
  server: BenchServer,
  work: () => Promise<number>,
  perUnit: (seconds: number, value: number) => number,
): Promise<Sample> {
  const serverBefore = server.cpu();
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  const value = await work();
  const wall = (performance.now() - start) / 1000;
  const client = process.cpuUsage(clientBefore);
  return {
    value,
    serverCpu: perUnit(server.cpu() - serverBefore, value),
    clientCpu: (client.user + client.system) / 1e6 / wall,
  };
}

function makeFile(file: string, bytes: number): void {
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  const fd = openSync(file, "w");
  for (let written = 0; written < bytes; written += MiB)
    writeSync(fd, chunk, 0, Math.min(MiB, bytes - written));
  closeSync(fd);
}

interface Target {
  server: BenchServer;
  root: string;
  peakRss: number;
  idleRss: number;
  samples: Map<Workload, Sample[]>;
}

/** One round on one server, in a fresh folder `r<round>/`; removed afterwards. */
async function round(target: Target, index: number, bigFile: string, measured: boolean): Promise<void> {
  const { server } = target;
  const dir = `r${index}`;
  const url = `${server.url}${dir}/`;
  expectStatus(await send(url, "MKCOL"), [201], "MKCOL round");
  expectStatus(await send(`${url}small/`, "MKCOL"), [201], "MKCOL small");
  const chosen = (workload: Workload) => workloads.includes(workload);
  // What a chosen GET needs when its PUT is not chosen is made on disk, outside the measurement.
  if (chosen("get-big") && !chosen("put-big")) makeFile(join(target.root, dir, "big.bin"), BIG_BYTES);
  if (chosen("get-small") && !chosen("put-small"))
    for (let i = 0; i < SMALL_COUNT; i++) writeFileSync(join(target.root, dir, "small", `f${i}`), payload);
  const record = (workload: Workload, sample: Sample) => {
    if (measured) target.samples.set(workload, [...(target.samples.get(workload) ?? []), sample]);
  };
  const peak = async (work: () => Promise<Sample>) => {
    const { result, peak } = await withPeakRss(server.rss, work);
    target.peakRss = Math.max(target.peakRss, peak);
    return result;
  };
  const perGiB = (seconds: number) => seconds / (BIG_BYTES / 2 ** 30);
  const perRequest = (seconds: number) => (seconds * 1000) / SMALL_COUNT;
  if (chosen("put-big")) {
    const sample = await peak(() =>
      timed(
        server,
        async () => {
          const start = performance.now();
          expectStatus(await putFile(`${url}big.bin`, bigFile, BIG_BYTES), [200, 201, 204], "PUT big");
          return BIG_BYTES / MiB / ((performance.now() - start) / 1000);
        },
        perGiB,
      ),
    );
    record("put-big", sample);
  }
  if (chosen("get-big")) {
    const sample = await peak(() =>
      timed(
        server,
        async () => {
          const start = performance.now();
          const reply = (await curlGet(`${url}big.bin`)) ?? (await send(`${url}big.bin`, "GET"));
          if (reply.bytes !== BIG_BYTES)
            throw new Error(`${server.name}: GET big returned ${reply.bytes} bytes`);
          return BIG_BYTES / MiB / ((performance.now() - start) / 1000);
        },
        perGiB,
      ),
    );
    record("get-big", sample);
  }
  if (chosen("put-small")) {
    const sample = await timed(
      server,
      () =>
        concurrentRate(CONCURRENCY, SMALL_COUNT, async (i) =>
          expectStatus(await send(`${url}small/f${i}`, "PUT", payload), [200, 201, 204], "PUT small"),
        ),
      perRequest,
    );
    record("put-small", sample);
  }
  if (chosen("get-small")) {
    const sample = await timed(
      server,
      () =>
        concurrentRate(CONCURRENCY, SMALL_COUNT, async (i) => {
          const reply = await send(`${url}small/f${i}`, "GET");
          expectStatus(reply, [200], "GET small");
          if (reply.bytes !== payload.length)
            throw new Error(`${server.name}: GET small returned ${reply.bytes}`);
        }),
      perRequest,
    );
    record("get-small", sample);
  }
  if (chosen("propfind")) {
    const sample = await timed(
      server,
      () => timePropfind(server),
      (seconds) => (seconds * 1000) / 3,
    );
    record("propfind", sample);
  }
  expectStatus(await send(url, "DELETE"), [200, 204], "DELETE round");
}

const payload = Buffer.alloc(4096, 7);
const propfindBody = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';

/** Median of 3 PROPFIND Depth 1 (allprop) on the folder `many/` (made on disk at start). */
async function timePropfind(server: BenchServer): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const reply = await send(`${server.url}many/`, "PROPFIND", propfindBody, {
      Depth: "1",
      "Content-Type": "application/xml",
    });
    expectStatus(reply, [207], "PROPFIND");
    times.push(performance.now() - start);
  }
  return median(times);
}

async function start(name: string, base: string, profileDir?: string): Promise<Target> {
  const root = join(base, `${name}-root`);
  mkdirSync(root);
  if (workloads.includes("propfind")) {
    const folder = join(root, "many");
    mkdirSync(folder);
    for (let i = 0; i < FOLDER_FILES; i++) writeFileSync(join(folder, `file-${i}.txt`), `content ${i}\n`);
  }
  const nodeArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const server =
    name === "apache"
      ? await startApache(root, join(base, "apache"))
      : name === "baseline"
        ? await startNodeServer("heroagent", root, nodeArgs, values.baseline)
        : await startNodeServer(name as "heroagent" | "webdav-server", root, nodeArgs);
  const idleRss = server.rss();
  return { server, root, peakRss: idleRss, idleRss, samples: new Map() };
}

const format = (value: number) =>
  value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(3);
const span = (xs: number[]) =>
  xs.length > 1 ? `${format(Math.min(...xs))}–${format(Math.max(...xs))}` : format(xs[0] ?? Number.NaN);

function report(targets: Target[]): void {
  const ours = targets.find((t) => t.server.name === "heroagent");
  const peers = targets.filter((t) => t !== ours);
  console.log(
    `\nbig file ${values["big-mib"]} MiB; ${SMALL_COUNT} small requests with ${CONCURRENCY} concurrent clients; ` +
      `1 warm-up + ${ROUNDS} measured rounds, order alternating; median (min–max)`,
  );
  const names = targets.map((t) => t.server.name);
  const ratioNames = ours ? peers.map((p) => `× ${p.server.name}`) : [];
  console.log(`| workload | ${[...names, ...ratioNames].join(" | ")} |`);
  console.log(`| --- | ${[...names, ...ratioNames].map(() => "---:").join(" | ")} |`);
  for (const workload of workloads) {
    const { label, higherIsBetter } = LABELS[workload];
    const cells = targets.map((t) => {
      const xs = (t.samples.get(workload) ?? []).map((s) => s.value);
      return `${format(median(xs))} (${span(xs)})`;
    });
    const ratios = ours
      ? peers.map((peer) => {
          // Ratio within each round, then the median: both sides of a ratio saw the same moment.
          const a = ours.samples.get(workload) ?? [];
          const b = peer.samples.get(workload) ?? [];
          const rs = a.map((s, i) =>
            higherIsBetter ? s.value / (b[i]?.value ?? Number.NaN) : (b[i]?.value ?? Number.NaN) / s.value,
          );
          return `${median(rs).toFixed(2)}× (${rs.map((r) => r.toFixed(2)).join(", ")})`;
        })
      : [];
    console.log(`| ${label} | ${[...cells, ...ratios].join(" | ")} |`);
  }
  console.log(
    `| peak RSS during big PUT/GET (MiB) | ${targets.map((t) => format(t.peakRss / MiB)).join(" | ")} |`,
  );
  console.log(`| RSS at start (MiB) | ${targets.map((t) => format(t.idleRss / MiB)).join(" | ")} |`);
  console.log("(ratios: above 1× means HeroAgent is faster; per round in brackets)");
  console.log(
    "\nServer CPU per unit of work, median (client CPU as a share of one core during the workload)",
  );
  console.log(`| workload | ${names.join(" | ")} |`);
  console.log(`| --- | ${names.map(() => "---:").join(" | ")} |`);
  for (const workload of workloads) {
    const cells = targets.map((t) => {
      const samples = t.samples.get(workload) ?? [];
      const cpu = median(samples.map((s) => s.serverCpu));
      const client = median(samples.map((s) => s.clientCpu));
      return `${cpu.toPrecision(3)} ${LABELS[workload].cpuUnit} (client ${(client * 100).toFixed(0)} %)`;
    });
    console.log(`| ${workload} | ${cells.join(" | ")} |`);
  }
}

const base = mkdtempSync(join(tmpdir(), "heroagent-bench-webdav-"));
chmodSync(base, 0o755); // Apache's workers (www-data) must reach their root inside it
const profileDir = values.profile ? mkdtempSync(join(tmpdir(), "webdav-profile-")) : undefined;
const targets: Target[] = [];
try {
  console.log(JSON.stringify(describeMachine(base)));
  const bigFile = join(base, "source.bin");
  makeFile(bigFile, BIG_BYTES);
  for (const name of serverNames) targets.push(await start(name, base, profileDir));
  for (let index = 0; index <= ROUNDS; index++) {
    const order = index % 2 === 0 ? targets : [...targets].reverse();
    console.error(index === 0 ? "warm-up round …" : `round ${index} of ${ROUNDS} …`);
    for (const target of order) await round(target, index, bigFile, index > 0);
  }
  if (!values.profile) report(targets);
} finally {
  for (const target of targets) await target.server.stop();
  removeBundles();
  rmSync(base, { recursive: true, force: true });
}
if (profileDir) {
  const file = mainProfile(profileDir);
  if (!file) throw new Error(`no profile written in ${profileDir}`);
  console.log(`\nprofile ${file} (self time, ${workloads.join(", ")}):`);
  for (const line of topFunctions(file, 30)) console.log(`  ${line}`);
}
