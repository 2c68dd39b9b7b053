import { describe, expect, it } from "vitest";
import type { RunEvent } from "../src/run/events.js";
import type { ChatCompletionChunk } from "../src/protocols/chat-completions/schemas.js";
import { foldChunks, toChunks } from "../src/protocols/chat-completions/render.js";
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

describe("the fold of the chunks", () => {
  const runs: Record<string, RunEvent[]> = {
    text: [{ type: "text", text: "One " }, { type: "text", text: "two." }, { type: "usage", usage }],
    "text and tool calls": [
      { type: "text", text: "Let me check. " },
      { type: "tool_calls", toolCalls: [{ id: "c1", name: "f", args: { x: 1 } }] },
      { type: "usage", usage },
    ],
    interrupt: [{ type: "text", text: "Sure?" }, { type: "interrupt", interrupts: [{ value: "Sure?" }] }, { type: "usage", usage }],
  };

  it.each(Object.entries(runs))("equals what streaming sends, for %s", async (_name, events) => {
    const chunks = await render(events);
    const completion = await foldChunks(replay(chunks));
    const streamedText = deltas(chunks).map((delta) => delta?.content ?? "").join("");
    const message = completion.choices[0]!.message;
    expect(message.content ?? "").toBe(streamedText);
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
