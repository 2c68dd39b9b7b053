import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("says which model does not exist", async () => {
    await expect(
      server.client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  });
});
