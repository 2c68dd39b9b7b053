/**
 * A stand-in for an OpenAI-compatible endpoint, for graphs that call ChatOpenAI: it
 * records every chat completions request body and answers each with one fixed reply,
 * streamed as OpenAI streams it when the request asks for a stream.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeReply {
  content?: string;
  toolCalls?: { id: string; name: string; arguments: string }[];
}

export interface FakeUpstream {
  /** Base URL, ending in `/v1`. */
  url: string;
  /** The JSON bodies received, in order. */
  requests: Record<string, unknown>[];
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
}

export async function startFakeUpstream(reply: FakeReply = { content: "Hello from upstream." }): Promise<FakeUpstream> {
  const requests: Record<string, unknown>[] = [];
  const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };
  const toolCalls = reply.toolCalls?.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }));
  const finishReason = toolCalls?.length ? "tool_calls" : "stop";
  const server = createServer(async (request, response) => {
    const body = await readJson(request);
    requests.push(body);
    const head = { id: `chatcmpl-fake${requests.length}`, created: 1_700_000_000, model: String(body.model) };
    if (!body.stream) {
      const message = { role: "assistant", content: reply.content ?? null, refusal: null, ...(toolCalls && { tool_calls: toolCalls }) };
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ ...head, object: "chat.completion", choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }], usage }));
      return;
    }
    const chunk = (delta: object, finish: string | null = null) => ({
      ...head,
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
    const chunks: object[] = [chunk({ role: "assistant", content: "" })];
    if (reply.content) chunks.push(chunk({ content: reply.content }));
    toolCalls?.forEach((call, index) => chunks.push(chunk({ tool_calls: [{ index, ...call }] })));
    chunks.push(chunk({}, finishReason), { ...head, object: "chat.completion.chunk", choices: [], usage });
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.end(chunks.map((item) => `data: ${JSON.stringify(item)}\n\n`).join("") + "data: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
