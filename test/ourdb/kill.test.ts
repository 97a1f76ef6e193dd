import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OurDB } from "../../src/ourdb/index.js";
import { tempDir, text } from "./helpers.js";

const WRITER = path.join(import.meta.dirname, "fixtures", "kill-writer.ts");
const ROUNDS = 20;

/** Runs the writer until a random moment, kills it with SIGKILL and returns the acknowledged writes. */
async function writeUntilKilled(dir: string, sync: string): Promise<Map<number, string>> {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, dir, sync], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const acked = new Map<number, string>();
  let buffered = "";
  let killTimer: NodeJS.Timeout | undefined;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    const lines = (buffered + chunk).split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "ready") {
        killTimer = setTimeout(() => child.kill("SIGKILL"), 20 + Math.random() * 300);
        continue;
      }
      const space = line.indexOf(" ");
      acked.set(Number(line.slice(0, space)), line.slice(space + 1));
    }
  });
  const [code, signal] = await once(child, "exit");
  clearTimeout(killTimer);
  expect({ code, signal }).toEqual({ code: null, signal: "SIGKILL" });
  return acked;
}

/** Values are "lane:seq:padding". */
const seq = (value: string) => Number(value.split(":")[1]);

describe("OurDB survives kill -9", () => {
  it.each(["always", "batch"])(
    "keeps every acknowledged write with sync %s",
    { timeout: 180_000 },
    async (sync) => {
      const dir = tempDir();
      const acked = new Map<number, string>();
      let writes = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const thisRound = await writeUntilKilled(dir, sync);
        writes += thisRound.size;
        for (const [id, value] of thisRound) acked.set(id, value);
        const db = await OurDB.open({ path: dir });
        for (const [id, value] of acked) {
          const history = (await db.getHistory(id)).map(text);
          const at = history.indexOf(value);
          if (at < 0) expect(history, `round ${round}, id ${id}`).toContain(value);
          // Writes newer than the last acknowledgement may have landed too, before the kill cut the reply.
          for (const newer of history.slice(0, at))
            expect(seq(newer), `round ${round}, id ${id}`).toBeGreaterThan(seq(value));
        }
        await db.close();
      }
      expect(writes, "acknowledged writes seen").toBeGreaterThan(ROUNDS);
    },
  );
});
