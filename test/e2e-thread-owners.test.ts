import { randomUUID } from "node:crypto";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph as approval } from "../graphs/approval.js";
import { createRegistry } from "../src/index.js";
import { startServer } from "./helpers.js";

type Message = OpenAI.ChatCompletionMessageParam;

/**
 * Says how many messages its thread holds and what the user said, so a test sees whose
 * state a thread is. One per server: a graph keeps the first server checkpointer it is given.
 */
function counter() {
  return new StateGraph(MessagesAnnotation)
    .addNode("answer", (state) => {
      const said = state.messages.filter((message: BaseMessage) => message.getType() === "human").map((message) => message.text);
      return { messages: [new AIMessage(`I hold ${state.messages.length + 1} messages; you said: ${said.join(", ")}.`)] };
    })
    .addEdge(START, "answer")
    .compile();
}

async function threadIds(saver: MemorySaver): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const tuple of saver.list({})) ids.add(tuple.config.configurable?.thread_id);
  return ids;
}

function clientOf(server: { url: string }, apiKey: string): OpenAI {
  return new OpenAI({ baseURL: server.url, apiKey, maxRetries: 0 });
}

async function say(client: OpenAI, text: string, headers: Record<string, string>, model = "counter"): Promise<string> {
  const completion = await client.chat.completions.create({ model, messages: [{ role: "user", content: text }] }, { headers: { "X-Thread-Mode": "continue", ...headers } });
  return completion.choices[0]!.message.content!;
}

describe("threads belong to the API key, or the tenant, that made them", () => {
  const checkpointer = new MemorySaver();
  let server: Awaited<ReturnType<typeof startServer>>;
  let alice: OpenAI;
  let bob: OpenAI;

  beforeAll(async () => {
    server = await startServer({
      registry: await createRegistry({ counter: counter(), approval }),
      checkpointer,
      apiKeys: [{ key: "sk-alice" }, { key: "sk-bob" }, { key: "sk-carol", tenant: "team" }, { key: "sk-dave", tenant: "team" }],
    });
    alice = clientOf(server, "sk-alice");
    bob = clientOf(server, "sk-bob");
  });
  afterAll(() => server.close());

  it("gives two keys naming one thread id two threads: neither sees the other's state", async () => {
    const thread = { "X-Thread-Id": `shared-${randomUUID()}` };
    expect(await say(alice, "one", thread)).toBe("I hold 2 messages; you said: one.");
    expect(await say(alice, "two", thread)).toBe("I hold 4 messages; you said: one, two.");
    expect(await say(bob, "three", thread)).toBe("I hold 2 messages; you said: three.");
    expect(await say(alice, "four", thread)).toBe("I hold 6 messages; you said: one, two, four.");
    expect(await say(bob, "five", thread)).toBe("I hold 4 messages; you said: three, five.");
  });

  it("scopes a thread that a chat UI names with its whole history, and one named in metadata, the same way", async () => {
    const threadId = `history-${randomUUID()}`;
    const history: Message[] = [{ role: "user", content: "secret plan" }];
    const first = await alice.chat.completions.create({ model: "counter", messages: history }, { headers: { "X-Thread-Id": threadId } });
    history.push({ role: "assistant", content: first.choices[0]!.message.content! }, { role: "user", content: "more" });
    const theirs = await bob.chat.completions.create({ model: "counter", messages: [{ role: "user", content: "hello" }], metadata: { thread_id: threadId, thread_mode: "continue" } });
    expect(theirs.choices[0]!.message.content).toBe("I hold 2 messages; you said: hello.");
    const again = await alice.chat.completions.create({ model: "counter", messages: history }, { headers: { "X-Thread-Id": threadId } });
    expect(again.choices[0]!.message.content).toBe("I hold 4 messages; you said: secret plan, more.");
  });

  it("lets the keys of one tenant share their threads", async () => {
    const thread = { "X-Thread-Id": `team-${randomUUID()}` };
    expect(await say(clientOf(server, "sk-carol"), "from carol", thread)).toBe("I hold 2 messages; you said: from carol.");
    expect(await say(clientOf(server, "sk-dave"), "from dave", thread)).toBe("I hold 4 messages; you said: from carol, from dave.");
    expect(await say(alice, "from alice", thread)).toBe("I hold 2 messages; you said: from alice.");
  });

  it("keeps each owner's threads under an id of its own in the checkpointer, and never the key itself", async () => {
    const threadId = `stored-${randomUUID()}`;
    await say(clientOf(server, "sk-carol"), "hi", { "X-Thread-Id": threadId });
    await say(alice, "hi", { "X-Thread-Id": threadId });
    const stored = [...(await threadIds(checkpointer))].filter((id) => id.endsWith(threadId));
    expect(stored).toHaveLength(2);
    expect(stored).toContain(`t=team/${threadId}`);
    expect(stored.find((id) => id !== `t=team/${threadId}`)).toMatch(new RegExp(`^t=key-[0-9a-f]{16}/${threadId}$`));
    expect(stored.join(" ")).not.toContain("sk-alice");
  });

  it("keeps Responses API ids and conversations to the key that made them", async () => {
    const mine = await alice.responses.create({ model: "counter", input: "alice's secret" });
    await expect(bob.responses.retrieve(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(bob.responses.create({ model: "counter", input: "more", previous_response_id: mine.id })).rejects.toMatchObject({ status: 404 });
    await expect(bob.responses.delete(mine.id)).rejects.toMatchObject({ status: 404 });
    expect((await alice.responses.retrieve(mine.id)).output_text).toBe("I hold 2 messages; you said: alice's secret.");
    const next = await alice.responses.create({ model: "counter", input: "and more", previous_response_id: mine.id });
    expect(next.output_text).toBe("I hold 4 messages; you said: alice's secret, and more.");

    const conversation = `conversation-${randomUUID()}`;
    await alice.responses.create({ model: "counter", input: "one", conversation });
    expect((await bob.responses.create({ model: "counter", input: "two", conversation })).output_text).toBe("I hold 2 messages; you said: two.");
    expect((await alice.responses.create({ model: "counter", input: "three", conversation })).output_text).toBe("I hold 4 messages; you said: one, three.");
  });

  it("never resumes another key's stateless interrupt, even for the same words", async () => {
    const history: Message[] = [{ role: "user", content: `write an email about ${randomUUID()}` }];
    const asked = await alice.chat.completions.create({ model: "approval", messages: history });
    const question = asked.choices[0]!.message.content!;
    expect(question).toMatch(/Send this email\? \(yes\/no\)$/);
    history.push({ role: "assistant", content: question }, { role: "user", content: "yes" });
    const bobs = await bob.chat.completions.create({ model: "approval", messages: history });
    expect(bobs.choices[0]!.message.content).not.toMatch(/^Sent the email/);
    const alices = await alice.chat.completions.create({ model: "approval", messages: history });
    expect(alices.choices[0]!.message.content).toMatch(/^Sent the email/);
  });
});

describe("threads scoped by the user a trusted front end forwards", () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    const apiKeys = [{ key: "sk-webui", tenant: "acme", frontEnd: true }, { key: "sk-script", tenant: "acme" }];
    server = await startServer({ registry: await createRegistry({ counter: counter() }), apiKeys, scopeThreadsByUser: true });
  });
  afterAll(() => server.close());

  it("gives two users of one key naming one thread id two threads", async () => {
    const webui = clientOf(server, "sk-webui");
    const thread = `chat-${randomUUID()}`;
    const as = (user: string) => ({ "X-Thread-Id": thread, "X-OpenWebUI-User-Id": user });
    expect(await say(webui, "ada's", as("ada"))).toBe("I hold 2 messages; you said: ada's.");
    expect(await say(webui, "grace's", as("grace"))).toBe("I hold 2 messages; you said: grace's.");
    expect(await say(webui, "ada again", as("ada"))).toBe("I hold 4 messages; you said: ada's, ada again.");
  });

  it("ignores the user a key that is not a front end's names: its threads are its tenant's", async () => {
    const webui = clientOf(server, "sk-webui");
    const script = clientOf(server, "sk-script");
    const thread = `chat-${randomUUID()}`;
    expect(await say(webui, "ada's", { "X-Thread-Id": thread, "X-OpenWebUI-User-Id": "ada" })).toBe("I hold 2 messages; you said: ada's.");
    expect(await say(script, "as ada", { "X-Thread-Id": thread, "X-OpenWebUI-User-Id": "ada" })).toBe("I hold 2 messages; you said: as ada.");
    expect(await say(script, "as grace", { "X-Thread-Id": thread, "X-OpenWebUI-User-Id": "grace" })).toBe("I hold 4 messages; you said: as ada, as grace.");
  });
});

describe("threads without API keys", () => {
  const checkpointer = new MemorySaver();
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    server = await startServer({ registry: await createRegistry({ counter: counter() }), checkpointer });
  });
  afterAll(() => server.close());

  it("are the LangGraph threads the client names, as they are, and a forwarded user id changes nothing", async () => {
    const thread = `open-${randomUUID()}`;
    expect(await say(server.client, "one", { "X-Thread-Id": thread, "X-OpenWebUI-User-Id": "ada" })).toBe("I hold 2 messages; you said: one.");
    expect(await say(server.client, "two", { "X-Thread-Id": thread, "X-OpenWebUI-User-Id": "grace" })).toBe("I hold 4 messages; you said: one, two.");
    expect(await threadIds(checkpointer)).toContain(thread);
  });
});
