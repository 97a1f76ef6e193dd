import { describe, expect, it } from "vitest";
import { Database, type DatabaseEvents } from "../../src/redis/keyspace/database.js";

function recordingEvents() {
  const seen: string[] = [];
  const events: DatabaseEvents = {
    modified: (_db, key) => seen.push(`modified ${key}`),
    expired: (_db, key) => seen.push(`expired ${key}`),
    ready: (_db, key) => seen.push(`ready ${key}`),
    emptying: () => seen.push("emptying"),
  };
  return { events, seen };
}

describe("Database.set", () => {
  it("expires a key past its TTL before a write that keeps the TTL, so the old TTL never carries over", () => {
    const { events, seen } = recordingEvents();
    const db = new Database(0, events);
    db.set("k", "old");
    db.setExpiry("k", Date.now() - 1);
    seen.length = 0;
    db.set("k", "new", true);
    expect(db.get("k")).toBe("new");
    expect(db.expiresAt("k")).toBeUndefined();
    expect(seen).toEqual(["expired k", "modified k"]);
  });

  it("keeps a live TTL when asked, and drops it otherwise", () => {
    const db = new Database(0, recordingEvents().events);
    const at = Date.now() + 60_000;
    db.set("k", "v");
    db.setExpiry("k", at);
    db.set("k", "w", true);
    expect(db.expiresAt("k")).toBe(at);
    db.set("k", "x");
    expect(db.expiresAt("k")).toBeUndefined();
  });
});
