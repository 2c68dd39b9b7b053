import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import OpenAI, { BadRequestError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry } from "../src/index.js";
import { DEFAULT_COST_LIMITS, refuseLongArray, refuseThreadGrowth } from "../src/limits.js";
import { startServer } from "./helpers.js";

describe("cost limits", () => {
  const limits = { maxMessages: 3, maxThreadMessages: 4, maxThreadSize: 100 };

  it("refuse a request array over its limit in OpenAI's words, and pass anything else", () => {
    expect(() => refuseLongArray({ messages: [1, 2, 3, 4] }, "messages", 3)).toThrow(
      "Invalid 'messages': array too long. Expected an array with maximum length 3, but got an array with length 4 instead.",
    );
    for (const body of [{ messages: [1, 2, 3] }, { messages: "not an array" }, null, "text", []]) {
      expect(() => refuseLongArray(body, "messages", 3)).not.toThrow();
    }
  });

  it("refuse a thread that would pass its message count or size, counting what it holds and what is added", () => {
    const held = [new HumanMessage("one"), new AIMessage("two")];
    expect(() => refuseThreadGrowth(held, [new HumanMessage("three"), new HumanMessage("four")], limits)).not.toThrow();
    expect(() => refuseThreadGrowth(held, [new HumanMessage("3"), new HumanMessage("4"), new HumanMessage("5")], limits)).toThrow(
      /would hold 5 messages, over this server's limit of 4/,
    );
    expect(() => refuseThreadGrowth([], [new HumanMessage("x".repeat(101))], limits)).toThrow(/would hold 1\d\d bytes of messages, over this server.s limit of 100 bytes per conversation/);
    const call = new AIMessage({ content: "", tool_calls: [{ id: "c", name: "search", args: { q: "x".repeat(100) } }] });
    expect(() => refuseThreadGrowth([call], [], limits)).toThrow(/over this server's limit/);
  });

  it("sit far above what a long chat or an agent's tool-call history sends", () => {
    expect(DEFAULT_COST_LIMITS.maxMessages).toBeGreaterThanOrEqual(1000);
    expect(DEFAULT_COST_LIMITS.maxThreadMessages).toBeGreaterThanOrEqual(2 * DEFAULT_COST_LIMITS.maxMessages);
  });
});

describe("a server with small cost limits", () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    const counter = new StateGraph(MessagesAnnotation)
      .addNode("answer", (state) => ({ messages: [new AIMessage(`I hold ${state.messages.length + 1} messages.`)] }))
      .addEdge(START, "answer")
      .addEdge("answer", END);
    server = await startServer({ registry: await createRegistry({ counter }), maxMessages: 8, maxThreadMessages: 6, maxThreadSize: 1000 });
  });
  afterAll(() => server.close());

  const user = (content: string) => ({ role: "user" as const, content });

  it("refuses a request with too many messages before it runs, naming the field", async () => {
    const messages = Array.from({ length: 9 }, (_, index) => user(`m${index}`));
    const error = await server.client.chat.completions.create({ model: "counter", messages }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ code: "array_above_max_length", param: "messages" });
  });

  it("refuses the turn that would grow a thread past its limit, as a conversation too long for the model", async () => {
    const history: OpenAI.ChatCompletionMessageParam[] = [];
    const headers = { "X-Thread-Id": "growing" };
    for (const text of ["one", "two", "three"]) {
      history.push(user(text));
      const completion = await server.client.chat.completions.create({ model: "counter", messages: history }, { headers });
      history.push({ role: "assistant", content: completion.choices[0]!.message.content! });
    }
    expect(history.at(-1)!.content).toBe("I hold 6 messages.");
    history.push(user("four"));
    const refused = await server.client.chat.completions.create({ model: "counter", messages: history }, { headers }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(BadRequestError);
    expect(refused).toMatchObject({ code: "context_length_exceeded" });
    expect((refused as BadRequestError).message).toMatch(/would hold 7 messages, over this server's limit of 6 per conversation/);
  });

  it("refuses a stateless request whose messages are over the size limit", async () => {
    const error = await server.client.chat.completions.create({ model: "counter", messages: [user("x".repeat(2000))] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ code: "context_length_exceeded" });
  });
});
