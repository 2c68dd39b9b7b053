import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../src/run/events.js";
import { cutAtStopSequences, MAX_STOP_SEQUENCE_LENGTH, MAX_STOP_SEQUENCES } from "../src/run/stop-sequences.js";

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

/** What the cut must yield, by brute force: the text split as it arrived, up to the first stop, holding back what could begin one. */
function expectedCut(parts: string[], stop: string[]): RunEvent[] {
  const sequences = stop.filter((sequence) => sequence !== "");
  if (sequences.length === 0) return texts(...parts);
  const out: RunEvent[] = [];
  let held = "";
  for (const part of parts) {
    const text = held + part;
    const starts = sequences.map((sequence) => text.indexOf(sequence)).filter((index) => index >= 0);
    if (starts.length > 0) {
      const first = Math.min(...starts);
      if (first > 0) out.push({ type: "text", text: text.slice(0, first) });
      return out;
    }
    let keep = 0;
    for (const sequence of sequences) {
      for (let length = 1; length < sequence.length && length <= text.length; length++) {
        if (text.endsWith(sequence.slice(0, length))) keep = Math.max(keep, length);
      }
    }
    held = text.slice(text.length - keep);
    if (keep < text.length) out.push({ type: "text", text: text.slice(0, text.length - keep) });
  }
  if (held) out.push({ type: "text", text: held });
  return out;
}

describe("stop sequences against long and repetitive text", () => {
  it("starts afresh after what released the held text", async () => {
    const calls: RunEvent = { type: "tool_calls", toolCalls: [{ id: "c", name: "f", args: {} }] };
    expect(await cut([...texts("ab S"), calls, ...texts("TOP"), usage], ["STOP"])).toEqual([...texts("ab ", "S"), calls, ...texts("TOP"), usage]);
  });

  it("cuts every stream where brute force does", async () => {
    const small = fc.string({ unit: fc.constantFrom("a", "b", "c"), maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(fc.array(small, { maxLength: 8 }), fc.array(fc.string({ unit: fc.constantFrom("a", "b"), maxLength: 5 }), { minLength: 1, maxLength: MAX_STOP_SEQUENCES }), async (parts, stop) => {
        expect(await cut(texts(...parts), stop)).toEqual(expectedCut(parts, stop));
      }),
      { numRuns: 500 },
    );
  });

  it("reads each text once: four long sequences that almost match, against a long answer in small pieces, in milliseconds", async () => {
    // Longer than a request may send, to show the cost does not grow with them: each sequence
    // matches the answer's end for half its length, and never wholly.
    const length = 20 * MAX_STOP_SEQUENCE_LENGTH;
    const almost = "a".repeat(length / 2) + "b".repeat(length / 2);
    const stop = [almost, `${almost.slice(1)}c`, `${almost.slice(2)}d`, `${almost.slice(3)}e`];
    const parts = Array.from({ length: 1_000 }, () => "a".repeat(40));
    const started = performance.now();
    const out = await cut(texts(...parts), stop);
    expect(performance.now() - started).toBeLessThan(250);
    expect(textOf(out)).toBe(parts.join(""));
  });
});
