/**
 * One measurement each, against one server. Each returns raw samples; run.ts alternates
 * servers round by round and reduces the samples to medians and percentiles.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { gapsOf, streamOnce, type Protocol, type StreamResult } from "./client.js";
import { LONG_TOKENS, SHORT_TOKENS, SLOW_TOKENS } from "./graphs.js";
import type { PacedRequest, PacedSummary } from "./paced-client.js";
import type { ServerProcess } from "./process.js";

export interface Target {
  name: string;
  protocol: Protocol;
  server: ServerProcess;
}

export interface Sizes {
  /** Seconds of autocannon load per round. */
  throughputSeconds: number;
  connections: number;
  longStreams: number;
  firstTokenRequests: number;
  firstTokenConcurrency: number;
  slowStreams: number;
  /** Concurrent streams of the paced scenario, read by a client in a process of its own. */
  pacedStreams: number;
  leakRequests: number;
}

export class BenchError extends Error {}

function expectTokens(target: Target, results: StreamResult[], tokens: number, what: string): void {
  const bad = results.filter((result) => !result.ok || result.arrivals.length !== tokens);
  if (bad.length > 0) {
    const counts = [...new Set(bad.map((result) => result.arrivals.length))].join(", ");
    throw new BenchError(`${target.name}: ${bad.length} of ${results.length} ${what} streams failed or got ${counts} chunks instead of ${tokens}`);
  }
}

function url(target: Target, path: string): string {
  return `http://127.0.0.1:${target.server.port}${path}`;
}

/** Non-streamed requests per second on a graph (by default the one-node graph with no model). */
export async function throughput(target: Target, sizes: Sizes, connections = sizes.connections, model = "echo"): Promise<number> {
  const { path, body } = target.protocol.invoke(model);
  const result = await autocannon({
    url: url(target, path),
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    connections,
    duration: sizes.throughputSeconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new BenchError(`${target.name}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  }
  return result.requests.total / sizes.throughputSeconds;
}

/** ms to stream a 2,000-token answer, one stream at a time. */
export async function longStream(target: Target, sizes: Sizes): Promise<number[]> {
  const results: StreamResult[] = [];
  for (let i = 0; i < sizes.longStreams; i++) results.push(await streamOnce(target.server.port, target.protocol, "long"));
  expectTokens(target, results, LONG_TOKENS, "2,000-token");
  return results.map((result) => result.total);
}

/** ms to the first content chunk, a few requests in flight at once. */
export async function firstToken(target: Target, sizes: Sizes): Promise<number[]> {
  const results: StreamResult[] = [];
  let left = sizes.firstTokenRequests;
  const worker = async () => {
    while (left-- > 0) results.push(await streamOnce(target.server.port, target.protocol, "short"));
  };
  await Promise.all(Array.from({ length: sizes.firstTokenConcurrency }, worker));
  expectTokens(target, results, SHORT_TOKENS, "short");
  return results.map((result) => result.firstToken);
}

export interface SlowStreamsResult {
  completed: number;
  /** ms between consecutive content chunks of a stream, over every stream. */
  gaps: number[];
  peakRss: number;
}

/** Many streams at a hosted model's pace at once: do they all finish, and on time? */
export async function slowStreams(target: Target, sizes: Sizes): Promise<SlowStreamsResult> {
  const { server } = target;
  server.resetPeakRss();
  let sampledPeak = server.currentRss();
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, server.currentRss())), 100);
  try {
    const results = await Promise.all(
      Array.from({ length: sizes.slowStreams }, () => streamOnce(server.port, target.protocol, "slow").catch(() => undefined)),
    );
    const completed = results.filter((result) => result?.ok && result.arrivals.length === SLOW_TOKENS).length;
    return { completed, gaps: gapsOf(results), peakRss: Math.max(sampledPeak, server.peakRss()) };
  } finally {
    clearInterval(sampler);
  }
}

export interface PacedResult {
  completed: number;
  /** ms from the first request to the last stream's end (ideal: SLOW_TOKENS × SLOW_DELAY_MS). */
  wall: number;
  gaps: number[];
  /** CPU seconds the server used for them. */
  cpu: number;
}

/** `sizes.pacedStreams` streams of the `slow` model at once, from a client process of its own. */
export async function pacedStreams(target: Target, sizes: Sizes): Promise<PacedResult> {
  const request: PacedRequest = { port: target.server.port, streams: sizes.pacedStreams, model: "slow", tokens: SLOW_TOKENS };
  const client = fork(fileURLToPath(new URL("./paced-client.ts", import.meta.url)), [JSON.stringify(request)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const cpuBefore = target.server.cpuSeconds();
  const summary = await new Promise<PacedSummary>((resolve, reject) => {
    client.once("message", (message: PacedSummary) => resolve(message));
    client.once("error", reject);
    client.once("exit", (code) => reject(new BenchError(`the paced client exited with code ${code} before it reported`)));
  });
  return { ...summary, cpu: target.server.cpuSeconds() - cpuBefore };
}

export interface LeakResult {
  before: { heapUsed: number; rss: number };
  after: { heapUsed: number; rss: number };
}

/** Memory after GC before and after many requests, half of them streamed. */
export async function leak(target: Target, sizes: Sizes): Promise<LeakResult> {
  const invoke = target.protocol.invoke("echo");
  const stream = target.protocol.stream("short");
  const headers = { "content-type": "application/json" };
  const load = (amount: number) =>
    autocannon({
      url: url(target, invoke.path),
      connections: 10,
      amount,
      requests: [
        { method: "POST", path: invoke.path, headers, body: invoke.body },
        { method: "POST", path: stream.path, headers, body: stream.body },
      ],
    });
  // Warm up first, so caches that fill once (JIT code, module state) are not counted.
  await load(Math.min(2000, sizes.leakRequests));
  await settle();
  const before = await target.server.memory(true);
  const result = await load(sizes.leakRequests);
  if (result.non2xx > 0 || result.errors > 0) throw new BenchError(`${target.name}: ${result.non2xx} non-2xx answers during the leak check`);
  await settle();
  const after = await target.server.memory(true);
  return { before, after };
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1000));
}
