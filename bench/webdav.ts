/**
 * WebDAV benchmark: HeroAgent's server against Apache httpd + mod_dav (started here on loopback)
 * and npm webdav-server v2, each in its own process over its own directory on the same disk.
 * Workloads: GET and PUT of a 1 GiB file, 1000 × 4 KiB PUT then GET, PROPFIND Depth 1 on a folder
 * of 10,000 files. Prints each figure, the server's peak RSS and the ratios to the peers.
 * Usage: npm run bench:webdav [-- --big-mib 1024 --small 1000 --files 10000]
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
import { expectStatus, putFile, send, withPeakRss } from "./webdav/client.js";
import { type BenchServer, startApache, startNodeServer } from "./webdav/servers.js";

const { values } = parseArgs({
  options: {
    "big-mib": { type: "string", default: "1024" },
    small: { type: "string", default: "1000" },
    files: { type: "string", default: "10000" },
  },
});
const BIG_BYTES = Number(values["big-mib"]) * 2 ** 20;
const SMALL_COUNT = Number(values.small);
const FOLDER_FILES = Number(values.files);
const CONCURRENCY = 4;
const MiB = 2 ** 20;

interface Figures {
  putMiBs: number;
  getMiBs: number;
  bigPeakRssMiB: number;
  smallPutPerSec: number;
  smallGetPerSec: number;
  propfindMs: number;
  idleRssMiB: number;
}

function makeBigFile(file: string): void {
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  const fd = openSync(file, "w");
  for (let written = 0; written < BIG_BYTES; written += MiB)
    writeSync(fd, chunk, 0, Math.min(MiB, BIG_BYTES - written));
  closeSync(fd);
}

async function measure(server: BenchServer, root: string, bigFile: string): Promise<Figures> {
  const idleRssMiB = server.rss() / MiB;
  const put = await withPeakRss(server.rss, async () => {
    const start = performance.now();
    expectStatus(await putFile(`${server.url}big.bin`, bigFile, BIG_BYTES), [200, 201, 204], "PUT big");
    return BIG_BYTES / MiB / ((performance.now() - start) / 1000);
  });
  const get = await withPeakRss(server.rss, async () => {
    const start = performance.now();
    const reply = await send(`${server.url}big.bin`, "GET");
    if (reply.bytes !== BIG_BYTES) throw new Error(`${server.name}: GET big returned ${reply.bytes} bytes`);
    return BIG_BYTES / MiB / ((performance.now() - start) / 1000);
  });
  expectStatus(await send(`${server.url}small/`, "MKCOL"), [201], "MKCOL small");
  const payload = Buffer.alloc(4096, 7);
  const smallPutPerSec = await concurrentRate(CONCURRENCY, SMALL_COUNT, async (i) =>
    expectStatus(await send(`${server.url}small/f${i}`, "PUT", payload), [200, 201, 204], "PUT small"),
  );
  const smallGetPerSec = await concurrentRate(CONCURRENCY, SMALL_COUNT, async (i) =>
    expectStatus(await send(`${server.url}small/f${i}`, "GET"), [200], "GET small"),
  );
  const propfindMs = await timePropfind(server, root);
  return {
    putMiBs: put.result,
    getMiBs: get.result,
    bigPeakRssMiB: Math.max(put.peak, get.peak) / MiB,
    smallPutPerSec,
    smallGetPerSec,
    propfindMs,
    idleRssMiB,
  };
}

/** Median of 3 PROPFIND Depth 1 (allprop) on a folder of FOLDER_FILES files made on disk. */
async function timePropfind(server: BenchServer, root: string): Promise<number> {
  const folder = join(root, "many");
  mkdirSync(folder);
  for (let i = 0; i < FOLDER_FILES; i++) writeFileSync(join(folder, `file-${i}.txt`), `content ${i}\n`);
  const body = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const reply = await send(`${server.url}many/`, "PROPFIND", body, {
      Depth: "1",
      "Content-Type": "application/xml",
    });
    expectStatus(reply, [207], "PROPFIND");
    times.push(performance.now() - start);
  }
  return median(times);
}

async function runOne(name: string, base: string, bigFile: string): Promise<Figures> {
  const root = join(base, `${name}-root`);
  mkdirSync(root);
  const server =
    name === "apache"
      ? await startApache(root, join(base, "apache"))
      : await startNodeServer(name as "heroagent", root);
  try {
    console.error(`measuring ${name} …`);
    return await measure(server, root, bigFile);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

const format = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

function report(results: Record<string, Figures>): void {
  const ours = results.heroagent as Figures;
  const rows: Array<[string, keyof Figures, boolean]> = [
    ["PUT 1 file (MiB/s)", "putMiBs", true],
    ["GET 1 file (MiB/s)", "getMiBs", true],
    [`PUT ${SMALL_COUNT} × 4 KiB (req/s)`, "smallPutPerSec", true],
    [`GET ${SMALL_COUNT} × 4 KiB (req/s)`, "smallGetPerSec", true],
    [`PROPFIND Depth 1, ${FOLDER_FILES} files (ms)`, "propfindMs", false],
    ["peak RSS during big PUT/GET (MiB)", "bigPeakRssMiB", false],
    ["RSS at start (MiB)", "idleRssMiB", false],
  ];
  console.log(`big file: ${BIG_BYTES / MiB} MiB; small requests with ${CONCURRENCY} concurrent clients`);
  console.log("| workload | heroagent | apache | webdav-server | × apache | × webdav-server |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const [label, key, higherIsBetter] of rows) {
    const ratio = (peer: Figures | undefined) => {
      if (!peer) return "—";
      const value = higherIsBetter ? ours[key] / peer[key] : peer[key] / ours[key];
      return `${value.toFixed(2)}×`;
    };
    const cells = ["heroagent", "apache", "webdav-server"].map((name) => {
      const figures = results[name];
      return figures ? format(figures[key]) : "—";
    });
    console.log(
      `| ${label} | ${cells.join(" | ")} | ${ratio(results.apache)} | ${ratio(results["webdav-server"])} |`,
    );
  }
  console.log("(ratios: above 1× means HeroAgent is faster, or uses less memory)");
}

const base = mkdtempSync(join(tmpdir(), "heroagent-bench-webdav-"));
chmodSync(base, 0o755); // Apache's workers (www-data) must reach their root inside it
try {
  console.log(JSON.stringify(describeMachine(base)));
  const bigFile = join(base, "source.bin");
  makeBigFile(bigFile);
  const results: Record<string, Figures> = {};
  for (const name of ["heroagent", "apache", "webdav-server"]) {
    try {
      results[name] = await runOne(name, base, bigFile);
    } catch (error) {
      console.error(`${name}: ${(error as Error).message}`);
    }
  }
  report(results);
} finally {
  rmSync(base, { recursive: true, force: true });
}
