import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { MessagesAnnotation, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { packageLangGraph } from "../src/langgraph-copy.js";
import { boundedMemorySaver, DEFAULT_KEPT_CHECKPOINTS } from "../src/memory-checkpointer.js";

const echoOn = (checkpointer: BaseCheckpointSaver, size = 10) =>
  new StateGraph(MessagesAnnotation)
    .addNode("answer", (state) => ({ messages: [new AIMessage(`${state.messages.length}`.padEnd(size, "."))] }))
    .addEdge(START, "answer")
    .compile({ checkpointer });

const config = (threadId: string) => ({ configurable: { thread_id: threadId } });

async function keptOf(saver: BaseCheckpointSaver, threadId: string): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  for await (const tuple of saver.list(config(threadId))) {
    count += 1;
    bytes += JSON.stringify(tuple.checkpoint).length;
  }
  return { count, bytes };
}

describe("the memory checkpointer", () => {
  it("keeps a thread's latest checkpoints only, however many turns it runs", async () => {
    const saver = boundedMemorySaver(packageLangGraph());
    const graph = echoOn(saver);
    for (let turn = 0; turn < 50; turn++) await graph.invoke({ messages: [new HumanMessage(`turn ${turn}`)] }, config("long"));
    expect((await keptOf(saver, "long")).count).toBe(DEFAULT_KEPT_CHECKPOINTS.checkpoints);
    // The thread itself is whole, and goes on.
    const state = await graph.invoke({ messages: [new HumanMessage("one more")] }, config("long"));
    expect(state.messages).toHaveLength(102);
  });

  it("keeps less of a big thread: its checkpoints add up to the byte limit at most", async () => {
    const saver = boundedMemorySaver(packageLangGraph(), { checkpoints: 64, bytes: 2_000_000 });
    const graph = echoOn(saver, 100_000);
    for (let turn = 0; turn < 20; turn++) await graph.invoke({ messages: [new HumanMessage(`turn ${turn}`)] }, config("big"));
    const kept = await keptOf(saver, "big");
    expect(kept.count).toBeGreaterThanOrEqual(2);
    expect(kept.count).toBeLessThan(10);
    expect((await graph.getState(config("big"))).values.messages).toHaveLength(40);
  });

  it("leaves other threads alone", async () => {
    const saver = boundedMemorySaver(packageLangGraph(), { checkpoints: 4, bytes: Infinity });
    const graph = echoOn(saver);
    await graph.invoke({ messages: [new HumanMessage("hi")] }, config("quiet"));
    const before = await keptOf(saver, "quiet");
    for (let turn = 0; turn < 10; turn++) await graph.invoke({ messages: [new HumanMessage(`turn ${turn}`)] }, config("busy"));
    expect(await keptOf(saver, "quiet")).toEqual(before);
    expect((await keptOf(saver, "busy")).count).toBe(4);
  });
});
