/**
 * Chat UIs as they talk to an OpenAI-compatible server, modelled on their source at the
 * versions `src/chat-uis/catalogue.ts` names: what they send (the history they keep,
 * their windows, their background requests) and what they make of a stream. The prompts
 * here are our own words around each UI's fingerprint phrase, not the UIs' prompts.
 */
type Role = "system" | "user" | "assistant";
export interface UIMessage {
  role: Role;
  content: string;
}

export interface Chunk {
  choices?: { delta?: { content?: string; reasoning_content?: string }; finish_reason?: string | null }[];
  error?: unknown;
}

/** Every `data:` payload of an SSE stream, parsed, up to `[DONE]` (or the end, after an error). */
export async function readSse(response: Response): Promise<Chunk[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((event) => event.startsWith("data: ") && event !== "data: [DONE]")
    .map((event) => JSON.parse(event.slice("data: ".length)) as Chunk);
}

/**
 * What NextChat shows of a stream (`app/utils/chat.ts`, `stream`): a reasoning block
 * opens with `> `, and in later reasoning chunks a blank line goes on as `\n\n> `; the
 * answer follows after a blank line. Chunks without `choices` (an error) are dropped.
 */
export function nextChatText(chunks: readonly Chunk[]): string {
  let text = "";
  let thinking = false;
  for (const chunk of chunks) {
    const delta = chunk.choices?.[0]?.delta;
    if (!delta) continue;
    const reasoning = delta.reasoning_content ?? "";
    const content = delta.content ?? "";
    if (reasoning) {
      if (!thinking) {
        thinking = true;
        text += `${text ? "\n" : ""}> ${reasoning}`;
      } else {
        text += reasoning.split("\n\n").join("\n\n> ");
      }
    } else if (content) {
      text += thinking ? `\n\n${content}` : content;
      thinking = false;
    }
  }
  return text;
}

/** The paragraphs of a Markdown text that render inside a quote: each opens with `>` (later lines go on lazily). */
export function quotedParagraphs(text: string): string[] {
  return text.split(/\n{2,}/).filter((paragraph) => paragraph.startsWith(">"));
}

export interface ChatClient {
  url: string;
  apiKey: string;
  model: string;
  /** Sent with every request (a thread id, for a UI set up to send one). */
  headers?: Record<string, string>;
}

export function post(client: ChatClient, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${client.url}/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${client.apiKey}`, ...client.headers },
    body: JSON.stringify({ model: client.model, ...body }),
  });
}

/**
 * NextChat v2.16 (`app/store/chat.ts`): each question goes with an injected system
 * prompt, the summary of earlier turns (once there is one, as a system message) and the
 * last `historyMessageCount` messages (4 by default); after an answer, a title request
 * (the last messages and a user prompt, not streamed) and, on a long chat, a summary
 * request (the messages and a system prompt, streamed).
 */
export class NextChat {
  readonly messages: UIMessage[] = [];
  memory = "";
  title = "";
  constructor(
    readonly client: ChatClient,
    readonly historyMessageCount = 4,
  ) {}

  #context(): UIMessage[] {
    const system: UIMessage = { role: "system", content: "You are a helpful assistant.\nCurrent model: agent\nCurrent time: Mon Dec 07 2026 12:00:00" };
    const memory: UIMessage[] = this.memory ? [{ role: "system", content: `A recap of the chat so far: ${this.memory}` }] : [];
    return [system, ...memory, ...this.messages.slice(-this.historyMessageCount)];
  }

  /** Sends a question; the answer is kept as NextChat shows it (and sends it back). */
  async ask(question: string): Promise<{ text: string; chunks: Chunk[] }> {
    const sent = [...this.#context(), { role: "user" as const, content: question }];
    const chunks = await readSse(await post(this.client, { messages: sent, stream: true }));
    const text = nextChatText(chunks);
    this.messages.push({ role: "user", content: question }, { role: "assistant", content: text });
    return { text, chunks };
  }

  async askTitle(): Promise<Response> {
    const topic = "Please generate a four to five word title summarizing our conversation; just the words.";
    return post(this.client, { messages: [...this.messages.slice(-this.historyMessageCount), { role: "user", content: topic }], stream: false });
  }

  async askSummary(): Promise<Response> {
    const summarize = "Summarize the discussion briefly in 200 words or less, to keep as context.";
    return post(this.client, { messages: [...this.messages, { role: "system", content: summarize }], stream: true });
  }
}

/** What most UIs show of a stream and send back: the content alone (the reasoning goes to a block of its own). */
export function contentText(chunks: readonly Chunk[]): string {
  return chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? "").join("");
}

export interface HistoryChatOptions {
  /** The UI's system prompt, sent first with every question. */
  system?: string;
  /** How many earlier messages go with a question: LibreChat prunes the oldest past its context, LobeChat keeps `historyCount`. */
  window?: number;
}

/**
 * A UI that resends its chat with every question and keeps the answer's content as the
 * assistant's message: LibreChat (`api/server/services/Endpoints/custom`, its agents'
 * run over a custom endpoint), LobeChat (its OpenAI-compatible provider).
 */
export class HistoryChat {
  readonly messages: UIMessage[] = [];
  constructor(
    readonly client: ChatClient,
    readonly options: HistoryChatOptions = {},
  ) {}

  /** The messages before a question, as the UI sends them. */
  context(): UIMessage[] {
    const system: UIMessage[] = this.options.system ? [{ role: "system", content: this.options.system }] : [];
    const earlier = this.options.window === undefined ? this.messages : this.messages.slice(-this.options.window);
    return [...system, ...earlier];
  }

  async ask(question: string): Promise<{ text: string; chunks: Chunk[] }> {
    const messages = [...this.context(), { role: "user" as const, content: question }];
    const chunks = await readSse(await post(this.client, { messages, stream: true, stream_options: { include_usage: true } }));
    const text = contentText(chunks);
    this.messages.push({ role: "user", content: question }, { role: "assistant", content: text });
    return { text, chunks };
  }

  /** A background request of the UI's, not streamed: its answer's content. */
  async background(messages: UIMessage[]): Promise<string> {
    const response = await post(this.client, { messages, stream: false });
    if (response.status !== 200) throw new Error(`background request failed: ${response.status} ${await response.text()}`);
    return (await response.json()).choices[0].message.content;
  }
}

/** A chat's lines as a UI quotes them in a prompt: `User:` / `AI:` (LibreChat), `user:` / `assistant:` (LobeChat's title). */
export function quoteChat(messages: readonly UIMessage[], names: { user: string; assistant: string }): string {
  return messages
    .filter((message) => message.role !== "system")
    .map((message) => `${message.role === "user" ? names.user : names.assistant}: ${message.content}`)
    .join("\n");
}
