import { describe, expect, it } from "vitest";
import type { RunEvent } from "../src/run/events.js";
import type { ChatCompletionChunk } from "../src/protocols/chat-completions/schemas.js";
import { foldChunks, toChunks, type RenderOptions } from "../src/protocols/chat-completions/render.js";
import { RunTimeoutError, type ApiError } from "../src/errors.js";
import { toOpenAIToolCalls } from "../src/protocols/chat-completions/convert.js";
import { interruptText } from "../src/run/interrupt-text.js";

const meta = { id: "chatcmpl-1", created: 1_700_000_000, model: "graph" };
const usage = { input_tokens: 5, output_tokens: 3, total_tokens: 8 };
const openAIUsage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };

async function* play(events: RunEvent[]): AsyncGenerator<RunEvent> {
  yield* events;
}

async function render(events: RunEvent[], includeUsage = true): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of toChunks(play(events), meta, { includeUsage })) chunks.push(chunk);
  return chunks;
}

async function* replay(chunks: ChatCompletionChunk[]): AsyncGenerator<ChatCompletionChunk> {
  yield* chunks;
}

const deltas = (chunks: ChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta);

async function renderWith(events: AsyncIterable<RunEvent>, options: Omit<RenderOptions, "includeUsage">): Promise<{ chunks: ChatCompletionChunk[]; error?: unknown }> {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of toChunks(events, meta, { includeUsage: false, ...options })) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

async function* failingAfter(events: RunEvent[], error: Error): AsyncGenerator<RunEvent> {
  yield* events;
  throw error;
}

const contentOf = (chunks: ChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");

describe("for chat UIs, per model (`chat_ui`)", () => {
  const steps: RunEvent[] = [
    { type: "step", step: { kind: "tool_call", id: "call_1", name: "get_weather", args: { city: "Paris" } } },
    { type: "step", step: { kind: "tool_result", id: "call_1", name: "get_weather", output: "18°C", failed: false } },
    { type: "text", text: "It is 18°C." },
  ];

  it("puts the steps in content inside <think> tags, closed before the answer, for UIs that read only tags", async () => {
    const { chunks } = await renderWith(play(steps), { thinkTags: true });
    expect(contentOf(chunks)).toBe('<think>\nCalling get_weather with {"city":"Paris"}\n\nget_weather returned: 18°C\n</think>\n\nIt is 18°C.');
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.reasoning_content)).toBe(false);
  });

  it("ends a failed stream's content with a notice a person sees, worded as the client may read it, and still fails the stream", async () => {
    const timeout = new RunTimeoutError("agent", 1);
    const asItIs = (error: ApiError) => error.message;
    const { chunks, error } = await renderWith(failingAfter(steps.slice(0, 1), timeout), { thinkTags: true, errorNotice: asItIs });
    expect(error).toBe(timeout);
    expect(contentOf(chunks)).toBe(`<think>\nCalling get_weather with {"city":"Paris"}\n</think>\n\n⚠️ The answer stopped here: ${timeout.message}`);
    const cut = await renderWith(failingAfter(steps.slice(2), timeout), { errorNotice: asItIs });
    expect(contentOf(cut.chunks)).toBe(`It is 18°C.\n\n⚠️ The answer stopped here: ${timeout.message}`);
    const reworded = await renderWith(failingAfter(steps.slice(2), timeout), { errorNotice: (error) => `(${error.code})` });
    expect(contentOf(reworded.chunks)).toBe("It is 18°C.\n\n⚠️ The answer stopped here: (run_timeout)");
    const plain = await renderWith(failingAfter(steps.slice(2), timeout), {});
    expect(contentOf(plain.chunks)).toBe("It is 18°C.");
  });
});

describe("events to chunks", () => {
  it("streams one chunk per text event after the role chunk, then the finish and usage chunks", async () => {
    const chunks = await render([{ type: "text", text: "Hel" }, { type: "text", text: "lo" }, { type: "usage", usage }]);
    expect(deltas(chunks)).toEqual([{ role: "assistant", content: "", refusal: null }, { content: "Hel" }, { content: "lo" }, {}, undefined]);
    expect(chunks.slice(0, -1).map((chunk) => chunk.choices[0]?.finish_reason)).toEqual([null, null, null, "stop"]);
    expect(chunks.at(-1)).toEqual({ ...meta, object: "chat.completion.chunk", choices: [], usage: openAIUsage });
    expect(chunks.every((chunk) => chunk.id === meta.id && chunk.model === meta.model && chunk.created === meta.created)).toBe(true);
  });

  it("leaves the usage chunk out unless asked for", async () => {
    const chunks = await render([{ type: "text", text: "Hi" }, { type: "usage", usage }], false);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("streams tool calls in OpenAI's shape: id, type and name first, then the arguments", async () => {
    const chunks = await render([
      { type: "text", text: "Looking. " },
      {
        type: "tool_calls",
        toolCalls: [
          { id: "call_a", name: "search", args: { q: "a" } },
          { id: "call_b", name: "fetch", args: {} },
        ],
      },
      { type: "usage", usage },
    ]);
    expect(chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])).toEqual([
      { index: 0, id: "call_a", type: "function", function: { name: "search", arguments: "" } },
      { index: 0, function: { arguments: '{"q":"a"}' } },
      { index: 1, id: "call_b", type: "function", function: { name: "fetch", arguments: "" } },
      { index: 1, function: { arguments: "{}" } },
    ]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("finishes with length when the answer was cut at the token limit", async () => {
    const chunks = await render([{ type: "text", text: "One two" }, { type: "truncated" }, { type: "usage", usage }]);
    expect(deltas(chunks).map((delta) => delta?.content ?? "").join("")).toBe("One two");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("length");
  });

  it("answers a run that produced nothing with an empty message", async () => {
    const completion = await foldChunks(toChunks(play([{ type: "usage", usage }]), meta, { includeUsage: true }));
    expect(completion.choices[0]).toMatchObject({ message: { role: "assistant", content: "" }, finish_reason: "stop" });
    expect(completion.usage).toEqual(openAIUsage);
  });

  it("carries the interrupts on the finishing chunk, after the question's text", async () => {
    const interrupts = [{ id: "i1", value: { question: "Which city?" } }];
    const chunks = await render([{ type: "text", text: "Which city?" }, { type: "interrupt", interrupts }]);
    expect(deltas(chunks).map((delta) => delta?.content).join("")).toBe("Which city?");
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.interrupts).toEqual(interrupts);
  });
});

describe("what the agent does on the way, as reasoning_content", () => {
  const toolRun: RunEvent[] = [
    { type: "started" },
    { type: "reasoning", text: "The user wants " },
    { type: "reasoning", text: "the weather." },
    { type: "text", text: "Let me check. " },
    { type: "step", step: { kind: "tool_call", id: "call_1", name: "get_weather", args: { city: "Paris" } } },
    { type: "step", step: { kind: "tool_result", id: "call_1", name: "get_weather", output: "18°C", failed: false } },
    { type: "reasoning", text: "Now I can answer." },
    { type: "text", text: "\n\nIt is 18°C." },
    { type: "usage", usage },
  ];

  it("streams reasoning and one paragraph per step as reasoning_content, between the answer's text, which stays as it was", async () => {
    const chunks = await render(toolRun);
    expect(deltas(chunks).map((delta) => delta?.content ?? "").join("")).toBe("Let me check. \n\nIt is 18°C.");
    expect(deltas(chunks).map((delta) => delta?.reasoning_content ?? "").join("")).toBe(
      'The user wants the weather.\n\nCalling get_weather with {"city":"Paris"}\n\nget_weather returned: 18°C\n\nNow I can answer.',
    );
    const kinds = deltas(chunks).map((delta) => (delta?.reasoning_content ? "reasoning" : delta?.content ? "content" : "other"));
    expect(kinds.indexOf("reasoning")).toBeLessThan(kinds.indexOf("content"));
    expect(kinds.lastIndexOf("reasoning")).toBeGreaterThan(kinds.indexOf("content"));
  });

  it("sends each step with the blank line before it in one chunk, so a UI that quotes per chunk (NextChat) keeps the step in its quote", async () => {
    const chunks = await render(toolRun);
    const reasoning = deltas(chunks).flatMap((delta) => (delta?.reasoning_content ? [delta.reasoning_content] : []));
    expect(reasoning).toEqual(["The user wants ", "the weather.", '\n\nCalling get_weather with {"city":"Paris"}', "\n\nget_weather returned: 18°C", "\n\nNow I can answer."]);
  });

  it("folds it into message.reasoning_content, and leaves it out when there is none", async () => {
    const completion = await foldChunks(replay(await render(toolRun)));
    expect(completion.choices[0]?.message).toMatchObject({ content: "Let me check. \n\nIt is 18°C.", reasoning_content: expect.stringContaining("get_weather returned: 18°C") });
    const plain = await foldChunks(replay(await render([{ type: "text", text: "Hi" }, { type: "usage", usage }])));
    expect(plain.choices[0]?.message).not.toHaveProperty("reasoning_content");
  });

  it("sends no status lines or citations to a client that is not Open WebUI", async () => {
    const chunks = await render([{ type: "queued" }, { type: "started" }, { type: "citation", citation: { title: "Report", url: "https://example.com/r" } }, ...toolRun]);
    expect(chunks.filter((chunk) => chunk.event || chunk.choices[0]?.delta.annotations)).toEqual([]);
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices.length === 1)).toBe(true);
  });
});

describe("Open WebUI's extras", () => {
  async function renderForOpenWebUI(events: RunEvent[]): Promise<ChatCompletionChunk[]> {
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of toChunks(play(events), meta, { includeUsage: false, openWebUI: true })) chunks.push(chunk);
    return chunks;
  }
  const statuses = (chunks: ChatCompletionChunk[]) => chunks.filter((chunk) => chunk.event?.type === "status").map((chunk) => chunk.event!.data);

  it("says what the answer waits for (its thread, the model, a running tool) in status events Open WebUI reads, then clears the line", async () => {
    const chunks = await renderForOpenWebUI([
      { type: "queued" },
      { type: "started" },
      { type: "step", step: { kind: "tool_call", id: "c1", name: "get_weather", args: {} } },
      { type: "step", step: { kind: "tool_result", id: "c1", name: "get_weather", output: "18°C", failed: false } },
      { type: "text", text: "It is 18°C." },
    ]);
    expect(statuses(chunks)).toEqual([
      { description: "Waiting for the previous answer in this chat", done: false },
      { description: "Thinking", done: false },
      { description: "Running get_weather", done: false },
      { description: "Thinking", done: false },
      { description: "Thinking", done: true, hidden: true },
    ]);
    for (const chunk of chunks.filter((chunk) => chunk.event)) expect(chunk).toMatchObject({ object: "chat.completion.chunk", choices: [] });
  });

  it("clears a status still showing when the run ends without a word", async () => {
    expect(statuses(await renderForOpenWebUI([{ type: "started" }]))).toEqual([
      { description: "Thinking", done: false },
      { description: "Thinking", done: true, hidden: true },
    ]);
  });

  it("cites a web page as a url_citation annotation and a document without a URL as a source event with its text", async () => {
    const chunks = await renderForOpenWebUI([
      { type: "text", text: "Sales grew." },
      { type: "citation", citation: { title: "Q3 report", url: "https://example.com/q3", text: "Sales grew 4%." } },
      { type: "citation", citation: { title: "notes.md", text: "Costs fell." } },
    ]);
    expect(chunks.flatMap((chunk) => chunk.choices[0]?.delta.annotations ?? [])).toEqual([
      { type: "url_citation", url_citation: { url: "https://example.com/q3", title: "Q3 report", start_index: 11, end_index: 11 } },
    ]);
    expect(chunks.filter((chunk) => chunk.event?.type === "source").map((chunk) => chunk.event!.data)).toEqual([
      { source: { name: "notes.md" }, document: ["Costs fell."], metadata: [{ source: "notes.md", name: "notes.md" }] },
    ]);
    const completion = await foldChunks(replay(chunks));
    expect(completion.choices[0]?.message.annotations).toHaveLength(1);
  });
});

describe("the fold of the chunks", () => {
  const runs: Record<string, RunEvent[]> = {
    text: [{ type: "text", text: "One " }, { type: "text", text: "two." }, { type: "usage", usage }],
    "text and tool calls": [
      { type: "text", text: "Let me check. " },
      { type: "tool_calls", toolCalls: [{ id: "c1", name: "f", args: { x: 1 } }] },
      { type: "usage", usage },
    ],
    interrupt: [{ type: "text", text: "Sure?" }, { type: "interrupt", interrupts: [{ value: "Sure?" }] }, { type: "usage", usage }],
    "reasoning and tool steps": [
      { type: "started" },
      { type: "reasoning", text: "Hmm." },
      { type: "step", step: { kind: "tool_call", id: "c1", name: "f", args: { x: 1 } } },
      { type: "step", step: { kind: "tool_result", id: "c1", name: "f", output: "2", failed: false } },
      { type: "text", text: "Two." },
      { type: "usage", usage },
    ],
  };

  it.each(Object.entries(runs))("equals what streaming sends, for %s", async (_name, events) => {
    const chunks = await render(events);
    const completion = await foldChunks(replay(chunks));
    const streamedText = deltas(chunks).map((delta) => delta?.content ?? "").join("");
    const message = completion.choices[0]!.message;
    expect(message.content ?? "").toBe(streamedText);
    expect(message.reasoning_content ?? "").toBe(deltas(chunks).map((delta) => delta?.reasoning_content ?? "").join(""));
    expect(completion.choices[0]?.finish_reason).toBe(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason);
    expect(completion.usage).toEqual(openAIUsage);
    expect(completion).toMatchObject({ id: meta.id, object: "chat.completion", created: meta.created, model: meta.model });
    const toolCalls = events.flatMap((event) => (event.type === "tool_calls" ? event.toolCalls : []));
    expect(message.tool_calls ?? []).toEqual(toOpenAIToolCalls(toolCalls));
  });

  it("gives content null when the answer is only tool calls, as OpenAI does", async () => {
    const completion = await foldChunks(replay(await render([{ type: "tool_calls", toolCalls: [{ id: "c1", name: "f", args: {} }] }, { type: "usage", usage }])));
    expect(completion.choices[0]?.message).toEqual({
      role: "assistant",
      content: null,
      refusal: null,
      tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
    });
  });
});

describe("interrupt text", () => {
  it("reads a string, a question field, or shows JSON", () => {
    expect(interruptText([{ value: "Go on?" }])).toBe("Go on?");
    expect(interruptText([{ value: { question: "Which one?", options: [1, 2] } }])).toBe("Which one?");
    expect(interruptText([{ value: { amount: 3 } }])).toBe('```json\n{\n  "amount": 3\n}\n```');
  });
});
