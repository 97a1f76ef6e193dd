import type { Database } from "../keyspace/database.js";
import type { Collection } from "../keyspace/values.js";

/** A value whose type cannot describe itself as commands yet (Collection.toCommands is missing). */
export class NotRewritableError extends Error {
  override readonly name = "NotRewritableError";
  constructor(readonly type: string) {
    super(`the ${type} type cannot be written as commands yet (Collection.toCommands is missing)`);
  }
}

/**
 * The commands that rebuild `key` of `db` as it is now, its TTL included, or undefined when the key
 * is missing or already expired (its DEL is, or will be, logged by expiry). Nothing is changed.
 */
export function commandsOfKey(db: Database, key: string, now: number): string[][] | undefined {
  const value = db.data.get(key);
  if (value === undefined || db.isExpired(key, now)) return undefined;
  const commands = typeof value === "string" ? [["SET", key, value]] : commandsOfCollection(key, value);
  const at = db.expiresAt(key);
  if (at !== undefined) commands.push(["PEXPIREAT", key, String(at)]);
  return commands;
}

function commandsOfCollection(key: string, value: Collection): string[][] {
  if (!value.toCommands) throw new NotRewritableError(value.type);
  return value.toCommands(key);
}
