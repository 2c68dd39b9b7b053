/**
 * Clients that leave, wait or stall: requests queued behind a busy thread hold no run
 * slot and leave the queue when their client does; the run timeout covers the wait for
 * the thread; a client gone mid-upload is a 499 at info level; a client still sending
 * its headers does not hold up a stop; a thread that cannot be read back says so.
 */
import { once } from "node:events";
import net from "node:net";
import { AIMessage } from "@langchain/core/messages";
import { Annotation, END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { APIError, RateLimitError } from "openai";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry, type RunningServer } from "../src/index.js";
import { startServer } from "./helpers.js";

/** A graph whose runs wait at a gate the test opens; it answers with how many messages its thread holds. */
function gatedGraph() {
  let open!: () => void;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const arrivals: string[] = [];
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("answer", async (state) => {
      arrivals.push(state.messages.at(-1)!.text);
      await gate;
      return { messages: [new AIMessage(`I hold ${state.messages.length + 1} messages.`)] };
    })
    .addEdge(START, "answer")
    .addEdge("answer", END);
  return {
    graph,
    /** The last user message of every run that reached the gate, in order. */
    arrivals,
    open() {
      open();
      gate = new Promise<void>((resolve) => (open = resolve));
    },
  };
}

async function metric(root: string, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${root}/metrics`)).text();
  return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}

const runsInFlight = (root: string) => metric(root, /^langgraph_openai_runs_in_flight\{[^}]*\} (\d+)$/gm);
const requestsWaiting = (root: string) => metric(root, /^langgraph_openai_requests_waiting (\d+)$/gm);

describe("requests waiting for a busy thread", () => {
  const busy = gatedGraph();
  const elsewhere = gatedGraph();
  let server: Awaited<ReturnType<typeof startServer>>;
  let root: string;

  beforeAll(async () => {
    const registry = await createRegistry({
      busy: busy.graph,
      "busy-timed": { graph: busy.graph, settings: { run_timeout: 0.5 } },
      elsewhere: elsewhere.graph,
    });
    server = await startServer({ registry, maxConcurrentRuns: 4 });
    root = server.url.replace("/v1", "");
  });
  afterAll(() => server.close());

  const ask = (model: string, threadId: string, text: string, signal?: AbortSignal) =>
    server.client.chat.completions.create({ model, messages: [{ role: "user", content: text }] }, { headers: { "X-Thread-Id": threadId }, signal });

  it("hold no run slot, and once their clients leave they never run: three abandoned requests cause no 429 elsewhere", async () => {
    const long = ask("busy", "thread-a", "long run");
    await expect.poll(() => busy.arrivals.length).toBe(1);
    const leaving = new AbortController();
    const abandoned = ["ghost 1", "ghost 2", "ghost 3"].map((text) => ask("busy", "thread-a", text, leaving.signal).catch((error: unknown) => error));
    // Queued behind the long run, they take no slot...
    await expect.poll(() => requestsWaiting(root)).toBe(3);
    expect(await runsInFlight(root)).toBe(1);
    leaving.abort();
    await Promise.all(abandoned);
    await expect.poll(() => requestsWaiting(root)).toBe(0);
    await expect.poll(() => metric(root, /^langgraph_openai_requests_total\{model="busy",status="499"\} (\d+)$/gm)).toBe(3);

    // ...so the other three slots of four are all free for other threads.
    const others = ["b", "c", "d"].map((thread) => ask("elsewhere", `thread-${thread}`, `on ${thread}`));
    await expect.poll(() => elsewhere.arrivals.length).toBe(3);
    expect(await runsInFlight(root)).toBe(4);
    // The cap still holds.
    await expect(ask("elsewhere", "thread-e", "one too many")).rejects.toBeInstanceOf(RateLimitError);
    elsewhere.open();
    for (const other of await Promise.all(others)) expect(other.choices[0]!.message.content).toBe("I hold 2 messages.");

    busy.open();
    expect((await long).choices[0]!.message.content).toBe("I hold 2 messages.");
    // The next request on the thread is not held up by the ghosts, and they never ran.
    const next = ask("busy", "thread-a", "next");
    await expect.poll(() => busy.arrivals.length).toBe(2);
    busy.open();
    await next;
    expect(busy.arrivals).toEqual(["long run", "next"]);
  });

  it("are stopped by the run timeout while they wait, and leave the thread to the next request", async () => {
    const long = ask("busy", "thread-t", "long run");
    await expect.poll(() => busy.arrivals.length).toBe(3);
    const timedOut = await ask("busy-timed", "thread-t", "impatient").catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(APIError);
    expect(timedOut).toMatchObject({ status: 504, code: "run_timeout" });
    busy.open();
    await long;
    const next = ask("busy", "thread-t", "after");
    await expect.poll(() => busy.arrivals.length).toBe(4);
    busy.open();
    await next;
    expect(busy.arrivals.slice(2)).toEqual(["long run", "after"]);
    expect(await runsInFlight(root)).toBe(0);
  });
});

/** Sends the headers and part of a body over a raw socket, and hangs up once the server has the request. */
async function hangUpMidUpload(server: RunningServer, head: string, part: string): Promise<void> {
  const received = once(server.server, "request");
  const socket = net.connect(server.port, "127.0.0.1");
  socket.on("error", () => {});
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${head}\r\n${part}`);
  await received;
  socket.destroy();
}

describe("clients that leave or stall", () => {
  const lines: Record<string, unknown>[] = [];
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    const State = Annotation.Root({ ...MessagesAnnotation.spec, counted: Annotation<unknown>() });
    // Its state holds a BigInt, which the checkpointer saves but cannot read back.
    const bigint = new StateGraph(State)
      .addNode("answer", () => ({ messages: [new AIMessage("counted")], counted: 10n }))
      .addEdge(START, "answer")
      .addEdge("answer", END);
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    server = await startServer({ registry: await createRegistry({ bigint, counter: gatedGraph().graph }), logger });
  });
  afterAll(() => server.close());

  it("logs a client gone mid-upload as a 499 at info level, not a 5xx, whether the body was chunked or not", async () => {
    await hangUpMidUpload(server, "Content-Length: 1000\r\n", '{"model": "counter", "messages": [');
    await hangUpMidUpload(server, "Transfer-Encoding: chunked\r\n", '10\r\n{"model": "count\r\n');
    await expect.poll(() => lines.filter((line) => line.status === 499).length).toBe(2);
    for (const line of lines.filter((line) => line.status === 499)) expect(line).toMatchObject({ level: 30, errorCode: "client_closed" });
    expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    const text = await (await fetch(`${server.url.replace("/v1", "")}/metrics`)).text();
    expect(text).toMatch(/^langgraph_openai_requests_total\{model="",status="499"\} 2$/m);
    expect(text).not.toMatch(/status="5\d\d"/);
  });

  it("says a thread cannot be loaded, with its id in the log and not in the answer", async () => {
    const threadId = "thread-with-a-bigint";
    const headers = { "X-Thread-Id": threadId };
    const first = await server.client.chat.completions.create({ model: "bigint", messages: [{ role: "user", content: "count" }] }, { headers });
    expect(first.choices[0]!.message.content).toBe("counted");
    const history = [
      { role: "user" as const, content: "count" },
      { role: "assistant" as const, content: "counted" },
      { role: "user" as const, content: "again" },
    ];
    const error = await server.client.chat.completions.create({ model: "bigint", messages: history }, { headers }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 500, code: "thread_load_failed" });
    expect((error as APIError).message).toMatch(/saved thread cannot be loaded.*Start a new conversation/);
    expect((error as APIError).message).not.toContain(threadId);
    const logged = lines.find((line) => line.code === "thread_load_failed");
    expect(logged).toMatchObject({ level: 50, threadId });
    // Open WebUI's follow-up suggestions look at the same thread's pending question, and say the same.
    const task = { role: "user" as const, content: '### Task:\nSuggest follow-ups.\nJSON format: { "follow_ups": [] }\n<chat_history>\nUSER: count\n</chat_history>' };
    const followUps = await server.client.chat.completions
      .create({ model: "bigint", messages: [task] }, { headers: { ...headers, "X-OpenWebUI-Task": "follow_up_generation" } })
      .catch((caught: unknown) => caught);
    expect(followUps).toMatchObject({ status: 500, code: "thread_load_failed" });
  });

  it("stops at once when no run is in flight, even with a client still sending its headers", async () => {
    const stalled = net.connect(server.port, "127.0.0.1");
    stalled.on("error", () => {});
    await new Promise((resolve) => stalled.once("connect", resolve));
    stalled.write("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n");
    const closedByServer = new Promise((resolve) => stalled.once("close", resolve));
    // The shutdown timeout is the default 30 s, longer than this test may take.
    await server.close();
    await closedByServer;
  });
});
