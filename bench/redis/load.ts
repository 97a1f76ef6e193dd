/**
 * The memory row: N small keys (`key:00000001` → `value:00000001`) loaded into a server with
 * `redis-cli --pipe`, in MSET commands of 100 pairs, then the server's RSS.
 */
import { spawn } from "node:child_process";

const PER_COMMAND = 100;

function msetCommands(keys: number): Buffer {
  const parts: string[] = [];
  for (let start = 0; start < keys; start += PER_COMMAND) {
    const end = Math.min(keys, start + PER_COMMAND);
    let text = `*${1 + 2 * (end - start)}\r\n$4\r\nMSET\r\n`;
    for (let i = start; i < end; i++) {
      const id = String(i).padStart(8, "0");
      text += `$12\r\nkey:${id}\r\n$14\r\nvalue:${id}\r\n`;
    }
    parts.push(text);
  }
  return Buffer.from(parts.join(""), "latin1");
}

/** Loads `keys` keys into the server on `port`; resolves with redis-cli's summary line. */
export function loadKeys(port: number, keys: number): Promise<string> {
  const data = msetCommands(keys);
  return new Promise((resolve, reject) => {
    const child = spawn("redis-cli", ["-p", String(port), "--pipe"], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const summary = /errors: \d+, replies: \d+/.exec(out)?.[0] ?? out.trim();
      if (code !== 0 || !summary.startsWith("errors: 0")) reject(new Error(`redis-cli --pipe: ${summary}`));
      else resolve(summary);
    });
    child.stdin.end(data);
  });
}
