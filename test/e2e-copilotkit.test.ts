/**
 * CopilotKit's own runtime (`@copilotkit/runtime`) in front of this server, as an app
 * deploys it: its `POST {runtime}/agent/{id}/run` forwards each run to `/ag-ui/{model}`
 * through an HttpAgent, with the browser's Authorization header.
 */
import { HttpAgent } from "@ag-ui/client";
import type { Message } from "@ag-ui/core";
import { CopilotRuntime, createCopilotRuntimeHandler, type AgentsConfig } from "@copilotkit/runtime/v2";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startServer } from "./helpers.js";

type Event = Record<string, unknown> & { type: string };

function sseEvents(text: string): Event[] {
  return text
    .split("\n\n")
    .filter((frame) => frame.startsWith("data: "))
    .map((frame) => JSON.parse(frame.slice("data: ".length)) as Event);
}

describe("CopilotKit's runtime with an HttpAgent pointed at this server", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let handler: (request: Request) => Promise<Response>;

  beforeAll(async () => {
    // The runtime reports usage to CopilotKit unless told not to; tests run offline.
    vi.stubEnv("COPILOTKIT_TELEMETRY_DISABLED", "true");
    server = await startServer({ config: "langgraph.config.json", apiKeys: [{ key: "sk-app" }] });
    const root = server.url.replace(/\/v1$/, "");
    // The runtime types its agents with the @ag-ui/client it bundles (0.0.59); an app's HttpAgent 1.0 runs in it as it is.
    const agents = { weather: new HttpAgent({ url: `${root}/ag-ui/agent` }) } as unknown as AgentsConfig;
    const runtime = new CopilotRuntime({ agents });
    handler = createCopilotRuntimeHandler({ runtime, basePath: "/api/copilotkit" });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server.close();
  });

  /** What the browser's CopilotKit sends the app's runtime for one run. */
  async function run(messages: Message[], authorization?: string): Promise<Event[]> {
    const response = await handler(
      new Request("http://app.example/api/copilotkit/agent/weather/run", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream", ...(authorization && { Authorization: authorization }) },
        body: JSON.stringify({ threadId: "copilot-1", runId: crypto.randomUUID(), messages, tools: [], context: [], state: {}, forwardedProps: {} }),
      }),
    );
    expect(response.status).toBe(200);
    return sseEvents(await response.text());
  }

  it("answers a run end to end, and the next run with the whole thread resent, on the same thread", async () => {
    const question: Message = { id: "u1", role: "user", content: "What's the weather in Tokyo?" };
    const first = await run([question], "Bearer sk-app");
    expect(first[0]).toMatchObject({ type: "RUN_STARTED", threadId: "copilot-1" });
    expect(first.at(-1)).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "success" } });
    expect(first.find((event) => event.type === "TOOL_CALL_RESULT")).toMatchObject({ content: "22°C and clear" });
    const snapshot = first.find((event) => event.type === "MESSAGES_SNAPSHOT")!.messages as Message[];
    expect(snapshot.at(-1)).toMatchObject({ role: "assistant", content: "The weather there today: 22°C and clear." });

    // CopilotKit resends what it holds: the snapshot's messages, the reasoning it was streamed, and the new question.
    const reasoning = first.filter((event) => event.type === "REASONING_MESSAGE_CONTENT").map((event) => event.delta).join("");
    const resent: Message[] = [snapshot[0]!, { id: "r1", role: "reasoning", content: reasoning }, ...snapshot.slice(1), { id: "u2", role: "user", content: "And the weather in Paris?" }];
    const second = await run(resent, "Bearer sk-app");
    const thread = second.find((event) => event.type === "MESSAGES_SNAPSHOT")!.messages as Message[];
    expect(thread.map((message) => message.role)).toEqual(["user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant"]);
    expect(thread.at(-1)).toMatchObject({ content: "The weather there today: 18°C and sunny." });
  });

  it("passes on this server's refusal of a browser without a key as the run's error", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const events = await run([{ id: "u1", role: "user", content: "Hello" }]);
    expect(events.at(-1)).toMatchObject({ type: "RUN_ERROR", message: expect.stringContaining("HTTP 401") });
    vi.restoreAllMocks();
  });
});
