/**
 * Graphs that record what happens when their run is aborted: a slow model counts the
 * tokens it still produces after the abort, a node waits for the run's signal.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ScriptedChatModel } from "../../src/scripted-model.js";

export interface AbortProbe {
  tokens: number;
  tokensAfterAbort: number;
  /** Resolves when the node sees its run's signal fire. */
  aborted: Promise<void>;
}

function probe(): { probe: AbortProbe; watch: (signal: AbortSignal | undefined) => void } {
  let resolve!: () => void;
  const state: AbortProbe = { tokens: 0, tokensAfterAbort: 0, aborted: new Promise((r) => (resolve = r)) };
  return {
    probe: state,
    watch: (signal) => signal?.addEventListener("abort", () => resolve(), { once: true }),
  };
}

/** A model that streams 1,000 tokens, 10 ms apart. */
export function slowModelGraph() {
  const { probe: state, watch } = probe();
  let signal: AbortSignal | undefined;
  const countTokens = {
    handleLLMNewToken: () => {
      state.tokens++;
      if (signal?.aborted) state.tokensAfterAbort++;
    },
  };
  const model = new ScriptedChatModel({
    replies: [Array.from({ length: 1000 }, (_, i) => `t${i}`).join(" ")],
    tokenDelayMs: 10,
    callbacks: [countTokens],
  });
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("model", async (messages: typeof MessagesAnnotation.State, config: RunnableConfig) => {
      signal = config.signal;
      watch(signal);
      return { messages: [await model.invoke(messages.messages, config)] };
    })
    .addEdge(START, "model")
    .addEdge("model", END)
    .compile();
  return { graph, probe: state };
}

/** A node that works until its run is aborted, and says when it started. */
export function waitingGraph() {
  const { probe: state, watch } = probe();
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("work", async (_state: typeof MessagesAnnotation.State, config: RunnableConfig) => {
      watch(config.signal);
      started();
      await state.aborted;
      return { messages: [] };
    })
    .addEdge(START, "work")
    .addEdge("work", END)
    .compile();
  return { graph, probe: state, running };
}
