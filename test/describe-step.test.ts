import { describe, expect, it } from "vitest";
import { describeStep, STEP_VIEW_LENGTH } from "../src/run/describe-step.js";

describe("a step as one line", () => {
  it("names the tool and shows its arguments, then its result", () => {
    expect(describeStep({ kind: "tool_call", id: "c1", name: "get_weather", args: { city: "Paris" } })).toBe('Calling get_weather with {"city":"Paris"}');
    expect(describeStep({ kind: "tool_result", id: "c1", name: "get_weather", output: "18°C and sunny", failed: false })).toBe(
      "get_weather returned: 18°C and sunny",
    );
  });

  it("leaves out empty arguments and says when a tool failed", () => {
    expect(describeStep({ kind: "tool_call", id: "c1", name: "now", args: {} })).toBe("Calling now");
    expect(describeStep({ kind: "tool_result", id: "c1", name: "now", output: "clock broke", failed: true })).toBe("now failed: clock broke");
    expect(describeStep({ kind: "tool_result", id: "c1", name: "reset", output: "", failed: false })).toBe("reset returned nothing");
  });

  it("keeps a long result to one short line", () => {
    const line = describeStep({ kind: "tool_result", id: "c1", name: "search", output: "word\n".repeat(500), failed: false });
    expect(line.split("\n")).toHaveLength(1);
    expect(line.length).toBeLessThanOrEqual("search returned: ".length + STEP_VIEW_LENGTH);
    expect(line.endsWith("…")).toBe(true);
  });

  it("shows node names and a graph's own progress", () => {
    expect(describeStep({ kind: "node", name: "retrieve" })).toBe("Step: retrieve");
    expect(describeStep({ kind: "node", name: "retrieve \t" })).toBe("Step: retrieve");
    expect(describeStep({ kind: "progress", text: "Found 3 documents" })).toBe("Found 3 documents");
  });
});
