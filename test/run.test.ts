import { AIMessage } from "@langchain/core/messages";
import { MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { defineModel } from "../src/registry.js";
import type { RunEvent } from "../src/run/events.js";
import { runGraph } from "../src/run/run.js";
import { collect } from "./helpers.js";

async function run(graph: unknown): Promise<RunEvent[]> {
  const entry = await defineModel("graph", graph);
  return collect(
    runGraph({ entry, graph: await entry.getGraph({}), input: { messages: [] }, threadId: "t", request: { model: "graph" }, streamed: true, steps: true, signal: new AbortController().signal }),
  );
}

describe("a graph run's events", () => {
  it("gives a tool call left to the client an id when its model gave none, since clients answer by id", async () => {
    const graph = new StateGraph(MessagesAnnotation)
      .addNode("model", () => ({ messages: [new AIMessage({ content: "", tool_calls: [{ name: "search", args: { q: "x" } }] })] }))
      .addEdge(START, "model");
    const events = await run(graph);
    const toolCalls = events.flatMap((event) => (event.type === "tool_calls" ? event.toolCalls : []));
    expect(toolCalls).toEqual([{ id: expect.stringMatching(/^call_[0-9a-f]{32}$/), name: "search", args: { q: "x" } }]);
  });
});
