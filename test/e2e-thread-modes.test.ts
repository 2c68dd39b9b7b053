import { randomUUID } from "node:crypto";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import OpenAI, { BadRequestError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph as approval } from "../graphs/approval.js";
import { createRegistry } from "../src/index.js";
import { startServer } from "./helpers.js";

type Message = OpenAI.ChatCompletionMessageParam;

/** Says how many messages its thread holds and what the user said before, so a test sees the thread from outside. */
const counter = new StateGraph(MessagesAnnotation)
  .addNode("answer", (state) => {
    const said = state.messages.filter((message: BaseMessage) => message.getType() === "human").map((message) => message.text);
    return { messages: [new AIMessage(`I hold ${state.messages.length + 1} messages; you said: ${said.join(", ")}.`)] };
  })
  .addEdge(START, "answer")
  .compile();

describe("threads a client continues with only its new input, beside chat UIs that resend the history", () => {
  const checkpointer = new MemorySaver();
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    const registry = await createRegistry({
      counter,
      "counter-kept": { graph: counter, settings: { thread_mode: "continue" } },
      approval,
    });
    server = await startServer({ registry, checkpointer });
  });
  afterAll(() => server.close());

  async function send(model: string, messages: Message[], headers: Record<string, string>, metadata?: Record<string, string>): Promise<string> {
    const completion = await server.client.chat.completions.create({ model, messages, ...(metadata && { metadata }) }, { headers });
    return completion.choices[0]!.message.content!;
  }

  /** One user message per request, as LangGraph's own SDK sends a thread's input. */
  async function onlyNew(model: string, texts: string[], headers: Record<string, string>, metadata?: (threadId: string) => Record<string, string>) {
    const threadId = `only-new-${randomUUID()}`;
    const answers: string[] = [];
    for (const text of texts) {
      const threadHeaders = metadata ? headers : { "X-Thread-Id": threadId, ...headers };
      answers.push(await send(model, [{ role: "user", content: text }], threadHeaders, metadata?.(threadId)));
    }
    return answers;
  }

  const fiveTurns = ["one", "two", "three", "four", "five"];
  const fiveAnswers = [
    "I hold 2 messages; you said: one.",
    "I hold 4 messages; you said: one, two.",
    "I hold 6 messages; you said: one, two, three.",
    "I hold 8 messages; you said: one, two, three, four.",
    "I hold 10 messages; you said: one, two, three, four, five.",
  ];

  it("holds a five-turn conversation when each request says X-Thread-Mode: continue", async () => {
    expect(await onlyNew("counter", fiveTurns, { "X-Thread-Mode": "continue" })).toEqual(fiveAnswers);
  });

  it("takes the mode from metadata.thread_mode too, beside metadata.thread_id", async () => {
    const answers = await onlyNew("counter", fiveTurns.slice(0, 3), {}, (threadId) => ({ thread_id: threadId, thread_mode: "continue" }));
    expect(answers).toEqual(fiveAnswers.slice(0, 3));
  });

  it("continues by default on a model whose thread_mode setting is continue", async () => {
    expect(await onlyNew("counter-kept", fiveTurns, {})).toEqual(fiveAnswers);
  });

  it("reads a request as the whole history by default, so a client that sends only new messages starts over each time", async () => {
    expect(await onlyNew("counter", ["one", "two", "three"], {})).toEqual([
      "I hold 2 messages; you said: one.",
      "I hold 2 messages; you said: two.",
      "I hold 2 messages; you said: three.",
    ]);
  });

  it("lets a request say history on a model that continues", async () => {
    const answers = await onlyNew("counter-kept", ["one", "two"], { "X-Thread-Mode": "history" });
    expect(answers).toEqual(["I hold 2 messages; you said: one.", "I hold 2 messages; you said: two."]);
  });

  it("reads Open WebUI's requests as the whole history even on a model that continues, so editing the first message forks", async () => {
    const headers = { "X-OpenWebUI-Chat-Id": `chat-${randomUUID()}` };
    const history: Message[] = [{ role: "user", content: "one" }];
    const first = await send("counter-kept", history, headers);
    expect(first).toBe("I hold 2 messages; you said: one.");
    history.push({ role: "assistant", content: first }, { role: "user", content: "two" });
    expect(await send("counter-kept", history, headers)).toBe("I hold 4 messages; you said: one, two.");
    // The user edits the first message: Open WebUI sends it alone, without assistant messages.
    expect(await send("counter-kept", [{ role: "user", content: "one, edited" }], headers)).toBe("I hold 2 messages; you said: one, edited.");
  });

  it("answers an interrupt with the next lone user message", async () => {
    const [question, sent] = await onlyNew("approval", [`write an email about ${randomUUID()}`, "yes"], { "X-Thread-Mode": "continue" });
    expect(question).toMatch(/Send this email\? \(yes\/no\)$/);
    expect(sent).toMatch(/^Sent the email/);
  });

  it("refuses an unknown mode, and continue without a thread to continue, naming where it came from", async () => {
    const badHeader = await send("counter", [{ role: "user", content: "hi" }], { "X-Thread-Id": "t", "X-Thread-Mode": "append" }).catch((error: unknown) => error);
    expect(badHeader).toBeInstanceOf(BadRequestError);
    expect((badHeader as BadRequestError).message).toMatch(/Invalid thread mode in X-Thread-Mode: expected 'history' or 'continue', got 'append'/);
    const badMetadata = await send("counter", [{ role: "user", content: "hi" }], { "X-Thread-Id": "t" }, { thread_mode: "keep" }).catch((error: unknown) => error);
    expect(badMetadata).toMatchObject({ status: 400, param: "metadata.thread_mode" });
    const noThread = await send("counter", [{ role: "user", content: "hi" }], { "X-Thread-Mode": "continue" }).catch((error: unknown) => error);
    expect(noThread).toBeInstanceOf(BadRequestError);
    expect((noThread as BadRequestError).message).toMatch(/needs a thread to continue/);
  });
});
