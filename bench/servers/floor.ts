/**
 * The floor: the least an OpenAI front for a graph can do, on the same stack (Hono,
 * @hono/node-server, LangGraph). Parse the body, `invoke` the graph or stream it in
 * `messages` mode, write the OpenAI JSON or SSE by hand. No validation, no errors, no
 * usage, no tool calls, no checkpointer: what ours costs beyond this is what its
 * features cost.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { Hono } from "hono";
import * as graphs from "../graphs.js";
import { reportReady } from "./child.js";

const compiled = {
  echo: graphs.echo.compile(),
  long: graphs.long.compile(),
  short: graphs.short.compile(),
  slow: graphs.slow.compile(),
  react: graphs.react.compile(),
};
type ModelId = keyof typeof compiled;

interface WireMessage {
  role: string;
  content: string;
}

function toMessage({ role, content }: WireMessage): BaseMessage {
  if (role === "system") return new SystemMessage(content);
  if (role === "assistant") return new AIMessage(content);
  return new HumanMessage(content);
}

const app = new Hono();
app.post("/v1/chat/completions", async (c) => {
  const body = (await c.req.json()) as { model: ModelId; messages: WireMessage[]; stream?: boolean };
  const graph = compiled[body.model];
  const input = { messages: body.messages.map(toMessage) };
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model;

  if (!body.stream) {
    const state = await graph.invoke(input);
    const content = state.messages.at(-1)?.text ?? "";
    return c.json({
      id,
      object: "chat.completion",
      created,
      model,
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    });
  }

  const chunk = (delta: object, finishReason: string | null = null) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(chunk({ role: "assistant", content: "" })));
      for await (const [message] of await graph.stream(input, { streamMode: "messages" })) {
        if (message.getType() === "ai" && message.text) controller.enqueue(encoder.encode(chunk({ content: message.text })));
      }
      controller.enqueue(encoder.encode(chunk({}, "stop") + "data: [DONE]\n\n"));
      controller.close();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
});

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => {
  reportReady((server.address() as AddressInfo).port);
});
