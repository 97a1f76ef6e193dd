import fs from "node:fs";
import { type CommandSpec, keysOf } from "../commands/spec.js";
import type { Keyspace } from "../keyspace/keyspace.js";
import { CommandEncoder, encodeCommand, type LoggedCommand } from "./encoding.js";
import { commandsOfKey } from "./snapshot.js";

/**
 * Write commands whose changed keys the spec's key positions do not name: they change another
 * database (MOVE, COPY … DB, SWAPDB, FLUSH*) or take their keys after a count (LMPOP …). Before one
 * of them runs, a rewrite snapshots everything left at once.
 */
const KEYS_NOT_FROM_SPEC = new Set([
  "move",
  "copy",
  "swapdb",
  "flushdb",
  "flushall",
  "lmpop",
  "blmpop",
  "zmpop",
  "bzmpop",
  "xreadgroup",
  "sort",
]);

/** Snapshot text is written to the temporary file in pieces of about this size. */
const WRITE_AT = 1024 * 1024;

/**
 * One AOF rewrite: a snapshot of the keyspace as commands, written to `tempPath` a slice at a time
 * between other work, then the commands logged meanwhile. Node cannot fork, so the snapshot is kept
 * point-in-time by copy-on-write at key level: before a write command changes keys the snapshot has
 * not reached, their current state is written first (`beforeWrite`), and the iteration then skips
 * them. Their change itself is among the commands appended at the end.
 */
export class AofRewrite {
  private readonly encoder = new CommandEncoder();
  /** Per database: keys a write command touched during the rewrite (already saved, or new). */
  private readonly touched: (Set<string> | undefined)[] = [];
  private readonly meanwhile: { commands: LoggedCommand[]; atomic: boolean }[] = [];
  private dbIndex = 0;
  private keys: Iterator<string> | undefined;
  private text = "";
  private readonly fd: number;
  /** The snapshot is complete; only the commands logged meanwhile remain to be written. */
  complete = false;

  constructor(
    private readonly keyspace: Keyspace,
    readonly tempPath: string,
  ) {
    this.fd = fs.openSync(tempPath, "w");
  }

  /** Snapshots keys for about `budgetMs`; true once every database is done. */
  step(budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs;
    let count = 0;
    while (!this.complete) {
      this.next();
      if (++count % 64 === 0 && performance.now() >= deadline) break;
    }
    this.writeText(false);
    return this.complete;
  }

  /** Snapshots everything left now. */
  completeNow(): void {
    while (!this.complete) this.next();
    this.writeText(false);
  }

  /** Before a write command: saves the keys it may change, or everything when those are unknown. */
  beforeWrite(spec: CommandSpec, dbIndex: number, argv: readonly string[]): void {
    if (this.complete) return;
    if (spec.keys[0] === 0 || KEYS_NOT_FROM_SPEC.has(spec.name) || spec.flags.includes("movablekeys")) {
      this.completeNow();
      return;
    }
    const touched = this.touchedIn(dbIndex);
    for (const key of keysOf(spec, argv)) {
      if (touched.has(key)) continue;
      touched.add(key);
      // The iteration may have written this key already: a DEL first keeps the rebuild idempotent.
      const commands = commandsOfKey(this.keyspace.db(dbIndex), key, Date.now());
      if (commands) this.append(dbIndex, [["DEL", key], ...commands]);
    }
    if (this.text.length >= WRITE_AT) this.writeText(false);
  }

  /** A unit the live AOF logged while this rewrite ran. */
  record(commands: LoggedCommand[], atomic: boolean): void {
    this.meanwhile.push({ commands, atomic });
  }

  /**
   * After the snapshot: appends what was logged meanwhile, fsyncs and closes the file. Returns the
   * file's size and the database its last SELECT left selected.
   */
  finish(): { size: number; selectedDb: number } {
    for (const { commands, atomic } of this.meanwhile) this.text += this.encoder.encode(commands, atomic);
    this.meanwhile.length = 0;
    this.writeText(true);
    fs.fsyncSync(this.fd);
    const size = fs.fstatSync(this.fd).size;
    fs.closeSync(this.fd);
    return { size, selectedDb: this.encoder.selectedDb };
  }

  /** Gives up: the temporary file is removed, the live AOF stays as it is. */
  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed by finish()
    }
    fs.rmSync(this.tempPath, { force: true });
  }

  /** Snapshots the next key of the iteration, or moves to the next database. */
  private next(): void {
    const db = this.keyspace.db(this.dbIndex);
    this.keys ??= db.data.keys();
    const step = this.keys.next();
    if (step.done) {
      this.keys = undefined;
      if (++this.dbIndex >= this.keyspace.databases.length) this.complete = true;
      return;
    }
    const key = step.value;
    if (this.touched[this.dbIndex]?.has(key)) return;
    const commands = commandsOfKey(db, key, Date.now());
    if (commands) this.append(this.dbIndex, commands);
  }

  private append(dbIndex: number, commands: string[][]): void {
    this.text += this.encoder.select(dbIndex);
    for (const argv of commands) this.text += encodeCommand(argv);
  }

  private touchedIn(dbIndex: number): Set<string> {
    let set = this.touched[dbIndex];
    if (!set) {
      set = new Set();
      this.touched[dbIndex] = set;
    }
    return set;
  }

  private writeText(force: boolean): void {
    if (this.text.length === 0 || (!force && this.text.length < WRITE_AT / 4)) return;
    fs.writeSync(this.fd, this.text, null, "latin1");
    this.text = "";
  }
}
