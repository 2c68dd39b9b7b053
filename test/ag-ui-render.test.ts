/**
 * Run events -> AG-UI events, as a pure function of a list of events: each rendered event
 * is one `@ag-ui/core`'s schema accepts, and each run's sequence passes `@ag-ui/client`'s
 * own check of the order (`verifyEvents`, which HttpAgent applies).
 */
import { verifyEvents } from "@ag-ui/client";
import type { BaseEvent } from "@ag-ui/core";
import { EventSchema } from "@ag-ui/core/schemas";
import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { firstValueFrom, from, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { stateSnapshot, toAgUiEvents } from "../src/protocols/ag-ui/render.js";
import type { RunEvent } from "../src/run/events.js";
import { collect } from "./helpers.js";

const usage = { input_tokens: 5, output_tokens: 3, total_tokens: 8 };
const options = { threadId: "t1", runId: "r1", model: "graph", listPendingToolCalls: true };

async function* play(events: RunEvent[]): AsyncGenerator<RunEvent> {
  yield* events;
}

async function render(events: RunEvent[], listPendingToolCalls = true): Promise<BaseEvent[]> {
  const rendered = (await collect(toAgUiEvents(play(events), { ...options, listPendingToolCalls }))) as BaseEvent[];
  for (const event of rendered) expect(EventSchema.safeParse(event).error).toBeUndefined();
  // The client's own check: it throws on an event out of order.
  await firstValueFrom(from(rendered).pipe(verifyEvents(false), toArray()));
  return rendered;
}

const types = (events: BaseEvent[]) => events.map((event) => event.type);

const canonical: [string, RunEvent[]][] = [
  ["text", [{ type: "text", text: "Hel", messageId: "m1" }, { type: "text", text: "lo", messageId: "m1" }, { type: "usage", usage }]],
  [
    "reasoning, then text",
    [
      { type: "reasoning", text: "Thinking.", messageId: "m1" },
      { type: "text", text: "Done.", messageId: "m1" },
      { type: "usage", usage },
    ],
  ],
  [
    "tool steps inside nodes",
    [
      { type: "step", step: { kind: "node", name: "agent" } },
      { type: "text", text: "Let me look. ", messageId: "m1" },
      { type: "node_finished", name: "agent" },
      { type: "step", step: { kind: "node", name: "tools" } },
      { type: "step", step: { kind: "tool_call", id: "call_1", name: "get_weather", args: { city: "Paris" } } },
      { type: "step", step: { kind: "tool_result", id: "call_1", name: "get_weather", output: "sunny", failed: false, messageId: "tm1" } },
      { type: "step", step: { kind: "progress", text: "Checked the sky" } },
      { type: "node_finished", name: "tools" },
      { type: "step", step: { kind: "node", name: "agent" } },
      { type: "text", text: "\n\n" },
      { type: "text", text: "It is sunny.", messageId: "m2" },
      { type: "node_finished", name: "agent" },
      { type: "usage", usage },
    ],
  ],
  [
    "client tool calls",
    [
      { type: "text", text: "I will ask.", messageId: "m1" },
      { type: "tool_calls", toolCalls: [{ id: "call_9", name: "lookup", args: { q: "x" }, type: "tool_call" }], messageId: "m1" },
      { type: "usage", usage },
    ],
  ],
  [
    "an interrupt",
    [
      { type: "step", step: { kind: "node", name: "approve" } },
      { type: "text", text: "Draft.", messageId: "m1" },
      { type: "text", text: "\n\nSend it? (yes/no)", question: true },
      { type: "interrupt", interrupts: [{ id: "i1", value: { question: "Send it? (yes/no)", draft: "Draft." } }] },
      { type: "usage", usage },
    ],
  ],
];

describe("run events to AG-UI events", () => {
  it.each(canonical)("%s: each event fits AG-UI's schema and the run passes the client's check of the order", async (_name, events) => {
    const rendered = await render(events);
    expect(rendered[0]).toEqual({ type: "RUN_STARTED", threadId: "t1", runId: "r1" });
    expect(rendered.at(-1)).toMatchObject({ type: "RUN_FINISHED", threadId: "t1", runId: "r1", usage: [{ model: "graph", inputTokens: 5, outputTokens: 3, totalTokens: 8 }] });
  });

  it("streams one text message per message id, and drops the paragraph break between them", async () => {
    const rendered = await render(canonical[2]![1]);
    const texts = rendered.filter((event) => event.type.startsWith("TEXT_MESSAGE")) as unknown as { type: string; messageId: string; delta?: string }[];
    expect(texts.map((event) => [event.type, event.messageId, event.delta])).toEqual([
      ["TEXT_MESSAGE_START", "m1", undefined],
      ["TEXT_MESSAGE_CONTENT", "m1", "Let me look. "],
      ["TEXT_MESSAGE_END", "m1", undefined],
      ["TEXT_MESSAGE_START", "m2", undefined],
      ["TEXT_MESSAGE_CONTENT", "m2", "It is sunny."],
      ["TEXT_MESSAGE_END", "m2", undefined],
    ]);
  });

  it("hangs a graph tool's call on the message that made it, and gives its result the ToolMessage's id", async () => {
    const rendered = await render(canonical[2]![1]);
    expect(rendered.filter((event) => event.type.startsWith("TOOL_CALL"))).toEqual([
      { type: "TOOL_CALL_START", toolCallId: "call_1", toolCallName: "get_weather", parentMessageId: "m1" },
      { type: "TOOL_CALL_ARGS", toolCallId: "call_1", delta: '{"city":"Paris"}' },
      { type: "TOOL_CALL_END", toolCallId: "call_1" },
      { type: "TOOL_CALL_RESULT", messageId: "tm1", toolCallId: "call_1", content: "sunny", role: "tool" },
    ]);
    expect(rendered.find((event) => event.type === "CUSTOM")).toEqual({ type: "CUSTOM", name: "progress", value: "Checked the sky" });
    expect(types(rendered).filter((type) => type.startsWith("STEP"))).toEqual(["STEP_STARTED", "STEP_FINISHED", "STEP_STARTED", "STEP_FINISHED", "STEP_STARTED", "STEP_FINISHED"]);
  });

  it("lists the client's tool calls as pending only to a 1.0 client", async () => {
    const [, events] = canonical[3]!;
    expect((await render(events)).at(-1)).toMatchObject({ outcome: { type: "success", pendingToolCallIds: ["call_9"] } });
    expect(((await render(events, false)).at(-1) as unknown as { outcome: object }).outcome).toEqual({ type: "success" });
    expect((await render(events)).find((event) => event.type === "TOOL_CALL_START")).toMatchObject({ toolCallId: "call_9", parentMessageId: "m1" });
  });

  it("finishes at an interrupt with its id, a string reason and its question, which is no text message", async () => {
    const rendered = await render(canonical[4]![1]);
    expect(rendered.at(-1)).toMatchObject({
      outcome: { type: "interrupt", interrupts: [{ id: "i1", reason: "input_required", message: "Send it? (yes/no)", metadata: { value: { draft: "Draft." } } }] },
    });
    const deltas = rendered.flatMap((event) => (event.type === "TEXT_MESSAGE_CONTENT" ? [(event as unknown as { delta: string }).delta] : []));
    expect(deltas).toEqual(["Draft."]);
  });

  it("closes what is open before it finishes: a step the run never ended, a reasoning message", async () => {
    const rendered = await render([
      { type: "step", step: { kind: "node", name: "think" } },
      { type: "reasoning", text: "Hmm.", messageId: "m1" },
      { type: "usage", usage },
    ]);
    expect(types(rendered).slice(-4)).toEqual(["REASONING_MESSAGE_END", "REASONING_END", "STEP_FINISHED", "RUN_FINISHED"]);
  });

  it("ends with the state and the thread's messages, as JSON", async () => {
    const values = {
      messages: [new HumanMessage({ id: "u1", content: "Hi" }), new AIMessage({ id: "a1", content: "", tool_calls: [{ id: "c1", name: "f", args: { a: 1 } }] }), new ToolMessage({ id: "t1", content: "ok", tool_call_id: "c1" })],
      count: 10n,
      __interrupt__: [],
    };
    const rendered = await render([{ type: "values", values }, { type: "usage", usage }]);
    expect(rendered.find((event) => event.type === "STATE_SNAPSHOT")).toEqual({ type: "STATE_SNAPSHOT", snapshot: { count: "10" } });
    expect(rendered.find((event) => event.type === "MESSAGES_SNAPSHOT")).toEqual({
      type: "MESSAGES_SNAPSHOT",
      messages: [
        { id: "u1", role: "user", content: "Hi" },
        { id: "a1", role: "assistant", content: "", toolCalls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } }] },
        { id: "t1", role: "tool", content: "ok", toolCallId: "c1" },
      ],
    });
  });

  it("sends a state key a node set as JSON Patch, its name escaped as a JSON Pointer", async () => {
    const rendered = await render([{ type: "state_changed", values: { "a/b~c": 1, fn: () => 1 } }, { type: "usage", usage }]);
    expect(rendered.find((event) => event.type === "STATE_DELTA")).toEqual({ type: "STATE_DELTA", delta: [{ op: "add", path: "/a~1b~0c", value: 1 }] });
  });

  it("leaves out of the state snapshot what JSON cannot carry", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(stateSnapshot({ kept: [1, "two"], cyclic, fn: () => 1 })).toEqual({ kept: [1, "two"] });
  });
});
