/**
 * `npx tsx bench/in-process.ts`: what each choice of run.ts costs, with no HTTP at all.
 * Runs the bench graphs in process under each variant,
 * alternating variants round by round, and prints runs per second (and ms per stream).
 */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver, type StateGraph } from "@langchain/langgraph";
import { randomUUID } from "node:crypto";
import { packageLangGraph } from "../src/langgraph-copy.js";
import type { CompiledGraph, ModelEntry } from "../src/registry.js";
import { runGraph, stepVisibility } from "../src/run/run.js";
import { scratchSaver } from "../src/threads/scratch-saver.js";
import { TokenStreamHandler } from "../src/run/token-stream.js";
import { echo, long, react, short } from "./graphs.js";

class NoopHandler extends BaseCallbackHandler {
  name = "NoopHandler";
  override awaitHandlers = true;
  override handleLLMEnd(): void {}
}

type Variant = (input: object) => Promise<unknown>;

/** What runGraph reports by default. */
const show = stepVisibility(undefined, true);

/** Our run.ts as it is, from graph to the last RunEvent; `scratch`: with the checkpointer of a run on no thread. */
function runGraphVariant(graph: CompiledGraph, options: { durability?: "exit"; scratch?: boolean; streamed: boolean }): Variant {
  const entry: ModelEntry = { id: "bench", graphId: "bench", settings: {}, created: 0, getGraph: async () => graph, langgraph: packageLangGraph() };
  return async (input) => {
    const threadId = randomUUID();
    const checkpointer = options.scratch ? scratchSaver(entry.langgraph) : undefined;
    const run = runGraph({ entry, graph, input, threadId, checkpointer, durability: options.durability, request: { model: "bench" }, streamed: options.streamed, steps: true, signal: new AbortController().signal });
    for await (const _ of run);
    if (!checkpointer && graph.checkpointer instanceof MemorySaver) await graph.checkpointer.deleteThread(threadId);
  };
}

/** `streamed`: as for a client that reads a stream (models stream their tokens to our handler) or not. */
function variants(builder: StateGraph<any, any, any, any, any, any>, streamed: boolean): Record<string, Variant> {
  const plain = builder.compile();
  const saver = new MemorySaver();
  const checkpointed = builder.compile({ checkpointer: saver });
  const drain = async (stream: AsyncIterable<unknown>) => {
    for await (const _ of stream);
  };
  const messagesMode = { streamMode: ["messages", "values"] as ("messages" | "values")[], subgraphs: true };
  return {
    "invoke (the floor)": (input) => plain.invoke(input),
    "stream messages": async (input) => drain(await plain.stream(input, { streamMode: "messages" })),
    "stream values": async (input) => drain(await plain.stream(input, { streamMode: "values" })),
    "stream messages+values, subgraphs": async (input) => drain(await plain.stream(input, messagesMode)),
    "+ a callback handler": async (input) => drain(await plain.stream(input, { ...messagesMode, callbacks: [new NoopHandler()] })),
    "+ MemorySaver thread, durability exit (ours before)": async (input) => {
      const threadId = randomUUID();
      await drain(
        await checkpointed.stream(input, { ...messagesMode, callbacks: [new NoopHandler()], configurable: { thread_id: threadId }, durability: "exit" }),
      );
      await saver.deleteThread(threadId);
    },
    "invoke + our token handler, no saver": async (input) =>
      plain.invoke(input, { callbacks: [new TokenStreamHandler({ streamTokens: streamed, streams: () => true, show, emit: () => {} })] }),
    "invoke + our token handler + MemorySaver thread, exit": async (input) => {
      const threadId = randomUUID();
      await checkpointed.invoke(input, {
        callbacks: [new TokenStreamHandler({ streamTokens: streamed, streams: () => true, show, emit: () => {} })],
        configurable: { thread_id: threadId },
        durability: "exit",
      });
      await saver.deleteThread(threadId);
    },
    "runGraph, no saver": runGraphVariant(plain, { streamed }),
    "runGraph, MemorySaver thread, exit": runGraphVariant(checkpointed, { durability: "exit", streamed }),
    "runGraph, scratch saver, exit (ours now)": runGraphVariant(checkpointed, { durability: "exit", scratch: true, streamed }),
  };
}

async function rate(variant: Variant, milliseconds: number): Promise<number> {
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < milliseconds) {
    await variant({ messages: [new HumanMessage("Hello, how are you?")] });
    runs++;
  }
  return (runs * 1000) / (performance.now() - start);
}

async function compare(
  title: string,
  builder: StateGraph<any, any, any, any, any, any>,
  streamed: boolean,
  milliseconds: number,
  rounds: number,
  show: (perSecond: number) => string,
) {
  const all = variants(builder, streamed);
  const results = new Map<string, number[]>(Object.keys(all).map((name) => [name, []]));
  for (const variant of Object.values(all)) await rate(variant, 300);
  for (let round = 0; round < rounds; round++) {
    for (const [name, variant] of Object.entries(all)) results.get(name)!.push(await rate(variant, milliseconds));
  }
  process.stdout.write(`\n${title}\n`);
  const floor = median(results.get("invoke (the floor)")!);
  for (const [name, samples] of results) {
    const value = median(samples);
    process.stdout.write(`  ${name.padEnd(54)} ${show(value).padStart(12)}  ${(floor / value).toFixed(2)}× the floor's time\n`);
  }
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const runsPerSecond = (perSecond: number) => `${Math.round(perSecond)} runs/s`;
await compare("one-node graph, no model", echo, false, 1500, 3, runsPerSecond);
await compare("one node calling a model (20 words), not streamed", short, false, 1500, 3, runsPerSecond);
await compare("ReAct turn (model, tool, model), not streamed", react, false, 1500, 3, runsPerSecond);
await compare("2,000-token answer, streamed", long, true, 1500, 3, (perSecond) => `${(1000 / perSecond).toFixed(0)} ms/run`);
