/**
 * The limit for paced streams: a bare `node:http` server, no framework, no graph, that
 * answers a streamed chat completion for the `slow` model with the same chunks ours
 * sends (the role, 100 words 50 ms apart, the finish, `[DONE]`), one `write` each.
 * What ours costs beyond this at 1,000 streams is what every layer above the socket costs.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tokenize } from "../../src/scripted-model.js";
import { SLOW_DELAY_MS, SLOW_TOKENS, words } from "../graphs.js";
import { reportReady } from "./child.js";

/** The `slow` graph's tokens, as its scripted model splits them. */
const tokens = tokenize(words(SLOW_TOKENS));

function answer(response: http.ServerResponse, model: string): void {
  const head = { id: `chatcmpl-${randomUUID().replaceAll("-", "")}`, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model };
  const chunk = (delta: object, finishReason: string | null = null) =>
    `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`;
  response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
  response.write(chunk({ role: "assistant", content: "", refusal: null }));
  let sent = 0;
  const next = () => {
    if (response.destroyed) return;
    response.write(chunk({ content: tokens[sent++] }));
    if (sent < tokens.length) setTimeout(next, SLOW_DELAY_MS);
    else response.end(`${chunk({}, "stop")}data: [DONE]\n\n`);
  };
  setTimeout(next, SLOW_DELAY_MS);
}

const server = http.createServer((request, response) => {
  let body = "";
  request.setEncoding("utf8");
  request.on("data", (text: string) => (body += text));
  request.on("end", () => {
    const { model, stream } = JSON.parse(body) as { model: string; stream?: boolean };
    if (model !== "slow" || !stream) {
      response.writeHead(404).end();
      return;
    }
    answer(response, model);
  });
});
server.listen(0, "127.0.0.1", () => reportReady((server.address() as AddressInfo).port));
