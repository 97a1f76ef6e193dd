/** Starts the three servers of the WebDAV benchmark on loopback and reports their memory. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchServer {
  name: string;
  /** Base URL ending in "/". */
  url: string;
  /** Resident memory of the server's processes, in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

const serveScript = fileURLToPath(new URL("./serve.ts", import.meta.url));
const MODULES = "/usr/lib/apache2/modules";

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** `pid` and all its descendants (Apache serves from child processes). */
function processTree(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
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

/** A Node server (ours or webdav-server) in its own process. */
export async function startNodeServer(
  kind: "heroagent" | "webdav-server",
  root: string,
): Promise<BenchServer> {
  const child = spawn(process.execPath, ["--import", "tsx", serveScript, kind, root], {
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
    name: kind,
    url: `http://127.0.0.1:${port}/`,
    rss: () => rssOf(child.pid as number),
    stop: () => stopChild(child),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Apache httpd with mod_dav and mod_dav_fs (Debian "apache2"), configured for this run only. */
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
  return {
    name: "apache",
    url: `http://127.0.0.1:${port}/`,
    rss: () => processTree(child.pid as number).reduce((sum, pid) => sum + rssOf(pid), 0),
    stop: () => stopChild(child),
  };
}
