import { InMemoryStore, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { packageLangGraph } from "../src/langgraph-copy.js";

type Batched = { isRunning: boolean };

describe("the store's batching loop", () => {
  packageLangGraph();

  it("does not run beside a run that never touches the store, and runs once it does, until the run ends", async () => {
    const seen: Record<string, boolean> = {};
    let store: Batched | undefined;
    const graph = new StateGraph(MessagesAnnotation)
      .addNode("idle", (_state, config: LangGraphRunnableConfig) => {
        seen.idle = (config.store as unknown as Batched).isRunning;
        return {};
      })
      .addNode("remember", async (_state, config: LangGraphRunnableConfig) => {
        await config.store!.put(["notes"], "a", { text: "kept" });
        seen.afterPut = (config.store as unknown as Batched).isRunning;
        store = config.store as unknown as Batched;
        return { messages: [{ role: "assistant", content: String((await config.store!.get(["notes"], "a"))?.value.text) }] };
      })
      .addEdge(START, "idle")
      .addEdge("idle", "remember")
      .compile();
    const memory = new InMemoryStore();
    const state = await graph.invoke({ messages: [] }, { store: memory });
    expect(seen).toEqual({ idle: false, afterPut: true });
    expect(state.messages.at(-1)?.text).toBe("kept");
    expect((await memory.get(["notes"], "a"))?.value).toEqual({ text: "kept" });
    expect(store?.isRunning).toBe(false);
  });
});
