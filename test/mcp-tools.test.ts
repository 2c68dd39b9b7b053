import { describe, expect, it } from "vitest";
import { CallsInFlight } from "../src/protocols/mcp/calls-in-flight.js";
import { toolNames } from "../src/protocols/mcp/tool-names.js";

describe("MCP tool names", () => {
  it("keeps ids that fit, and fits the rest to letters, digits, _ and -", () => {
    const { toolOf } = toolNames(["agent", "team/greeter", "v1.2:chat", "日本"]);
    expect([...toolOf.values()]).toEqual(["agent", "team_greeter", "v1_2_chat", "__"]);
  });

  it("gives ids that fit to one name _2, _3 in order, each name leading back to its model", () => {
    const { toolOf, modelOf } = toolNames(["a/b", "a_b", "a.b"]);
    expect([...toolOf.values()]).toEqual(["a_b", "a_b_2", "a_b_3"]);
    expect([...modelOf.entries()]).toEqual([
      ["a_b", "a/b"],
      ["a_b_2", "a_b"],
      ["a_b_3", "a.b"],
    ]);
  });

  it("cuts a long id to 64 characters, its suffix included", () => {
    const long = "x".repeat(80);
    const { toolOf } = toolNames([long, `${long}y`]);
    expect(toolOf.get(long)).toBe("x".repeat(64));
    expect(toolOf.get(`${long}y`)).toBe(`${"x".repeat(62)}_2`);
  });
});

describe("calls in flight", () => {
  it("cancels the one call of an owner with that request id, and not another owner's", () => {
    const calls = new CallsInFlight();
    const mine = new AbortController();
    const theirs = new AbortController();
    calls.add("t=acme", 3, mine);
    calls.add("t=other", 3, theirs);
    expect(calls.cancel("t=acme", 3)).toBe(true);
    expect(mine.signal.aborted).toBe(true);
    expect(theirs.signal.aborted).toBe(false);
  });

  it("cancels neither of two calls one id could mean, and nothing once a call is forgotten", () => {
    const calls = new CallsInFlight();
    const first = new AbortController();
    const second = new AbortController();
    const forgetFirst = calls.add(undefined, "7", first);
    const forgetSecond = calls.add(undefined, "7", second);
    expect(calls.cancel(undefined, "7")).toBe(false);
    expect(first.signal.aborted || second.signal.aborted).toBe(false);
    forgetFirst();
    forgetSecond();
    expect(calls.cancel(undefined, "7")).toBe(false);
  });
});
