import { describe, expect, it } from "vitest";
import { GraphRunError } from "../src/errors.js";
import { foldResponseEvents, responseRenderer } from "../src/protocols/responses/render.js";
import type { Response, ResponseEvent } from "../src/protocols/responses/schemas.js";
import { describeStep } from "../src/run/describe-step.js";
import type { RunEvent } from "../src/run/events.js";
import { specErrors, specEventErrors } from "./openai-spec.js";

const usage = { input_tokens: 5, output_tokens: 3, total_tokens: 8 };

const created: Response = {
  id: "resp_1",
  object: "response",
  created_at: 1_700_000_000,
  status: "in_progress",
  completed_at: null,
  background: false,
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  model: "graph",
  output: [],
  parallel_tool_calls: true,
  previous_response_id: null,
  conversation: null,
  reasoning: { effort: null, summary: null },
  service_tier: "default",
  store: true,
  temperature: null,
  text: { format: { type: "text" } },
  tool_choice: "auto",
  tools: [],
  top_p: null,
  truncation: "disabled",
  metadata: {},
};

const meta = { response: created, itemId: (kind: string, index: number) => `${kind}_${index}` };

async function* play(events: RunEvent[]): AsyncGenerator<RunEvent> {
  yield* events;
}

async function render(events: RunEvent[]): Promise<ResponseEvent[]> {
  const out: ResponseEvent[] = [];
  for await (const event of responseRenderer(meta).render(play(events))) out.push(event);
  return out;
}

async function* replay(events: ResponseEvent[]): AsyncGenerator<ResponseEvent> {
  yield* events;
}

const types = (events: ResponseEvent[]) => events.map((event) => event.type);

/** What a client that reads only the deltas sees, item by item: the stream and the fold must agree on it. */
function fromDeltas(events: ResponseEvent[]): unknown[] {
  const items: Record<string, unknown>[] = [];
  for (const event of events) {
    if (event.type === "response.output_item.added") items[event.output_index] = { type: event.item.type, text: "", summary: [] as string[], arguments: "" };
    if (event.type === "response.output_text.delta") items[event.output_index]!.text += event.delta;
    if (event.type === "response.function_call_arguments.delta") items[event.output_index]!.arguments += event.delta;
    if (event.type === "response.reasoning_summary_part.added") (items[event.output_index]!.summary as string[]).push("");
    if (event.type === "response.reasoning_summary_text.delta") {
      const summary = items[event.output_index]!.summary as string[];
      summary[event.summary_index] += event.delta;
    }
  }
  return items;
}

function fromResponse(response: Response): unknown[] {
  return response.output.map((item) => ({
    type: item.type,
    text: item.type === "message" ? item.content.map((part) => part.text).join("") : "",
    summary: item.type === "reasoning" ? item.summary.map((part) => part.text) : [],
    arguments: item.type === "function_call" ? item.arguments : "",
  }));
}

/** The canonical runs every protocol's renderer plays. */
const RUNS: Record<string, RunEvent[]> = {
  text: [{ type: "text", text: "Hel" }, { type: "text", text: "lo" }, { type: "usage", usage }],
  "reasoning and tool steps": [
    { type: "reasoning", text: "The user wants " },
    { type: "reasoning", text: "the time." },
    { type: "step", step: { kind: "tool_call", id: "t1", name: "get_time", args: { zone: "UTC" } } },
    { type: "step", step: { kind: "tool_result", id: "t1", name: "get_time", output: "12:00", failed: false } },
    { type: "text", text: "It is 12:00." },
    { type: "usage", usage },
  ],
  "client tool calls": [
    { type: "text", text: "Looking. " },
    { type: "tool_calls", toolCalls: [{ id: "call_a", name: "search", args: { q: "a" } }, { id: "call_b", name: "fetch", args: {} }] },
    { type: "usage", usage },
  ],
  length: [{ type: "text", text: "One two" }, { type: "truncated" }, { type: "usage", usage }],
  interrupt: [
    { type: "text", text: "Draft.\n\nSend it?" },
    { type: "interrupt", interrupts: [{ id: "i1", value: { question: "Send it?" } }] },
    { type: "usage", usage },
  ],
  "nothing said": [{ type: "usage", usage }],
};

describe("run events to Responses stream events", () => {
  for (const [name, run] of Object.entries(RUNS)) {
    it(`${name}: numbers events from 0, conforms to the official spec, and folds to what the deltas say`, async () => {
      const events = await render(run);
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
      expect(types(events).slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
      for (const event of events) expect(specEventErrors(event), event.type).toEqual([]);
      const response = await foldResponseEvents(replay(events));
      expect(specErrors("Response", response)).toEqual([]);
      expect(response).toEqual((events.at(-1) as { response: Response }).response);
      expect(fromResponse(response)).toEqual(fromDeltas(events));
      const doneItems = events.flatMap((event) => (event.type === "response.output_item.done" ? [event.item] : []));
      expect(response.output).toEqual(doneItems);
      expect(response.usage).toEqual({
        input_tokens: 5,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 3,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 8,
      });
    });
  }

  it("streams text as one message item: added, content part, deltas, done events, completed", async () => {
    const events = await render(RUNS.text!);
    expect(types(events)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const response = await foldResponseEvents(replay(events));
    expect(response).toMatchObject({ id: "resp_1", status: "completed", model: "graph" });
    expect(response.completed_at).toEqual(expect.any(Number));
    expect(response.output).toEqual([
      { type: "message", id: "msg_0", status: "completed", role: "assistant", content: [{ type: "output_text", text: "Hello", annotations: [], logprobs: [] }] },
    ]);
  });

  it("renders a model's reasoning and each step as summary parts of one reasoning item, before the message", async () => {
    const response = await foldResponseEvents(replay(await render(RUNS["reasoning and tool steps"]!)));
    expect(response.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    expect(response.output[0]).toEqual({
      type: "reasoning",
      id: "rs_0",
      status: "completed",
      summary: [
        { type: "summary_text", text: "The user wants the time." },
        { type: "summary_text", text: describeStep({ kind: "tool_call", id: "t1", name: "get_time", args: { zone: "UTC" } }) },
        { type: "summary_text", text: "get_time returned: 12:00" },
      ],
    });
    expect(response.output[1]).toMatchObject({ id: "msg_1", content: [{ text: "It is 12:00." }] });
  });

  it("drops the blank line between two AI messages when a step separates them into two message items", async () => {
    const response = await foldResponseEvents(
      replay(
        await render([
          { type: "text", text: "Checking." },
          { type: "step", step: { kind: "progress", text: "looked it up" } },
          { type: "text", text: "\n\n" },
          { type: "text", text: "Done." },
          { type: "usage", usage },
        ]),
      ),
    );
    expect(fromResponse(response)).toEqual([
      { type: "message", text: "Checking.", summary: [], arguments: "" },
      { type: "reasoning", text: "", summary: ["looked it up"], arguments: "" },
      { type: "message", text: "Done.", summary: [], arguments: "" },
    ]);
  });

  it("turns calls left to the client into function_call items with their call ids and JSON arguments", async () => {
    const events = await render(RUNS["client tool calls"]!);
    const response = await foldResponseEvents(replay(events));
    expect(response.output.slice(1)).toEqual([
      { type: "function_call", id: "fc_1", call_id: "call_a", name: "search", arguments: '{"q":"a"}', status: "completed" },
      { type: "function_call", id: "fc_2", call_id: "call_b", name: "fetch", arguments: "{}", status: "completed" },
    ]);
    expect(events.filter((event) => event.type === "response.function_call_arguments.done")).toMatchObject([
      { item_id: "fc_1", name: "search", arguments: '{"q":"a"}' },
      { item_id: "fc_2", name: "fetch", arguments: "{}" },
    ]);
  });

  it("ends a cut answer with response.incomplete, reason max_output_tokens, its message incomplete", async () => {
    const events = await render(RUNS.length!);
    expect(events.at(-1)?.type).toBe("response.incomplete");
    const response = await foldResponseEvents(replay(events));
    expect(response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect(response.output[0]).toMatchObject({ status: "incomplete", content: [{ text: "One two" }] });
  });

  it("answers an interrupt with its question as text and the interrupts extension field", async () => {
    const response = await foldResponseEvents(replay(await render(RUNS.interrupt!)));
    expect(response.status).toBe("completed");
    expect(response.output[0]).toMatchObject({ content: [{ text: "Draft.\n\nSend it?" }] });
    expect(response.interrupts).toEqual([{ id: "i1", value: { question: "Send it?" } }]);
  });

  it("frames events with an event: line, ends with no [DONE], and writes a failure as error then response.failed", async () => {
    const renderer = responseRenderer(meta);
    const events: ResponseEvent[] = [];
    const run = async function* (): AsyncGenerator<RunEvent> {
      yield { type: "text", text: "Partial" };
      throw new Error("never read");
    };
    const iterator = renderer.render(run());
    for (let i = 0; i < 5; i++) events.push((await iterator.next()).value as ResponseEvent);
    expect(renderer.sse.event(events[4]!)).toBe(`event: response.output_text.delta\ndata: ${JSON.stringify(events[4])}\n\n`);
    expect(renderer.sse.end).toBe("");
    const failure = renderer.sse.error(new GraphRunError("graph", new Error("disk full")));
    const [error, failed] = failure.trim().split("\n\n").map((frame) => {
      const [eventLine, dataLine] = frame.split("\n");
      return { name: eventLine!.slice("event: ".length), data: JSON.parse(dataLine!.slice("data: ".length)) };
    });
    expect(error).toEqual({
      name: "error",
      data: {
        type: "error",
        code: "graph_error",
        message: "The graph behind model 'graph' failed: disk full",
        param: null,
        error: { type: "server_error", code: "graph_error", message: "The graph behind model 'graph' failed: disk full", param: null },
        sequence_number: 5,
      },
    });
    expect(failed?.name).toBe("response.failed");
    expect(failed?.data).toMatchObject({ sequence_number: 6, response: { status: "failed", error: { code: "server_error" } } });
    expect(specEventErrors(error!.data)).toEqual([]);
    expect(specEventErrors(failed!.data)).toEqual([]);
  });
});
