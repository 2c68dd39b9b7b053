/**
 * A chat in Open WebUI v0.11, replayed request by request as its backend sends them
 * (`open-webui-client.ts`): the answers with a ReAct agent's steps, the background tasks
 * (title while the first answer streams, tags, follow-ups, search queries), RAG context,
 * a system prompt that changes every turn, regenerate, an edit, "Continue response", and
 * the threads left behind.
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { MemorySaver, type BaseCheckpointSaver } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { generateText, streamText } from "ai";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import OpenAI from "openai";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { graph as approval } from "../graphs/approval.js";
import { graph as echo } from "../graphs/echo.js";
import { createRegistry, RunTracker } from "../src/index.js";
import type { ScriptedReply } from "../src/scripted-model.js";
import { ScriptedChatModel } from "../src/scripted-model.js";
import { collect, startServer } from "./helpers.js";
import {
  connectionHeaders,
  parseTaskAnswer,
  readAnswer,
  readStream,
  taskBody,
  withRagContext,
  type Connection,
  type OpenWebUIMessage,
  type TaskName,
} from "./open-webui-client.js";

const API_KEY = "sk-webui";
/** A key that may use `approval-tasks-on-echo` but not `echo`, the model its tasks go to. */
const LIMITED_KEY = "sk-approval-only";
const TENANT = "webui";
/** The id a chat's thread is kept under: its key's tenant's own (`threads/owner.ts`). */
const scoped = (chatId: string) => `t=${TENANT}/${chatId}`;
const forwarding: Connection = { apiKey: API_KEY, forward: true };

/** A gate the agent's model waits at when it is closed. */
function gate() {
  let open!: () => void;
  let promise = Promise.resolve();
  return {
    close: () => void (promise = new Promise<void>((resolve) => (open = resolve))),
    open: () => open(),
    passed: () => promise,
  };
}

const modelGate = gate();
/** What the agent's model was called with, call by call. */
const modelCalls: BaseMessage[][] = [];

const getWeather = tool(async ({ city }) => ({ paris: "18°C and sunny", london: "12°C with light rain", tokyo: "22°C and clear" })[city.toLowerCase()] ?? "unknown", {
  name: "get_weather",
  description: "Today's weather in a city.",
  schema: z.object({ city: z.string() }),
});
const calculate = tool(async ({ a, b }) => String(a * b), {
  name: "calculate",
  description: "Multiplies two numbers.",
  schema: z.object({ a: z.number(), b: z.number() }),
});

/** The example agent's way of deciding, with reasoning; after its own answer ("Continue response") it adds a closing line. */
async function decide(messages: BaseMessage[]): Promise<ScriptedReply> {
  modelCalls.push(messages);
  await modelGate.passed();
  const last = messages.at(-1)!;
  if (last.getType() === "tool") return last.name === "get_weather" ? `The weather there today: ${last.text}.` : `That makes ${last.text}.`;
  if (last.getType() === "ai") return "That is all I know.";
  const question = last.text.split("\n").at(-1)!;
  const city = /weather in ([a-z]+)/i.exec(question)?.[1];
  if (city) return { reasoning: `Looking up ${city}.`, content: `Let me check the weather in ${city}. `, toolCalls: [{ name: "get_weather", args: { city } }] };
  const product = /(\d+) \* (\d+)/.exec(question);
  if (product) return { toolCalls: [{ name: "calculate", args: { a: Number(product[1]), b: Number(product[2]) } }] };
  return "Ask me about the weather.";
}

const agent = createReactAgent({ llm: new ScriptedChatModel({ respond: decide, tokenDelayMs: 2 }), tools: [getWeather, calculate] });

const checkpointer = new MemorySaver();
const runs = new RunTracker();
let runsStarted = 0;
runs.onStart(() => void (runsStarted += 1));
let server: Awaited<ReturnType<typeof startServer>>;
let client: OpenAI;

beforeAll(async () => {
  const registry = await createRegistry(
    {
      agent: { graph: agent, settings: { name: "Weather agent" } },
      approval,
      echo,
      "approval-tasks-on-graph": { graph: approval, settings: { open_webui: { tasks: "graph" } } },
      "approval-tasks-on-echo": { graph: approval, settings: { open_webui: { tasks: { model: "echo" } } } },
    },
    checkpointer,
  );
  const apiKeys = [
    { key: API_KEY, tenant: TENANT, frontEnd: true },
    { key: LIMITED_KEY, tenant: TENANT, models: ["approval-tasks-on-echo"] },
  ];
  server = await startServer({ registry, checkpointer, runs, apiKeys });
  client = new OpenAI({ baseURL: server.url, apiKey: API_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
});

async function threadIds(saver: BaseCheckpointSaver = checkpointer): Promise<string[]> {
  const ids = new Set<string>();
  for await (const tuple of saver.list({})) ids.add(tuple.config.configurable?.thread_id);
  return [...ids].sort();
}

/** Checkpoints of a thread that more than one checkpoint continues from: where it forked. */
async function forkPoints(chatId: string): Promise<number> {
  const parents = new Map<string, number>();
  for await (const tuple of checkpointer.list({ configurable: { thread_id: scoped(chatId) } })) {
    const parent = tuple.parentConfig?.configurable?.checkpoint_id as string | undefined;
    if (parent) parents.set(parent, (parents.get(parent) ?? 0) + 1);
  }
  return [...parents.values()].filter((children) => children > 1).length;
}

async function threadMessages(chatId: string): Promise<BaseMessage[]> {
  return (await agent.getState({ configurable: { thread_id: scoped(chatId) } })).values.messages as BaseMessage[];
}

/** The chat's own answer: streamed, with the system prompt of the moment first. */
function answer(connection: Connection, chatId: string | undefined, messages: OpenWebUIMessage[], model = "agent", url = server.url) {
  return fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: connectionHeaders(connection, chatId),
    body: JSON.stringify({ stream: true, model, messages, stream_options: { include_usage: true } }),
  });
}

async function runTask(connection: Connection, chatId: string | undefined, task: TaskName, messages: OpenWebUIMessage[], model = "agent", url = server.url) {
  const response = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: connectionHeaders(connection, chatId, task),
    body: JSON.stringify(taskBody(model, task, messages)),
  });
  expect(response.status).toBe(200);
  const completion = await response.json();
  return { completion, answer: parseTaskAnswer(completion) };
}

const system = (time: string): OpenWebUIMessage => ({ role: "system", content: `You are a helpful assistant. The time is ${time}.` });

describe("a chat with a ReAct agent, replayed as Open WebUI sends it", () => {
  const chatId = "0b9d2c4e-chat-weather";
  const q1 = "What is the weather in Paris?";
  const a1 = "Let me check the weather in Paris. \n\nThe weather there today: 18°C and sunny.";
  const q2 = "What is the weather in London?";
  const a2 = "Let me check the weather in London. \n\nThe weather there today: 12°C with light rain.";
  const q3 = "What is 12 * 7?";
  /** The chat as Open WebUI resends it for the third question, with the system prompt's time. */
  const thirdQuestionAt = (time: string): OpenWebUIMessage[] => [
    system(time),
    { role: "user", content: q1 },
    { role: "assistant", content: a1 },
    { role: "user", content: q2 },
    { role: "assistant", content: a2 },
    { role: "user", content: q3 },
  ];
  const sources = [{ name: "travel-notes.pdf", text: "London is often rainy in spring." }];
  let runsBefore = 0;

  it("streams the first answer with its tool steps in the reasoning block, while a title asked meanwhile never waits for the thread", async () => {
    runsBefore = runsStarted;
    modelGate.close();
    const streaming = answer(forwarding, chatId, [system("09:00:00 AM"), { role: "user", content: q1 }]);
    // The run holds the chat's thread, stopped in its model.
    await expect.poll(() => modelCalls.length).toBeGreaterThan(0);
    const title = await runTask(forwarding, chatId, "title_generation", [
      { role: "user", content: q1 },
      { role: "assistant", content: "" },
    ]);
    expect(title.answer).toEqual({ title: "What is the weather in Paris" });
    expect(runsStarted - runsBefore).toBe(1);
    modelGate.open();

    const chunks = await readStream(await streaming);
    const seen = readAnswer(chunks);
    expect(seen.content).toBe(a1);
    expect(seen.reasoning).toBe('Looking up Paris.\n\nCalling get_weather with {"city":"Paris"}\n\nget_weather returned: 18°C and sunny');
    expect(seen.toolCalls).toEqual([]);
    expect(seen.finishReason).toBe("stop");
    expect(seen.statuses).toEqual([
      { description: "Thinking", done: false },
      { description: "Thinking", done: true, hidden: true },
      { description: "Running get_weather", done: false },
      { description: "Thinking", done: false },
      { description: "Thinking", done: true, hidden: true },
    ]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: expect.any(Number) } });
  });

  it("answers the tags and follow-ups asked after the answer, without a run", async () => {
    const history: OpenWebUIMessage[] = [
      { role: "user", content: q1 },
      { role: "assistant", content: a1 },
    ];
    expect((await runTask(forwarding, chatId, "tags_generation", history)).answer).toEqual({ tags: [] });
    const followUps = await runTask(forwarding, chatId, "follow_up_generation", history);
    expect(followUps.answer).toEqual({ follow_ups: [] });
    expect(followUps.completion).toMatchObject({ object: "chat.completion", model: "agent", usage: { total_tokens: 0 } });
  });

  it("with RAG on: answers the search-query task, gives the graph the context, and continues the thread without a fork", async () => {
    const history: OpenWebUIMessage[] = [system("09:05:00 AM"), { role: "user", content: q1 }, { role: "assistant", content: a1 }, { role: "user", content: q2 }];
    expect((await runTask(forwarding, chatId, "query_generation", history)).answer).toEqual({ queries: [q2] });
    const withContext = withRagContext(q2, sources);
    modelCalls.length = 0;
    const seen = readAnswer(await readStream(await answer(forwarding, chatId, [...history.slice(0, -1), { role: "user", content: withContext }])));
    expect(seen.content).toBe(a2);
    // The graph reads the question with its context, as Open WebUI sent it.
    expect(modelCalls[0]!.at(-1)!.text).toBe(withContext);
    expect(await forkPoints(chatId)).toBe(0);
    // The first turn's tool call and result are still in the graph's state: nothing was replayed.
    const messages = await threadMessages(chatId);
    expect(messages.filter((message) => message.getType() === "tool").map((message) => message.text)).toEqual(["18°C and sunny", "12°C with light rain"]);
  });

  it("with a new system prompt and the older question resent without its context: the prompt is replaced in place, no fork", async () => {
    const history = thirdQuestionAt("09:10:00 AM");
    modelCalls.length = 0;
    const seen = readAnswer(await readStream(await answer(forwarding, chatId, history)));
    expect(seen.content).toBe("That makes 84.");
    expect(seen.reasoning).toBe('Calling calculate with {"a":12,"b":7}\n\ncalculate returned: 84');
    expect(modelCalls[0]![0]!.text).toBe("You are a helpful assistant. The time is 09:10:00 AM.");
    expect(await forkPoints(chatId)).toBe(0);
    const messages = await threadMessages(chatId);
    expect(messages.filter((message) => message.getType() === "system").map((message) => message.text)).toEqual([
      "You are a helpful assistant. The time is 09:10:00 AM.",
    ]);
    expect(messages.filter((message) => message.getType() === "human")).toHaveLength(3);
    expect((await runTask(forwarding, chatId, "follow_up_generation", [...history.slice(1), { role: "assistant", content: seen.content }])).answer).toEqual({
      follow_ups: [],
    });
  });

  it("regenerates the last answer from the turn before it, keeping the earlier turns' state", async () => {
    const history = thirdQuestionAt("09:12:00 AM");
    const seen = readAnswer(await readStream(await answer(forwarding, chatId, history)));
    expect(seen.content).toBe("That makes 84.");
    const messages = await threadMessages(chatId);
    expect(messages.filter((message) => message.getType() === "human").map((message) => message.text.split("\n").at(-1))).toEqual([q1, q2, q3]);
    expect(messages.filter((message) => message.getType() === "tool")).toHaveLength(3);
    expect(await forkPoints(chatId)).toBe(1);
  });

  it("forks from the first turn when the user edits the second question", async () => {
    const edited = "What is the weather in Tokyo?";
    const seen = readAnswer(
      await readStream(await answer(forwarding, chatId, [system("09:15:00 AM"), { role: "user", content: q1 }, { role: "assistant", content: a1 }, { role: "user", content: edited }])),
    );
    expect(seen.content).toBe("Let me check the weather in Tokyo. \n\nThe weather there today: 22°C and clear.");
    const messages = await threadMessages(chatId);
    expect(messages.filter((message) => message.getType() === "human").map((message) => message.text)).toEqual([q1, edited]);
    expect(messages.filter((message) => message.getType() === "tool").map((message) => message.text)).toEqual(["18°C and sunny", "22°C and clear"]);
  });

  it("continues the last answer on 'Continue response', with no new message in the thread", async () => {
    const before = await threadMessages(chatId);
    const lastAnswer = "Let me check the weather in Tokyo. \n\nThe weather there today: 22°C and clear.";
    const seen = readAnswer(
      await readStream(
        await answer(forwarding, chatId, [
          system("09:16:00 AM"),
          { role: "user", content: q1 },
          { role: "assistant", content: a1 },
          { role: "user", content: "What is the weather in Tokyo?" },
          { role: "assistant", content: lastAnswer },
        ]),
      ),
    );
    expect(seen.content).toBe("That is all I know.");
    const after = await threadMessages(chatId);
    expect(after.slice(0, before.length).map((message) => message.id)).toEqual(before.map((message) => message.id));
    expect(after.slice(before.length).map((message) => `${message.getType()}: ${message.text}`)).toEqual(["ai: That is all I know."]);
  });

  it("ran the graph for the chat's answers only, and left no thread but the chat's", async () => {
    expect(runsStarted - runsBefore).toBe(6);
    expect(await threadIds()).toEqual([scoped(chatId)]);
  });
});

describe("a chat whose graph stops at an interrupt", () => {
  it("suggests the interrupt's answers as follow-ups, read from the chat's thread, and leaves no other thread", async () => {
    const chatId = "5e1f-chat-approval";
    const question = "write an email about the launch";
    const first = readAnswer(await readStream(await answer(forwarding, chatId, [{ role: "user", content: question }], "approval")));
    expect(first.content).toMatch(/Send this email\? \(yes\/no\)$/);
    const history: OpenWebUIMessage[] = [
      { role: "user", content: question },
      { role: "assistant", content: first.content },
    ];
    expect((await runTask(forwarding, chatId, "title_generation", history, "approval")).answer).toEqual({ title: "write an email about the launch" });
    expect((await runTask(forwarding, chatId, "tags_generation", history, "approval")).answer).toEqual({ tags: [] });
    expect((await runTask(forwarding, chatId, "follow_up_generation", history, "approval")).answer).toEqual({ follow_ups: ["yes", "no"] });
    const sent = readAnswer(await readStream(await answer(forwarding, chatId, [...history, { role: "user", content: "yes" }], "approval")));
    expect(sent.content).toBe('Sent the email "The launch".');
    expect(await threadIds()).not.toContainEqual(expect.stringMatching(/^conversation-/));
    expect(await threadIds()).toContain(scoped(chatId));
  });

  it("without a chat id, reads the choices from the question and leaves only the chat's own pending interrupt", async () => {
    const plain: Connection = { apiKey: API_KEY };
    const before = await threadIds();
    const question = "draft an email about the offsite";
    const first = readAnswer(await readStream(await answer(plain, undefined, [system("10:00:00 AM"), { role: "user", content: question }], "approval")));
    const history: OpenWebUIMessage[] = [
      { role: "user", content: question },
      { role: "assistant", content: first.content },
    ];
    for (const task of ["title_generation", "tags_generation"] as const) await runTask(plain, undefined, task, history, "approval");
    expect((await runTask(plain, undefined, "follow_up_generation", history, "approval")).answer).toEqual({ follow_ups: ["yes", "no"] });
    const pending = (await threadIds()).filter((id) => !before.includes(id));
    expect(pending).toEqual([expect.stringMatching(/^conversation-/)]);
    // The answer comes a minute later, under a system prompt with the new time.
    const reply = readAnswer(await readStream(await answer(plain, undefined, [system("10:01:00 AM"), ...history, { role: "user", content: "no" }], "approval")));
    expect(reply.content).toBe("OK, I did not send it.");
    expect(await threadIds()).toEqual(before);
  });
});

describe("in PostgreSQL, as the issue found it", () => {
  // Before: two approval chats left six interrupted task threads behind, one per title, tags and follow-ups.
  it("two approval chats with their tasks leave only the chats' own threads", async (context) => {
    const url = process.env.LANGGRAPH_OPENAI_TEST_POSTGRES_URL;
    if (!url) {
      console.warn("Skipping the PostgreSQL replay: LANGGRAPH_OPENAI_TEST_POSTGRES_URL is not set");
      context.skip();
    }
    const schema = `owui_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const saver = PostgresSaver.fromConnString(url!, { schema });
    await saver.setup();
    // A graph of its own: the one above already keeps its threads in the other server's checkpointer.
    const registry = await createRegistry({ approval: approval.builder.compile() }, saver);
    const durable = await startServer({ registry, checkpointer: saver, apiKeys: [{ key: API_KEY, tenant: TENANT }] });
    try {
      for (const chatId of ["pg-chat-1", "pg-chat-2"]) {
        const question = `write an email about ${chatId}`;
        const title = runTask(forwarding, chatId, "title_generation", [{ role: "user", content: question }, { role: "assistant", content: "" }], "approval", durable.url);
        const first = readAnswer(await readStream(await answer(forwarding, chatId, [{ role: "user", content: question }], "approval", durable.url)));
        await title;
        const history: OpenWebUIMessage[] = [
          { role: "user", content: question },
          { role: "assistant", content: first.content },
        ];
        await runTask(forwarding, chatId, "tags_generation", history, "approval", durable.url);
        expect((await runTask(forwarding, chatId, "follow_up_generation", history, "approval", durable.url)).answer).toEqual({ follow_ups: ["yes", "no"] });
      }
      const threads = await admin.query(`SELECT DISTINCT thread_id FROM ${schema}.checkpoints ORDER BY thread_id`);
      expect(threads.rows.map((row) => row.thread_id)).toEqual([scoped("pg-chat-1"), scoped("pg-chat-2")]);
    } finally {
      await durable.close();
      await saver.end();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});

describe("the {{CHAT_ID}} and {{TASK}} connection headers, instead of forwarding", () => {
  const custom: Connection = { apiKey: API_KEY, custom: { "X-OpenWebUI-Chat-Id": "{{CHAT_ID}}", "X-OpenWebUI-Task": "{{TASK}}" } };

  it("keep the chat on its thread, and let the header say what is a task, whatever the prompt looks like", async () => {
    const chatId = "c-headers-1";
    const runsBefore = runsStarted;
    const seen = readAnswer(await readStream(await answer(custom, chatId, [{ role: "user", content: "What is the weather in Tokyo?" }])));
    expect(seen.content).toContain("22°C and clear");
    expect(seen.statuses.length).toBeGreaterThan(0);
    expect(await threadIds()).toContain(scoped(chatId));
    // An operator's own title prompt, with nothing of the default's structure.
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: connectionHeaders(custom, chatId, "title_generation"),
      body: JSON.stringify({ model: "agent", stream: false, messages: [{ role: "user", content: "Titre pour :\nUSER: What is the weather in Tokyo?" }] }),
    });
    expect(parseTaskAnswer(await response.json())).toEqual({ title: "What is the weather in Tokyo" });
    // And a user's own message that happens to look like a task is the user's: the empty {{TASK}} says so.
    const lookalike = taskBody("agent", "tags_generation", [{ role: "user", content: "What is the weather in Paris?" }]).messages[0]!.content;
    const own = readAnswer(await readStream(await answer(custom, chatId, [{ role: "user", content: lookalike }])));
    expect(own.content).toBe("Ask me about the weather.");
    expect(runsStarted - runsBefore).toBe(2);
  });

  it("take a task name they do not know, even one of Object's own ('constructor'), as a message for the graph", async () => {
    for (const task of ["constructor", "toString", "hasOwnProperty"]) {
      const response = await fetch(`${server.url}/chat/completions`, {
        method: "POST",
        headers: connectionHeaders(custom, undefined, task as TaskName),
        body: JSON.stringify({ model: "agent", stream: false, messages: [{ role: "user", content: "What is the weather in Tokyo?" }] }),
      });
      expect(response.status).toBe(200);
      const completion = (await response.json()) as { choices: { message: { content: string } }[] };
      expect(completion.choices[0]!.message.content).toContain("22°C and clear");
    }
  });
});

describe("a connection that uses the Responses API", () => {
  it("gets its tasks answered too, without a run", async () => {
    const runsBefore = runsStarted;
    const { messages, max_tokens } = taskBody("agent", "title_generation", [
      { role: "user", content: "What is the weather in Tokyo?" },
      { role: "assistant", content: "" },
    ]);
    // `convert_to_responses_payload`: messages become input items, max_tokens max_output_tokens.
    const input = messages.map((message) => ({ type: "message", role: message.role, content: [{ type: "input_text", text: message.content }] }));
    const response = await fetch(`${server.url}/responses`, {
      method: "POST",
      headers: connectionHeaders(forwarding, "c-responses", "title_generation"),
      body: JSON.stringify({ model: "agent", input, stream: false, max_output_tokens: max_tokens }),
    });
    const body = await response.json();
    expect(JSON.parse(body.output[0].content[0].text)).toEqual({ title: "What is the weather in Tokyo" });
    expect(runsStarted).toBe(runsBefore);
  });
});

describe("tasks sent elsewhere by the model's settings", () => {
  const newChat: OpenWebUIMessage[] = [
    { role: "user", content: "write an email about the budget" },
    { role: "assistant", content: "" },
  ];

  it("run the graph on no thread, which keeps nothing even when it stops at an interrupt", async () => {
    const before = await threadIds();
    const { completion } = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: connectionHeaders(forwarding, "chat-tasks-on-graph", "title_generation"),
      body: JSON.stringify(taskBody("approval-tasks-on-graph", "title_generation", newChat)),
    }).then(async (response) => ({ completion: await response.json() }));
    expect(completion.choices[0].message.content).toMatch(/Send this email\? \(yes\/no\)$/);
    expect(await threadIds()).toEqual(before);
  });

  it("or another model's graph", async () => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: connectionHeaders(forwarding, "chat-tasks-on-echo", "title_generation"),
      body: JSON.stringify(taskBody("approval-tasks-on-echo", "title_generation", newChat)),
    });
    const completion = await response.json();
    expect(completion.choices[0].message.content).toMatch(/^You said: ### Task:\nGenerate a concise title/);
    expect(await threadIds()).not.toContain(scoped("chat-tasks-on-echo"));
  });

  it("but never a model the caller's key may not use: the task is answered as by default, without a run", async () => {
    const runsBefore = runsStarted;
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: connectionHeaders({ apiKey: LIMITED_KEY, forward: true }, "chat-tasks-limited", "title_generation"),
      body: JSON.stringify(taskBody("approval-tasks-on-echo", "title_generation", newChat)),
    });
    const content = (await response.json()).choices[0].message.content as string;
    expect(content).not.toMatch(/^You said/);
    expect(JSON.parse(content)).toHaveProperty("title");
    expect(runsStarted).toBe(runsBefore);
  });
});

describe("two answers on one chat at once", () => {
  it("tell Open WebUI that the second waits for the first", async () => {
    const chatId = "c-two-at-once";
    modelGate.close();
    const calls = modelCalls.length;
    const first = answer(forwarding, chatId, [{ role: "user", content: "What is the weather in Paris?" }]);
    await expect.poll(() => modelCalls.length).toBeGreaterThan(calls);
    const second = await answer(forwarding, chatId, [{ role: "user", content: "What is the weather in Paris?" }]);
    const reader = second.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('"description":"Waiting for the previous answer in this chat","done":false');
    modelGate.open();
    await readStream(await first);
    await reader.cancel();
  });
});

describe("the first token with chat ids forwarded", () => {
  it("comes as fast as without them, while a title is asked at the same time", async () => {
    const ask: OpenWebUIMessage[] = [{ role: "user", content: "What is the weather in Paris?" }];
    const firstToken = async (request: () => Promise<Response>) => {
      const started = performance.now();
      const reader = (await request()).body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      while (!/"(content|reasoning_content)":"[^"]/.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error("no token");
        text += decoder.decode(value);
      }
      const elapsed = performance.now() - started;
      while (!(await reader.read()).done);
      return elapsed;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const without: number[] = [];
    const withForwarding: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      without.push(await firstToken(() => answer({ apiKey: API_KEY }, undefined, ask)));
      const chatId = `c-first-token-${round}`;
      const title = runTask(forwarding, chatId, "title_generation", [...ask, { role: "assistant", content: "" }]);
      withForwarding.push(await firstToken(() => answer(forwarding, chatId, ask)));
      await title;
    }
    // Generous: the point is that the title no longer takes the thread first (seconds, before).
    expect(median(withForwarding)).toBeLessThan(median(without) * 3 + 100);
  });
});

describe("other clients", () => {
  it("the AI SDK's OpenAI-compatible provider reads the steps as reasoning parts, and the answer as text", async () => {
    const provider = createOpenAICompatible({ name: "langgraph", baseURL: server.url, apiKey: API_KEY });
    const result = streamText({ model: provider("agent"), prompt: "What is the weather in Paris?", maxRetries: 0 });
    const parts = await collect(result.fullStream);
    const reasoning = parts.flatMap((part) => (part.type === "reasoning-delta" ? [part.text] : [])).join("");
    expect(reasoning).toContain('Calling get_weather with {"city":"Paris"}');
    expect(reasoning).toContain("get_weather returned: 18°C and sunny");
    expect(await result.text).toBe("Let me check the weather in Paris. \n\nThe weather there today: 18°C and sunny.");
    const generated = await generateText({ model: provider("agent"), prompt: "What is 12 * 7?", maxRetries: 0 });
    expect(generated.text).toBe("That makes 84.");
    expect(generated.reasoningText).toBe('Calling calculate with {"a":12,"b":7}\n\ncalculate returned: 84');
  });

  it("the openai SDK reads the same content with or without the steps, and can turn them off", async () => {
    const question = { model: "agent", messages: [{ role: "user" as const, content: "What is the weather in London?" }] };
    const withSteps = await client.chat.completions.create(question);
    const withoutSteps = await client.chat.completions.create({ ...question, include_reasoning: false } as typeof question);
    expect(withSteps.choices[0]!.message.content).toBe("Let me check the weather in London. \n\nThe weather there today: 12°C with light rain.");
    expect(withoutSteps.choices[0]!.message.content).toBe(withSteps.choices[0]!.message.content);
    expect(withSteps.choices[0]!.message).toHaveProperty("reasoning_content", expect.stringContaining("get_weather returned: 12°C with light rain"));
    expect(withoutSteps.choices[0]!.message).not.toHaveProperty("reasoning_content");
    const streamed = await collect(await client.chat.completions.create({ ...question, stream: true }));
    expect(streamed.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(withSteps.choices[0]!.message.content);
    // Not Open WebUI: no status chunks.
    expect(streamed.every((chunk) => chunk.choices.length === 1)).toBe(true);
  });

  it("lists the agent under its name", async () => {
    const models = await collect(client.models.list());
    expect(models.find((model) => model.id === "agent")).toMatchObject({ name: "Weather agent" });
  });
});
