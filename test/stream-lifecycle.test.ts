import type { Server } from "node:http";
import { MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRegistry, ScriptedChatModel } from "../src/index.js";
import { startServer } from "./helpers.js";

/** A graph whose model streams slowly, and which records how its model call ended. */
function slowGraph(outcome: { ended?: "finished" | "aborted" }) {
  const model = new ScriptedChatModel({ replies: [Array.from({ length: 200 }, (_, i) => `t${i}`).join(" ")], tokenDelayMs: 20 });
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state, config) => {
      try {
        const message = await model.invoke(state.messages, config);
        outcome.ended = "finished";
        return { messages: [message] };
      } catch (error) {
        outcome.ended = "aborted";
        throw error;
      }
    })
    .addEdge(START, "model");
}

/** A graph that streams a short answer, then fails. */
function failingGraph() {
  const model = new ScriptedChatModel({ replies: ["partial answer"] });
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state, config) => {
      await model.invoke(state.messages, config);
      throw new Error("the tool broke");
    })
    .addEdge(START, "model");
}

describe("a stream's lifecycle", () => {
  const outcome: { ended?: "finished" | "aborted" } = {};
  const checkpointer = new MemorySaver();
  const onServerError = vi.fn();
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ registry: await createRegistry({ slow: slowGraph(outcome), failing: failingGraph() }, checkpointer), checkpointer, onServerError });
  });
  afterAll(async () => {
    // The aborted fetch leaves a keep-alive socket that close() would wait out.
    (server.server as Server).closeAllConnections();
    await server.close();
  });

  it("stops the graph and forgets the run when the client leaves mid-stream", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "slow", stream: true, messages: [{ role: "user", content: "hi" }] }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes('"content":"t1')) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the stream ended before its second token: ${text}`);
      text += new TextDecoder().decode(value);
    }
    controller.abort();

    await vi.waitFor(() => expect(outcome.ended).toBe("aborted"), { timeout: 3000 });
    await vi.waitFor(() => expect(Object.keys(checkpointer.storage)).toEqual([]), { timeout: 3000 });
    expect(onServerError).not.toHaveBeenCalled();
  });

  it("ends a stream that fails midway with an OpenAI error event and no [DONE]", async () => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "failing", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    const events = (await response.text()).split("\n\n").filter(Boolean);
    expect(response.status).toBe(200);
    expect(events.some((event) => event.includes('"content":"partial "'))).toBe(true);
    expect(JSON.parse(events.at(-1)!.replace(/^data: /, ""))).toMatchObject({ error: { type: "server_error" } });
    expect(events.join("\n")).not.toContain("[DONE]");
    expect(onServerError).toHaveBeenCalledTimes(1);
  });
});
