import OpenAI, { AuthenticationError, NotFoundError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startServer } from "./helpers.js";

describe("API keys", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const client = (apiKey: string) => new OpenAI({ baseURL: server.url, apiKey, maxRetries: 0 });

  beforeAll(async () => {
    server = await startServer({
      config: "langgraph.config.json",
      apiKeys: [{ key: "sk-admin" }, { key: "sk-echo-only", models: ["echo"] }],
    });
  });
  afterAll(() => server.close());

  it("rejects a wrong key with the openai SDK's AuthenticationError", async () => {
    const error = await client("sk-wrong").models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: "invalid_api_key", type: "invalid_request_error" });
  });

  it("rejects a request without a key, on every route but /health", async () => {
    const chat = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "echo", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(chat.status).toBe(401);
    expect(chat.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect((await chat.json()).error.message).toContain("didn't provide an API key");
    expect((await fetch(`${server.url.replace("/v1", "")}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/nope`)).status).toBe(401);
    expect((await fetch(`${server.url.replace("/v1", "")}/health`)).status).toBe(200);
    expect((await fetch(`${server.url.replace("/v1", "")}/health/`)).status).toBe(200);
    expect((await fetch(`${server.url}/chat/completions/`, { method: "POST", body: "{}" })).status).toBe(401);
  });

  it("serves a client with a right key", async () => {
    const completion = await client("sk-admin").chat.completions.create({
      model: "echo",
      messages: [{ role: "user", content: "hello" }],
    });
    expect(completion.choices[0]?.message.content).toContain("hello");
    const models = await collect(client("sk-admin").models.list());
    expect(models.map((model) => model.id)).toEqual(["echo", "chat", "agent", "client-tools", "approval"]);
  });

  it("hides the models a limited key may not use, as if they did not exist", async () => {
    const limited = client("sk-echo-only");
    expect((await collect(limited.models.list())).map((model) => model.id)).toEqual(["echo"]);
    await expect(limited.models.retrieve("chat")).rejects.toBeInstanceOf(NotFoundError);
    const refused = limited.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
    await expect(refused).rejects.toMatchObject({ status: 404, code: "model_not_found" });
    const stream = await limited.chat.completions.create({ model: "echo", messages: [{ role: "user", content: "hi" }], stream: true });
    expect((await collect(stream)).length).toBeGreaterThan(1);
  });

  it("keeps /metrics, which names every model, to keys that may use every model", async () => {
    const root = server.url.replace("/v1", "");
    const limited = await fetch(`${root}/metrics`, { headers: { Authorization: "Bearer sk-echo-only" } });
    expect(limited.status).toBe(404);
    const admin = await fetch(`${root}/metrics`, { headers: { Authorization: "Bearer sk-admin" } });
    expect(admin.status).toBe(200);
  });
});
