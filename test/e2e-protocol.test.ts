/**
 * The protocol as three real clients see it: the openai SDK, LangChain's ChatOpenAI
 * and the Vercel AI SDK, each against a real server running the graphs in
 * test/protocol-graphs/.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { AIMessageChunk, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { generateText, jsonSchema, streamText, tool, type ModelMessage } from "ai";
import type OpenAI from "openai";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry, type ApiError } from "../src/index.js";
import { collect, startServer } from "./helpers.js";
import { slowModelGraph, waitingGraph } from "./protocol-graphs/abortable.js";

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;
const serverErrors: { error: ApiError; cause: unknown }[] = [];

beforeAll(async () => {
  server = await startServer({
    config: "test/protocol-graphs/langgraph.config.json",
    onServerError: (error, cause) => serverErrors.push({ error, cause }),
  });
});
afterAll(() => server.close());

const user = (content: string) => [{ role: "user" as const, content }];

function chatOpenAI(model: string, options: { maxTokens?: number } = {}): ChatOpenAI {
  return new ChatOpenAI({ model, apiKey: "unused", configuration: { baseURL: server.url }, streamUsage: true, maxRetries: 0, ...options });
}

function aiSdk(model: string) {
  return createOpenAI({ baseURL: server.url, apiKey: "unused" }).chat(model);
}

async function streamOpenAI(request: Omit<OpenAI.ChatCompletionCreateParamsStreaming, "stream">) {
  return collect(await server.client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }));
}

const contentOf = (chunks: OpenAI.ChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "");

describe("token streaming", () => {
  it("streams one content delta per model token, with the finishing and usage chunks last", async () => {
    const chunks = await streamOpenAI({ model: "tokens", messages: user("count") });
    expect(contentOf(chunks).filter(Boolean)).toEqual(["One ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight."]);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 8, total_tokens: 19 } });
  });

  it("gives ChatOpenAI and the AI SDK the same tokens", async () => {
    const langchainChunks = await collect(await chatOpenAI("tokens").stream("count"));
    expect(langchainChunks.filter((chunk) => chunk.text).length).toBe(8);
    const aiSdkDeltas = await collect(streamText({ model: aiSdk("tokens"), prompt: "count" }).textStream);
    expect(aiSdkDeltas.length).toBe(8);
    expect(aiSdkDeltas.join("")).toBe("One two three four five six seven eight.");
  });

  it("sends a message a node returns without a model once, then the model's tokens", async () => {
    const chunks = await streamOpenAI({ model: "no-model", messages: user("hi") });
    expect(contentOf(chunks).filter(Boolean)).toEqual(["Hello without a model.", "\n\n", "And ", "hello ", "from ", "a ", "model."]);
    const completion = await server.client.chat.completions.create({ model: "no-model", messages: user("hi") });
    expect(completion.choices[0]?.message.content).toBe("Hello without a model.\n\nAnd hello from a model.");
  });

  it("sends an assistant message a node returns as a plain object, under that node's name for the filters", async () => {
    const chunks = await streamOpenAI({ model: "plain-reply", messages: user("hi") });
    expect(contentOf(chunks).filter(Boolean)).toEqual(["Hello as a plain object.", "\n\n", "And ", "from ", "a ", "model."]);
    const filtered = await server.client.chat.completions.create({ model: "plain-reply-greet-only", messages: user("hi") });
    expect(filtered.choices[0]?.message.content).toBe("Hello as a plain object.");
  });

  it("does not send again a message a node returns a second time", async () => {
    const chunks = await streamOpenAI({ model: "returns-seen", messages: user("hi") });
    expect(contentOf(chunks).filter(Boolean)).toEqual(["Said ", "once."]);
  });

  it("streams the output of a subgraph's nodes", async () => {
    const chunks = await streamOpenAI({ model: "subgraph", messages: user("go") });
    expect(contentOf(chunks).join("")).toBe("Draft text.\n\nNotes text.\n\nFinal answer.");
  });

  it("streams only the nodes the config includes, by their name inside the subgraph", async () => {
    const chunks = await streamOpenAI({ model: "subgraph-drafts", messages: user("go") });
    expect(contentOf(chunks).join("")).toBe("Draft text.");
    expect(chunks.at(-1)?.usage?.total_tokens).toBe(9);
  });

  it("hides a whole subgraph the config excludes by its node name in the parent", async () => {
    const completion = await server.client.chat.completions.create({ model: "subgraph-answer-only", messages: user("go") });
    expect(completion.choices[0]?.message.content).toBe("Final answer.");
    expect(completion.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 });
  });
});

describe("usage", () => {
  it("counts a model that cannot stream and a model tagged nostream once each, and sends their answers once", async () => {
    const chunks = await streamOpenAI({ model: "unstreamed", messages: user("hi") });
    expect(contentOf(chunks).filter(Boolean)).toEqual(["Plain answer.", "\n\n", "Quiet answer."]);
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 6, completion_tokens: 9, total_tokens: 15 });
  });

  it("counts a model call whose answer the node keeps to itself", async () => {
    const completion = await server.client.chat.completions.create({ model: "discards-model-answer", messages: user("hi") });
    expect(completion.choices[0]?.message.content).toBe("Routed as smalltalk.");
    expect(completion.usage).toEqual({ prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
  });

  it("is zero when no model reported any", async () => {
    const completion = await server.client.chat.completions.create({ model: "model-free", messages: user("hi") });
    expect(completion.choices[0]?.message.content).toBe("No model here.");
    expect(completion.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    const chunks = await streamOpenAI({ model: "model-free", messages: user("hi") });
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});

describe("an answer cut at the token limit", () => {
  it("finishes with length for every client, and with stop when the answer fits", async () => {
    const completion = await server.client.chat.completions.create({ model: "token-limit", messages: user("count"), max_tokens: 3 });
    expect(completion.choices[0]).toMatchObject({ finish_reason: "length", message: { content: "One two three " } });
    const chunks = await streamOpenAI({ model: "token-limit", messages: user("count"), max_tokens: 3 });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("length");

    const message = await chatOpenAI("token-limit", { maxTokens: 3 }).invoke("count");
    expect(message.response_metadata.finish_reason).toBe("length");
    const result = await generateText({ model: aiSdk("token-limit"), prompt: "count", maxOutputTokens: 3 });
    expect(result.finishReason).toBe("length");

    const whole = await server.client.chat.completions.create({ model: "token-limit", messages: user("count"), max_tokens: 100 });
    expect(whole.choices[0]?.finish_reason).toBe("stop");
  });
});

describe("a graph that runs its own tools", () => {
  const answer = "Checking the clock. \n\nIt is 12:00 in UTC.";

  it("answers the openai SDK with text and finish_reason stop, its tool calls hidden", async () => {
    const completion = await server.client.chat.completions.create({ model: "agent", messages: user("time?") });
    expect(completion.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: answer } });
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.usage).toEqual({ prompt_tokens: 30, completion_tokens: 7, total_tokens: 37 });

    const chunks = await streamOpenAI({ model: "agent", messages: user("time?") });
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
    expect(contentOf(chunks).join("")).toBe(answer);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 30, completion_tokens: 7, total_tokens: 37 });
  });

  it("answers ChatOpenAI with text, no tool calls, and the run's usage", async () => {
    const message = await chatOpenAI("agent").invoke("time?");
    expect(message.content).toBe(answer);
    expect(message.tool_calls).toEqual([]);
    expect(message.usage_metadata).toMatchObject({ input_tokens: 30, output_tokens: 7, total_tokens: 37 });

    let streamed: AIMessageChunk | undefined;
    for await (const chunk of await chatOpenAI("agent").stream("time?")) streamed = streamed ? streamed.concat(chunk) : chunk;
    expect(streamed?.content).toBe(answer);
    expect(streamed?.tool_call_chunks ?? []).toEqual([]);
    expect(streamed?.usage_metadata).toMatchObject({ input_tokens: 30, output_tokens: 7, total_tokens: 37 });
  });

  it("answers the AI SDK with text, no tool calls, and the run's usage", async () => {
    const result = await generateText({ model: aiSdk("agent"), prompt: "time?" });
    expect(result.text).toBe(answer);
    expect(result.toolCalls).toEqual([]);
    expect(result.finishReason).toBe("stop");
    expect(result.usage).toMatchObject({ inputTokens: 30, outputTokens: 7, totalTokens: 37 });

    const stream = streamText({ model: aiSdk("agent"), prompt: "time?" });
    expect((await collect(stream.textStream)).join("")).toBe(answer);
    expect(await stream.toolCalls).toEqual([]);
    expect(await stream.usage).toMatchObject({ inputTokens: 30, outputTokens: 7, totalTokens: 37 });
  });
});

describe("the client's tools", () => {
  const tools: OpenAI.ChatCompletionFunctionTool[] = [
    { type: "function", function: { name: "search", parameters: { type: "object", properties: { query: { type: "string" } } } } },
    { type: "function", function: { name: "lookup", parameters: { type: "object", properties: { query: { type: "string" } } } } },
  ];

  it("returns parallel tool calls with text to the openai SDK, then answers from the results", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = user("find cats");
    const completion = await server.client.chat.completions.create({ model: "client-tools", messages, tools });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("Let me look that up. ");
    const calls = choice.message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
    expect(calls.map((call) => [call.type, call.function.name, JSON.parse(call.function.arguments)])).toEqual([
      ["function", "search", { query: "find cats", n: 0 }],
      ["function", "lookup", { query: "find cats", n: 1 }],
    ]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    expect(completion.usage).toEqual({ prompt_tokens: 15, completion_tokens: 7, total_tokens: 22 });

    const followUp = await server.client.chat.completions.create({
      model: "client-tools",
      tools,
      messages: [
        ...messages,
        choice.message,
        { role: "tool", tool_call_id: calls[0]!.id, content: "3 cats" },
        { role: "tool", tool_call_id: calls[1]!.id, content: "5 cats" },
      ],
    });
    expect(followUp.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "Results: 3 cats, 5 cats." } });
  });

  it("streams tool calls in OpenAI's delta shape, and the round trip continues", async () => {
    const chunks = await streamOpenAI({ model: "client-tools", messages: user("find dogs"), tools });
    const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, type: "function", function: { name: "search", arguments: "" } });
    expect(deltas[0]?.id).toMatch(/\S/);
    expect(deltas[1]).toEqual({ index: 0, function: { arguments: JSON.stringify({ query: "find dogs", n: 0 }) } });
    expect(deltas[2]).toMatchObject({ index: 1, type: "function", function: { name: "lookup", arguments: "" } });
    expect(contentOf(chunks).join("")).toBe("Let me look that up. ");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("tool_calls");

    const ids = deltas.filter((delta) => delta.id).map((delta) => delta.id!);
    const followUp = await streamOpenAI({
      model: "client-tools",
      tools,
      messages: [
        ...user("find dogs"),
        {
          role: "assistant",
          content: "Let me look that up. ",
          tool_calls: ids.map((id, n) => ({ id, type: "function", function: { name: n ? "lookup" : "search", arguments: "{}" } })),
        },
        ...ids.map((id, n) => ({ role: "tool" as const, tool_call_id: id, content: `${n + 1} dogs` })),
      ],
    });
    expect(contentOf(followUp).join("")).toBe("Results: 1 dogs, 2 dogs.");
  });

  it("round-trips tool calls with ChatOpenAI, streamed and not", async () => {
    const model = chatOpenAI("client-tools").bindTools(tools);
    const question = new HumanMessage("find birds");
    const call = await model.invoke([question]);
    expect(call.tool_calls?.map((toolCall) => [toolCall.name, toolCall.args])).toEqual([
      ["search", { query: "find birds", n: 0 }],
      ["lookup", { query: "find birds", n: 1 }],
    ]);
    const results: BaseMessage[] = call.tool_calls!.map((toolCall, n) => new ToolMessage({ tool_call_id: toolCall.id!, content: `${n} birds` }));
    expect((await model.invoke([question, call, ...results])).content).toBe("Results: 0 birds, 1 birds.");

    let streamed: AIMessageChunk | undefined;
    for await (const chunk of await model.stream([question])) streamed = streamed ? streamed.concat(chunk) : chunk;
    expect(streamed?.tool_calls?.map((toolCall) => toolCall.args)).toEqual([
      { query: "find birds", n: 0 },
      { query: "find birds", n: 1 },
    ]);
    const streamedResults = streamed!.tool_calls!.map((toolCall) => new ToolMessage({ tool_call_id: toolCall.id!, content: "ok" }));
    let answer = "";
    for await (const chunk of await model.stream([question, streamed!, ...streamedResults])) answer += chunk.text;
    expect(answer).toBe("Results: ok, ok.");
  });

  it("round-trips tool calls with the AI SDK, streamed and not", async () => {
    const schema = jsonSchema<{ query: string }>({ type: "object", properties: { query: { type: "string" } } });
    const sdkTools = { search: tool({ inputSchema: schema }), lookup: tool({ inputSchema: schema }) };
    const first = await generateText({ model: aiSdk("client-tools"), tools: sdkTools, prompt: "find fish" });
    expect(first.finishReason).toBe("tool-calls");
    expect(first.toolCalls.map((call) => [call.toolName, call.input])).toEqual([
      ["search", { query: "find fish", n: 0 }],
      ["lookup", { query: "find fish", n: 1 }],
    ]);
    const messages: ModelMessage[] = [
      { role: "user", content: "find fish" },
      ...first.response.messages,
      {
        role: "tool",
        content: first.toolCalls.map((call) => ({
          type: "tool-result" as const,
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          output: { type: "text" as const, value: `${call.toolName} fish` },
        })),
      },
    ];
    const second = await generateText({ model: aiSdk("client-tools"), tools: sdkTools, messages });
    expect(second.text).toBe("Results: search fish, lookup fish.");

    const streamed = streamText({ model: aiSdk("client-tools"), tools: sdkTools, prompt: "find fish" });
    expect((await streamed.toolCalls).map((call) => call.toolName)).toEqual(["search", "lookup"]);
    expect(await streamed.finishReason).toBe("tool-calls");
    const streamedAnswer = streamText({ model: aiSdk("client-tools"), tools: sdkTools, messages });
    expect(await streamedAnswer.text).toBe("Results: search fish, lookup fish.");
  });

  it("lets nodes read the request's tools and parameters", async () => {
    const request = {
      tools: tools.slice(0, 1),
      tool_choice: { type: "function" as const, function: { name: "search" } },
      parallel_tool_calls: false,
      temperature: 0.2,
      max_tokens: 50,
      seed: 7,
      user: "user-42",
      metadata: { team: "search" },
      // Not in the echoed JSON, which the server would otherwise end before it.
      stop: ["\n\n"],
    };
    const completion = await server.client.chat.completions.create({ model: "request-echo", messages: user("hi"), ...request });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual(request);
  });
});

describe("failing graphs", () => {
  it("answers a graph that fails before any output with a 500 naming the model and the request id, not the error, which the log gets", async () => {
    serverErrors.length = 0;
    for (const stream of [false, true]) {
      const error = await server.client.chat.completions.create({ model: "fails-at-once", messages: user("hi"), stream }).catch((e) => e);
      expect(error).toMatchObject({ status: 500, type: "server_error", code: "graph_error" });
      expect(error.message).toMatch(/The graph behind model 'fails-at-once' failed \(request id [\w-]+\); the server's log has the error\.$/);
      expect(error.message).toContain(error.requestID);
      expect(error.message).not.toContain("database unreachable");
    }
    expect(serverErrors).toHaveLength(2);
    expect((serverErrors[0]!.cause as Error).stack).toContain("graphs.ts");
  });

  it("makes ChatOpenAI and the AI SDK raise the same failure", async () => {
    await expect(chatOpenAI("fails-at-once").invoke("hi")).rejects.toThrow(/'fails-at-once' failed \(request id/);
    await expect((async () => collect(await chatOpenAI("fails-at-once").stream("hi")))()).rejects.toThrow(/'fails-at-once' failed \(request id/);
    await expect(generateText({ model: aiSdk("fails-at-once"), prompt: "hi", maxRetries: 0 })).rejects.toMatchObject({
      statusCode: 500,
      message: expect.stringContaining("'fails-at-once' failed (request id"),
    });
  });

  it("ends a stream that fails after output with an error event every client reports", async () => {
    serverErrors.length = 0;
    const stream = await server.client.chat.completions.create({ model: "fails-midway", messages: user("hi"), stream: true });
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((e) => e);
    expect(seen.join("")).toBe("A partial answer that");
    expect(failure).toMatchObject({ type: "server_error", code: "graph_error" });
    expect(failure.message).toMatch(/^The graph behind model 'fails-midway' failed \(request id [\w-]+\)/);
    expect((serverErrors[0]!.cause as Error).message).toContain("disk full");

    await expect((async () => collect(await chatOpenAI("fails-midway").stream("hi")))()).rejects.toThrow(/'fails-midway' failed \(request id/);

    const errors: unknown[] = [];
    const aiStream = streamText({ model: aiSdk("fails-midway"), prompt: "hi", onError: ({ error }) => void errors.push(error) });
    const parts = await collect(aiStream.fullStream);
    expect(parts.some((part) => part.type === "error")).toBe(true);
    expect(String((errors[0] as Error)?.message ?? errors[0])).toContain("'fails-midway' failed (request id");
    expect(serverErrors.length).toBe(3);
  });
});

describe("a client that leaves", () => {
  let abortServer: Server;
  const slow = slowModelGraph();
  const waiting = waitingGraph();

  beforeAll(async () => {
    abortServer = await startServer({ registry: await createRegistry({ slow: slow.graph, waiting: waiting.graph }) });
  });
  afterAll(() => abortServer.close());

  it("stops the model mid-stream when the client disconnects", async () => {
    const controller = new AbortController();
    const stream = await abortServer.client.chat.completions.create(
      { model: "slow", messages: user("go"), stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++received === 5) break;
    }
    controller.abort();
    await slow.probe.aborted;
    const tokensAtAbort = slow.probe.tokens;
    await sleep(200);
    expect(slow.probe.tokens - tokensAtAbort).toBeLessThanOrEqual(1);
    expect(slow.probe.tokensAfterAbort).toBeLessThanOrEqual(1);
    expect(slow.probe.tokens).toBeLessThan(1000);
  });

  it("aborts a non-streamed run when the client disconnects", async () => {
    const controller = new AbortController();
    const request = abortServer.client.chat.completions.create(
      { model: "waiting", messages: user("go") },
      { signal: controller.signal },
    );
    await waiting.running;
    controller.abort();
    await expect(request).rejects.toThrow();
    await expect(Promise.race([waiting.probe.aborted.then(() => "aborted"), sleep(5000, "still running")])).resolves.toBe("aborted");
  });
});
