import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { collect, startServer } from "./helpers.js";

describe("the example config through the openai SDK", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ config: "langgraph.config.json" });
  });
  afterAll(() => server.close());

  it("lists every graph as a model", async () => {
    const models = await collect(server.client.models.list());
    expect(models.map((model) => model.id)).toEqual(["echo", "chat", "agent", "client-tools", "approval"]);
    expect(models[0]).toMatchObject({ object: "model", owned_by: "langgraph-openai" });
  });

  it("answers a non-streamed request with the agent's text and usage", async () => {
    const completion = await server.client.chat.completions.create({
      model: "agent",
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
    });
    expect(completion.choices[0]?.message.content).toContain("18°C and sunny");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("streams the same answer token by token", async () => {
    const request = { model: "agent", messages: [{ role: "user" as const, content: "What is 12 * 7?" }] };
    const completion = await server.client.chat.completions.create(request);
    const chunks = await collect(await server.client.chat.completions.create({ ...request, stream: true }));
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "");
    expect(deltas.filter(Boolean).length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe(completion.choices[0]?.message.content);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("calls the client's tool with the example client-tools graph, then answers from its result", async () => {
    const tools = [
      {
        type: "function" as const,
        function: { name: "get_stock", parameters: { type: "object", properties: { symbol: { type: "string" } }, required: ["symbol"] } },
      },
    ];
    const messages = [{ role: "user" as const, content: "ACME" }];
    const call = await server.client.chat.completions.create({ model: "client-tools", messages, tools });
    const toolCall = call.choices[0]?.message.tool_calls?.[0];
    expect(call.choices[0]?.finish_reason).toBe("tool_calls");
    expect(toolCall).toMatchObject({ type: "function", function: { name: "get_stock", arguments: '{"symbol":"ACME"}' } });
    const answer = await server.client.chat.completions.create({
      model: "client-tools",
      tools,
      messages: [...messages, call.choices[0]!.message, { role: "tool", tool_call_id: toolCall!.id, content: "ACME is at 42" }],
    });
    expect(answer.choices[0]?.message.content).toBe("Your tool answered: ACME is at 42.");
  });

  it("calls the tool tool_choice names in the client-tools example, any tool when required, and none when none", async () => {
    const tool = (name: string, argument: string) => ({
      type: "function" as const,
      function: { name, parameters: { type: "object", properties: { [argument]: { type: "string" } }, required: [argument] } },
    });
    const tools = [tool("get_stock", "symbol"), tool("get_news", "topic")];
    const messages = [{ role: "user" as const, content: "ACME" }];
    const ask = (tool_choice: "none" | "required" | { type: "function"; function: { name: string } }) =>
      server.client.chat.completions.create({ model: "client-tools", messages, tools, tool_choice });
    const named = await ask({ type: "function", function: { name: "get_news" } });
    expect(named.choices[0]?.message.tool_calls).toEqual([expect.objectContaining({ function: { name: "get_news", arguments: '{"topic":"ACME"}' } })]);
    const required = await ask("required");
    expect(required.choices[0]?.message.tool_calls).toEqual([expect.objectContaining({ function: { name: "get_stock", arguments: '{"symbol":"ACME"}' } })]);
    const none = await ask("none");
    expect(none.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "I may not call get_stock or get_news this time." } });
    expect(none.choices[0]?.message.tool_calls).toBeUndefined();
  });

  it("answers JSON that fits the client's schema from the chat example, for chat.completions.parse()", async () => {
    const Summary = z.object({ summary: z.string(), turns: z.number().int() });
    const completion = await server.client.chat.completions.parse({
      model: "chat",
      messages: [{ role: "user", content: "hi" }],
      response_format: zodResponseFormat(Summary, "summary"),
    });
    const parsed = completion.choices[0]?.message.parsed;
    expect(parsed?.summary).toMatch(/^You said: "hi"\. This is turn 1/);
    expect(parsed?.turns).toBe(0);
  });

  it("ends the chat example's answer at the client's stop sequence or max_tokens", async () => {
    const ask = (options: { stop?: string[]; max_tokens?: number }) =>
      server.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }], ...options });
    const stopped = await ask({ stop: ["turn"] });
    expect(stopped.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: 'You said: "hi". This is ' } });
    const cut = await ask({ max_tokens: 3 });
    expect(cut.choices[0]).toMatchObject({ finish_reason: "length", message: { content: 'You said: "hi". ' } });
  });

  it("gives the agent example's final answer as JSON when asked for it", async () => {
    const completion = await server.client.chat.completions.create({
      model: "agent",
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      response_format: { type: "json_object" },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ answer: "The weather there today: 18°C and sunny." });
  });

  it("says which model does not exist", async () => {
    await expect(
      server.client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  });
});
