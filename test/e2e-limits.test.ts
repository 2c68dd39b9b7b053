import { request } from "node:http";
import { AIMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { APIError, RateLimitError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry, ScriptedChatModel } from "../src/index.js";
import { collect, startServer } from "./helpers.js";

/** A graph that answers only when the test opens its gate, and says when a run is waiting at it. */
function gatedGraph() {
  let open!: () => void;
  let gate = new Promise<void>((resolve) => (open = resolve));
  let arrived!: () => void;
  let waiting = new Promise<void>((resolve) => (arrived = resolve));
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("answer", async () => {
      arrived();
      await gate;
      return { messages: [new AIMessage("released")] };
    })
    .addEdge(START, "answer")
    .addEdge("answer", END);
  return {
    graph,
    /** Resolves once a run waits at the gate. */
    waiting: () => waiting,
    release() {
      open();
      gate = new Promise<void>((resolve) => (open = resolve));
      waiting = new Promise<void>((resolve) => (arrived = resolve));
    },
  };
}

const words = (count: number) => Array.from({ length: count }, (_, index) => `w${index}`).join(" ");

const modelGraph = (tokens: number, tokenDelayMs: number) => {
  const model = new ScriptedChatModel({ tokenDelayMs, replies: [words(tokens)] });
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
    .addEdge(START, "model")
    .addEdge("model", END);
};

const hi = [{ role: "user" as const, content: "hi" }];

async function runsInFlight(url: string): Promise<number> {
  const text = await (await fetch(`${url.replace("/v1", "")}/metrics`)).text();
  return [...text.matchAll(/^langgraph_openai_runs_in_flight\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

/** POSTs `size` bytes with chunked transfer encoding: no Content-Length for the limit to read. */
function postChunked(url: string, size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/chat/completions`, { method: "POST", headers: { "Content-Type": "application/json" } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (text: string) => (body += text));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    const piece = "x".repeat(1024);
    for (let sent = 0; sent < size; sent += piece.length) req.write(piece);
    req.end();
  });
}

describe("limits", () => {
  const global = gatedGraph();
  const perModel = gatedGraph();
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    const registry = await createRegistry({
      gated: global.graph,
      single: { graph: perModel.graph, settings: { max_concurrent_runs: 1 } },
      slow: modelGraph(5, 50),
      endless: modelGraph(1000, 100),
      // Its first token comes at once, its last after three seconds: far over the timeout.
      timed: { graph: modelGraph(30, 100), settings: { run_timeout: 1 } },
    });
    server = await startServer({ registry, maxConcurrentRuns: 2, bodyLimit: 64 * 1024 });
  });
  afterAll(() => server.close());

  it("answers 413 to a body over the limit, with or without Content-Length", async () => {
    const big = JSON.stringify({ model: "slow", messages: [{ role: "user", content: "x".repeat(100 * 1024) }] });
    const declared = await fetch(`${server.url}/chat/completions`, { method: "POST", headers: { "Content-Type": "application/json" }, body: big });
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.code).toBe("request_too_large");
    const chunked = await postChunked(server.url, 100 * 1024);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe("request_too_large");
  });

  it("answers 429 with Retry-After while a model is at its own cap, and serves it again once a run ends", async () => {
    const first = server.client.chat.completions.create({ model: "single", messages: hi });
    await perModel.waiting();
    const refused = await server.client.chat.completions.create({ model: "single", messages: hi }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((refused as RateLimitError).headers.get("retry-after")).toBe("1");
    expect((refused as RateLimitError).message).toContain("'single'");
    const metrics = await (await fetch(`${server.url.replace("/v1", "")}/metrics`)).text();
    expect(metrics).toMatch(/^langgraph_openai_requests_total\{model="single",status="429"\} 1$/m);
    perModel.release();
    expect((await first).choices[0]?.message.content).toBe("released");
    const again = server.client.chat.completions.create({ model: "single", messages: hi });
    await perModel.waiting();
    perModel.release();
    expect((await again).choices[0]?.message.content).toBe("released");
  });

  it("caps runs over all models, streamed ones included, and frees the slot when the client leaves", async () => {
    const streamed = fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "gated", messages: hi, stream: true }),
    });
    await global.waiting();
    const leaving = new AbortController();
    const abandoned = server.client.chat.completions
      .create({ model: "endless", messages: hi, stream: true }, { signal: leaving.signal })
      .then(async (stream) => {
        for await (const _chunk of stream) leaving.abort();
      })
      .catch(() => undefined);
    await abandoned;
    await expect.poll(() => runsInFlight(server.url), { timeout: 5000 }).toBe(1);
    const blocked = server.client.chat.completions.create({ model: "slow", messages: hi });
    await expect.poll(() => runsInFlight(server.url), { timeout: 5000 }).toBe(2);
    const overCap = await server.client.chat.completions.create({ model: "slow", messages: hi }).catch((error: unknown) => error);
    expect(overCap).toBeInstanceOf(RateLimitError);
    expect((overCap as RateLimitError).message).toContain("2 requests at once");
    await blocked;
    global.release();
    const text = await (await streamed).text();
    expect(text).toContain("released");
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
  });

  it("stops a run over its model's timeout with a 504 in OpenAI's shape", async () => {
    const error = await server.client.chat.completions.create({ model: "timed", messages: hi }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 504, code: "run_timeout" });
  });

  it("ends a streamed run over its timeout with an error event the openai SDK raises", async () => {
    const stream = await server.client.chat.completions.create({ model: "timed", messages: hi, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((caught: unknown) => caught);
    expect(seen.join("")).toMatch(/^w0 /);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain("took longer than 1 second and");
    // Both timed-out runs gave their slots back.
    await expect.poll(() => runsInFlight(server.url), { timeout: 5000 }).toBe(0);
  });
});
