/**
 * CopilotKit's own runtime (`@copilotkit/runtime`) in front of this server, as an app
 * deploys it: its `POST {runtime}/agent/{id}/run` forwards each run to `/ag-ui/{model}`
 * through an HttpAgent, with the browser's Authorization header. Two HttpAgents: the one
 * the runtime bundles (`@ag-ui/client` 0.0.59, what an app that installs only the runtime
 * imports), which sends no `protocolVersion`, and `@ag-ui/client` 1.0.
 */
import { HttpAgent } from "@ag-ui/client";
import type { Message } from "@ag-ui/core";
import { CopilotRuntime, createCopilotRuntimeHandler, type AgentsConfig } from "@copilotkit/runtime/v2";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sseData, startServer } from "./helpers.js";

type Event = Record<string, unknown> & { type: string };
type AgentClass = new (config: { url: string }) => unknown;

/** The HttpAgent of the `@ag-ui/client` that `@copilotkit/runtime` itself depends on. */
async function bundledHttpAgent(): Promise<AgentClass> {
  const path = createRequire(import.meta.resolve("@copilotkit/runtime")).resolve("@ag-ui/client");
  const bundled = (await import(pathToFileURL(path.replace(/\.js$/, ".mjs")).href)) as { HttpAgent: AgentClass };
  return bundled.HttpAgent;
}

describe.each([
  ["the HttpAgent the runtime bundles", bundledHttpAgent],
  ["@ag-ui/client 1.0's HttpAgent", async () => HttpAgent as AgentClass],
])("CopilotKit's runtime with %s pointed at this server", (_name, agentClass) => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let handler: (request: Request) => Promise<Response>;

  beforeAll(async () => {
    // The runtime reports usage to CopilotKit unless told not to; tests run offline.
    vi.stubEnv("COPILOTKIT_TELEMETRY_DISABLED", "true");
    server = await startServer({ config: "langgraph.config.json", apiKeys: [{ key: "sk-app" }] });
    const root = server.url.replace(/\/v1$/, "");
    const Agent = await agentClass();
    // The runtime types its agents with the @ag-ui/client it bundles; another version's HttpAgent runs in it as it is.
    const agents = { weather: new Agent({ url: `${root}/ag-ui/agent` }), lookup: new Agent({ url: `${root}/ag-ui/client-tools` }) } as unknown as AgentsConfig;
    handler = createCopilotRuntimeHandler({ runtime: new CopilotRuntime({ agents }), basePath: "/api/copilotkit" });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server.close();
  });

  /** What the browser's CopilotKit sends the app's runtime for one run. */
  async function run(agent: string, threadId: string, messages: Message[], options: { authorization?: string; tools?: unknown[] } = {}): Promise<Event[]> {
    const response = await handler(
      new Request(`http://app.example/api/copilotkit/agent/${agent}/run`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream", ...(options.authorization && { Authorization: options.authorization }) },
        body: JSON.stringify({ threadId, runId: crypto.randomUUID(), messages, tools: options.tools ?? [], context: [], state: {}, forwardedProps: {} }),
      }),
    );
    expect(response.status).toBe(200);
    return sseData<Event>(await response.text());
  }
  const snapshotOf = (events: Event[]) => events.find((event) => event.type === "MESSAGES_SNAPSHOT")!.messages as Message[];

  it("answers a run end to end, and the next run with the whole thread resent, on the same thread", async () => {
    const first = await run("weather", "copilot-1", [{ id: "u1", role: "user", content: "What's the weather in Tokyo?" }], { authorization: "Bearer sk-app" });
    expect(first[0]).toMatchObject({ type: "RUN_STARTED", threadId: "copilot-1" });
    expect(first.at(-1)).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "success" } });
    expect(first.find((event) => event.type === "TOOL_CALL_RESULT")).toMatchObject({ content: "22°C and clear" });
    const snapshot = snapshotOf(first);
    expect(snapshot.at(-1)).toMatchObject({ role: "assistant", content: "The weather there today: 22°C and clear." });

    // CopilotKit resends what it holds: the snapshot's messages, the reasoning it was streamed, and the new question.
    const reasoning = first.filter((event) => event.type === "REASONING_MESSAGE_CONTENT").map((event) => event.delta).join("");
    const resent: Message[] = [snapshot[0]!, { id: "r1", role: "reasoning", content: reasoning }, ...snapshot.slice(1), { id: "u2", role: "user", content: "And the weather in Paris?" }];
    const thread = snapshotOf(await run("weather", "copilot-1", resent, { authorization: "Bearer sk-app" }));
    expect(thread.map((message) => message.role)).toEqual(["user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant"]);
    expect(thread.at(-1)).toMatchObject({ content: "The weather there today: 18°C and sunny." });
  });

  it("hands a frontend tool's call to the browser and answers from the result it sends back", async () => {
    const tools = [{ name: "lookup_city", description: "Look a city up.", parameters: { type: "object", properties: { city: { type: "string" } } } }];
    const question: Message = { id: "u1", role: "user", content: "Paris" };
    const first = await run("lookup", "copilot-2", [question], { authorization: "Bearer sk-app", tools });
    expect(first.at(-1)).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "success" } });
    const [caller] = snapshotOf(first).slice(-1) as Extract<Message, { role: "assistant" }>[];
    const call = caller!.toolCalls![0]!;
    expect(call.function.name).toBe("lookup_city");

    const result: Message = { id: "t1", role: "tool", toolCallId: call.id, content: "Paris has two million people" };
    const second = await run("lookup", "copilot-2", [question, caller!, result], { authorization: "Bearer sk-app", tools });
    expect(snapshotOf(second).at(-1)).toMatchObject({ role: "assistant", content: "Your tool answered: Paris has two million people." });
  });

  it("passes on this server's refusal of a browser without a key as the run's error", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const events = await run("weather", "copilot-3", [{ id: "u1", role: "user", content: "Hello" }]);
    expect(events.at(-1)).toMatchObject({ type: "RUN_ERROR", message: expect.stringContaining("HTTP 401") });
    vi.restoreAllMocks();
  });
});
