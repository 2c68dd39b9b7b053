/**
 * The example projects in `examples/`, written as LangGraph's templates are (model from
 * `configurable`, memory in the store, runtime context), served unchanged.
 */
import { randomUUID } from "node:crypto";
import OpenAI, { BadRequestError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, POSTGRES_URL, skipWithoutPostgres, startServer } from "./helpers.js";

type Request = OpenAI.ChatCompletionCreateParamsNonStreaming & { context?: Record<string, unknown> };

async function ask(client: OpenAI, request: Omit<Request, "messages"> & { text: string }, headers: Record<string, string> = {}): Promise<string> {
  const { text, ...rest } = request;
  const completion = await client.chat.completions.create({ ...rest, messages: [{ role: "user", content: text }] } as Request, { headers });
  return completion.choices[0]!.message.content!;
}

describe("the react-agent example", () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    server = await startServer({ config: "examples/react-agent/langgraph.json" });
  });
  afterAll(() => server.close());

  it("serves one graph as two models that answer differently, each with the model its configurable names", async () => {
    const brief = await ask(server.client, { model: "agent-brief", text: "hello" });
    const chatty = await ask(server.client, { model: "agent-chatty", text: "hello" });
    expect(brief).toBe('you said "hello".');
    expect(chatty).toBe('Oh, how lovely to hear from you, friend, you said "hello"! Is there anything else on your mind?');
    const ids = (await collect(server.client.models.list())).map((model) => model.id);
    expect(ids).toEqual(["agent", "agent-brief", "agent-chatty"]);
  });

  it("runs its tools inside the graph and answers from their result", async () => {
    expect(await ask(server.client, { model: "agent-brief", text: "What is 6 * 7?" })).toBe("the answer is 42.");
  });

  it("gets the user's name from the request's context, over the model's default", async () => {
    expect(await ask(server.client, { model: "agent-brief", text: "hi", context: { userName: "Ada" } })).toBe('Ada, you said "hi".');
    const stream = await server.client.chat.completions.create({
      model: "agent-chatty",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      context: { userName: "Grace" },
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    const text = (await collect(stream)).map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe('Oh, how lovely to hear from you, Grace, you said "hi"! Is there anything else on your mind?');
  });

  it("refuses a context value its context schema does not accept", async () => {
    const error = await ask(server.client, { model: "agent-brief", text: "hi", context: { userName: "" } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ param: "context.userName" });
  });
});

describe("the memory-agent example", () => {
  const remember = (client: OpenAI, user: string, thread: string) =>
    ask(client, { model: "memory-agent", text: "Remember that my favourite colour is teal." }, { "X-OpenWebUI-User-Id": user, "X-Thread-Id": thread });
  const recall = (client: OpenAI, user: string, thread: string) =>
    ask(client, { model: "memory-agent", text: "What do you remember about me?" }, { "X-OpenWebUI-User-Id": user, "X-Thread-Id": thread });

  describe("with the default store", () => {
    let server: Awaited<ReturnType<typeof startServer>>;

    beforeAll(async () => {
      server = await startServer({ config: "examples/memory-agent/langgraph.json" });
    });
    afterAll(() => server.close());

    it("reads in one thread a memory written in another, for the same user only", async () => {
      const ada = `ada-${randomUUID()}`;
      expect(await remember(server.client, ada, `thread-${randomUUID()}`)).toBe("Got it, I will remember that.");
      expect(await recall(server.client, ada, `thread-${randomUUID()}`)).toBe("I remember that my favourite colour is teal.");
      expect(await recall(server.client, `grace-${randomUUID()}`, `thread-${randomUUID()}`)).toBe("I do not remember anything about you yet.");
    });

    it("finds the user in the request's user field when no front end forwards one", async () => {
      const user = `user-${randomUUID()}`;
      await ask(server.client, { model: "memory-agent", text: "Remember that I like chess.", user });
      expect(await ask(server.client, { model: "memory-agent", text: "What do you know about me?", user })).toBe("I remember that I like chess.");
    });
  });

  describe("with two tenants and a front end's key", () => {
    let server: Awaited<ReturnType<typeof startServer>>;
    const as = (key: string) => new OpenAI({ baseURL: server.url, apiKey: key, maxRetries: 0 });

    beforeAll(async () => {
      const apiKeys = [{ key: "sk-a", tenant: "acme" }, { key: "sk-b", tenant: "beta" }, { key: "sk-webui-b", tenant: "beta", frontEnd: true }];
      server = await startServer({ config: "examples/memory-agent/langgraph.json", apiKeys });
    });
    afterAll(() => server.close());

    it("never reads a tenant's memories for another tenant's key claiming its name, in the body or Open WebUI's header", async () => {
      const thread = () => `thread-${randomUUID()}`;
      const acme = { model: "memory-agent", text: "Remember that my favourite colour is teal." };
      expect(await ask(as("sk-a"), acme, { "X-Thread-Id": thread() })).toBe("Got it, I will remember that.");
      expect(await ask(as("sk-b"), { model: "memory-agent", text: "What do you remember about me?", user: "acme" })).toBe("I do not remember anything about you yet.");
      expect(await recall(as("sk-b"), "acme", thread())).toBe("I do not remember anything about you yet.");
      expect(await recall(as("sk-webui-b"), "acme", thread())).toBe("I do not remember anything about you yet.");
      expect(await recall(as("sk-a"), "someone-else", thread())).toBe("I remember that my favourite colour is teal.");
    });

    it("keeps each user a front end's key names apart, within its tenant", async () => {
      const ada = `ada-${randomUUID()}`;
      expect(await remember(as("sk-webui-b"), ada, `thread-${randomUUID()}`)).toBe("Got it, I will remember that.");
      expect(await recall(as("sk-webui-b"), ada, `thread-${randomUUID()}`)).toBe("I remember that my favourite colour is teal.");
      expect(await recall(as("sk-webui-b"), `grace-${randomUUID()}`, `thread-${randomUUID()}`)).toBe("I do not remember anything about you yet.");
      expect(await recall(as("sk-b"), ada, `thread-${randomUUID()}`)).toBe("I do not remember anything about you yet.");
    });
  });

  describe("with --store postgres://", () => {
    it("keeps memories in PostgreSQL, across a restart", async (context) => {
      await skipWithoutPostgres(context, "PostgreSQL store test");
      const ada = `ada-${randomUUID()}`;
      const first = await startServer({ config: "examples/memory-agent/langgraph.json", storeSpec: POSTGRES_URL });
      expect(await remember(first.client, ada, `thread-${randomUUID()}`)).toBe("Got it, I will remember that.");
      await first.close();
      const second = await startServer({ config: "examples/memory-agent/langgraph.json", storeSpec: POSTGRES_URL });
      expect(await recall(second.client, ada, `thread-${randomUUID()}`)).toBe("I remember that my favourite colour is teal.");
      await second.close();
    });
  });
});
