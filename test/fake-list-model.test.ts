/**
 * @langchain/core's FakeListChatModel reports each streamed token through a callback it
 * does not await, after yielding the token; the last one reaches LangGraph's `messages`
 * stream after the model call ended, and LangGraph drops it. The graph's state holds the
 * whole answer, so the client should too.
 */
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRegistry } from "../src/index.js";
import { collect, startServer } from "./helpers.js";

const ANSWER = "Paris is the capital of France, on the Seine, home to about two million people.";

function fakeGraph() {
  const model = new FakeListChatModel({ responses: [ANSWER] });
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
    .addEdge(START, "model")
    .addEdge("model", END);
}

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer({ registry: await createRegistry({ fake: () => fakeGraph() }) });
});
afterAll(() => server.close());

it("answers with FakeListChatModel's whole reply, its last token included", async () => {
  const completion = await server.client.chat.completions.create({ model: "fake", messages: [{ role: "user", content: "config?" }] });
  expect(completion.choices[0]!.message.content).toBe(ANSWER);
  const chunks = await collect(await server.client.chat.completions.create({ model: "fake", messages: [{ role: "user", content: "config?" }], stream: true }));
  expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(ANSWER);
});
