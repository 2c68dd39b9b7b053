import { pino } from "pino";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AIMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { createRegistry } from "../src/index.js";
import { collect, startServer } from "./helpers.js";

describe("request ids, CORS, logs and metrics", () => {
  const lines: Record<string, unknown>[] = [];
  let server: Awaited<ReturnType<typeof startServer>>;
  let root: string;
  let client: OpenAI;
  const auth = { Authorization: "Bearer sk-test-secret" };

  beforeAll(async () => {
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    server = await startServer({
      config: "langgraph.config.json",
      logger,
      apiKeys: [{ key: "sk-test-secret" }],
      corsOrigins: ["https://chat.example.com"],
    });
    root = server.url.replace("/v1", "");
    client = new OpenAI({ baseURL: server.url, apiKey: "sk-test-secret", maxRetries: 0 });
  });
  afterAll(() => server.close());

  it("answers a CORS preflight from an allowed origin without a key, allowing Open WebUI's headers", async () => {
    const requested = "authorization,content-type,x-openwebui-chat-id,x-openwebui-user-id,x-thread-id";
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "OPTIONS",
      headers: { Origin: "https://chat.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": requested },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://chat.example.com");
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")).toBe(requested);
  });

  it("lets a browser read X-Request-Id, and gives no CORS grant to other origins", async () => {
    const allowed = await fetch(`${server.url}/models`, { headers: { ...auth, Origin: "https://chat.example.com" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://chat.example.com");
    expect(allowed.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
    const other = await fetch(`${server.url}/models`, { headers: { ...auth, Origin: "https://evil.example.com" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("gives every response a request id: the client's when sane, a new one otherwise", async () => {
    const echoed = await fetch(`${root}/health`, { headers: { "X-Request-Id": "trace-abc-123" } });
    expect(echoed.headers.get("x-request-id")).toBe("trace-abc-123");
    const replaced = await fetch(`${root}/health`, { headers: { "X-Request-Id": "bad id\twith spaces" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const unauthorized = await fetch(`${server.url}/models`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const { response } = await client.chat.completions
      .create({ model: "nope", messages: [{ role: "user", content: "hi" }] })
      .withResponse()
      .catch((error: { headers: Headers }) => ({ response: { headers: error.headers } }));
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs one JSON line per streamed request, once it ends, with model, timings and tokens", async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: "chat", messages: [{ role: "user", content: "hello" }], stream: true }, { headers: { "X-Request-Id": "log-me" } })
      .withResponse();
    await collect(stream);
    expect(response.headers.get("x-request-id")).toBe("log-me");
    await expect.poll(() => lines.filter((line) => line.requestId === "log-me")).toHaveLength(1);
    const line = lines.find((entry) => entry.requestId === "log-me")!;
    expect(line).toMatchObject({ msg: "POST /v1/chat/completions 200", method: "POST", path: "/v1/chat/completions", status: 200, model: "chat" });
    expect(line.promptTokens).toBeGreaterThan(0);
    expect(line.completionTokens).toBeGreaterThan(5);
    expect(line.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(line.durationMs).toBeGreaterThan(line.timeToFirstTokenMs as number);
  });

  it("never writes an API key into the logs", () => {
    const everything = lines.map((line) => JSON.stringify(line)).join("\n");
    expect(lines.length).toBeGreaterThan(3);
    expect(everything).not.toContain("sk-test-secret");
  });

  it("counts a request to a named model, its tokens and its run in /metrics", async () => {
    await client.chat.completions.create({ model: "echo", messages: [{ role: "user", content: "count me" }] });
    const response = await fetch(`${root}/metrics`, { headers: auth });
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(/^langgraph_openai_requests_total\{model="echo",status="200"\} 1$/m);
    expect(text).toMatch(/^langgraph_openai_requests_total\{model="",status="401"\} [1-9]/m);
    expect(text).toMatch(/^langgraph_openai_run_duration_seconds_count\{model="echo",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^langgraph_openai_time_to_first_token_seconds_count\{model="chat"\} 1$/m);
    expect(text).toMatch(/^langgraph_openai_tokens_total\{model="chat",kind="completion"\} [1-9]\d*$/m);
    expect(text).toMatch(/^langgraph_openai_runs_in_flight\{model="echo"\} 0$/m);
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("logs a graph's failure with its stack and request id, streamed or not", async () => {
    const failing = new StateGraph(MessagesAnnotation)
      .addNode("explode", () => {
        throw new Error("database unreachable");
      })
      .addEdge(START, "explode")
      .addEdge("explode", END);
    const failures: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void failures.push(JSON.parse(line)) });
    const failsMidway = new StateGraph(MessagesAnnotation)
      .addNode("answer", () => ({ messages: [new AIMessage("Working on it.")] }))
      .addNode("save", () => {
        throw new Error("disk full");
      })
      .addEdge(START, "answer")
      .addEdge("answer", "save")
      .addEdge("save", END);
    const other = await startServer({ registry: await createRegistry({ failing, "fails-midway": failsMidway }), logger });
    try {
      const error = await other.client.chat.completions
        .create({ model: "failing", messages: [{ role: "user", content: "hi" }] }, { headers: { "X-Request-Id": "boom-1" } })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 500, code: "graph_error" });
      const logged = failures.find((line) => line.requestId === "boom-1" && line.err);
      expect((logged?.err as { stack: string }).stack).toContain("database unreachable");
      expect(failures.find((line) => line.requestId === "boom-1" && line.status === 500)).toMatchObject({ errorCode: "graph_error", model: "failing" });

      const stream = await other.client.chat.completions.create(
        { model: "fails-midway", messages: [{ role: "user", content: "hi" }], stream: true },
        { headers: { "X-Request-Id": "boom-2" } },
      );
      await expect(collect(stream)).rejects.toThrow("The graph behind model 'fails-midway' failed (request id boom-2); the server's log has the error.");
      await expect.poll(() => failures.find((line) => line.requestId === "boom-2" && line.err)).toBeDefined();
      expect((failures.find((line) => line.requestId === "boom-2" && line.err)!.err as { stack: string }).stack).toContain("disk full");
    } finally {
      await other.close();
    }
  });
});
