/**
 * The measuring client: a lean SSE reader over node:http with keep-alive, so the client
 * is never the bottleneck. It reads `data:` lines (and `event:` names), counts the
 * chunks that carry content and stamps each one's arrival.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";

/** How a server's API is spoken: OpenAI's chat completions, or LangGraph's runs. */
export interface Protocol {
  /** Non-streamed request for a model (graph) id. */
  invoke(model: string): { path: string; body: string };
  stream(model: string): { path: string; body: string };
  /** The text an SSE event carries, "" if none, or `null` at the end-of-stream sentinel. */
  content(event: string | undefined, data: string): string | null;
}

const userMessages = [{ role: "user", content: "Hello, how are you?" }];

export const openaiProtocol: Protocol = {
  invoke: (model) => ({ path: "/v1/chat/completions", body: JSON.stringify({ model, messages: userMessages }) }),
  stream: (model) => ({ path: "/v1/chat/completions", body: JSON.stringify({ model, messages: userMessages, stream: true }) }),
  content(_event, data) {
    if (data === "[DONE]") return null;
    return (JSON.parse(data) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? "";
  },
};

/**
 * OpenAI's Responses API on the same server: `store` (the API's default) keeps each
 * response as a checkpoint of a new thread; `store: false` runs with no thread, as chat
 * completions without a thread id do.
 */
export function responsesProtocol(store: boolean): Protocol {
  const body = (model: string, stream: boolean) => JSON.stringify({ model, input: userMessages[0]!.content, store, stream });
  return {
    invoke: (model) => ({ path: "/v1/responses", body: body(model, false) }),
    stream: (model) => ({ path: "/v1/responses", body: body(model, true) }),
    content(event, data) {
      if (event === "response.completed") return null;
      return event === "response.output_text.delta" ? (JSON.parse(data) as { delta: string }).delta : "";
    },
  };
}

/** A stateless run (no thread), as LangGraph's SDK `client.runs.stream(null, ...)` sends. */
export const langgraphProtocol: Protocol = {
  invoke: (model) => ({ path: "/runs/wait", body: JSON.stringify({ assistant_id: model, input: { messages: userMessages } }) }),
  stream: (model) => ({
    path: "/runs/stream",
    body: JSON.stringify({ assistant_id: model, input: { messages: userMessages }, stream_mode: ["messages-tuple"] }),
  }),
  content(event, data) {
    if (event !== "messages") return "";
    const [message] = JSON.parse(data) as [{ content?: unknown }];
    return typeof message.content === "string" ? message.content : "";
  },
};

export interface StreamResult {
  ok: boolean;
  /** ms from sending the request to the first chunk with content. */
  firstToken: number;
  /** ms from sending the request to the end of the response. */
  total: number;
  /** Arrival time (ms, performance.now) of each chunk with content. */
  arrivals: number[];
  sawEnd: boolean;
}

/** The ms between consecutive content chunks of each stream, over every stream (a failed stream has none). */
export function gapsOf(results: readonly (StreamResult | undefined)[]): number[] {
  const gaps: number[] = [];
  for (const result of results) {
    const arrivals = result?.arrivals ?? [];
    for (let i = 1; i < arrivals.length; i++) gaps.push(arrivals[i]! - arrivals[i - 1]!);
  }
  return gaps;
}

export const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

export function streamOnce(port: number, protocol: Protocol, model: string): Promise<StreamResult> {
  const { path, body } = protocol.stream(model);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const arrivals: number[] = [];
    let sawEnd = false;
    const request = http.request(
      { host: "127.0.0.1", port, path, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (response) => {
        response.setEncoding("utf8");
        let buffer = "";
        let event: string | undefined;
        response.on("data", (text: string) => {
          const now = performance.now();
          buffer += text;
          let newline: number;
          while ((newline = buffer.indexOf("\n")) !== -1) {
            const line = buffer.slice(0, newline).replace(/\r$/, "");
            buffer = buffer.slice(newline + 1);
            if (line === "") event = undefined;
            else if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("data:")) {
              const content = protocol.content(event, line.slice(line[5] === " " ? 6 : 5));
              if (content === null) sawEnd = true;
              else if (content !== "") arrivals.push(now);
            }
          }
        });
        response.on("end", () => {
          const end = performance.now();
          resolve({
            ok: response.statusCode === 200,
            firstToken: arrivals.length > 0 ? arrivals[0]! - start : NaN,
            total: end - start,
            arrivals,
            sawEnd,
          });
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
