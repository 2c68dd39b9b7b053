/**
 * Requests an attacker with one key could send, each of which once stalled the server
 * for seconds or ended its process (issue 19), over HTTP to a real server: the event
 * loop never stalls for long while each one is answered, and `/health` keeps answering.
 * Then random request bodies against the app in process: no 5xx, no crash.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { AIMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { bindChatRequest } from "../src/run/bind-chat-request.js";
import { MAX_STOP_SEQUENCE_LENGTH } from "../src/run/stop-sequences.js";
import { createRegistry, ScriptedChatModel, type RunningServer } from "../src/index.js";
import { startServer } from "./helpers.js";

/**
 * The budget is about 100 ms; a shared two-core machine delays a loop by itself now and
 * then, so this allows more. Each attack stalled the old code for seconds or minutes.
 * On a thread, LangGraph itself revives and saves the whole state on the loop for every
 * request: there an attack may stall the loop as long as an ordinary request on the
 * same thread does (twice, for a busy machine), and no longer.
 */
const MAX_STALL_MS = 250;

/** A chat model that answers constrained requests as a real one would (JSON, tool calls). */
const chat = new StateGraph(MessagesAnnotation)
  .addNode("model", async (state, config) => {
    const model = new ScriptedChatModel({ replies: ["a ".repeat(2_000)] });
    return { messages: [await bindChatRequest(model, config).invoke(state.messages, config)] };
  })
  .addEdge(START, "model")
  .addEdge("model", END);

/** `write N` writes N AI messages in one turn; anything else one. */
const many = new StateGraph(MessagesAnnotation)
  .addNode("write", (state) => {
    const count = Number(/^write (\d+)$/.exec(state.messages.at(-1)?.text ?? "")?.[1] ?? 1);
    return { messages: Array.from({ length: count }, (_, n) => new AIMessage(`step ${n} of the work`)) };
  })
  .addEdge(START, "write")
  .addEdge("write", END);

const user = (content: string) => ({ role: "user" as const, content });
const assistant = (content: string) => ({ role: "assistant" as const, content });

let server: RunningServer;

async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: { error?: { message: string; param: string | null } } }> {
  const response = await fetch(`${server.url}/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as never };
}

/**
 * Sends `attack` while watching the event loop and asking `/health` every 20 ms: the
 * longest stall of the loop, the slowest health check, and how many answered.
 */
async function underWatch<T>(attack: () => Promise<T>): Promise<{ result: T; stallMs: number; slowestHealthMs: number; healthChecks: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  const health = `${server.url.replace(/\/v1$/, "")}/health`;
  let slowestHealthMs = 0;
  let healthChecks = 0;
  let attacking = true;
  const checks = (async () => {
    while (attacking) {
      const started = performance.now();
      const response = await fetch(health);
      await response.arrayBuffer();
      if (response.ok) healthChecks += 1;
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  histogram.enable();
  try {
    const result = await attack();
    // The loop's last stall is counted when its timer fires next.
    await new Promise((resolve) => setTimeout(resolve, 30));
    return { result, stallMs: histogram.max / 1e6, slowestHealthMs, healthChecks };
  } finally {
    histogram.disable();
    attacking = false;
    await checks;
  }
}

type Watched = { stallMs: number; slowestHealthMs: number; healthChecks: number };

/** No stall over the budget, or over what `ordinary` (a request that did the same work on the same thread) took. */
function expectResponsive(watched: Watched, ordinary?: Watched): void {
  const allowed = Math.max(MAX_STALL_MS, 2 * (ordinary?.stallMs ?? 0));
  expect(watched.stallMs, "the longest event loop stall (ms)").toBeLessThan(allowed);
  // A health check waits out a few of the loop's turns, each as long as a stall at worst.
  expect(watched.slowestHealthMs, "the slowest /health (ms)").toBeLessThan(3 * allowed);
  expect(watched.healthChecks).toBeGreaterThan(0);
}

describe("hostile requests over HTTP", () => {
  beforeAll(async () => {
    server = await startServer({ registry: await createRegistry({ chat, many }) });
    // What the first request of a process loads once is no stall an attack causes.
    for (const model of ["chat", "many"]) expect((await post({ model, messages: [user("warm up")] })).status).toBe(200);
  });
  afterAll(() => server?.close());

  it("answers a JSON schema asking for a billion items with a bounded answer", async () => {
    const watched = await underWatch(() =>
      post({
        model: "chat",
        messages: [user("hi")],
        response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "array", minItems: 1_000_000_000 } } },
      }),
    );
    expect(watched.result.status).toBe(200);
    expectResponsive(watched);
  });

  it("answers a required tool call whose parameters refer to themselves", async () => {
    const parameters = { type: "object", properties: { a: { $ref: "#" }, b: { $ref: "#" }, c: { type: "array", minItems: 50_000_000, items: { $ref: "#" } } } };
    const watched = await underWatch(() =>
      post({ model: "chat", messages: [user("hi")], tools: [{ type: "function", function: { name: "f", parameters } }], tool_choice: "required" }),
    );
    expect(watched.result.status).toBe(200);
    expectResponsive(watched);
  });

  it("refuses stop sequences of 80,000 characters with OpenAI's 400, at once", async () => {
    const stop = ["a", "b", "c", "d"].map((letter) => letter.repeat(80_000));
    const watched = await underWatch(() => post({ model: "chat", messages: [user("hi")], stop }));
    expect(watched.result.status).toBe(400);
    expect(watched.result.json.error).toMatchObject({
      param: "stop[0]",
      message: `Invalid 'stop[0]': string too long. Expected a string with maximum length ${MAX_STOP_SEQUENCE_LENGTH}, but got a string with length 80000 instead.`,
    });
    expectResponsive(watched);
  });

  it("cuts a long answer at the longest stop sequences allowed without stalling", async () => {
    const almost = `${"a ".repeat(MAX_STOP_SEQUENCE_LENGTH / 2 - 1)}b!`;
    const stop = [almost, `${almost.slice(2)}c`, `${almost.slice(4)}d`, `${almost.slice(6)}e`];
    const watched = await underWatch(() => post({ model: "chat", messages: [user("hi")], stop, stream: false }));
    expect(watched.result.status).toBe(200);
    expectResponsive(watched);
  });

  it("lines up a long answer against a turn of 2,000 AI messages without stalling", async () => {
    const headers = { "X-Thread-Id": `align-${Date.now()}` };
    expect((await post({ model: "many", messages: [user("write 2000")] }, { ...headers, "X-Thread-Mode": "continue" })).status).toBe(200);
    const turn = Array.from({ length: 2_000 }, (_, n) => `step ${n} of the work`).join("\n\n");
    const ordinary = await underWatch(() => post({ model: "many", messages: [user("write 2000"), assistant(turn), user("one")] }, headers));
    expect(ordinary.result.status).toBe(200);
    const history = [user("write 2000"), assistant("word ".repeat(10_000)), user("next")];
    const watched = await underWatch(() => post({ model: "many", messages: history }, headers));
    expect(watched.result.status).toBe(200);
    expectResponsive(watched, ordinary);
  });

  it("searches a thread of many checkpoints for a fork without stalling", async () => {
    const headers = { "X-Thread-Id": `fork-${Date.now()}` };
    // 90 checkpoints, more than a fork search reads, of up to 600 messages each.
    for (let turn = 0; turn < 30; turn++) {
      expect((await post({ model: "many", messages: [user("write 20")] }, { ...headers, "X-Thread-Mode": "continue" })).status).toBe(200);
    }
    const ordinary = await underWatch(() => post({ model: "many", messages: [user("one")] }, { ...headers, "X-Thread-Mode": "continue" }));
    // The first message edited: no checkpoint of the thread agrees with this history.
    const history = [user("write 20, edited"), assistant("step 0 of the work"), user("next")];
    const watched = await underWatch(() => post({ model: "many", messages: history }, headers));
    expect(watched.result.status).toBe(200);
    expectResponsive(watched, ordinary);
  }, 60_000);
});

describe("random request bodies against the app in process", () => {
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    app = createApp(await createRegistry({ chat, many }), { metrics: false, onServerError: () => {} });
  });

  /** Mostly `valid`, now and then anything: most bodies get past validation to the run, with hostile parts. */
  const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 })) =>
    fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: other, weight: 1 });
  const modelName = mostly(fc.constantFrom("chat", "many"), fc.string());
  const jsonSchema = mostly(
    fc.record(
      {
        type: fc.constantFrom("array", "object", "string"),
        minItems: fc.constantFrom(0, 1e9),
        minLength: fc.constantFrom(0, 1e9),
        items: fc.constantFrom(undefined, { $ref: "#" }),
        properties: fc.constantFrom(undefined, { a: { $ref: "#" }, b: { type: "array", minItems: 5e7 } }),
      },
      { requiredKeys: ["type"] },
    ),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const content = mostly(fc.string({ maxLength: 200 }), fc.array(fc.record({ type: fc.constantFrom("text", "image_url", "nonsense"), text: fc.string() }), { maxLength: 3 }));
  const message = mostly(
    fc.record({ role: fc.constantFrom("system", "user", "assistant"), content }),
    fc.record({ role: fc.oneof(fc.constantFrom("developer", "tool", "function"), fc.string()), content, name: fc.string(), tool_call_id: fc.string(), tool_calls: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ["role"] }),
  );
  const functionName = mostly(fc.constantFrom("f", "lookup"), fc.constantFrom("g h", ""));
  const body = fc.record(
    {
      model: modelName,
      messages: mostly(fc.tuple(fc.array(message, { maxLength: 3 }), fc.string({ maxLength: 100 })).map(([earlier, last]) => [...earlier, { role: "user", content: last }])),
      stop: mostly(fc.oneof(fc.string({ maxLength: 1024 }), fc.array(fc.string({ maxLength: 1024 }), { minLength: 1, maxLength: 4 })), fc.array(fc.string({ maxLength: 2000 }), { maxLength: 6 })),
      tools: mostly(fc.array(fc.record({ type: fc.constant("function"), function: fc.record({ name: functionName, parameters: jsonSchema }) }), { minLength: 1, maxLength: 2 })),
      tool_choice: mostly(fc.constantFrom("required", "auto", "none")),
      response_format: mostly(fc.record({ type: fc.constantFrom("json_schema", "json_object", "text"), json_schema: fc.record({ name: fc.constantFrom("x", "bad name"), schema: jsonSchema }) })),
      max_tokens: mostly(fc.integer({ min: 1, max: 100_000 })),
      stream: fc.boolean(),
    },
    { requiredKeys: ["model", "messages"] },
  );
  const headers = fc.record(
    { "X-Thread-Id": fc.string({ maxLength: 300 }), "X-Thread-Mode": mostly(fc.constantFrom("history", "continue"), fc.string()), "X-OpenWebUI-Chat-Id": fc.string(), "X-OpenWebUI-User-Id": fc.string() },
    { requiredKeys: [] },
  );
  // Header values must be what fetch accepts: printable, no line breaks.
  const safeHeaders = headers.map((values) => Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value).replace(/[^\x20-\x7e]/g, "")])));

  it("never answers a 5xx, whatever the body and headers", async () => {
    await fc.assert(
      fc.asyncProperty(body, safeHeaders, async (request, requestHeaders) => {
        const started = performance.now();
        const response = await app.request("/v1/chat/completions", {
          method: "POST",
          headers: { "Content-Type": "application/json", ...requestHeaders },
          body: JSON.stringify(request),
        });
        await response.arrayBuffer();
        expect(response.status).toBeLessThan(500);
        expect(performance.now() - started).toBeLessThan(2_000);
      }),
      { numRuns: 150 },
    );
  });

  const responsesBody = fc.record(
    {
      model: modelName,
      input: mostly(
        fc.string({ maxLength: 200 }),
        fc.oneof(
          fc.array(fc.oneof(message, fc.record({ type: fc.constantFrom("message", "function_call_output", "function_call"), call_id: fc.string(), output: fc.string(), content }, { requiredKeys: ["type"] })), { maxLength: 3 }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
      ),
      instructions: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
      tools: mostly(fc.array(fc.record({ type: fc.constant("function"), name: functionName, parameters: jsonSchema }), { minLength: 1, maxLength: 2 })),
      tool_choice: mostly(fc.constantFrom("required", "auto", "none")),
      text: mostly(fc.record({ format: fc.record({ type: fc.constantFrom("json_schema", "json_object", "text"), name: fc.constantFrom("x", "bad name"), schema: jsonSchema }) })),
      previous_response_id: fc.oneof(fc.string(), fc.constant("resp_0")),
      store: fc.boolean(),
      stream: fc.boolean(),
    },
    { requiredKeys: ["model", "input"] },
  );

  it("never answers a 5xx on the Responses API either", async () => {
    await fc.assert(
      fc.asyncProperty(responsesBody, async (request) => {
        const response = await app.request("/v1/responses", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) });
        await response.arrayBuffer();
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});
