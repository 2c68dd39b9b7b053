import type { BaseMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { responseIds, signedId } from "../src/protocols/responses/response-id.js";
import { responseSecret, SECRET_THREAD_ID } from "../src/protocols/responses/response-secret.js";
import { collect, startServer } from "./helpers.js";

const CONFIG = "test/fixtures/responses/langgraph.config.json";
const SECRET = "a-test-secret-of-some-length";

let server: Awaited<ReturnType<typeof startServer>>;
const checkpointer = new MemorySaver();
const ids = responseIds(responseSecret({ secret: SECRET, checkpointer }));

beforeAll(async () => {
  server = await startServer({ config: CONFIG, checkpointer, responseSecret: SECRET });
});
afterAll(() => server.close());

const responses = () => server.client.responses;

/** The messages of the thread a response id names, read from the server's checkpointer. */
async function threadOf(responseId: string): Promise<BaseMessage[]> {
  const ref = await ids.parseResponseId(responseId);
  const tuple = await checkpointer.getTuple({ configurable: { thread_id: ref!.threadId, checkpoint_ns: "" } });
  return (tuple?.checkpoint.channel_values.messages as BaseMessage[] | undefined) ?? [];
}

async function threadIds(): Promise<string[]> {
  const found = new Set<string>();
  for await (const tuple of checkpointer.list({})) found.add(tuple.config.configurable!.thread_id as string);
  return [...found];
}

describe("POST /v1/responses with the openai SDK", () => {
  it("answers with a completed response: output_text, a message item, usage as the API names it", async () => {
    const response = await responses().create({ model: "counter", input: "hello" });
    expect(response).toMatchObject({ object: "response", status: "completed", model: "counter", store: true, error: null });
    expect(response.id).toMatch(/^resp_[A-Za-z0-9_-]+$/);
    expect(response.output_text).toBe("I hold 2 messages.");
    expect(response.output).toEqual([
      expect.objectContaining({ type: "message", role: "assistant", status: "completed", id: expect.stringMatching(/^msg_/) }),
    ]);
    expect(response.usage).toEqual({
      input_tokens: 0,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 0,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 0,
    });
  });

  it("streams typed events numbered from 0 whose deltas make the same text, ending with response.completed", async () => {
    const events = await collect(await responses().create({ model: "agent", input: "what is the weather in Paris?", stream: true }));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events[0]?.type).toBe("response.created");
    expect(events.at(-1)?.type).toBe("response.completed");
    const text = events.map((event) => (event.type === "response.output_text.delta" ? event.delta : "")).join("");
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    // The agent's reasoning and its tool steps are reasoning items; they separate its two messages.
    expect(completed.response.output.map((item) => item.type)).toEqual(["reasoning", "message", "reasoning", "message"]);
    expect(text).toBe("Let me check the weather in Paris. The weather there today: 18°C and sunny.");
    const created = events[0] as OpenAI.Responses.ResponseCreatedEvent;
    expect(completed.response.id).toBe(created.response.id);
    expect(completed.response.usage?.output_tokens).toBeGreaterThan(0);
    const retrieved = await responses().retrieve(completed.response.id);
    expect(retrieved).toMatchObject({ id: completed.response.id, output: completed.response.output, usage: completed.response.usage });
  });

  it("keeps a chain of five responses as five turns in one thread", async () => {
    let previous: string | undefined;
    const answers: string[] = [];
    for (const text of ["one", "two", "three", "four", "five"]) {
      const response = await responses().create({ model: "counter", input: text, ...(previous && { previous_response_id: previous }) });
      answers.push(response.output_text);
      previous = response.id;
    }
    expect(answers).toEqual(["I hold 2 messages.", "I hold 4 messages.", "I hold 6 messages.", "I hold 8 messages.", "I hold 10 messages."]);
    expect((await threadOf(previous!)).map((message) => message.text)).toEqual([
      "one", "I hold 2 messages.", "two", "I hold 4 messages.", "three", "I hold 6 messages.", "four", "I hold 8 messages.", "five", "I hold 10 messages.",
    ]);
  });

  it("forks the thread from an earlier response, and both branches go on", async () => {
    const first = await responses().create({ model: "counter", input: "one" });
    const second = await responses().create({ model: "counter", input: "two", previous_response_id: first.id });
    const third = await responses().create({ model: "counter", input: "three", previous_response_id: second.id });
    const fork = await responses().create({ model: "counter", input: "two again", previous_response_id: first.id });
    expect(fork.output_text).toBe("I hold 4 messages.");
    const onFork = await responses().create({ model: "counter", input: "three again", previous_response_id: fork.id });
    expect(onFork.output_text).toBe("I hold 6 messages.");
    expect((await threadOf(onFork.id)).map((message) => message.text)).toEqual(["one", "I hold 2 messages.", "two again", "I hold 4 messages.", "three again", "I hold 6 messages."]);
    const onMain = await responses().create({ model: "counter", input: "four", previous_response_id: third.id });
    expect(onMain.output_text).toBe("I hold 8 messages.");
  });

  it("maps a conversation to a thread: its responses continue it without ids", async () => {
    const conversation = `conv-${Date.now()}`;
    const first = await responses().create({ model: "counter", input: "one", conversation });
    const second = await responses().create({ model: "counter", input: "two", conversation: { id: conversation } });
    expect([first.output_text, second.output_text]).toEqual(["I hold 2 messages.", "I hold 4 messages."]);
    expect(second.conversation).toEqual({ id: conversation });
    const tuple = await checkpointer.getTuple({ configurable: { thread_id: conversation, checkpoint_ns: "" } });
    expect(tuple?.checkpoint.channel_values.messages).toHaveLength(4);
  });

  it("does not carry instructions over: each response sees its own, first in the conversation", async () => {
    const first = await responses().create({ model: "sees", input: "a", instructions: "Be brief." });
    expect(first.output_text).toBe('3 messages; system [0:Be brief.]; last "a"');
    const second = await responses().create({ model: "sees", input: "b", previous_response_id: first.id });
    expect(second.output_text).toBe('4 messages; system []; last "b"');
    const third = await responses().create({ model: "sees", input: "c", previous_response_id: second.id, instructions: "Be kind." });
    expect(third.output_text).toBe('7 messages; system [0:Be kind.]; last "c"');
    const fourth = await responses().create({ model: "sees", input: "d", previous_response_id: third.id, instructions: "Be quick." });
    expect(fourth.output_text).toBe('9 messages; system [0:Be quick.]; last "d"');
    expect(fourth.instructions).toBe("Be quick.");
  });

  it("retrieves a stored response by id, equal to the one created", async () => {
    const created = await responses().create({ model: "counter", input: "keep me", metadata: { topic: "tests" } });
    const retrieved = await responses().retrieve(created.id);
    expect(retrieved).toEqual(created);
    expect(retrieved.metadata).toEqual({ topic: "tests" });
  });

  it("refuses a forged, altered, foreign or unknown id with 404", async () => {
    const real = await responses().create({ model: "counter", input: "mine" });
    const ref = await ids.parseResponseId(real.id);
    const foreign = signedId("another-server's-secret", "resp", ref!);
    const altered = real.id.slice(0, -2) + (real.id.endsWith("AA") ? "AB" : "AA");
    for (const id of [foreign, altered, "resp_123", "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", "nonsense"]) {
      await expect(responses().create({ model: "counter", input: "x", previous_response_id: id })).rejects.toMatchObject({
        status: 404,
        param: "previous_response_id",
        message: expect.stringContaining(`Previous response with id '${id}' not found.`),
      });
      await expect(responses().retrieve(id)).rejects.toMatchObject({ status: 404, type: "invalid_request_error" });
      await expect(responses().delete(id)).rejects.toMatchObject({ status: 404 });
    }
    await expect(responses().create({ model: "counter", input: [{ type: "item_reference", id: foreign.replace(/^resp_/, "msg_") }] })).rejects.toMatchObject({ status: 404 });
  });

  it("forgets a deleted response, and its thread once no response in it is left", async () => {
    const response = await responses().create({ model: "counter", input: "forget me" });
    const { threadId } = (await ids.parseResponseId(response.id))!;
    const deleted = await fetch(`${server.url}/responses/${response.id}`, { method: "DELETE" });
    expect(await deleted.json()).toEqual({ id: response.id, object: "response", deleted: true });
    await expect(responses().retrieve(response.id)).rejects.toMatchObject({ status: 404 });
    await expect(responses().create({ model: "counter", input: "x", previous_response_id: response.id })).rejects.toMatchObject({ status: 404 });
    expect(await threadIds()).not.toContain(threadId);
  });

  it("keeps a thread whose other responses live when one of them is deleted", async () => {
    const first = await responses().create({ model: "counter", input: "one" });
    const second = await responses().create({ model: "counter", input: "two", previous_response_id: first.id });
    await responses().delete(first.id);
    await expect(responses().retrieve(first.id)).rejects.toMatchObject({ status: 404 });
    expect((await responses().retrieve(second.id)).output_text).toBe("I hold 4 messages.");
    expect((await responses().create({ model: "counter", input: "three", previous_response_id: second.id })).output_text).toBe("I hold 6 messages.");
  });

  it("leaves nothing behind with store: false, and its ids name nothing", async () => {
    const before = await threadIds();
    const response = await responses().create({ model: "counter", input: "do not keep", store: false });
    const streamed = await collect(await responses().create({ model: "counter", input: "nor this", store: false, stream: true }));
    expect(response.output_text).toBe("I hold 2 messages.");
    expect(streamed.at(-1)?.type).toBe("response.completed");
    const continued = await responses().create({ model: "counter", input: "two", store: false, previous_response_id: (await responses().create({ model: "counter", input: "one" })).id });
    expect(continued.output_text).toBe("I hold 4 messages.");
    const after = (await threadIds()).filter((id) => !before.includes(id) && id !== SECRET_THREAD_ID);
    expect(after).toHaveLength(1);
    expect((await checkpointer.getTuple({ configurable: { thread_id: after[0], checkpoint_ns: "" } }))?.checkpoint.channel_values.messages).toHaveLength(2);
    await expect(responses().retrieve(response.id)).rejects.toMatchObject({ status: 404 });
    await expect(responses().create({ model: "counter", input: "x", previous_response_id: response.id })).rejects.toMatchObject({ status: 404 });
  });

  it("hands calls the graph did not run to the client as function_call items, and goes on with their outputs", async () => {
    const tools: OpenAI.Responses.Tool[] = [
      { type: "function", name: "lookup", description: "Look a thing up.", parameters: { type: "object", properties: { query: { type: "string" } } }, strict: false },
      { type: "web_search" },
    ];
    const first = await responses().create({ model: "client-tools", input: "capital of France?", tools });
    expect(first.output.map((item) => item.type)).toEqual(["message", "function_call"]);
    const call = first.output[1] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ name: "lookup", status: "completed", id: expect.stringMatching(/^fc_/), call_id: expect.any(String) });
    expect(JSON.parse(call.arguments)).toEqual({ query: "capital of France?", n: 0 });
    const second = await responses().create({
      model: "client-tools",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "Paris" }],
      tools,
    });
    expect(second.output_text).toBe("Results: Paris.");
  });

  it("gives a graph namespaced functions (Codex's MCP tools) by flat names, and names its calls of them as the client does", async () => {
    const lookup = { type: "function", name: "lookup", parameters: { type: "object", properties: { query: { type: "string" } } }, strict: false };
    const tools = [{ type: "namespace", name: "mcp__graphs", description: "Tools of the MCP server graphs.", tools: [lookup] }] as unknown as OpenAI.Responses.Tool[];
    const seen = await responses().create({ model: "request-echo", input: "hi", tools, store: false });
    expect(JSON.parse(seen.output_text).tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(["mcp__graphs__lookup"]);

    const first = await responses().create({ model: "client-tools", input: "capital of France?", tools, store: false });
    const call = first.output[1] as OpenAI.Responses.ResponseFunctionToolCall & { namespace?: string };
    expect(call).toMatchObject({ type: "function_call", name: "lookup", namespace: "mcp__graphs" });
    // As Codex sends it: the whole conversation, the call with its namespace.
    const input = [
      { role: "user", content: "capital of France?" },
      { type: "function_call", call_id: call.call_id, name: "lookup", namespace: "mcp__graphs", arguments: call.arguments },
      { type: "function_call_output", call_id: call.call_id, output: "Paris" },
    ] as OpenAI.Responses.ResponseInput;
    const second = await responses().create({ model: "client-tools", input, tools, store: false });
    expect(second.output_text).toBe("Results: Paris.");
  });

  it("asks an interrupt's question and resumes the graph with the next input", async () => {
    const question = await responses().create({ model: "approval", input: "write an email about the picnic" });
    expect(question.output_text).toMatch(/^Draft email:[\s\S]*Send this email\? \(yes\/no\)$/);
    expect((question as unknown as { interrupts: unknown[] }).interrupts).toEqual([
      { id: expect.any(String), value: { question: "Send this email? (yes/no)", draft: expect.stringContaining("picnic") } },
    ]);
    const answer = await responses().create({ model: "approval", input: "yes", previous_response_id: question.id });
    expect(answer.output_text).toBe('Sent the email "The picnic".');
  });

  it("gives the graph the request's options in the chat completions shape getChatRequest reads", async () => {
    const response = await responses().create({
      model: "request-echo",
      input: "echo",
      tools: [
        { type: "function", name: "lookup", parameters: { type: "object" }, strict: true },
        { type: "function", name: "other", parameters: null, strict: null },
        { type: "file_search", vector_store_ids: ["vs_1"] },
      ],
      tool_choice: { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "lookup" }] },
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 64,
      metadata: { team: "a" },
      user: "ada",
      parallel_tool_calls: false,
      text: { format: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true } },
      reasoning: { effort: "low" },
    });
    expect(JSON.parse(response.output_text)).toEqual({
      model: "request-echo",
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" }, strict: true } }],
      tool_choice: "required",
      parallel_tool_calls: false,
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 64,
      max_completion_tokens: 64,
      user: "ada",
      metadata: { team: "a" },
      reasoning_effort: "low",
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } },
    });
    const forced = await responses().create({ model: "request-echo", input: "echo", tools: [{ type: "function", name: "lookup", parameters: {}, strict: false }], tool_choice: { type: "function", name: "lookup" } });
    expect(JSON.parse(forced.output_text).tool_choice).toEqual({ type: "function", function: { name: "lookup" } });
  });

  it("ends an answer cut at max_output_tokens as incomplete", async () => {
    const response = await responses().create({ model: "long-answer", input: "talk", max_output_tokens: 16 });
    expect(response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect(response.output_text.trim().split(" ")).toHaveLength(16);
    const events = await collect(await responses().create({ model: "long-answer", input: "talk", max_output_tokens: 16, stream: true }));
    expect(events.at(-1)?.type).toBe("response.incomplete");
  });

  it("reports a graph that fails mid-stream as an error the SDK raises, after response.failed's partial output", async () => {
    const stream = await responses().create({ model: "fails-midway", input: "go", stream: true });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^The graph behind model 'fails-midway' failed \(request id [\w-]+\)/) });
    expect(seen).toContain("response.output_text.delta");
    await expect(responses().create({ model: "fails-at-once", input: "go", stream: true })).rejects.toMatchObject({ status: 500, code: "graph_error" });
    await expect(responses().create({ model: "fails-midway", input: "go" })).rejects.toMatchObject({ status: 500, code: "graph_error" });
  });

  it("sends a failure as an error event and then response.failed, with no [DONE]", async () => {
    const body = await (await fetch(`${server.url}/responses`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "fails-midway", input: "go", stream: true }) })).text();
    const names = body.trim().split("\n\n").map((frame) => frame.split("\n")[0]);
    expect(names.slice(-2)).toEqual(["event: error", "event: response.failed"]);
    expect(body).not.toContain("[DONE]");
  });
});

describe("Responses requests the spec refuses", () => {
  const post = (body: unknown) =>
    fetch(`${server.url}/responses`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as { error: { message: string; param: string | null; type: string } },
    }));

  const cases: [string, unknown, string | null][] = [
    ["no input", { model: "counter" }, "input"],
    ["an unknown item type", { model: "counter", input: [{ type: "telepathy" }] }, "input[0].type"],
    ["a hosted tool's item", { model: "counter", input: [{ type: "web_search_call", id: "ws_1" }] }, "input[0].type"],
    ["a user message without content", { model: "counter", input: [{ role: "user" }] }, "input[0].content"],
    ["an unknown role", { model: "counter", input: [{ role: "wizard", content: "hi" }] }, "input[0].role"],
    ["function call arguments that are not JSON", { model: "counter", input: [{ type: "function_call", call_id: "c", name: "f", arguments: "{" }] }, "input[0].arguments"],
    ["both previous_response_id and conversation", { model: "counter", input: "x", previous_response_id: "resp_1", conversation: "c" }, "conversation"],
    ["max_output_tokens under 16", { model: "counter", input: "x", max_output_tokens: 8 }, "max_output_tokens"],
    ["temperature over 2", { model: "counter", input: "x", temperature: 3 }, "temperature"],
    ["more than 16 metadata pairs", { model: "counter", input: "x", metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) }, "metadata"],
    ["a background response", { model: "counter", input: "x", background: true }, "background"],
    ["a function tool without a name", { model: "counter", input: "x", tools: [{ type: "function" }] }, "tools[0].name"],
  ];
  for (const [name, body, param] of cases) {
    it(`answers ${name} with a 400 naming '${param}'`, async () => {
      const { status, body: error } = await post(body);
      expect(status).toBe(400);
      expect(error.error).toMatchObject({ type: "invalid_request_error", param });
    });
  }

  it("answers an unknown model with 404 model_not_found", async () => {
    await expect(responses().create({ model: "nobody", input: "x" })).rejects.toMatchObject({ status: 404, code: "model_not_found", param: "model" });
  });
});
