import { describe, expect, it } from "vitest";
import { tapEvents } from "../src/run/tap-events.js";

async function* numbers() {
  yield 1;
  yield 2;
}

describe("tapEvents", () => {
  it("notes each item and the end of a source read to its end", async () => {
    const heard: unknown[] = [];
    const tapped = tapEvents(numbers(), { item: (item) => heard.push(item), end: () => heard.push("end") });
    for await (const item of tapped) expect(typeof item).toBe("number");
    expect(heard).toEqual([1, 2, "end"]);
  });

  it("hears no end from a reader that stopped early and reads on", async () => {
    const heard: unknown[] = [];
    const tapped = tapEvents(numbers(), { item: (item) => heard.push(item), end: () => heard.push("end") });
    expect(await tapped.next()).toEqual({ done: false, value: 1 });
    expect(await tapped.return!()).toEqual({ done: true, value: undefined });
    expect(await tapped.next()).toEqual({ done: true, value: undefined });
    expect(heard).toEqual([1]);
  });
});
