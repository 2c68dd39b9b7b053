/**
 * AG-UI over a real socket: `@ag-ui/client`'s HttpAgent (which checks the order of the
 * events itself) against the example graphs, on threads the OpenAI routes share.
 */
import { HttpAgent } from "@ag-ui/client";
import type { BaseEvent, Message } from "@ag-ui/core";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sseData, startServer } from "./helpers.js";

type Server = Awaited<ReturnType<typeof startServer>>;

const KEYS = [
  { key: "sk-a", tenant: "acme" },
  { key: "sk-b", tenant: "globex" },
  { key: "sk-echo", models: ["echo"] },
];

/** An HttpAgent for one model and thread, which records every event and request body it sees. */
function agentFor(server: Server, model: string, threadId: string, key = "sk-a") {
  const events: BaseEvent[] = [];
  const bodies: Record<string, unknown>[] = [];
  const root = server.url.replace(/\/v1$/, "");
  const agent = new HttpAgent({
    url: `${root}/ag-ui/${model}`,
    threadId,
    headers: { Authorization: `Bearer ${key}` },
    fetch: (url, init) => {
      bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      return fetch(url, init);
    },
  });
  agent.subscribe({ onEvent: ({ event }) => void events.push(event) });
  return { agent, events, bodies };
}

const ofType = <T = Record<string, unknown>>(events: BaseEvent[], type: string) => events.filter((event) => event.type === type) as unknown as T[];
const lastText = (messages: Message[]) => [...messages].reverse().find((message) => message.role === "assistant")?.content as string;
const roles = (messages: Message[]) => messages.map((message) => message.role);

describe("AG-UI: HttpAgent against the example graphs", () => {
  let server: Server;
  const openai = (key = "sk-a") => new OpenAI({ baseURL: server.url, apiKey: key, maxRetries: 0 });
  const post = (path: string, body: unknown, key = "sk-a") =>
    fetch(`${server.url.replace(/\/v1$/, "")}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", Authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
  /** The agent's conversation and one more user message, sent over chat completions on the same thread; the answer's text. */
  const continueOverChatCompletions = async (agent: HttpAgent, model: string, threadId: string, text: string) => {
    const history = agent.messages.map((message) => ({ role: message.role as "user" | "assistant", content: message.content as string }));
    const completion = await openai().chat.completions.create({ model, messages: [...history, { role: "user", content: text }] }, { headers: { "X-Thread-Id": threadId } });
    return completion.choices[0]!.message.content;
  };

  beforeAll(async () => {
    server = await startServer({ config: "langgraph.config.json", apiKeys: KEYS });
  });
  afterAll(() => server.close());
  afterEach(() => void vi.restoreAllMocks());

  it("streams the chat graph's answer as one text message, which the closing snapshot names by the same id", async () => {
    const { agent, events, bodies } = agentFor(server, "chat", "text-1");
    agent.addMessage({ id: "u1", role: "user", content: "Hello" });
    const { newMessages } = await agent.runAgent();

    expect(bodies[0]).toMatchObject({ threadId: "text-1", protocolVersion: "1.0" });
    expect(events[0]).toMatchObject({ type: "RUN_STARTED", threadId: "text-1" });
    expect(events.at(-1)).toMatchObject({ type: "RUN_FINISHED", threadId: "text-1", outcome: { type: "success" } });
    const [start] = ofType<{ messageId: string }>(events, "TEXT_MESSAGE_START");
    expect(ofType(events, "TEXT_MESSAGE_CONTENT").length).toBeGreaterThan(10);
    expect(newMessages).toEqual([{ id: start!.messageId, role: "assistant", content: expect.stringContaining('You said: "Hello". This is turn 1') }]);
    expect(ofType(events, "STEP_STARTED")).toEqual([{ type: "STEP_STARTED", stepName: "model" }]);
    expect(ofType(events, "STEP_FINISHED")).toEqual([{ type: "STEP_FINISHED", stepName: "model" }]);
    const [finished] = ofType<{ usage: { outputTokens: number }[] }>(events, "RUN_FINISHED");
    expect(finished!.usage[0]!.outputTokens).toBeGreaterThan(10);
  });

  it("answers a body without protocolVersion, as clients before 1.0 send it", async () => {
    const response = await post("/ag-ui/echo", { threadId: "old-client", runId: "r1", messages: [{ id: "u1", role: "user", content: "hi" }], tools: [], context: [] });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = sseData(await response.text());
    expect(events.map((event) => event.type)).toEqual([
      "RUN_STARTED",
      "STEP_STARTED",
      "TEXT_MESSAGE_START",
      "TEXT_MESSAGE_CONTENT",
      "STEP_FINISHED",
      "TEXT_MESSAGE_END",
      "STATE_SNAPSHOT",
      "MESSAGES_SNAPSHOT",
      "RUN_FINISHED",
    ]);
    expect(events.find((event) => event.type === "TEXT_MESSAGE_CONTENT")).toMatchObject({ delta: "You said: hi" });
  });

  it("lists pendingToolCallIds only to a client that sends protocolVersion: clients before 1.0 refuse the key", async () => {
    const body = (protocolVersion?: string) => ({
      threadId: `pending-${protocolVersion ?? "none"}`,
      runId: "r1",
      messages: [{ id: "u1", role: "user", content: "Paris" }],
      tools: [{ name: "lookup_city", description: "Look a city up.", parameters: { type: "object", properties: { city: { type: "string" } } } }],
      ...(protocolVersion && { protocolVersion }),
    });
    const finished = async (protocolVersion?: string) => sseData(await (await post("/ag-ui/client-tools", body(protocolVersion))).text()).at(-1);
    expect(await finished()).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "success" } });
    expect((await finished()) as { outcome: object }).not.toHaveProperty("outcome.pendingToolCallIds");
    expect(await finished("1.0")).toMatchObject({ outcome: { type: "success", pendingToolCallIds: [expect.stringMatching(/^call_/)] } });
  });

  it("goes on with its thread on a second run, without duplicates, and chat completions goes on with the same thread", async () => {
    const { agent } = agentFor(server, "chat", "shared-1");
    agent.addMessage({ id: "u1", role: "user", content: "Hello" });
    await agent.runAgent();
    agent.addMessage({ id: "u2", role: "user", content: "Again" });
    // A front end's runtime forwards the browser's x-* headers: the body's threadId wins over theirs.
    agent.headers = { ...agent.headers, "X-Thread-Id": "someone-else" };
    await agent.runAgent();
    expect(roles(agent.messages)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(lastText(agent.messages)).toContain('You said: "Again". This is turn 2');

    expect(await continueOverChatCompletions(agent, "chat", "shared-1", "Third")).toContain('You said: "Third". This is turn 3');
  });

  it("forks the thread where the client edited a message", async () => {
    const { agent } = agentFor(server, "chat", "fork-1");
    agent.addMessage({ id: "u1", role: "user", content: "Hello" });
    await agent.runAgent();
    agent.addMessage({ id: "u2", role: "user", content: "Again" });
    await agent.runAgent();
    agent.setMessages([{ id: "u1", role: "user", content: "Hello, edited" }]);
    await agent.runAgent();
    expect(roles(agent.messages)).toEqual(["user", "assistant"]);
    expect(lastText(agent.messages)).toContain('You said: "Hello, edited". This is turn 1');
  });

  it("shows the agent's own tools as tool calls with their results, its nodes as steps and its thinking as reasoning", async () => {
    const { agent, events } = agentFor(server, "agent", "tools-1");
    agent.addMessage({ id: "u1", role: "user", content: "What's the weather in Paris?" });
    await agent.runAgent();

    const [call] = ofType<{ toolCallId: string; toolCallName: string; parentMessageId: string }>(events, "TOOL_CALL_START");
    expect(call).toMatchObject({ toolCallName: "get_weather" });
    const args = ofType<{ toolCallId: string; delta: string }>(events, "TOOL_CALL_ARGS").filter((event) => event.toolCallId === call!.toolCallId);
    expect(JSON.parse(args.map((event) => event.delta).join(""))).toEqual({ city: "Paris" });
    expect(ofType(events, "TOOL_CALL_RESULT")).toEqual([expect.objectContaining({ toolCallId: call!.toolCallId, content: "18°C and sunny" })]);
    expect(ofType<{ stepName: string }>(events, "STEP_STARTED").map((event) => event.stepName)).toEqual(["agent", "tools", "agent"]);
    expect(ofType(events, "REASONING_MESSAGE_CONTENT").length).toBeGreaterThan(0);
    expect(events.some((event) => event.type.startsWith("THINKING"))).toBe(false);

    // What the client now holds is the thread, in its order; the call hangs on the message that made it.
    expect(roles(agent.messages)).toEqual(["user", "reasoning", "assistant", "tool", "assistant"]);
    const caller = agent.messages[2] as Extract<Message, { role: "assistant" }>;
    expect(caller.id).toBe(call!.parentMessageId);
    expect(caller.toolCalls?.[0]?.id).toBe(call!.toolCallId);
    expect(lastText(agent.messages)).toBe("The weather there today: 18°C and sunny.");

    // The whole history sent back, reasoning and tool calls included, lines up with the thread.
    agent.addMessage({ id: "u2", role: "user", content: "And the weather in London?" });
    const second = await agent.runAgent();
    expect(lastText(agent.messages)).toBe("The weather there today: 12°C with light rain.");
    expect(roles(agent.messages)).toEqual(["user", "reasoning", "assistant", "tool", "assistant", "user", "reasoning", "assistant", "tool", "assistant"]);
    expect(second.newMessages.map((message) => message.role)).toEqual(["reasoning", "assistant", "tool", "assistant"]);
  });

  it("finishes at an interrupt with its id, reason and question, and resumes it by id", async () => {
    const { agent, events } = agentFor(server, "approval", "approval-1");
    agent.addMessage({ id: "u1", role: "user", content: "write an email about the picnic" });
    await agent.runAgent();

    const [finished] = ofType<{ outcome: { type: string; interrupts: { id: string; reason: string; message: string; metadata: { value: { draft: string } } }[] } }>(events, "RUN_FINISHED");
    expect(finished!.outcome.type).toBe("interrupt");
    const [interrupt] = finished!.outcome.interrupts;
    expect(interrupt).toMatchObject({ id: expect.any(String), reason: "input_required", message: "Send this email? (yes/no)" });
    expect(interrupt!.metadata.value.draft).toContain("Subject: The picnic");
    expect(agent.pendingInterrupts.map((pending) => pending.id)).toEqual([interrupt!.id]);
    // The question is the interrupt's, not a message: the thread holds none.
    expect(lastText(agent.messages)).toMatch(/^Draft email:/);

    await agent.runAgent({ resume: [{ interruptId: interrupt!.id, status: "resolved", payload: "yes" }] });
    expect(lastText(agent.messages)).toBe('Sent the email "The picnic".');
    expect(roles(agent.messages)).toEqual(["user", "assistant", "assistant"]);
    expect(agent.pendingInterrupts).toEqual([]);

    // Chat completions goes on with the thread: a new request stops at a new question.
    const answer = await continueOverChatCompletions(agent, "approval", "approval-1", "write an email about the budget");
    expect(answer).toContain("Subject: The budget");
    expect(answer).toContain("Send this email? (yes/no)");
  });

  it("leaves its interrupt to chat completions to answer, on the same thread", async () => {
    const { agent } = agentFor(server, "approval", "approval-3");
    agent.addMessage({ id: "u1", role: "user", content: "write an email about the offsite" });
    await agent.runAgent();
    expect(await continueOverChatCompletions(agent, "approval", "approval-3", "yes")).toBe('Sent the email "The offsite".');
  });

  it("lets a cancelled interrupt's new message answer it, as a chat client's would", async () => {
    const { agent } = agentFor(server, "approval", "approval-4");
    agent.addMessage({ id: "u1", role: "user", content: "write an email about the move" });
    await agent.runAgent();
    agent.addMessage({ id: "u2", role: "user", content: "no" });
    await agent.runAgent({ resume: agent.pendingInterrupts.map((interrupt) => ({ interruptId: interrupt.id, status: "cancelled" as const })) });
    expect(lastText(agent.messages)).toBe("OK, I did not send it.");
  });

  it("refuses to resume an interrupt the thread does not wait on", async () => {
    const { agent } = agentFor(server, "approval", "approval-2");
    agent.addMessage({ id: "u1", role: "user", content: "write an email about lunch" });
    await agent.runAgent();
    const response = await post("/ag-ui/approval", {
      threadId: "approval-2",
      runId: "r2",
      messages: agent.messages,
      resume: [{ interruptId: "not-an-interrupt", status: "resolved", payload: "yes" }],
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ param: "resume", message: expect.stringContaining("not-an-interrupt") });
  });

  it("binds the client's tools, leaves their calls to it, and answers from the result it sends back", async () => {
    const { agent, events } = agentFor(server, "client-tools", "frontend-1");
    const tools = [{ name: "lookup_city", description: "Look a city up.", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
    agent.addMessage({ id: "u1", role: "user", content: "Paris" });
    await agent.runAgent({ tools });

    const [finished] = ofType<{ outcome: { type: string; pendingToolCallIds: string[] } }>(events, "RUN_FINISHED");
    const [start] = ofType<{ toolCallId: string; toolCallName: string }>(events, "TOOL_CALL_START");
    expect(start).toMatchObject({ toolCallName: "lookup_city" });
    expect(finished!.outcome).toEqual({ type: "success", pendingToolCallIds: [start!.toolCallId] });
    expect(ofType(events, "TOOL_CALL_RESULT")).toEqual([]);
    const call = (agent.messages.at(-1) as Extract<Message, { role: "assistant" }>).toolCalls![0]!;
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });

    agent.addMessage({ id: "t1", role: "tool", toolCallId: call.id, content: "Paris has two million people" });
    await agent.runAgent({ tools });
    expect(lastText(agent.messages)).toBe("Your tool answered: Paris has two million people.");
    expect(roles(agent.messages)).toEqual(["user", "assistant", "tool", "assistant"]);
  });

  it("refuses a client without a key, hides models its key may not use, and keeps each tenant's threads apart", async () => {
    // HttpAgent logs a failed run before it rejects.
    vi.spyOn(console, "error").mockImplementation(() => {});
    const anonymous = new HttpAgent({ url: `${server.url.replace(/\/v1$/, "")}/ag-ui/chat` });
    anonymous.addMessage({ id: "u1", role: "user", content: "Hello" });
    await expect(anonymous.runAgent()).rejects.toThrow(/HTTP 401/);
    const limited = agentFor(server, "chat", "limited-1", "sk-echo");
    limited.agent.addMessage({ id: "u1", role: "user", content: "Hello" });
    await expect(limited.agent.runAgent()).rejects.toThrow(/HTTP 404/);

    // Another tenant naming the same thread names a thread of its own: the first tenant's interrupt is not there to answer.
    const a = agentFor(server, "approval", "same-name", "sk-a");
    a.agent.addMessage({ id: "u1", role: "user", content: "write an email about the party" });
    await a.agent.runAgent();
    const resume = [{ interruptId: a.agent.pendingInterrupts[0]!.id, status: "resolved" as const, payload: "yes" }];
    const other = await post("/ag-ui/approval", { threadId: "same-name", runId: "r2", messages: a.agent.messages, resume }, "sk-b");
    expect(other.status).toBe(400);
    await a.agent.runAgent({ resume });
    expect(lastText(a.agent.messages)).toBe('Sent the email "The party".');
  });

  it("takes configurable and context in forwardedProps only as far as the model's allow lists let it", async () => {
    const response = await post("/ag-ui/chat", { threadId: "props-1", runId: "r1", messages: [{ id: "u1", role: "user", content: "hi" }], forwardedProps: { configurable: { model: "gpt-x" } } });
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toContain("allow_configurable");
  });

  it("refuses a malformed RunAgentInput with a 400 naming the field", async () => {
    const response = await post("/ag-ui/chat", { threadId: "bad-1", runId: "r1", messages: [{ id: "u1", role: "wizard", content: "hi" }] });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ param: "messages[0].role" });
  });
});

describe("AG-UI: the client's state", () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer({ config: "test/fixtures/ag-ui/langgraph.config.json" });
  });
  afterAll(() => server.close());

  it("writes the keys the model's allow_state names, sends the state back as a snapshot, and writes what the client echoes back only once", async () => {
    const root = server.url.replace(/\/v1$/, "");
    const agent = new HttpAgent({ url: `${root}/ag-ui/state`, threadId: "state-1" });
    const events: BaseEvent[] = [];
    agent.setState({ mood: "happy" });
    agent.addMessage({ id: "u1", role: "user", content: "How am I?" });
    await agent.runAgent({}, { onEvent: ({ event }) => void events.push(event) });
    expect(lastText(agent.messages)).toBe("mood: happy; notes: none");
    expect(agent.state).toEqual({ mood: "happy", notes: ["run 1"], run: 1 });
    // A key without a reducer goes out as the node sets it; one with a reducer only in the snapshot.
    expect(ofType(events, "STATE_DELTA")).toEqual([{ type: "STATE_DELTA", delta: [{ op: "add", path: "/run", value: 1 }] }]);

    // The client sends the state it was sent: its notes are no news, and are not added again.
    agent.addMessage({ id: "u2", role: "user", content: "And now?" });
    await agent.runAgent();
    expect(lastText(agent.messages)).toBe("mood: happy; notes: run 1");
    expect(agent.state).toEqual({ mood: "happy", notes: ["run 1", "run 2"], run: 2 });

    agent.setState({ ...agent.state, notes: [...(agent.state.notes as string[]), "from the client"] });
    agent.addMessage({ id: "u3", role: "user", content: "And now?" });
    await agent.runAgent();
    expect(lastText(agent.messages)).toContain("from the client");
  });

  it("leaves out the keys a model does not let a client set", async () => {
    const root = server.url.replace(/\/v1$/, "");
    const agent = new HttpAgent({ url: `${root}/ag-ui/state-locked`, threadId: "state-2" });
    agent.setState({ mood: "happy" });
    agent.addMessage({ id: "u1", role: "user", content: "How am I?" });
    await agent.runAgent();
    expect(lastText(agent.messages)).toBe("mood: none; notes: none");
  });
});

describe("AG-UI: what a graph gets and a failure", () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer({ config: "test/fixtures/ag-ui/langgraph.config.json" });
  });
  afterAll(() => server.close());
  const root = () => server.url.replace(/\/v1$/, "");

  it("gives nodes the client's tools as a chat request's, and AG-UI's context entries", async () => {
    const agent = new HttpAgent({ url: `${root()}/ag-ui/request-echo` });
    agent.addMessage({ id: "u1", role: "user", content: "What do you see?" });
    const tools = [{ name: "lookup_city", description: "Look a city up.", parameters: { type: "object", properties: {} } }];
    const context = [{ description: "The user's city", value: "Lyon" }];
    await agent.runAgent({ tools, context });
    expect(JSON.parse(lastText(agent.messages))).toEqual({
      model: "request-echo",
      tools: [{ type: "function", function: { name: "lookup_city", description: "Look a city up.", parameters: { type: "object", properties: {} } } }],
      agui_context: context,
    });
  });

  it("ends a run that fails after it began with RUN_ERROR, after the text it streamed", async () => {
    const agent = new HttpAgent({ url: `${root()}/ag-ui/fails-midway` });
    const events: BaseEvent[] = [];
    agent.addMessage({ id: "u1", role: "user", content: "Go" });
    await agent.runAgent({}, { onEvent: ({ event }) => void events.push(event) });
    expect(events.map((event) => event.type)).toContain("TEXT_MESSAGE_CONTENT");
    expect(events.at(-1)).toMatchObject({ type: "RUN_ERROR", message: expect.stringMatching(/^The graph behind model 'fails-midway' failed \(request id [0-9a-f-]{36}\)/), code: expect.any(String) });
  });
});

describe("examples/ag-ui-client.ts", () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer({ config: "langgraph.config.json" });
  });
  afterAll(() => server.close());

  it("runs against the server as its comment says: two turns of the agent, then an interrupt answered by id", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/ag-ui-client.ts", server.url.replace(/\/v1$/, "")]);
    expect(stdout).toContain('[calls get_weather with {"city":"Paris"}]');
    expect(stdout).toContain("The weather there today: 18°C and sunny.");
    expect(stdout).toContain("The weather there today: 12°C with light rain.");
    expect(stdout).toMatch(/\[interrupt \S+: Send this email\? \(yes\/no\)\] yes/);
    expect(stdout).toContain('Sent the email "The team picnic".');
  });
});
