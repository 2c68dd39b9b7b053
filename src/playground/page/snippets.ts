/**
 * The chat's next request as code to copy: curl, the `openai` SDK and LangChain's
 * `ChatOpenAI` on `/v1/chat/completions`, each on the page's thread (the one the page's
 * AG-UI runs use) with the message being typed. The key is never written
 * out: the snippets read `$OPENAI_API_KEY` when the server asks for one.
 */
import type { ChatRequest } from "./chat-events.js";

/** The page's thread, continued with only the new message, as LangGraph's own clients do. */
function threadHeaders(request: ChatRequest): Record<string, string> {
  return { "X-Thread-Id": request.threadId, "X-Thread-Mode": "continue" };
}

function chatCompletionBody(request: ChatRequest): { model: string; messages: { role: string; content: string }[]; stream: true } {
  return { model: request.model, messages: [{ role: "user", content: request.text }], stream: true };
}

export type SnippetKind = "curl" | "openai" | "ChatOpenAI";

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const js = (value: unknown) => JSON.stringify(value);

function curl(origin: string, request: ChatRequest, keyed: boolean): string {
  const headers = { "Content-Type": "application/json", ...threadHeaders(request) };
  const lines = [
    `curl -N ${origin}/v1/chat/completions`,
    ...Object.entries(headers).map(([name, value]) => `  -H ${shellQuote(`${name}: ${value}`)}`),
    ...(keyed ? [`  -H "Authorization: Bearer $OPENAI_API_KEY"`] : []),
    `  -d ${shellQuote(JSON.stringify(chatCompletionBody(request)))}`,
  ];
  return lines.join(" \\\n");
}

function openai(origin: string, request: ChatRequest, keyed: boolean): string {
  const { model, messages } = chatCompletionBody(request);
  return [
    `import OpenAI from "openai";`,
    ``,
    `const client = new OpenAI({ baseURL: ${js(`${origin}/v1`)}, apiKey: ${keyed ? "process.env.OPENAI_API_KEY" : js("unused")} });`,
    `const stream = await client.chat.completions.create(`,
    `  { model: ${js(model)}, messages: ${js(messages)}, stream: true },`,
    `  { headers: ${js(threadHeaders(request))} },`,
    `);`,
    `for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? "");`,
  ].join("\n");
}

function chatOpenAI(origin: string, request: ChatRequest, keyed: boolean): string {
  return [
    `import { ChatOpenAI } from "@langchain/openai";`,
    ``,
    `const model = new ChatOpenAI({`,
    `  model: ${js(request.model)},`,
    `  apiKey: ${keyed ? "process.env.OPENAI_API_KEY" : js("unused")},`,
    `  configuration: { baseURL: ${js(`${origin}/v1`)}, defaultHeaders: ${js(threadHeaders(request))} },`,
    `});`,
    `for await (const chunk of await model.stream(${js(request.text)})) process.stdout.write(chunk.text);`,
  ].join("\n");
}

export function snippet(kind: SnippetKind, origin: string, request: ChatRequest, keyed: boolean): string {
  switch (kind) {
    case "curl":
      return curl(origin, request, keyed);
    case "openai":
      return openai(origin, request, keyed);
    case "ChatOpenAI":
      return chatOpenAI(origin, request, keyed);
  }
}
