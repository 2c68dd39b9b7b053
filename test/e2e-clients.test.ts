import { createOpenAI } from "@ai-sdk/openai";
import { AIMessageChunk, type BaseMessageChunk } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { generateText, streamText } from "ai";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startServer } from "./helpers.js";

// A config the example graphs do not cover (every export kind, a .js file, a default
// export, an id with a slash, env), served on a real socket to the clients people use.
const CONFIG = "test/fixtures/langgraph.config.json";
const GREETING = "Hello from the config's env";

let server: Awaited<ReturnType<typeof startServer>>;
const savedEnv = { ...process.env };
beforeAll(async () => {
  delete process.env.FIXTURE_GREETING;
  server = await startServer({ config: CONFIG });
});
afterAll(async () => {
  process.env = savedEnv;
  await server.close();
});

const ask = (content: string) => [{ role: "user" as const, content }];

describe("the openai SDK", () => {
  it("gets an answer and usage from each kind of graph export", async () => {
    const answers: Record<string, string | null | undefined> = {};
    for (const model of ["compiled", "uncompiled", "sync-factory", "async-factory", "react", "plain-js", "default-export", "team/greeter"]) {
      const completion = await server.client.chat.completions.create({ model, messages: ask("capital of France?"), user: "ada" });
      expect(completion).toMatchObject({ object: "chat.completion", model, choices: [{ index: 0, finish_reason: "stop" }] });
      expect(completion.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
      answers[model] = completion.choices[0]?.message.content;
    }
    expect(answers).toMatchObject({
      uncompiled: `${GREETING}: you wrote "capital of France?" and this answer streams word by word.`,
      "sync-factory": "sync factory built this graph for ada",
      "async-factory": "async factory built this graph for ada",
      react: "Looking it up. \n\nThe capital is Paris.",
      "plain-js": "CAPITAL OF FRANCE?",
      "default-export": "Greetings from the default export.",
      "team/greeter": "Greetings from the default export.",
    });
  });

  it("streams the same text as the non-streamed answer, role first, finish_reason last, then the usage chunk", async () => {
    const request = { model: "uncompiled", messages: ask("stream this") };
    const completion = await server.client.chat.completions.create(request);
    const chunks = await collect(
      await server.client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }),
    );
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(completion.choices[0]?.message.content);
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBeGreaterThan(5);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual(completion.usage);
    expect(usageChunk.usage?.completion_tokens).toBeGreaterThan(0);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.slice(0, -2).every((chunk) => chunk.choices[0]?.finish_reason === null && !chunk.usage)).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it("sends no usage in a stream unless asked", async () => {
    const chunks = await collect(await server.client.chat.completions.create({ model: "uncompiled", messages: ask("hi"), stream: true }));
    expect(chunks.every((chunk) => chunk.usage == null && chunk.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("streams a message a node returns as a plain { role, content } object", async () => {
    const chunks = await collect(await server.client.chat.completions.create({ model: "plain-js", messages: ask("loud"), stream: true }));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("LOUD");
  });

  it("ends the Server-Sent Events with data: [DONE]", async () => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "plain-js", messages: ask("hi"), stream: true }),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = (await response.text()).split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    expect(events.slice(0, -1).every((event) => event.startsWith("data: {"))).toBe(true);
  });

  it("passes text and image_url parts to the graph as LangChain content blocks", async () => {
    const image = "data:image/png;base64,iVBORw0KGgo=";
    const parts: OpenAI.ChatCompletionContentPart[] = [
      { type: "text", text: "What is in this picture?" },
      { type: "image_url", image_url: { url: image, detail: "low" } },
    ];
    const completion = await server.client.chat.completions.create({
      model: "compiled",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: parts },
      ],
    });
    const received = JSON.parse(completion.choices[0]!.message.content!);
    expect(received).toEqual({
      type: "human",
      count: 2,
      content: parts,
      blocks: [
        { type: "text", text: "What is in this picture?" },
        { type: "image", mimeType: "image/png", data: "iVBORw0KGgo=" },
      ],
    });
  });

  it("lists every graph as a model, with descriptions, and retrieves one whose id has a slash", async () => {
    const models = await collect(server.client.models.list());
    expect(models.map((model) => model.id)).toEqual([
      "compiled",
      "uncompiled",
      "sync-factory",
      "async-factory",
      "react",
      "plain-js",
      "default-export",
      "team/greeter",
    ]);
    expect(models.find((model) => model.id === "react")).toMatchObject({
      object: "model",
      owned_by: "fixtures",
      name: "ReAct agent",
      description: "createReactAgent with a tool",
    });
    expect(await server.client.models.retrieve("team/greeter")).toMatchObject({ id: "team/greeter", name: "Greeter", description: "Set in the graph's own spec" });
    const raw = await fetch(`${server.url}/models/compiled`);
    // Without a name, the id is the name Open WebUI's model picker shows.
    expect(await raw.json()).toMatchObject({ id: "compiled", object: "model", owned_by: "langgraph-openai", name: "compiled" });
  });

  it("answers an unknown model with a 404 in OpenAI's shape", async () => {
    await expect(server.client.chat.completions.create({ model: "team/nobody", messages: ask("hi") })).rejects.toMatchObject({
      status: 404,
      type: "invalid_request_error",
      code: "model_not_found",
      param: "model",
      message: expect.stringContaining("'team/nobody'"),
    });
    await expect(server.client.models.retrieve("nobody")).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  });

  it("answers an unknown route with a 404 in OpenAI's shape", async () => {
    const response = await fetch(`${server.url}/embeddings`, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: "Invalid URL (POST /v1/embeddings)", type: "invalid_request_error", param: null, code: "unknown_url" },
    });
  });
});

describe("LangChain's ChatOpenAI", () => {
  const chat = (model: string) => new ChatOpenAI({ model, apiKey: "unused", maxRetries: 0, configuration: { baseURL: server.url } });

  it("invokes a graph and reads its text, finish reason and usage", async () => {
    const message = await chat("react").invoke("capital of France?");
    expect(message.text).toBe("Looking it up. \n\nThe capital is Paris.");
    expect(message.response_metadata).toMatchObject({ finish_reason: "stop", model_name: "react" });
    expect(message.usage_metadata?.total_tokens).toBeGreaterThan(0);
  });

  it("streams the same text token by token, with usage at the end", async () => {
    const model = chat("uncompiled");
    const invoked = await model.invoke("hello");
    const chunks = await collect(await model.stream("hello"));
    expect(chunks.filter((chunk) => chunk.text).length).toBeGreaterThan(5);
    const streamed = chunks.reduce<BaseMessageChunk>((sum, chunk) => sum.concat(chunk), new AIMessageChunk(""));
    expect(streamed.text).toBe(invoked.text);
    expect((streamed as AIMessageChunk).usage_metadata).toEqual(invoked.usage_metadata);
  });
});

describe("the Vercel AI SDK", () => {
  // `openai(model)` would use the Responses API in AI SDK v6: `.chat()` is Chat Completions.
  const provider = () => createOpenAI({ baseURL: server.url, apiKey: "unused" });

  it("generateText gets the text, finish reason and usage", async () => {
    const result = await generateText({ model: provider().chat("uncompiled"), prompt: "generate", maxRetries: 0 });
    expect(result.text).toBe(`${GREETING}: you wrote "generate" and this answer streams word by word.`);
    expect(result.finishReason).toBe("stop");
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it("streamText streams the same text, then the finish reason and usage", async () => {
    const model = provider().chat("uncompiled");
    const generated = await generateText({ model, prompt: "stream", maxRetries: 0 });
    const result = streamText({ model, prompt: "stream", maxRetries: 0 });
    const parts = await collect(result.textStream);
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.join("")).toBe(generated.text);
    expect(await result.finishReason).toBe("stop");
    expect((await result.usage).outputTokens).toBe(generated.usage.outputTokens);
  });

  it("sends the system prompt and messages to a graph", async () => {
    const result = await generateText({
      model: provider().chat("compiled"),
      system: "Be brief.",
      messages: [{ role: "user", content: [{ type: "text", text: "what did I send?" }] }],
      maxRetries: 0,
    });
    expect(JSON.parse(result.text)).toMatchObject({ type: "human", count: 2, blocks: [{ type: "text", text: "what did I send?" }] });
  });
});
