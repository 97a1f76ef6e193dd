import { describe, expect, it } from "vitest";
import { findTool } from "./tools.js";

describe("findTool", () => {
  it("finds a tool every machine has and not one that does not exist", () => {
    expect(findTool("sh")).toMatch(/\/sh$/);
    expect(findTool("no-such-tool-heroagent")).toBeUndefined();
  });
});
