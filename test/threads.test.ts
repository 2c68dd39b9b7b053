import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { interrupt, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph as agent } from "../graphs/agent.js";
import { graph as approval } from "../graphs/approval.js";
import { graph as clientTools } from "../graphs/client-tools.js";
import { createRegistry } from "../src/index.js";
import type { CompiledGraph } from "../src/registry.js";
import { conversationKey } from "../src/threads/conversation-key.js";
import { collect, startServer, threadCount } from "./helpers.js";

type Message = OpenAI.ChatCompletionMessageParam;

const seenThreadIds: unknown[] = [];

/** Says how many messages its thread holds; `ask QUESTION` stops at an interrupt. */
const counter = new StateGraph(MessagesAnnotation)
  .addNode("answer", (state, config: RunnableConfig) => {
    seenThreadIds.push(config.configurable?.thread_id);
    const last = state.messages.at(-1)?.text ?? "";
    if (last.startsWith("ask ")) {
      const reply = interrupt({ question: last.slice(4) });
      return { messages: [new AIMessage(`You answered "${reply}".`)] };
    }
    return { messages: [new AIMessage(`I hold ${state.messages.length + 1} messages.`)] };
  })
  .addEdge(START, "answer")
  .compile();

/** Two nodes that run in parallel and each stop at an interrupt. */
const twoQuestions = new StateGraph(MessagesAnnotation)
  .addNode("first", () => ({ messages: [new AIMessage(`first got "${interrupt("First question?")}"`)] }))
  .addNode("second", () => ({ messages: [new AIMessage(`second got "${interrupt("Second question?")}"`)] }))
  .addEdge(START, "first")
  .addEdge(START, "second")
  .compile();

const ownSaver = new MemorySaver();
const withOwnCheckpointer = new StateGraph(MessagesAnnotation)
  .addNode("answer", (state) => ({ messages: [new AIMessage(`I hold ${state.messages.length + 1} messages.`)] }))
  .addEdge(START, "answer")
  .compile({ checkpointer: ownSaver });

/**
 * A checkpointer from another copy of @langchain/langgraph (a graph project with its own
 * node_modules): it works, but is no instance of our BaseCheckpointSaver.
 */
const foreignSaver = new MemorySaver();
const foreignCheckpointer = Object.fromEntries(
  (["getTuple", "list", "put", "putWrites", "deleteThread", "getNextVersion", "get"] as const).map((name) => [name, foreignSaver[name].bind(foreignSaver)]),
);
const withForeignCheckpointer = new StateGraph(MessagesAnnotation)
  .addNode("answer", (state) => ({ messages: [new AIMessage(`I hold ${state.messages.length + 1} messages.`)] }))
  .addEdge(START, "answer")
  .compile({ checkpointer: foreignCheckpointer as unknown as MemorySaver });

/** Asks its question at an interrupt and keeps its threads in its own checkpointer. */
const ownInterruptSaver = new MemorySaver();
const asksWithOwnCheckpointer = new StateGraph(MessagesAnnotation)
  .addNode("ask", () => ({ messages: [new AIMessage(`You answered "${interrupt("Favourite colour?")}".`)] }))
  .addEdge(START, "ask")
  .compile({ checkpointer: ownInterruptSaver });

async function threadMessages(threadId: string, graph: CompiledGraph = counter): Promise<string[]> {
  const state = await graph.getState({ configurable: { thread_id: threadId } });
  return ((state.values.messages ?? []) as BaseMessage[]).map((message) => `${message.getType()}: ${message.text}`);
}

describe("threads", () => {
  const checkpointer = new MemorySaver();
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    const registry = await createRegistry({ counter, approval, agent, "client-tools": clientTools, own: withOwnCheckpointer, foreign: withForeignCheckpointer, "own-asks": asksWithOwnCheckpointer, "two-questions": twoQuestions }, checkpointer);
    server = await startServer({ registry, checkpointer });
  });
  afterAll(() => server.close());

  /** One turn: sends the history, appends the answer, returns its text. */
  async function turn(history: Message[], text: string, options: { model?: string; threadId?: string; stream?: boolean } = {}) {
    history.push({ role: "user", content: text });
    const body = { model: options.model ?? "counter", messages: history };
    const headers = options.threadId ? { "X-Thread-Id": options.threadId } : {};
    let content: string;
    let interrupts: unknown;
    if (options.stream) {
      const chunks = await collect(await server.client.chat.completions.create({ ...body, stream: true }, { headers }));
      content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
      interrupts = (chunks.at(-1) as { interrupts?: unknown }).interrupts;
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    } else {
      const completion = await server.client.chat.completions.create(body, { headers });
      content = completion.choices[0]!.message.content ?? "";
      interrupts = (completion as { interrupts?: unknown }).interrupts;
      expect(completion.choices[0]?.finish_reason).toBe("stop");
    }
    history.push({ role: "assistant", content });
    return { content, interrupts };
  }

  it("keeps a thread named by X-Thread-Id across five turns without duplicating messages", async () => {
    const threadId = `header-${randomUUID()}`;
    const history: Message[] = [];
    const answers = [];
    for (let n = 1; n <= 5; n += 1) answers.push((await turn(history, `message ${n}`, { threadId })).content);
    expect(answers).toEqual([2, 4, 6, 8, 10].map((count) => `I hold ${count} messages.`));
    expect(await threadMessages(threadId)).toHaveLength(10);
    expect(seenThreadIds.at(-1)).toBe(threadId);
  });

  it("names the thread with metadata.thread_id or Open WebUI's X-OpenWebUI-Chat-Id header", async () => {
    const byMetadata = `metadata-${randomUUID()}`;
    const history: Message[] = [{ role: "user", content: "one" }];
    const first = await server.client.chat.completions.create({ model: "counter", messages: history, metadata: { thread_id: byMetadata } });
    history.push({ role: "assistant", content: first.choices[0]!.message.content! }, { role: "user", content: "two" });
    const second = await server.client.chat.completions.create({ model: "counter", messages: history, metadata: { thread_id: byMetadata } });
    expect(second.choices[0]?.message.content).toBe("I hold 4 messages.");
    expect(await threadMessages(byMetadata)).toHaveLength(4);

    const chatId = `webui-${randomUUID()}`;
    const headers = { "X-OpenWebUI-Chat-Id": chatId };
    await server.client.chat.completions.create({ model: "counter", messages: [{ role: "user", content: "hi" }] }, { headers });
    expect(await threadMessages(chatId)).toEqual(["human: hi", "ai: I hold 2 messages."]);
  });

  it("follows the client's history when the user edits an earlier message", async () => {
    const threadId = `edit-${randomUUID()}`;
    const history: Message[] = [];
    await turn(history, "first", { threadId });
    await turn(history, "second", { threadId });
    await turn(history, "third", { threadId });
    const edited = history.slice(0, 2);
    const { content } = await turn(edited, "second, edited", { threadId });
    expect(content).toBe("I hold 4 messages.");
    expect(await threadMessages(threadId)).toEqual(["human: first", "ai: I hold 2 messages.", "human: second, edited", "ai: I hold 4 messages."]);
  });

  it("regenerates the last answer without keeping the old one or repeating the question", async () => {
    const threadId = `regenerate-${randomUUID()}`;
    const history: Message[] = [];
    await turn(history, "first", { threadId });
    await turn(history, "second", { threadId });
    const regenerate = history.slice(0, 3);
    await server.client.chat.completions.create({ model: "counter", messages: regenerate }, { headers: { "X-Thread-Id": threadId } });
    expect(await threadMessages(threadId)).toEqual(["human: first", "ai: I hold 2 messages.", "human: second", "ai: I hold 4 messages."]);
  });

  it("runs requests on one thread one after another, so concurrent ones do not corrupt it", async () => {
    const threadId = `concurrent-${randomUUID()}`;
    const request = { model: "counter", messages: [{ role: "user" as const, content: "at once" }] };
    const headers = { "X-Thread-Id": threadId };
    const answers = await Promise.all([1, 2, 3].map(() => server.client.chat.completions.create(request, { headers })));
    expect(answers.map((answer) => answer.choices[0]?.message.content)).toEqual(Array(3).fill("I hold 2 messages."));
    expect(await threadMessages(threadId)).toHaveLength(2);
  });

  it("keeps the thread of a graph compiled with its own checkpointer in that checkpointer", async () => {
    const threadId = `own-${randomUUID()}`;
    const history: Message[] = [];
    await turn(history, "hi", { model: "own", threadId });
    expect((await turn(history, "again", { model: "own", threadId })).content).toBe("I hold 4 messages.");
    expect(await threadMessages(threadId, withOwnCheckpointer)).toHaveLength(4);
    expect(await checkpointer.getTuple({ configurable: { thread_id: threadId } })).toBeUndefined();
  });

  it("keeps the thread of a graph whose checkpointer comes from another copy of LangGraph in that checkpointer", async () => {
    const threadId = `foreign-${randomUUID()}`;
    const history: Message[] = [];
    await turn(history, "hi", { model: "foreign", threadId });
    expect((await turn(history, "again", { model: "foreign", threadId })).content).toBe("I hold 4 messages.");
    expect(withForeignCheckpointer.checkpointer).toBe(foreignCheckpointer);
    expect(await foreignSaver.getTuple({ configurable: { thread_id: threadId } })).toBeDefined();
    expect(await checkpointer.getTuple({ configurable: { thread_id: threadId } })).toBeUndefined();
  });

  for (const stream of [false, true]) {
    const mode = stream ? "streamed" : "not streamed";

    it(`asks an interrupt's question and resumes with the next user message in a named thread (${mode})`, async () => {
      const threadId = `approval-${randomUUID()}`;
      const history: Message[] = [];
      const asked = await turn(history, "write an email about the launch", { model: "approval", threadId, stream });
      expect(asked.content).toMatch(/^Draft email:[\s\S]*Subject: The launch[\s\S]*\n\nSend this email\? \(yes\/no\)$/);
      expect(asked.interrupts).toEqual([{ id: expect.any(String), value: { question: "Send this email? (yes/no)", draft: expect.stringContaining("Draft email:") } }]);
      const answered = await turn(history, "yes", { model: "approval", threadId, stream });
      expect(answered).toEqual({ content: 'Sent the email "The launch".', interrupts: undefined });
      const messages = await threadMessages(threadId, approval);
      expect(messages).toHaveLength(3);
      expect(messages[2]).toBe('ai: Sent the email "The launch".');
    });

    it(`resumes an interrupt with no thread id, from the resent history alone (${mode})`, async () => {
      const before = await threadCount(checkpointer);
      const history: Message[] = [];
      const asked = await turn(history, `write an email about plan ${mode}`, { model: "approval", stream });
      expect(asked.content).toMatch(/Send this email\? \(yes\/no\)$/);
      expect(await threadCount(checkpointer)).toBe(before + 1);
      const unsure = await turn(history, "hmm", { model: "approval", stream });
      expect(unsure.content).toBe('Please answer yes or no (you said "hmm").\n\nSend this email? (yes/no)');
      const answered = await turn(history, "no", { model: "approval", stream });
      expect(answered.content).toBe("OK, I did not send it.");
      expect(await threadCount(checkpointer)).toBe(before);
    });
  }

  it("keeps a stateless question that a resumed run asks again in the very same words", async () => {
    const before = await threadCount(checkpointer);
    const history: Message[] = [];
    await turn(history, "write an email about the loop", { model: "approval" });
    const unsure = await turn(history, "hmm", { model: "approval" });
    // The same answer again: the question comes back word for word, so it is kept under the key it was resumed from.
    expect((await turn(history, "hmm", { model: "approval" })).content).toBe(unsure.content);
    expect(await threadCount(checkpointer)).toBe(before + 1);
    const key = conversationKey("approval", [new HumanMessage("hmm"), new AIMessage(unsure.content)]);
    const kept = (await approval.getState({ configurable: { thread_id: key } })).tasks.flatMap((task) => task.interrupts);
    expect(kept).toEqual([expect.objectContaining({ value: expect.objectContaining({ question: "Send this email? (yes/no)" }) })]);
    // Not answered here: the thread then holds the repeated reply twice in one turn, which `lineUpHistory` reads as one client message.
  });

  // Open WebUI marks the newest message for prompt caching, turning its content into a text part
  // (`[{ type: "text", text, cache_control }]`), and resends it as a plain string the next turn.
  for (const threadId of [`webui-${randomUUID()}`, undefined]) {
    it(`resumes an interrupt when the question came from a text part and the history resends it as a string (${threadId ? "named thread" : "no thread id"})`, async () => {
      const headers = threadId ? { "X-OpenWebUI-Chat-Id": threadId } : {};
      const cached = (text: string) => [{ type: "text" as const, text, cache_control: { type: "ephemeral" } }];
      const request = "write an email about the picnic";
      const asked = await server.client.chat.completions.create({ model: "approval", messages: [{ role: "user", content: cached(request) }] }, { headers });
      const question = asked.choices[0]!.message.content!;
      expect(question).toMatch(/Send this email\? \(yes\/no\)$/);
      const history: Message[] = [{ role: "user", content: request }, { role: "assistant", content: question }, { role: "user", content: cached("yes") }];
      const answered = await server.client.chat.completions.create({ model: "approval", messages: history }, { headers });
      expect(answered.choices[0]!.message.content).toBe('Sent the email "The picnic".');
    });
  }

  it("keeps a stateless interrupt of a graph with its own checkpointer in that checkpointer, until it is answered", async () => {
    const before = await threadCount(checkpointer);
    const history: Message[] = [];
    expect((await turn(history, "hi", { model: "own-asks" })).content).toBe("Favourite colour?");
    expect(await threadCount(ownInterruptSaver)).toBe(1);
    expect((await turn(history, "green", { model: "own-asks" })).content).toBe('You answered "green".');
    expect(await threadCount(ownInterruptSaver)).toBe(0);
    expect(await threadCount(checkpointer)).toBe(before);
  });

  it("answers a stateless request on a fresh thread and keeps nothing", async () => {
    const before = await threadCount(checkpointer);
    const history: Message[] = [{ role: "user", content: "a" }, { role: "assistant", content: "b" }];
    const { content } = await turn(history, "c");
    expect(content).toBe("I hold 4 messages.");
    expect(seenThreadIds.at(-1)).toEqual(expect.any(String));
    expect(await threadCount(checkpointer)).toBe(before);
  });

  it("resumes a named thread's interrupt in the counter graph with the user's text", async () => {
    const threadId = `ask-${randomUUID()}`;
    const history: Message[] = [];
    expect((await turn(history, "ask Favourite colour?", { threadId })).content).toBe("Favourite colour?");
    expect((await turn(history, "green", { threadId })).content).toBe('You answered "green".');
    expect((await turn(history, "thanks", { threadId })).content).toBe("I hold 4 messages.");
  });

  it("answers every pending interrupt with the user's message", async () => {
    const threadId = `two-${randomUUID()}`;
    const history: Message[] = [];
    const asked = await turn(history, "go", { model: "two-questions", threadId });
    expect(asked.content).toBe("First question?\n\nSecond question?");
    expect(asked.interrupts).toHaveLength(2);
    const answered = await turn(history, "both", { model: "two-questions", threadId });
    expect(answered.content).toBe('first got "both"\n\nsecond got "both"');
  });

  it("keeps an agent's own tool calls in its thread and adds only the new question next turn", async () => {
    const threadId = `agent-${randomUUID()}`;
    const history: Message[] = [];
    expect((await turn(history, "What is the weather in Paris?", { model: "agent", threadId })).content).toContain("18°C and sunny");
    expect((await turn(history, "What is 6 * 7?", { model: "agent", threadId })).content).toContain("= 42");
    const types = (await threadMessages(threadId, agent as unknown as CompiledGraph)).map((line) => line.split(":")[0]);
    expect(types).toEqual(["human", "ai", "tool", "ai", "human", "ai", "tool", "ai"]);
  });

  it("sends only the client's tool result to a thread that handed it a tool call", async () => {
    const threadId = `client-tools-${randomUUID()}`;
    const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", required: ["query"] } } }];
    const headers = { "X-Thread-Id": threadId };
    const history: Message[] = [{ role: "user", content: "find cats" }];
    const call = await server.client.chat.completions.create({ model: "client-tools", messages: history, tools }, { headers });
    const toolCall = call.choices[0]!.message.tool_calls![0]!;
    history.push(call.choices[0]!.message as Message, { role: "tool", tool_call_id: toolCall.id, content: "3 cats" });
    const answer = await server.client.chat.completions.create({ model: "client-tools", messages: history, tools }, { headers });
    expect(answer.choices[0]?.message.content).toBe("Your tool answered: 3 cats.");
    expect(await threadMessages(threadId, clientTools as unknown as CompiledGraph)).toEqual([
      "human: find cats",
      "ai: I will ask lookup. ",
      "tool: 3 cats",
      "ai: Your tool answered: 3 cats.",
    ]);
  });

  it("rejects an empty thread id with a 400 naming the field", async () => {
    await expect(
      server.client.chat.completions.create({ model: "counter", messages: [{ role: "user", content: "hi" }], metadata: { thread_id: "" } }),
    ).rejects.toMatchObject({ status: 400, param: "metadata.thread_id" });
  });
});

describe("a stateless interrupt on a slow database", () => {
  class SlowSaver extends MemorySaver {
    override async put(...args: Parameters<MemorySaver["put"]>) {
      await sleep(20);
      return super.put(...args);
    }
  }

  it("is saved before the stream ends, so an answer sent at once resumes it", async () => {
    const saver = new SlowSaver();
    const asks = new StateGraph(MessagesAnnotation)
      .addNode("ask", () => ({ messages: [new AIMessage(`You answered "${interrupt("Proceed?")}".`)] }))
      .addEdge(START, "ask")
      .compile();
    const slow = await startServer({ registry: await createRegistry({ asks }, saver), checkpointer: saver });
    try {
      const history: Message[] = [{ role: "user", content: "start" }];
      const chunks = await collect(await slow.client.chat.completions.create({ model: "asks", messages: history, stream: true }));
      const question = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
      expect(question).toBe("Proceed?");
      history.push({ role: "assistant", content: question }, { role: "user", content: "yes" });
      const answer = await slow.client.chat.completions.create({ model: "asks", messages: history });
      expect(answer.choices[0]!.message.content).toBe('You answered "yes".');
    } finally {
      await slow.close();
    }
  });
});

describe("a stateless interrupt the database fails to keep", () => {
  class FailingSaver extends MemorySaver {
    override async put(...args: Parameters<MemorySaver["put"]>) {
      if (String(args[0].configurable?.thread_id).startsWith("conversation-")) throw new Error("database is read-only");
      return super.put(...args);
    }
  }
  const asks = new StateGraph(MessagesAnnotation)
    .addNode("ask", () => ({ messages: [new AIMessage(`You answered "${interrupt("Proceed?")}".`)] }))
    .addEdge(START, "ask")
    .compile();
  const serverErrors: unknown[] = [];
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    const saver = new FailingSaver();
    server = await startServer({ registry: await createRegistry({ asks }, saver), checkpointer: saver, onServerError: (_error, cause) => serverErrors.push(cause) });
  });
  afterAll(() => server.close());

  it("ends the stream with an error event instead of [DONE], and reports the failure", async () => {
    serverErrors.length = 0;
    const stream = await server.client.chat.completions.create({ model: "asks", messages: [{ role: "user", content: "start" }], stream: true });
    await expect(collect(stream)).rejects.toMatchObject({ error: { type: "server_error", code: "internal_error" } });
    expect(serverErrors).toEqual([expect.objectContaining({ message: "database is read-only" })]);
  });

  it("answers the non-streamed request with a 500, and reports the failure", async () => {
    serverErrors.length = 0;
    await expect(server.client.chat.completions.create({ model: "asks", messages: [{ role: "user", content: "start" }] })).rejects.toMatchObject({ status: 500 });
    expect(serverErrors).toEqual([expect.objectContaining({ message: "database is read-only" })]);
  });
});

describe("a stateless interrupt whose answer fails", () => {
  let failNext = true;
  const asks = new StateGraph(MessagesAnnotation)
    .addNode("ask", () => {
      const reply = interrupt("Proceed?");
      if (failNext) {
        failNext = false;
        throw new Error("the mail server is down");
      }
      return { messages: [new AIMessage(`You answered "${reply}".`)] };
    })
    .addEdge(START, "ask")
    .compile();
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    const saver = new MemorySaver();
    server = await startServer({ registry: await createRegistry({ asks }, saver), checkpointer: saver });
  });
  afterAll(() => server.close());

  it("keeps the question pending, so the same answer sent again resumes it", async () => {
    const history: Message[] = [{ role: "user", content: "start" }];
    const asked = await server.client.chat.completions.create({ model: "asks", messages: history });
    history.push({ role: "assistant", content: asked.choices[0]!.message.content }, { role: "user", content: "yes" });
    await expect(server.client.chat.completions.create({ model: "asks", messages: history })).rejects.toMatchObject({ status: 500 });
    const retried = await server.client.chat.completions.create({ model: "asks", messages: history });
    expect(retried.choices[0]!.message.content).toBe('You answered "yes".');
  });
});
