/**
 * What Open WebUI v0.11 sends to an OpenAI connection, rebuilt from its source
 * (`backend/open_webui/routers/openai.py`, `routers/tasks.py`, `utils/task.py`,
 * `utils/middleware.py`, `utils/headers.py`), with its default prompts from
 * /work/shared/open-webui/prompts.json (test data, read where it lies).
 */
import { readFileSync } from "node:fs";

const PROMPTS = JSON.parse(readFileSync("/work/shared/open-webui/prompts.json", "utf8")) as Record<
  "TITLE_TEMPLATE" | "TAGS_TEMPLATE" | "FOLLOW_UP_TEMPLATE" | "QUERY_TEMPLATE" | "AUTOCOMPLETE_TEMPLATE" | "RAG_TEMPLATE",
  string
>;
export { PROMPTS };

export interface OpenWebUIMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** `prompt_template`: the date and user variables, as its `utils/task.py` fills them. */
function fillVariables(template: string, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const date = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const hours = now.getHours() % 12 || 12;
  const time = `${pad(hours)}:${pad(now.getMinutes())}:${pad(now.getSeconds())} ${now.getHours() < 12 ? "AM" : "PM"}`;
  const weekday = now.toLocaleDateString("en-US", { weekday: "long" });
  return template
    .replaceAll("{{CURRENT_DATE}}", date)
    .replaceAll("{{CURRENT_TIME}}", time)
    .replaceAll("{{CURRENT_DATETIME}}", `${date} ${time}`)
    .replaceAll("{{CURRENT_WEEKDAY}}", weekday)
    .replaceAll("{{USER_NAME}}", "Ada Lovelace");
}

/** `get_messages_content`: `ROLE: content` lines. */
function messagesContent(messages: readonly OpenWebUIMessage[]): string {
  return messages.map((message) => `${message.role.toUpperCase()}: ${message.content}`).join("\n");
}

/** `replace_messages_variable` (`{{MESSAGES}}`, `{{MESSAGES:END:N}}`, `{{MESSAGES:START:N}}`) and `replace_prompt_variable`. */
export function fillTaskTemplate(template: string, messages: readonly OpenWebUIMessage[], now = new Date(), extra: Record<string, string> = {}): string {
  const prompt = [...messages].reverse().find((message) => message.role === "user")?.content ?? "";
  let filled = template;
  for (const [variable, value] of Object.entries(extra)) filled = filled.replaceAll(variable, value);
  filled = filled.replace(/{{prompt}}|{{prompt:start:(\d+)}}|{{prompt:end:(\d+)}}/gi, (match, start?: string, end?: string) =>
    start ? prompt.slice(0, Number(start)) : end ? prompt.slice(-Number(end)) : prompt,
  );
  filled = filled.replace(/{{MESSAGES}}|{{MESSAGES:START:(\d+)}}|{{MESSAGES:END:(\d+)}}/g, (_match, start?: string, end?: string) =>
    messagesContent(start ? messages.slice(0, Number(start)) : end ? messages.slice(-Number(end)) : messages),
  );
  return fillVariables(filled, now);
}

export interface Source {
  name: string;
  text: string;
}

/** `get_source_context` and `rag_template`, then `add_or_update_user_message(..., append=False)`: context, a newline, the text. */
export function withRagContext(text: string, sources: readonly Source[], now = new Date()): string {
  const context = sources.map((source, index) => `<source id="${index + 1}" name="${source.name}">${source.text}</source>\n`).join("").trim();
  const template = fillVariables(PROMPTS.RAG_TEMPLATE, now).replaceAll("{{CONTEXT}}", context).replaceAll("[context]", context);
  return `${template.replaceAll("{{QUERY}}", text).replaceAll("[query]", text)}\n${text}`;
}

/** Open WebUI's task names, as `{{TASK}}` sends them. */
export type TaskName = "title_generation" | "tags_generation" | "follow_up_generation" | "query_generation" | "autocomplete_generation";

const TEMPLATES: Record<TaskName, keyof typeof PROMPTS> = {
  title_generation: "TITLE_TEMPLATE",
  tags_generation: "TAGS_TEMPLATE",
  follow_up_generation: "FOLLOW_UP_TEMPLATE",
  query_generation: "QUERY_TEMPLATE",
  autocomplete_generation: "AUTOCOMPLETE_TEMPLATE",
};

/**
 * A task's request body as `routers/tasks.py` builds it and `routers/openai.py` sends it:
 * one user message, not streamed; a title asks for `max_completion_tokens`, which goes to
 * a non-OpenAI URL as `max_tokens`; `metadata` stays behind in Open WebUI.
 */
export function taskBody(model: string, task: TaskName, messages: readonly OpenWebUIMessage[], extra: Record<string, string> = {}) {
  const content = fillTaskTemplate(PROMPTS[TEMPLATES[task]], messages, new Date(), extra);
  return {
    model,
    messages: [{ role: "user", content }],
    stream: false,
    ...(task === "title_generation" && { max_tokens: 1000 }),
  };
}

export interface Connection {
  apiKey: string;
  /** ENABLE_FORWARD_USER_INFO_HEADERS=true */
  forward?: boolean;
  /** The connection's own headers, with `{{CHAT_ID}}` and `{{TASK}}` filled in (`utils/headers.py`). */
  custom?: Record<string, string>;
}

/** `get_headers_and_cookies`: what every request to the connection carries. */
export function connectionHeaders(connection: Connection, chatId: string | undefined, task: TaskName | "" = ""): Record<string, string> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Authorization: `Bearer ${connection.apiKey}` };
  if (connection.forward) {
    Object.assign(headers, {
      "X-OpenWebUI-User-Name": "Ada Lovelace",
      "X-OpenWebUI-User-Id": "8c4f7d1e-user",
      "X-OpenWebUI-User-Email": "ada@example.com",
      "X-OpenWebUI-User-Role": "user",
    });
    if (chatId) headers["X-OpenWebUI-Chat-Id"] = chatId;
  }
  for (const [name, value] of Object.entries(connection.custom ?? {})) {
    headers[name] = value.replaceAll("{{CHAT_ID}}", chatId ?? "").replaceAll("{{TASK}}", task);
  }
  return headers;
}

/** One SSE stream as Open WebUI reads it: every `data:` payload, parsed, up to `[DONE]`. */
export async function readStream(response: Response): Promise<Record<string, any>[]> {
  const text = await response.text();
  const events = text.split("\n\n").filter(Boolean);
  if (events.at(-1) !== "data: [DONE]") throw new Error(`stream did not end with [DONE]: ${events.at(-1)}`);
  return events.slice(0, -1).map((event) => JSON.parse(event.replace(/^data: /, "")));
}

/** What Open WebUI makes of a stream: the text, the reasoning block, status lines, sources, tool calls. */
export function readAnswer(chunks: readonly Record<string, any>[]) {
  const deltas = chunks.flatMap((chunk) => (chunk.choices as any[]).map((choice) => choice.delta ?? {}));
  return {
    content: deltas.map((delta) => delta.content ?? "").join(""),
    reasoning: deltas.map((delta) => delta.reasoning_content ?? delta.reasoning ?? delta.thinking ?? "").join(""),
    statuses: chunks.filter((chunk) => chunk.event?.type === "status").map((chunk) => chunk.event.data),
    sources: chunks.filter((chunk) => chunk.event?.type === "source").map((chunk) => chunk.event.data),
    annotations: deltas.flatMap((delta) => delta.annotations ?? []),
    toolCalls: deltas.flatMap((delta) => delta.tool_calls ?? []),
    finishReason: chunks.flatMap((chunk) => chunk.choices as any[]).find((choice) => choice.finish_reason)?.finish_reason,
  };
}

/** How Open WebUI reads a task's answer (`background_tasks_handler`): JSON between the first `{` and the last `}`. */
export function parseTaskAnswer(completion: { choices: { message: { content: string | null; reasoning_content?: string } }[] }): Record<string, unknown> {
  const message = completion.choices[0]!.message;
  const text = message.content || message.reasoning_content || "";
  return JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1));
}
