/** Starts the three servers of the WebDAV benchmark on loopback and reports their memory and CPU. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../support/ports.js";

export interface BenchServer {
  name: string;
  /** Base URL ending in "/". */
  url: string;
  /** Resident memory of the server's processes, in bytes. */
  rss(): number;
  /** CPU time (user + system) used so far by the server's processes, in seconds. */
  cpu(): number;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const MODULES = "/usr/lib/apache2/modules";
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Fields of /proc/<pid>/stat after the command name (index 0 is the state). */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined; // the process ended meanwhile
  }
}

/** utime + stime of `pid` and of its children that have been waited for, in seconds. */
function cpuOf(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return ((utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0)) / TICKS;
}

/** `pid` and all its descendants (Apache serves from child processes). */
function processTree(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    if (Number(statFields(entry)?.[1]) === pid) children.push(Number(entry));
  }
  return [pid, ...children.flatMap(processTree)];
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

const bundles = new Map<string, string>();

/**
 * serve.ts and src/webdav bundled into one plain .mjs with esbuild, so our server runs as deployed
 * code does (compiled JavaScript: no TypeScript loader thread, no `__name` wrappers on closures).
 * `entry` is this serve.ts, or the one of another checkout (--baseline).
 */
async function bundle(entry: string): Promise<string> {
  const done = bundles.get(entry);
  if (done) return done;
  const esbuild = await import("esbuild");
  const outfile = join(mkdtempSync(join(tmpdir(), "webdav-bench-")), "serve.mjs");
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "warning",
    // bcryptjs and other CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  bundles.set(entry, outfile);
  return outfile;
}

/** Removes the bundles' temp folders. */
export function removeBundles(): void {
  for (const file of bundles.values()) rmSync(dirname(file), { recursive: true, force: true });
  bundles.clear();
}

/**
 * A Node server (ours or webdav-server) in its own process; `nodeArgs` e.g. ["--cpu-prof"];
 * `checkout`: run our server from another checkout of the project (its bench/webdav/serve.ts).
 */
export async function startNodeServer(
  kind: "heroagent" | "webdav-server",
  root: string,
  nodeArgs: string[] = [],
  checkout?: string,
): Promise<BenchServer> {
  const modules = join(here, "..", "..", "node_modules");
  const entry = checkout ? join(checkout, "bench", "webdav", "serve.ts") : join(here, "serve.ts");
  const child = spawn(process.execPath, [...nodeArgs, await bundle(entry), kind, root, modules], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += String(chunk);
      const line = output.split("\n").find((text) => text.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  return {
    name: checkout ? "baseline" : kind,
    url: `http://127.0.0.1:${port}/`,
    rss: () => rssOf(child.pid as number),
    cpu: () => cpuOf(child.pid as number),
    stop: () => stopChild(child),
  };
}

/**
 * Apache httpd with mod_dav and mod_dav_fs (Debian "apache2"), configured for this run only:
 * keep-alive without a request limit (as the Node servers), no access log (the Node servers log
 * nothing per request either), the error log at its default level.
 */
export async function startApache(root: string, workDir: string): Promise<BenchServer> {
  const port = await freePort();
  mkdirSync(workDir, { recursive: true });
  const config = [
    `ServerRoot ${workDir}`,
    `Listen 127.0.0.1:${port}`,
    `PidFile ${join(workDir, "httpd.pid")}`,
    `ErrorLog ${join(workDir, "error.log")}`,
    "ServerName 127.0.0.1",
    `LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so`,
    `LoadModule authz_core_module ${MODULES}/mod_authz_core.so`,
    `LoadModule dav_module ${MODULES}/mod_dav.so`,
    `LoadModule dav_fs_module ${MODULES}/mod_dav_fs.so`,
    "User www-data",
    "Group www-data",
    "KeepAlive On",
    "MaxKeepAliveRequests 0",
    "KeepAliveTimeout 30",
    "LimitRequestBody 0",
    `DavLockDB ${join(workDir, "davlock")}`,
    `DocumentRoot ${root}`,
    `<Directory ${root}>`,
    "  Dav On",
    "  Require all granted",
    "</Directory>",
  ].join("\n");
  writeFileSync(join(workDir, "httpd.conf"), `${config}\n`);
  const uid = Number(execFileSync("id", ["-u", "www-data"], { encoding: "utf8" }));
  const gid = Number(execFileSync("id", ["-g", "www-data"], { encoding: "utf8" }));
  chownSync(root, uid, gid);
  chownSync(workDir, uid, gid);
  const child = spawn("apache2", ["-f", join(workDir, "httpd.conf"), "-DFOREGROUND"], { stdio: "inherit" });
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await fetch(`http://127.0.0.1:${port}/`, { method: "OPTIONS" }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const tree = () => processTree(child.pid as number);
  return {
    name: "apache",
    url: `http://127.0.0.1:${port}/`,
    rss: () => tree().reduce((sum, pid) => sum + rssOf(pid), 0),
    // Workers that exited and were reaped count in the parent's cutime/cstime.
    cpu: () => tree().reduce((sum, pid) => sum + cpuOf(pid), 0),
    stop: () => stopChild(child),
  };
}
