/**
 * Every kind of malformed chat completions request, sent over a real socket: each gets
 * an OpenAI-shaped 4xx naming the bad field where there is one, never a 500 or a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startServer } from "./helpers.js";

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer({ config: "test/protocol-graphs/langgraph.config.json", bodyLimit: 1024 * 1024 });
});
afterAll(() => server.close());

const hi = [{ role: "user", content: "hi" }];
const valid = { model: "tokens", messages: hi };
const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

interface Case {
  name: string;
  /** A JSON value to send, or the raw body. */
  body: unknown;
  raw?: boolean;
  contentType?: string;
  status?: number;
  param?: string | null;
  message?: RegExp;
}

const cases: Case[] = [
  { name: "broken JSON", body: '{"model": "tokens", "messages": [', raw: true, param: null, message: /not valid JSON/ },
  { name: "an empty body", body: "", raw: true, param: null, message: /empty/ },
  { name: "a body of whitespace", body: " \n ", raw: true, param: null },
  { name: "a JSON array", body: [valid], param: null, message: /JSON object/ },
  { name: "a JSON number", body: 42, param: null, message: /JSON object/ },
  { name: "JSON null", body: null, param: null, message: /JSON object/ },
  { name: "a JSON string", body: "hello", param: null },
  { name: "bytes that are not UTF-8", body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), raw: true, param: null, message: /UTF-8/ },
  { name: "a form-encoded body", body: "model=tokens", raw: true, contentType: "application/x-www-form-urlencoded", status: 415 },
  { name: "a text/plain body", body: JSON.stringify(valid), raw: true, contentType: "text/plain", status: 415 },
  { name: "arrays nested 100,000 deep", body: deep(100_000), raw: true, param: null, message: /nested/ },
  { name: "an unknown field nested 100,000 deep", body: `{"model":"tokens","messages":[{"role":"user","content":"hi"}],"extra":${deep(100_000)}}`, raw: true, param: null, message: /nested/ },
  { name: "a body over the size limit", body: { ...valid, padding: "x".repeat(2 * 1024 * 1024) }, status: 413, param: null },
  { name: "no model", body: { messages: hi }, param: "model", message: /missing/ },
  { name: "a numeric model", body: { model: 7, messages: hi }, param: "model" },
  { name: "an empty model", body: { model: "", messages: hi }, param: "model" },
  { name: "an unknown model", body: { model: "nope", messages: hi }, status: 404, param: "model" },
  { name: "no messages", body: { model: "tokens" }, param: "messages" },
  { name: "messages as a string", body: { model: "tokens", messages: "hi" }, param: "messages" },
  { name: "no message at all", body: { model: "tokens", messages: [] }, param: "messages" },
  { name: "a message that is a string", body: { model: "tokens", messages: ["hi"] }, param: "messages[0]" },
  { name: "a null message", body: { model: "tokens", messages: [null] }, param: "messages[0]" },
  { name: "a message without a role", body: { model: "tokens", messages: [{ content: "hi" }] }, param: "messages[0].role" },
  { name: "an unknown role", body: { model: "tokens", messages: [{ role: "wizard", content: "hi" }] }, param: "messages[0].role" },
  { name: "numeric content", body: { model: "tokens", messages: [{ role: "user", content: 5 }] }, param: "messages[0].content" },
  { name: "a user message without content", body: { model: "tokens", messages: [{ role: "user" }] }, param: "messages[0].content" },
  {
    name: "an unknown content part type",
    body: { model: "tokens", messages: [{ role: "user", content: [{ type: "video", video: {} }] }] },
    param: "messages[0].content[0].type",
  },
  {
    name: "a text part without text",
    body: { model: "tokens", messages: [{ role: "user", content: [{ type: "text" }] }] },
    param: "messages[0].content[0].text",
  },
  {
    name: "an image part without its url",
    body: { model: "tokens", messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] },
    param: "messages[0].content[0].image_url.url",
  },
  {
    name: "an image part in a system message",
    body: { model: "tokens", messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "x" } }] }, ...hi] },
    param: "messages[0].content[0].type",
  },
  {
    name: "a tool message without tool_call_id",
    body: { model: "tokens", messages: [...hi, { role: "tool", content: "42" }] },
    param: "messages[1].tool_call_id",
  },
  {
    name: "an assistant message with neither content nor tool calls",
    body: { model: "tokens", messages: [...hi, { role: "assistant" }, ...hi] },
    param: "messages[1].content",
  },
  {
    name: "a tool call of an unknown type",
    body: {
      model: "tokens",
      messages: [...hi, { role: "assistant", tool_calls: [{ id: "c1", type: "code", function: { name: "f", arguments: "{}" } }] }],
    },
    param: "messages[1].tool_calls[0].type",
  },
  { name: "stream as a string", body: { ...valid, stream: "yes" }, param: "stream" },
  { name: "stream_options as a string", body: { ...valid, stream: true, stream_options: "usage" }, param: "stream_options" },
  { name: "a temperature above 2", body: { ...valid, temperature: 3 }, param: "temperature" },
  { name: "a temperature as a string", body: { ...valid, temperature: "hot" }, param: "temperature" },
  { name: "a negative top_p", body: { ...valid, top_p: -1 }, param: "top_p" },
  { name: "max_tokens of zero", body: { ...valid, max_tokens: 0 }, param: "max_tokens" },
  { name: "a fractional seed", body: { ...valid, seed: 1.5 }, param: "seed" },
  { name: "five stop sequences", body: { ...valid, stop: ["a", "b", "c", "d", "e"] }, param: "stop" },
  { name: "tools as an object", body: { ...valid, tools: { type: "function" } }, param: "tools" },
  { name: "a tool of an unknown type", body: { ...valid, tools: [{ type: "retrieval" }] }, param: "tools[0].type" },
  {
    name: "a tool name with spaces",
    body: { ...valid, tools: [{ type: "function", function: { name: "look up" } }] },
    param: "tools[0].function.name",
  },
  { name: "an unknown tool_choice", body: { ...valid, tool_choice: "sometimes" }, param: "tool_choice" },
  { name: "an unknown response_format", body: { ...valid, response_format: { type: "xml" } }, param: "response_format.type" },
  { name: "metadata with a number", body: { ...valid, metadata: { team: 7 } }, param: "metadata.team" },
  { name: "logit_bias out of range", body: { ...valid, logit_bias: { "50256": 200 } }, param: "logit_bias.50256" },
  { name: "an unknown verbosity", body: { ...valid, verbosity: "chatty" }, param: "verbosity" },
  {
    name: "audio input of an unknown format",
    body: { model: "tokens", messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "ogg" } }] }] },
    param: "messages[0].content[0].input_audio.format",
  },
  { name: "n of 2", body: { ...valid, n: 2 }, param: "n", message: /not supported/ },
  { name: "logprobs", body: { ...valid, logprobs: true }, param: "logprobs", message: /not supported/ },
  { name: "top_logprobs", body: { ...valid, top_logprobs: 3 }, param: "top_logprobs", message: /not supported/ },
  { name: "audio output", body: { ...valid, modalities: ["text", "audio"], audio: { voice: "alloy", format: "mp3" } }, param: "modalities[1]", message: /not supported/ },
  { name: "an audio object alone", body: { ...valid, audio: { voice: "alloy", format: "mp3" } }, param: "audio", message: /not supported/ },
];

describe("malformed chat completions requests", () => {
  it.each(cases)("answers $name with an OpenAI error", async ({ body, raw, contentType, status = 400, param, message }) => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": contentType ?? "application/json" },
      body: raw ? (body as BodyInit) : JSON.stringify(body),
    });
    expect(response.status).toBe(status);
    const { error } = await response.json();
    expect(error).toMatchObject({ type: "invalid_request_error", message: expect.any(String) });
    if (param !== undefined) expect(error.param).toBe(param);
    if (message) expect(error.message).toMatch(message);
  });

  it("accepts and ignores fields it does not know", async () => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...valid, store: false, service_tier: "auto", some_future_field: { a: [1, [2, [3]]] } }),
    });
    expect(response.status).toBe(200);
  });

  it("serves the routes with a trailing slash or a query string as without them", async () => {
    const chat = (path: string) =>
      fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(valid) });
    for (const path of ["/chat/completions/", "/chat/completions?api-version=1"]) {
      const response = await chat(path);
      expect(response.status, path).toBe(200);
      expect((await response.json()).object).toBe("chat.completion");
    }
    expect((await (await fetch(`${server.url}/models/`)).json()).object).toBe("list");
    expect((await fetch(`${server.url}/chat/completions`, { method: "PUT", body: "{}" })).status).toBe(404);
  });

  it("keeps serving after every malformed request", async () => {
    const chunks = await collect(await server.client.chat.completions.create({ model: "tokens", messages: [{ role: "user", content: "hi" }], stream: true }));
    expect(chunks.length).toBeGreaterThan(8);
  });
});
