/**
 * Runs redis-benchmark (Debian's redis-tools) for one test against one server and reads its --csv
 * output. redis-benchmark 7 exits on the first error reply, so each test runs on its own and a test
 * whose command the server refuses is reported as missing (n/a), not as a fast row.
 */
import { spawn } from "node:child_process";
import net from "node:net";

/** The -t names, the command each one sends (checked before the run) and the CSV rows they print. */
export const TESTS: Record<string, { check: string[]; rows: string[] }> = {
  ping: { check: ["PING"], rows: ["PING_INLINE", "PING_MBULK"] },
  set: { check: ["SET", "key:__rand_int__", "xxx"], rows: ["SET"] },
  get: { check: ["GET", "key:__rand_int__"], rows: ["GET"] },
  incr: { check: ["INCR", "counter:__rand_int__"], rows: ["INCR"] },
  lpush: { check: ["LPUSH", "mylist", "xxx"], rows: ["LPUSH"] },
  rpop: { check: ["RPOP", "mylist"], rows: ["RPOP"] },
  hset: { check: ["HSET", "myhash", "element:__rand_int__", "xxx"], rows: ["HSET"] },
  lrange_100: { check: ["LRANGE", "mylist", "0", "99"], rows: ["LRANGE_100 (first 100 elements)"] },
};

/** Sends one command on a fresh connection and returns the first line of the reply. */
export function command(port: number, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply to ${argv[0]}`));
    }, 10_000);
    socket.on("connect", () => {
      socket.write(`*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`);
    });
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const end = text.indexOf("\r\n");
      if (end < 0) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(text.slice(0, end));
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Whether the server accepts the command `test` sends (an unknown command is an error reply). */
export async function supports(port: number, test: string): Promise<boolean> {
  const reply = await command(port, (TESTS[test] as { check: string[] }).check);
  return !reply.startsWith("-");
}

export interface BenchmarkOptions {
  requests: number;
  clients: number;
  pipeline: number;
  /** A run taking longer is killed and reported as failed. */
  timeoutMs: number;
}

/** Requests per second of each CSV row of one `redis-benchmark -t <test>` run; {} when it failed. */
export function runBenchmark(
  port: number,
  test: string,
  options: BenchmarkOptions,
): Promise<Map<string, number>> {
  const args = ["-h", "127.0.0.1", "-p", String(port), "-t", test, "--csv"];
  args.push("-c", String(options.clients), "-n", String(options.requests), "-P", String(options.pipeline));
  return new Promise((resolve) => {
    const child = spawn("redis-benchmark", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", () => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? parseCsv(out) : new Map());
    });
  });
}

/** `"SET","123456.78",…` rows → test name → requests per second. */
export function parseCsv(text: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of text.split("\n")) {
    const cells = line.split('","').map((cell) => cell.replace(/^"|"$/g, ""));
    const rps = Number(cells[1]);
    if (cells[0] && cells[0] !== "test" && Number.isFinite(rps)) rows.set(cells[0], rps);
  }
  return rows;
}
