import { createOpenAI } from "@ai-sdk/openai";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { Agent, OpenAIProvider, Runner, setTracingDisabled, tool } from "@openai/agents";
import { generateText, jsonSchema, stepCountIs, streamText, tool as aiTool, type ModelMessage } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { collect, startServer } from "./helpers.js";

// The clients people use, over a real socket, on their Responses API defaults: the AI
// SDK's `openai(id)`, the Agents SDK's OpenAIProvider, ChatOpenAI with useResponsesApi.
// Each resends the conversation with the ids of our items (the AI SDK by reference),
// so every turn continues the same thread.
const CONFIG = "test/fixtures/responses/langgraph.config.json";

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  setTracingDisabled(true);
  server = await startServer({ config: CONFIG });
});
afterAll(() => server.close());

describe("the AI SDK's default openai(id) provider", () => {
  const provider = () => createOpenAI({ baseURL: server.url, apiKey: "unused" });

  it("holds a multi-turn conversation in one thread, sending earlier answers as item references", async () => {
    const model = provider()("turns");
    const messages: ModelMessage[] = [];
    const sent: unknown[] = [];
    const fetchSpy = async (url: string | URL | Request, init?: RequestInit) => {
      sent.push(JSON.parse(String(init?.body)));
      return fetch(url, init);
    };
    const spied = createOpenAI({ baseURL: server.url, apiKey: "unused", fetch: fetchSpy as typeof fetch })("turns");
    const answers: string[] = [];
    for (const text of ["one", "two", "three"]) {
      messages.push({ role: "user", content: text });
      const result = await generateText({ model: spied, messages, maxRetries: 0 });
      answers.push(result.text);
      messages.push(...result.response.messages);
    }
    expect(answers).toEqual(["Run 1 of this thread, 2 messages.", "Run 2 of this thread, 4 messages.", "Run 3 of this thread, 6 messages."]);
    const lastInput = (sent.at(-1) as { input: { type?: string }[] }).input;
    expect(lastInput.filter((item) => item.type === "item_reference")).toHaveLength(2);
    const streamed = streamText({ model, messages: [...messages, { role: "user", content: "four" }], maxRetries: 0 });
    expect((await collect(streamed.textStream)).join("")).toBe("Run 4 of this thread, 8 messages.");
  });

  it("runs a client tool round trip and answers an interrupt", async () => {
    const lookup = aiTool({
      description: "Look a thing up.",
      inputSchema: jsonSchema<{ query: string; n: number }>({ type: "object", properties: { query: { type: "string" }, n: { type: "number" } }, required: ["query", "n"] }),
      execute: async ({ query }) => `found ${query}`,
    });
    const result = await generateText({
      model: provider()("client-tools"),
      prompt: "capital of France?",
      tools: { lookup },
      stopWhen: stepCountIs(2),
      maxRetries: 0,
    });
    expect(result.steps[0]?.toolCalls.map((call) => call.toolName)).toEqual(["lookup"]);
    expect(result.text).toBe("Results: found capital of France?.");

    const messages: ModelMessage[] = [{ role: "user", content: "write an email about the picnic" }];
    const question = await generateText({ model: provider()("approval"), messages, maxRetries: 0 });
    expect(question.text).toMatch(/Send this email\? \(yes\/no\)$/);
    messages.push(...question.response.messages, { role: "user", content: "yes" });
    const answer = await generateText({ model: provider()("approval"), messages, maxRetries: 0 });
    expect(answer.text).toBe('Sent the email "The picnic".');
  });
});

describe("the OpenAI Agents SDK", () => {
  const runner = () => new Runner({ modelProvider: new OpenAIProvider({ baseURL: server.url, apiKey: "unused", useResponses: true }) });

  it("runs an Agent whose function tool executes client side, then goes on with the conversation", async () => {
    const calls: unknown[] = [];
    const lookup = tool({
      name: "lookup",
      description: "Look a thing up.",
      parameters: z.object({ query: z.string(), n: z.number() }),
      execute: async (args) => {
        calls.push(args);
        return `found ${args.query}`;
      },
    });
    const agent = new Agent({ name: "Assistant", instructions: "Use your tools.", model: "client-tools", tools: [lookup] });
    const first = await runner().run(agent, "capital of France?");
    expect(calls).toEqual([{ query: "capital of France?", n: 0 }]);
    expect(first.finalOutput).toBe("Results: found capital of France?.");

    const counter = new Agent({ name: "Counter", instructions: "Count.", model: "turns" });
    const one = await runner().run(counter, "one");
    expect(one.finalOutput).toBe("Run 1 of this thread, 3 messages.");
    const two = await runner().run(counter, [...one.history, { role: "user", content: "two" }]);
    expect(two.finalOutput).toBe("Run 2 of this thread, 5 messages.");
    const streamed = await runner().run(counter, [...two.history, { role: "user", content: "three" }], { stream: true });
    const text = await collect(streamed.toTextStream());
    await streamed.completed;
    expect(text.join("")).toBe("Run 3 of this thread, 7 messages.");
  });

  it("answers an interrupt's question and resumes with the user's reply", async () => {
    const agent = new Agent({ name: "Mailer", instructions: "Draft emails.", model: "approval" });
    const question = await runner().run(agent, "write an email about the picnic");
    expect(question.finalOutput).toMatch(/Send this email\? \(yes\/no\)$/);
    const answer = await runner().run(agent, [...question.history, { role: "user", content: "yes" }]);
    expect(answer.finalOutput).toBe('Sent the email "The picnic".');
  });
});

describe("LangChain's ChatOpenAI with useResponsesApi", () => {
  const chat = (model: string) => new ChatOpenAI({ model, apiKey: "unused", maxRetries: 0, useResponsesApi: true, configuration: { baseURL: server.url } });

  it("holds a multi-turn conversation, streamed and not, in one thread", async () => {
    const model = chat("turns");
    const history: BaseMessage[] = [new HumanMessage("one")];
    const first = await model.invoke(history);
    expect(first.text).toBe("Run 1 of this thread, 2 messages.");
    history.push(first, new HumanMessage("two"));
    const chunks = await collect(await model.stream(history));
    const second = chunks.reduce((sum, chunk) => sum.concat(chunk));
    expect(second.text).toBe("Run 2 of this thread, 4 messages.");
    history.push(new AIMessage({ content: second.text, id: second.id, response_metadata: second.response_metadata }), new HumanMessage("three"));
    expect((await model.invoke(history)).text).toBe("Run 3 of this thread, 6 messages.");
  });

  it("binds tools, gets the graph's call back, and answers an interrupt", async () => {
    const model = chat("client-tools").bindTools([
      { type: "function", function: { name: "lookup", description: "Look a thing up.", parameters: { type: "object", properties: { query: { type: "string" } } } } },
    ]);
    const call = await model.invoke([new HumanMessage("capital of France?")]);
    expect(call.tool_calls).toEqual([expect.objectContaining({ name: "lookup", args: { query: "capital of France?", n: 0 } })]);

    const approval = chat("approval");
    const question = await approval.invoke([new HumanMessage("write an email about the picnic")]);
    expect(question.text).toMatch(/Send this email\? \(yes\/no\)$/);
    const answer = await approval.invoke([new HumanMessage("write an email about the picnic"), question, new HumanMessage("yes")]);
    expect(answer.text).toBe('Sent the email "The picnic".');
  });
});
