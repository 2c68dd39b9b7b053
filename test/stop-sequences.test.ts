import { describe, expect, it } from "vitest";
import type { RunEvent } from "../src/run/events.js";
import { cutAtStopSequences } from "../src/run/stop-sequences.js";

const usage: RunEvent = { type: "usage", usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } };
const texts = (...parts: string[]): RunEvent[] => parts.map((text) => ({ type: "text", text }));

async function cut(events: RunEvent[], stop: string[] | undefined): Promise<RunEvent[]> {
  async function* play() {
    yield* events;
  }
  const out: RunEvent[] = [];
  for await (const event of cutAtStopSequences(play(), stop)) out.push(event);
  return out;
}

const textOf = (events: RunEvent[]) => events.flatMap((event) => (event.type === "text" ? [event.text] : [])).join("");

describe("stop sequences kept by the server", () => {
  it("passes the events through untouched without stop sequences", async () => {
    const events = [...texts("a", "b"), usage];
    expect(await cut(events, undefined)).toEqual(events);
    expect(await cut(events, [""])).toEqual(events);
  });

  it("ends the text before the first stop sequence, even one split over several events", async () => {
    const events = [...texts("The answer is 4", "2.\nEN", "D of it. More"), usage];
    expect(textOf(await cut(events, ["END"]))).toBe("The answer is 42.\n");
    expect(textOf(await cut(events, ["of", "42"]))).toBe("The answer is ");
  });

  it("holds back only what could start a stop sequence, so the rest streams at once", async () => {
    const out = await cut([...texts("Hello wor", "ld, E", "ND? no: ENOUGH"), usage], ["END"]);
    expect(out.slice(0, 2)).toEqual(texts("Hello wor", "ld, "));
    expect(textOf(out)).toBe("Hello world, ");
  });

  it("sends text it held back when the answer ends without the sequence", async () => {
    expect(await cut([...texts("almost EN"), usage], ["END"])).toEqual([...texts("almost ", "EN"), usage]);
  });

  it("drops what a stopped model would not have made, and keeps the usage and a pending interrupt", async () => {
    const interrupt: RunEvent = { type: "interrupt", interrupts: [{ id: "i", value: "Sure?" }] };
    const out = await cut(
      [
        ...texts("Done. STOP here"),
        { type: "step", step: { kind: "progress", text: "more work" } },
        { type: "tool_calls", toolCalls: [{ id: "c", name: "f", args: {} }] },
        { type: "truncated" },
        interrupt,
        usage,
      ],
      ["STOP"],
    );
    expect(out).toEqual([...texts("Done. "), interrupt, usage]);
  });

  it("lets reasoning and steps through while it holds text, and releases it before a tool call", async () => {
    const reasoning: RunEvent = { type: "reasoning", text: "thinking" };
    const calls: RunEvent = { type: "tool_calls", toolCalls: [{ id: "c", name: "f", args: {} }] };
    expect(await cut([...texts("ab S"), reasoning, calls, usage], ["STOP"])).toEqual([...texts("ab "), reasoning, ...texts("S"), calls, usage]);
  });
});
