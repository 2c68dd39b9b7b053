import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { Command, interrupt, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { packageLangGraph } from "../src/langgraph-copy.js";
import { DEFAULT_COST_LIMITS } from "../src/limits.js";
import { MAX_FORK_CHECKPOINTS, planContinuation, planThreadRun } from "../src/threads/plan.js";

/** Says how many messages its thread holds; `ask QUESTION` stops at an interrupt. */
const counter = new StateGraph(MessagesAnnotation)
  .addNode("answer", (state) => {
    const last = state.messages.at(-1)?.text ?? "";
    if (last.startsWith("ask ")) return { messages: [new AIMessage(`You answered "${interrupt(last.slice(4))}".`)] };
    return { messages: [new AIMessage(`I hold ${state.messages.length + 1} messages.`)] };
  })
  .addEdge(START, "answer")
  .compile({ checkpointer: new MemorySaver() });

const config = (threadId: string) => ({ configurable: { thread_id: threadId } });
const planning = { langgraph: packageLangGraph(), signal: new AbortController().signal, limits: DEFAULT_COST_LIMITS };

describe("a thread continued with only the new input", () => {
  it("runs the new messages on the thread's latest state", async () => {
    await counter.invoke({ messages: [new HumanMessage("one")] }, config("c1"));
    const plan = await planContinuation(counter, "c1", undefined, [new HumanMessage("two")], planning);
    expect(plan.checkpointId).toBeUndefined();
    const state = await counter.invoke(plan.input as never, config("c1"));
    expect(state.messages.at(-1)?.text).toBe("I hold 4 messages.");
  });

  it("answers a pending interrupt with a lone user message", async () => {
    await counter.invoke({ messages: [new HumanMessage("ask colour?")] }, config("c2"));
    const plan = await planContinuation(counter, "c2", undefined, [new HumanMessage("blue")], planning);
    expect(plan.input).toBeInstanceOf(Command);
    const state = await counter.invoke(plan.input as never, config("c2"));
    expect(state.messages.at(-1)?.text).toBe('You answered "blue".');
  });

  it("forks from an earlier checkpoint when one is named", async () => {
    const first = await counter.invoke({ messages: [new HumanMessage("one")] }, config("c3"));
    expect(first.messages).toHaveLength(2);
    const afterFirst = (await counter.getState(config("c3"))).config.configurable?.checkpoint_id as string;
    await counter.invoke({ messages: [new HumanMessage("two")] }, config("c3"));
    const plan = await planContinuation(counter, "c3", afterFirst, [new HumanMessage("two again")], planning);
    expect(plan.checkpointId).toBe(afterFirst);
    const forked = await counter.invoke(plan.input as never, { configurable: { thread_id: "c3", checkpoint_id: afterFirst } });
    expect(forked.messages.map((message) => message.text)).toEqual(["one", "I hold 2 messages.", "two again", "I hold 4 messages."]);
  });
});

describe("a fork search on a long thread", () => {
  /** A memory checkpointer that counts the checkpoints read back. */
  class CountingSaver extends MemorySaver {
    listed = 0;
    override async *list(...args: Parameters<MemorySaver["list"]>) {
      for await (const tuple of super.list(...args)) {
        this.listed += 1;
        yield tuple;
      }
    }
  }
  const saver = new CountingSaver();
  const echo = new StateGraph(MessagesAnnotation)
    .addNode("answer", (state) => ({ messages: [new AIMessage(`echo ${state.messages.at(-1)?.text}`)] }))
    .addEdge(START, "answer")
    .compile({ checkpointer: saver });

  it("reads back at most MAX_FORK_CHECKPOINTS checkpoints, however many the thread holds", async () => {
    const history = [];
    for (let n = 0; n < 100; n++) {
      const state = await echo.invoke({ messages: [new HumanMessage(`turn ${n}`)] }, config("long"));
      history.push(...state.messages.slice(-2));
    }
    saver.listed = 0;
    // The first message edited: no checkpoint agrees, the search gives up after its limit.
    const edited = [new HumanMessage("turn 0, edited"), ...history.slice(1), new HumanMessage("next")];
    const plan = await planThreadRun(echo, "long", edited, planning);
    expect(plan.checkpointId).toBeUndefined();
    expect(saver.listed).toBeLessThanOrEqual(MAX_FORK_CHECKPOINTS);

    // An edit two turns back is still found.
    const recent = [...history.slice(0, -4), new HumanMessage("turn 98, edited")];
    const fork = await planThreadRun(echo, "long", recent, planning);
    expect(fork.checkpointId).toBeDefined();
    expect((fork.input as { messages: HumanMessage[] }).messages.map((message) => message.text)).toEqual(["turn 98, edited"]);
  });
});
