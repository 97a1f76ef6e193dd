/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, the top N, as
 * "share  function  file:line".
 */
import fs from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export function topFunctions(file: string, count = 25): string[] {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url
      ? `${path.relative(process.cwd(), url.replace(/^file:\/\//, ""))}:${lineNumber + 1}`
      : "";
    const name = `${functionName || "(anonymous)"}  ${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
  }
  return [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => `${((100 * hits) / total).toFixed(1).padStart(5)} %  ${name}`);
}

/** The biggest .cpuprofile in `dir`: the main thread's (tsx's loader thread writes a small one). */
export function mainProfile(dir: string): string | undefined {
  const files = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => path.join(dir, name));
  return files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
}
