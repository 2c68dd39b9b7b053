import { AIMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { InternalServerError } from "openai";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRegistry } from "../src/registry.js";
import { createTestClient, ScriptedChatModel } from "../src/testing.js";
import { collect } from "./helpers.js";

/** A one-node graph around the model it is given, as a graph developer would write it for tests. */
function makeAgent(model: ScriptedChatModel) {
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addEdge(START, "model")
    .addEdge("model", END)
    .compile();
}

const broken = new StateGraph(MessagesAnnotation)
  .addNode("tool", (): { messages: AIMessage[] } => {
    throw new Error("the weather service is down");
  })
  .addEdge(START, "tool")
  .compile();

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createTestClient", () => {
  it("answers through the openai SDK, streamed or not, with nothing listening at its base URL", async () => {
    const client = await createTestClient({ agent: makeAgent(new ScriptedChatModel({ replies: ["Hello there, tester."] })) });
    expect(client.baseURL).toBe("http://langgraph-openai.test/v1");
    const reply = await client.chat.completions.create({ model: "agent", messages: [{ role: "user", content: "Hi" }] });
    expect(reply.choices[0]?.message.content).toBe("Hello there, tester.");
    const chunks = await collect(await client.chat.completions.create({ model: "agent", messages: [{ role: "user", content: "Hi" }], stream: true }));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("Hello there, tester.");
    expect((await client.models.list()).data.map((model) => model.id)).toEqual(["agent"]);
  });

  it("runs the thread that X-Thread-Id names, turn after turn", async () => {
    const threadReporter = new StateGraph(MessagesAnnotation)
      .addNode("report", (state, config) => ({
        messages: [new AIMessage(`Thread ${config.configurable?.thread_id} holds ${state.messages.length} messages.`)],
      }))
      .addEdge(START, "report")
      .compile();
    const client = await createTestClient({ agent: threadReporter });
    const thread = { headers: { "X-Thread-Id": "thread-1" } };
    const history: { role: "user" | "assistant"; content: string }[] = [{ role: "user", content: "one" }];
    const first = await client.chat.completions.create({ model: "agent", messages: history }, thread);
    expect(first.choices[0]?.message.content).toBe("Thread thread-1 holds 1 messages.");
    history.push({ role: "assistant", content: first.choices[0]!.message.content! }, { role: "user", content: "two" });
    const second = await client.chat.completions.create({ model: "agent", messages: history }, thread);
    expect(second.choices[0]?.message.content).toBe("Thread thread-1 holds 3 messages.");
  });

  it("writes no request logs", async () => {
    const written = vi.spyOn(process.stdout, "write");
    const client = await createTestClient({ agent: makeAgent(new ScriptedChatModel({ replies: ["ok"] })) });
    await client.chat.completions.create({ model: "agent", messages: [{ role: "user", content: "Hi" }] });
    expect(written).not.toHaveBeenCalled();
  });

  it("prints why a graph failed, while the client gets OpenAI's 500", async () => {
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    const client = await createTestClient({ broken });
    const failure = await client.chat.completions.create({ model: "broken", messages: [{ role: "user", content: "Hi" }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InternalServerError);
    expect(printed).toHaveBeenCalledOnce();
    expect(String(printed.mock.calls[0]![1])).toContain("the weather service is down");
  });

  it("takes a registry and the app's options, and sends the first API key", async () => {
    const registry = await createRegistry({ agent: { graph: makeAgent(new ScriptedChatModel({ replies: ["ok"] })), settings: { description: "An agent" } } });
    const client = await createTestClient(registry, { apiKeys: [{ key: "sk-test" }] });
    expect((await client.chat.completions.create({ model: "agent", messages: [{ role: "user", content: "Hi" }] })).choices[0]?.message.content).toBe("ok");
    const stranger = await createTestClient(registry, { apiKeys: [{ key: "sk-test" }], client: { apiKey: "sk-wrong" } });
    await expect(stranger.models.list()).rejects.toMatchObject({ status: 401 });
  });
});
