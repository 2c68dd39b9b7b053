/**
 * `npm run bench`: our server against the floor (and LangGraph's own server when
 * LANGGRAPH_API_DIR names an install of it), each in its own process, measured in
 * alternating rounds on the same graphs. Prints a table; writes it to bench/RESULTS.md.
 *
 *   npm run bench                       three rounds, about four minutes
 *   npm run bench -- --quick            one short round, for a quick look
 *   npm run bench -- --rounds 5 --no-write
 *   npm run bench -- --only throughput,stream   (of: throughput, models, stream, first-token, slow, leak, responses, paced)
 *   npm run bench -- --baseline HEAD~1          adds our server as of that commit, as "ours@HEAD~1"
 */
import { execSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { langgraphProtocol, openaiProtocol, responsesProtocol } from "./client.js";
import { SHORT_TOKENS, SLOW_DELAY_MS, SLOW_TOKENS } from "./graphs.js";
import { startServerProcess } from "./process.js";
import { formatTable, writeResults, type Figure } from "./report.js";
import * as scenarios from "./scenarios.js";
import type { Sizes, SlowStreamsResult, Target } from "./scenarios.js";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    "no-write": { type: "boolean", default: false },
    only: { type: "string" },
    connections: { type: "string" },
    baseline: { type: "string" },
  },
});

const sizes: Sizes = args.quick
  ? { throughputSeconds: 2, connections: 50, longStreams: 2, firstTokenRequests: 60, firstTokenConcurrency: 2, slowStreams: 300, pacedStreams: 1000, leakRequests: 10_000 }
  : { throughputSeconds: 5, connections: 50, longStreams: 3, firstTokenRequests: 100, firstTokenConcurrency: 2, slowStreams: 300, pacedStreams: 1000, leakRequests: 10_000 };
if (args.connections) sizes.connections = Number(args.connections);
const rounds = Number(args.rounds ?? (args.quick ? 1 : 3));
const SCENARIOS = ["throughput", "models", "stream", "first-token", "slow", "leak", "responses", "paced"];
const only = new Set(args.only?.split(",") ?? SCENARIOS);
const unknown = [...only].filter((name) => !SCENARIOS.includes(name));
if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(", ")}; pick from ${SCENARIOS.join(", ")}`);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const langgraphApiDir = process.env.LANGGRAPH_API_DIR;

const startedAt = Date.now();
function log(message: string): void {
  process.stderr.write(`bench: ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s  ${message}\n`);
}

async function startTargets(): Promise<Target[]> {
  const targets: Target[] = [
    { name: "ours", protocol: openaiProtocol, server: await startServerProcess(here("./servers/ours.ts")) },
    { name: "floor", protocol: openaiProtocol, server: await startServerProcess(here("./servers/floor.ts")) },
  ];
  if (args.baseline) {
    // A copy of src/ at that commit inside bench/, so that it resolves this node_modules.
    const dir = here(`./.baseline/${args.baseline.replace(/[^\w.-]/g, "_")}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // package.json too: src/package-info.ts reads the version beside src/.
    execSync(`git archive ${JSON.stringify(args.baseline)} src package.json | tar -x -C ${JSON.stringify(dir)}`, { cwd: here("../") });
    const server = await startServerProcess(here("./servers/ours.ts"), { env: { BENCH_OURS_MODULE: `${dir}/src/index.ts` } });
    targets.push({ name: `ours@${args.baseline}`, protocol: openaiProtocol, server });
  }
  if (langgraphApiDir) {
    const server = await startServerProcess(here("./servers/langgraph-api.ts"), { env: { LOG_LEVEL: "error" } });
    targets.push({ name: "langgraph-api", protocol: langgraphProtocol, server });
  }
  return targets;
}

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
const median = (samples: number[]) => quantile(samples, 0.5);
const mb = (bytes: number) => bytes / 1024 / 1024;

/** Runs `measure` on every target, `rounds` times, rotating who goes first each round. */
async function alternate<T>(label: string, targets: Target[], measure: (target: Target) => Promise<T>): Promise<Map<string, T[]>> {
  const samples = new Map<string, T[]>(targets.map((target) => [target.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const target of order) {
      log(`${label}: round ${round + 1}/${rounds}, ${target.name}`);
      samples.get(target.name)!.push(await measure(target));
    }
  }
  return samples;
}

async function main(): Promise<void> {
  const started = Date.now();
  const targets = await startTargets();
  const names = targets.map((target) => target.name);
  const perTarget = (compute: (name: string) => number) => Object.fromEntries(names.map((name) => [name, compute(name)]));
  try {
    const idle = new Map(await Promise.all(targets.map(async (t) => [t.name, (await t.server.memory(true)).rss] as const)));
    // One throwaway pass so that every server has compiled its hot paths before we count.
    log("warming up");
    for (const target of targets) {
      await scenarios.throughput(target, { ...sizes, throughputSeconds: 1 });
      await scenarios.longStream(target, { ...sizes, longStreams: 1 });
    }

    const figures: Figure[] = [];
    if (only.has("throughput")) {
      const throughput = await alternate("throughput", targets, (t) => scenarios.throughput(t, sizes));
      figures.push({
        label: `Non-streamed requests/s, one-node graph, ${sizes.connections} connections (higher is better)`,
        unit: "req/s",
        values: perTarget((n) => median(throughput.get(n)!)),
      });
      // One connection: the cost of one request, without the effects of many runs at once.
      const sequential = await alternate("throughput, one connection", targets, (t) => scenarios.throughput(t, sizes, 1));
      figures.push({
        label: "Non-streamed requests/s, one-node graph, 1 connection (higher is better)",
        unit: "req/s",
        values: perTarget((n) => median(sequential.get(n)!)),
      });
    }
    if (only.has("models")) {
      // Graphs that call a model: what a non-streamed answer costs beyond the model's own work.
      const oneCall = await alternate("throughput, one model call", targets, (t) => scenarios.throughput(t, sizes, sizes.connections, "short"));
      figures.push({
        label: `Non-streamed requests/s, one node calling a model (${SHORT_TOKENS} words), ${sizes.connections} connections (higher is better)`,
        unit: "req/s",
        values: perTarget((n) => median(oneCall.get(n)!)),
      });
      const react = await alternate("throughput, ReAct turn", targets, (t) => scenarios.throughput(t, sizes, sizes.connections, "react"));
      figures.push({
        label: `Non-streamed requests/s, ReAct turn (model, tool, model), ${sizes.connections} connections (higher is better)`,
        unit: "req/s",
        values: perTarget((n) => median(react.get(n)!)),
      });
    }
    if (only.has("stream")) {
      const long = await alternate("2,000-token stream", targets, (t) => scenarios.longStream(t, sizes));
      figures.push({ label: "2,000-token stream, client wall time", unit: "ms", values: perTarget((n) => median(long.get(n)!.flat())) });
    }
    if (only.has("first-token")) {
      const first = await alternate("time to first token", targets, (t) => scenarios.firstToken(t, sizes));
      figures.push(
        { label: "Time to first token, median", unit: "ms", values: perTarget((n) => median(first.get(n)!.flat())) },
        { label: "Time to first token, p99", unit: "ms", values: perTarget((n) => quantile(first.get(n)!.flat(), 0.99)) },
      );
    }
    if (only.has("slow")) {
      const slow = await alternate(`${sizes.slowStreams} slow streams`, targets, (t) => scenarios.slowStreams(t, sizes));
      const slowOf = (name: string): SlowStreamsResult[] => slow.get(name)!;
      const p99Gap = (name: string) => median(slowOf(name).map((r) => quantile(r.gaps, 0.99)));
      figures.push(
        {
          label: `${sizes.slowStreams} concurrent slow streams: completed (worst round)`,
          unit: `of ${sizes.slowStreams}`,
          values: perTarget((n) => Math.min(...slowOf(n).map((r) => r.completed))),
        },
        { label: `${sizes.slowStreams} slow streams: p99 gap between chunks (model: ${SLOW_DELAY_MS} ms)`, unit: "ms", values: perTarget(p99Gap) },
        {
          label: `${sizes.slowStreams} slow streams: p99 gap beyond the model's ${SLOW_DELAY_MS} ms`,
          unit: "ms",
          values: perTarget((n) => p99Gap(n) - SLOW_DELAY_MS),
          ratio: false,
        },
        {
          label: `${sizes.slowStreams} slow streams: server peak RSS`,
          unit: "MB",
          values: perTarget((n) => median(slowOf(n).map((r) => mb(r.peakRss)))),
        },
      );
    }
    figures.push({ label: "Idle RSS after start, after GC", unit: "MB", values: perTarget((n) => mb(idle.get(n)!)) });
    if (only.has("leak")) {
      const leaks = new Map<string, scenarios.LeakResult>();
      // LangGraph's runs/wait waits on its run queue's polling (about 2 requests/s on one
      // connection here): 10,000 of them would take most of an hour.
      for (const target of targets.filter((t) => t.name !== "langgraph-api")) {
        log(`leak check: ${target.name}`);
        leaks.set(target.name, await scenarios.leak(target, sizes));
      }
      const requests = sizes.leakRequests.toLocaleString("en");
      const absent = { heapUsed: NaN, rss: NaN };
      const leakOf = (name: string) => leaks.get(name) ?? { before: absent, after: absent };
      figures.push(
        { label: `Heap after GC, before ${requests} requests`, unit: "MB", values: perTarget((n) => mb(leakOf(n).before.heapUsed)) },
        { label: `Heap after GC, after ${requests} requests`, unit: "MB", values: perTarget((n) => mb(leakOf(n).after.heapUsed)) },
        {
          label: `Heap growth over ${requests} requests (half streamed)`,
          unit: "MB",
          values: perTarget((n) => mb(leakOf(n).after.heapUsed - leakOf(n).before.heapUsed)),
          ratio: false,
        },
        {
          label: `RSS growth over ${requests} requests`,
          unit: "MB",
          values: perTarget((n) => mb(leakOf(n).after.rss - leakOf(n).before.rss)),
          ratio: false,
        },
      );
    }
    let table = formatTable(figures, names);
    if (only.has("responses")) table += `\n\n${await responsesTable(targets[0]!)}`;
    if (only.has("paced")) table += `\n\n${await pacedTable(targets.filter((t) => t.name.startsWith("ours")))}`;
    const seconds = Math.round((Date.now() - started) / 1000);
    process.stdout.write(`\n${table}\n\n${rounds} round(s), ${seconds} s; slow streams: ${SLOW_TOKENS} tokens each.\n`);
    if (!args["no-write"]) {
      const path = here("./RESULTS.md");
      writeResults(path, { table, rounds, sizes, seconds, langgraphApiDir });
      log(`wrote ${path}`);
    }
  } finally {
    await Promise.all(targets.map((target) => target.server.stop()));
  }
}

/**
 * The Responses API against chat completions, on our one server process and the same
 * graphs, in alternating rounds: what the protocol costs, and what `store` (a thread per
 * response, kept in the server's checkpointer) adds.
 */
async function responsesTable(ours: Target): Promise<string> {
  const targets: Target[] = [
    { name: "chat completions", protocol: openaiProtocol, server: ours.server },
    { name: "responses", protocol: responsesProtocol(true), server: ours.server },
    { name: "responses, store: false", protocol: responsesProtocol(false), server: ours.server },
  ];
  const names = targets.map((target) => target.name);
  const perTarget = (compute: (name: string) => number) => Object.fromEntries(names.map((name) => [name, compute(name)]));
  for (const target of targets.slice(1)) await scenarios.longStream(target, { ...sizes, longStreams: 1 });
  const many = await alternate("responses: throughput", targets, (t) => scenarios.throughput(t, sizes));
  const one = await alternate("responses: throughput, one connection", targets, (t) => scenarios.throughput(t, sizes, 1));
  const long = await alternate("responses: 2,000-token stream", targets, (t) => scenarios.longStream(t, sizes));
  const figures: Figure[] = [
    { label: `Non-streamed requests/s, one-node graph, ${sizes.connections} connections (higher is better)`, unit: "req/s", values: perTarget((n) => median(many.get(n)!)) },
    { label: "Non-streamed requests/s, one-node graph, 1 connection (higher is better)", unit: "req/s", values: perTarget((n) => median(one.get(n)!)) },
    { label: "2,000-token stream, client wall time", unit: "ms", values: perTarget((n) => median(long.get(n)!.flat())) },
  ];
  return `Responses API on our server (same process, same graphs):\n\n${formatTable(figures, names, "chat completions")}`;
}

/**
 * Many streams at a hosted model's pace, against a bare `node:http` server writing the same
 * chunks (the limit): how close the whole per-token path comes to the socket.
 */
async function pacedTable(ours: Target[]): Promise<string> {
  const bare: Target = { name: "bare node:http", protocol: openaiProtocol, server: await startServerProcess(here("./servers/bare.ts")) };
  // `serve --workers 2`, the command line itself: every core of the machine.
  const workers: Target = { name: "ours, 2 workers", protocol: openaiProtocol, server: await startServerProcess(here("./servers/ours-workers.ts")) };
  // Node 20's own young generation (16 MB semi-spaces), as `node` without `npm start`'s flag runs the server.
  const defaultHeap: Target = {
    name: "ours, default heap",
    protocol: openaiProtocol,
    server: await startServerProcess(here("./servers/ours.ts"), { execArgv: ["--max-semi-space-size=16"] }),
  };
  try {
    const targets = [...ours, defaultHeap, workers, bare];
    const names = targets.map((target) => target.name);
    const perTarget = (compute: (name: string) => number) => Object.fromEntries(names.map((name) => [name, compute(name)]));
    const paced = await alternate(`${sizes.pacedStreams} paced streams`, targets, (t) => scenarios.pacedStreams(t, sizes));
    const of = (name: string) => paced.get(name)!;
    const figures: Figure[] = [
      {
        label: `${sizes.pacedStreams} streams: completed (worst round)`,
        unit: `of ${sizes.pacedStreams}`,
        values: perTarget((n) => Math.min(...of(n).map((r) => r.completed))),
      },
      {
        label: `${sizes.pacedStreams} streams: wall time (ideal ${((SLOW_TOKENS * SLOW_DELAY_MS) / 1000).toFixed(1)} s)`,
        unit: "s",
        values: perTarget((n) => median(of(n).map((r) => r.wall / 1000))),
      },
      {
        label: `${sizes.pacedStreams} streams: p99 gap between chunks (model: ${SLOW_DELAY_MS} ms)`,
        unit: "ms",
        values: perTarget((n) => median(of(n).map((r) => quantile(r.gaps, 0.99)))),
      },
      {
        label: `${sizes.pacedStreams} streams: server CPU time`,
        unit: "s",
        values: perTarget((n) => median(of(n).map((r) => r.cpu))),
      },
    ];
    const table = formatTable(figures, names, bare.name);
    return `${sizes.pacedStreams} concurrent streams of ${SLOW_TOKENS} tokens, one every ${SLOW_DELAY_MS} ms, the client in a process of its own:\n\n${table}`;
  } finally {
    await Promise.all([bare.server.stop(), workers.server.stop(), defaultHeap.server.stop()]);
  }
}

await main();
