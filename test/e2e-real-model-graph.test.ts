import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startServer } from "./helpers.js";

// The real-model example (ChatOpenAI inside a ReAct agent) pointed at a second server of
// ours: its tokens and usage must pass through both servers unchanged.
describe("a graph that calls ChatOpenAI", () => {
  let upstream: Awaited<ReturnType<typeof startServer>>;
  let server: Awaited<ReturnType<typeof startServer>>;
  const saved = { ...process.env };

  beforeAll(async () => {
    upstream = await startServer({ config: "langgraph.config.json" });
    Object.assign(process.env, { OPENAI_API_KEY: "sk-local", OPENAI_BASE_URL: upstream.url, OPENAI_MODEL: "chat" });
    server = await startServer({ config: "examples/openai.config.json" });
  });
  afterAll(async () => {
    process.env = saved;
    await server.close();
    await upstream.close();
  });

  it("streams the upstream model's tokens and reports its usage", async () => {
    const request = { model: "openai-agent", messages: [{ role: "user" as const, content: "hi" }] };
    const direct = await upstream.client.chat.completions.create({ ...request, model: "chat" });
    const chunks = await collect(
      await server.client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }),
    );
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(direct.choices[0]?.message.content);
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBeGreaterThan(10);
    expect(chunks.at(-1)?.usage).toEqual(direct.usage);
  });

  it("passes the client's max_tokens, stop and response_format through ChatOpenAI to the upstream model", async () => {
    const ask = (options: object) =>
      server.client.chat.completions.create({ model: "openai-agent", messages: [{ role: "user", content: "hi" }], ...options });
    const cut = await ask({ max_tokens: 3 });
    expect(cut.choices[0]).toMatchObject({ finish_reason: "length", message: { content: 'You said: "hi". ' } });
    const stopped = await ask({ stop: "turn" });
    expect(stopped.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: 'You said: "hi". This is ' } });
    const json = await ask({ response_format: { type: "json_schema", json_schema: { name: "reply", schema: { type: "object", properties: { said: { type: "string" } } } } } });
    expect(JSON.parse(json.choices[0]!.message.content!)).toEqual({ said: expect.stringMatching(/^You said: "hi"/) });
  });
});
