import { describe, expect, it } from "vitest";
import { KeyedLock } from "../../src/jobs/keyed-lock.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("KeyedLock", () => {
  it("runs tasks of one key one at a time, in order, and other keys beside them", async () => {
    const lock = new KeyedLock<number>();
    const events: string[] = [];
    const task = (key: number, name: string) =>
      lock.run(key, async () => {
        events.push(`start ${name}`);
        await tick();
        events.push(`end ${name}`);
      });
    await Promise.all([task(1, "a"), task(1, "b"), task(2, "c")]);
    expect(events.indexOf("end a")).toBeLessThan(events.indexOf("start b"));
    expect(events.indexOf("start c")).toBeLessThan(events.indexOf("end a"));
  });

  it("does not let a failed task block the next one, and forgets idle keys", async () => {
    const lock = new KeyedLock<string>();
    const failed = lock.run("k", async () => {
      throw new Error("boom");
    });
    const next = lock.run("k", async () => "ran");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ran");
    await tick();
    expect(lock.size).toBe(0);
  });
});
