/**
 * While writing sequences: prints what redis-server answers to each sequence of a file, and the
 * lines where the embedded server answers otherwise.
 *
 *   npx tsx test/redis/differential/show.ts <file, e.g. strings> [name filter] [--diff-only]
 */
import { startEmbedded, startRedisServer, transcript } from "./runner.js";
import type { Sequence } from "./sequence.js";

const [file, filter = ""] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const diffOnly = process.argv.includes("--diff-only");
if (!file) throw new Error("usage: show.ts <sequence file> [name filter] [--diff-only]");

const { sequences } = (await import(`./sequences/${file}.ts`)) as { sequences: Sequence[] };
const [embedded, real] = await Promise.all([startEmbedded(), startRedisServer()]);
let differing = 0;
try {
  for (const sequence of sequences.filter((s) => s.name.includes(filter))) {
    const [expected, actual] = await Promise.all([
      transcript(real.port, sequence),
      transcript(embedded.server.port, sequence),
    ]);
    const same = expected.length === actual.length && expected.every((line, i) => line === actual[i]);
    if (!same) differing++;
    if (diffOnly && same) continue;
    console.log(`\n== ${sequence.name}${same ? "" : "   <<< DIFFERS"}`);
    for (const [i, line] of expected.entries()) {
      console.log(`  ${line}`);
      if (actual[i] !== line) console.log(`! ${actual[i] ?? "(missing)"}`);
    }
    for (const line of actual.slice(expected.length)) console.log(`! ${line}`);
    if (embedded.internalErrors.length > 0)
      console.log("internal errors:", embedded.internalErrors.splice(0));
  }
} finally {
  real.stop();
  await embedded.server.stop();
}
console.log(`\n${differing} sequence(s) differ`);
