import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** The filesystem type (and device) that holds `dir`, from /proc/mounts; "unknown" elsewhere. */
export function filesystemOf(dir: string): string {
  try {
    const real = fs.realpathSync(dir);
    let best: { mount: string; type: string; device: string } | undefined;
    for (const line of fs.readFileSync("/proc/mounts", "utf8").split("\n")) {
      const [device, mount, type] = line.split(" ");
      if (!device || !mount || !type) continue;
      const m = mount.replace(/\\040/g, " ");
      const inside = real === m || real.startsWith(m.endsWith(path.sep) ? m : m + path.sep);
      if (inside && (!best || m.length >= best.mount.length)) best = { mount: m, type, device };
    }
    return best ? `${best.type} (${best.device} on ${best.mount})` : "unknown";
  } catch {
    return "unknown";
  }
}

export function describeMachine(tmpDir: string): Record<string, string> {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model.trim() ?? "unknown"} × ${os.availableParallelism()} cores`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    tmpdir: `${tmpDir} — ${filesystemOf(tmpDir)}`,
  };
}
