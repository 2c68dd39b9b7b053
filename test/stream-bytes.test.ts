import { tool } from "@langchain/core/tools";
import { MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, createRegistry, ScriptedChatModel } from "../src/index.js";
import { startServer } from "./helpers.js";

type Fetch = (url: string, init: RequestInit) => Response | Promise<Response>;

/** The bytes of a streamed answer, with the id and the creation time (different every time) in fixed form. */
async function streamedBytes(url: string, body: object, fetchOne: Fetch = fetch): Promise<{ contentType: string | null; text: string }> {
  const response = await fetchOne(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ stream: true, messages: [{ role: "user", content: "hi" }], ...body }),
  });
  const text = (await response.text()).replaceAll(/chatcmpl-[0-9a-f]{32}/g, "chatcmpl-ID").replaceAll(/"created":\d+/g, '"created":0');
  return { contentType: response.headers.get("content-type"), text };
}

const head = '{"id":"chatcmpl-ID","object":"chat.completion.chunk","created":0';

const lookUp = tool(async ({ topic }) => `Facts about ${topic}.`, { name: "look_up", description: "Looks a topic up.", schema: z.object({ topic: z.string() }) });
const agentModel = new ScriptedChatModel({
  respond: (messages) =>
    messages.at(-1)?.getType() === "tool"
      ? { reasoning: "Now answer.", content: 'Graphs "work".\nDone' }
      : { toolCalls: [{ name: "look_up", args: { topic: "graphs" }, id: "call_1" }] },
}).bindTools([lookUp]);
const agent = new StateGraph(MessagesAnnotation)
  .addNode("agent", async (state, config) => ({ messages: [await agentModel.invoke(state.messages, config)] }))
  .addNode("tools", new ToolNode([lookUp]))
  .addEdge(START, "agent")
  .addConditionalEdges("agent", toolsCondition, ["tools", "__end__"])
  .addEdge("tools", "agent");

const plainModel = new ScriptedChatModel({ replies: ["Hello there, ünïcode 😀 friend."], tokenDelayMs: 1 });
const plain = new StateGraph(MessagesAnnotation)
  .addNode("model", async (state, config) => ({ messages: [await plainModel.invoke(state.messages, config)] }))
  .addEdge(START, "model");

const failingModel = new ScriptedChatModel({ replies: ["partial answer"] });
const failing = new StateGraph(MessagesAnnotation)
  .addNode("model", async (state, config) => {
    await failingModel.invoke(state.messages, config);
    throw new Error("the tool broke");
  })
  .addEdge(START, "model");

describe("the bytes of a streamed answer", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    const checkpointer = new MemorySaver();
    server = await startServer({ registry: await createRegistry({ agent, plain, failing }, checkpointer), checkpointer });
  });
  afterAll(() => server.close());

  const plainAnswer = () => {
    const content = (piece: string) => `data: ${head},"model":"plain","choices":[{"index":0,"delta":{"content":${JSON.stringify(piece)}},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`;
    return (
      `data: ${head},"model":"plain","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
        ["Hello ", "there, ", "ünïcode ", "😀 ", "friend."].map(content).join("") +
        `data: ${head},"model":"plain","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}\n\n` +
        `data: ${head},"model":"plain","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":5,"total_tokens":6}}\n\n` +
        "data: [DONE]\n\n"
    );
  };

  it("streams a paced answer with its usage chunk byte for byte as before", async () => {
    const { contentType, text } = await streamedBytes(server.url, { model: "plain", stream_options: { include_usage: true } });
    expect(contentType).toBe("text/event-stream");
    expect(text).toBe(plainAnswer());
  });

  it("streams the same bytes from createApp's fetch handler, where there is no Node response to write to", async () => {
    const checkpointer = new MemorySaver();
    const app = createApp(await createRegistry({ plain }, checkpointer), { checkpointer });
    const { contentType, text } = await streamedBytes("http://localhost/v1", { model: "plain", stream_options: { include_usage: true } }, (url, init) => app.request(url, init));
    expect(contentType).toBe("text/event-stream");
    expect(text).toBe(plainAnswer());
  });

  it("streams the agent's steps (each with its separator in one chunk), its reasoning and an answer that needs escaping, byte for byte", async () => {
    const { text } = await streamedBytes(server.url, { model: "agent" });
    const chunk = (delta: string, finish = "null") => `data: ${head},"model":"agent","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]}\n\n`;
    expect(text).toBe(
      chunk('{"role":"assistant","content":"","refusal":null}') +
        chunk('{"reasoning_content":"Calling look_up with {\\"topic\\":\\"graphs\\"}"}') +
        chunk('{"reasoning_content":"\\n\\nlook_up returned: Facts about graphs."}') +
        chunk('{"reasoning_content":"\\n\\nNow "}') +
        chunk('{"reasoning_content":"answer."}') +
        chunk('{"content":"Graphs "}') +
        chunk('{"content":"\\"work\\".\\n"}') +
        chunk('{"content":"Done"}') +
        chunk("{}", '"stop"') +
        "data: [DONE]\n\n",
    );
  });

  it("ends a stream whose graph fails with OpenAI's error event (the generic message, with its request id), byte for byte", async () => {
    const { text: withRequestId } = await streamedBytes(server.url, { model: "failing" });
    const text = withRequestId.replace(/request id [0-9a-f-]{36}/, "request id ID");
    const chunk = (delta: string) => `data: ${head},"model":"failing","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":null}]}\n\n`;
    expect(text).toBe(
      chunk('{"role":"assistant","content":"","refusal":null}') +
        chunk('{"content":"partial "}') +
        chunk('{"content":"answer"}') +
        'data: {"error":{"message":"The graph behind model \'failing\' failed (request id ID); the server\'s log has the error.","type":"server_error","param":null,"code":"graph_error"}}\n\n',
    );
  });
});
