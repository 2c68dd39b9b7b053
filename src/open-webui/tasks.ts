/**
 * Open WebUI's background tasks: a chat's title, tags, follow-up suggestions, search
 * queries, autocompletion (its `routers/tasks.py`). Each is a request to the chat's model
 * with one user message, a prompt from a template that starts with `### Task:` and quotes
 * the chat inside `<chat_history>` as `USER: ...` / `ASSISTANT: ...` lines, and asks for a
 * JSON object. Operators may rewrite the templates, so a task is recognised by that
 * structure and the JSON it asks for, or by the `{{TASK}}` header (`request.ts`).
 */
import type { BaseMessage } from "@langchain/core/messages";

export type TaskKind =
  | "title"
  | "tags"
  | "follow_ups"
  | "queries"
  | "autocomplete"
  | "image_prompt"
  | "emoji"
  | "function_calling"
  /** A prompt of the task's structure that asks for JSON of its own: answered with its keys, empty. */
  | "json"
  /** A task that needs a real answer (Open WebUI's mixture of agents): never answered by us. */
  | "generation";

export interface ChatTurn {
  /** As the prompt names it: `user`, `assistant`, `system`... */
  role: string;
  text: string;
}

export interface OpenWebUITask {
  kind: TaskKind;
  /** The chat as the prompt quotes it, oldest first (the last few messages). */
  history: ChatTurn[];
  /** For `json`: the example object the prompt asks for. */
  example?: Record<string, unknown>;
}

/** Open WebUI's task names (`TASKS` in its `constants.py`), as `{{TASK}}` sends them. */
const KINDS_BY_NAME = new Map<string, TaskKind>([
  ["title_generation", "title"],
  ["tags_generation", "tags"],
  ["follow_up_generation", "follow_ups"],
  ["query_generation", "queries"],
  ["autocomplete_generation", "autocomplete"],
  ["image_prompt_generation", "image_prompt"],
  ["emoji_generation", "emoji"],
  ["function_calling", "function_calling"],
]);

/** The JSON key each default template asks for. */
const KINDS_BY_KEY = new Map<string, TaskKind>([
  ["title", "title"],
  ["tags", "tags"],
  ["follow_ups", "follow_ups"],
  ["queries", "queries"],
  ["text", "autocomplete"],
  ["prompt", "image_prompt"],
  ["tool_calls", "function_calling"],
]);

const TASK_START = "### Task:";
const HISTORY_OPEN = "<chat_history>";
const HISTORY_CLOSE = "</chat_history>";

/** Where `<chat_history>...</chat_history>` is in the prompt: the whole of it, and the chat it quotes. */
function chatHistorySpan(prompt: string): { start: number; end: number; quoted: string } | undefined {
  const start = prompt.indexOf(HISTORY_OPEN);
  if (start < 0) return undefined;
  const close = prompt.indexOf(HISTORY_CLOSE, start + HISTORY_OPEN.length);
  if (close < 0) return undefined;
  const quoted = prompt.slice(start + HISTORY_OPEN.length, close).replace(/^\n/, "").replace(/\n$/, "");
  return { start, end: close + HISTORY_CLOSE.length, quoted };
}
const TURN_START = /^([A-Z]+): ?(.*)$/;

/** The `USER: ...` / `ASSISTANT: ...` lines of `{{MESSAGES}}`; a message's text may span lines. */
export function parseChatHistory(quoted: string): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const line of quoted.split("\n")) {
    const start = TURN_START.exec(line);
    if (start && ["USER", "ASSISTANT", "SYSTEM", "TOOL", "DEVELOPER"].includes(start[1]!)) {
      turns.push({ role: start[1]!.toLowerCase(), text: start[2]! });
    } else if (turns.length > 0) {
      turns.at(-1)!.text += `\n${line}`;
    }
  }
  return turns.map((turn) => ({ ...turn, text: turn.text.trim() }));
}

/** Open WebUI's examples are a line each; a prompt is the client's, so the search for one is bounded. */
const MAX_EXAMPLES_TRIED = 8;
const MAX_EXAMPLE_LENGTH = 4096;

/** Where the object opening at `start` closes (strings skipped), if it closes within `MAX_EXAMPLE_LENGTH`. */
function closingBrace(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  const end = Math.min(text.length, start + MAX_EXAMPLE_LENGTH);
  for (let index = start; index < end; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{") depth += 1;
    else if (char === "}" && --depth === 0) return index;
  }
  return undefined;
}

/** The first JSON object the prompt shows outside its quoted chat (the format it asks for), if it parses. */
function exampleObject(prompt: string): Record<string, unknown> | undefined {
  const quoted = chatHistorySpan(prompt);
  const text = quoted ? prompt.slice(0, quoted.start) + prompt.slice(quoted.end) : prompt;
  let tried = 0;
  for (let start = text.indexOf("{"); start >= 0 && tried < MAX_EXAMPLES_TRIED; start = text.indexOf("{", start + 1)) {
    tried += 1;
    const end = closingBrace(text, start);
    if (end === undefined) continue;
    try {
      const value: unknown = JSON.parse(text.slice(start, end + 1));
      if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // Not JSON (a template variable, prose in braces): look further.
    }
  }
  return undefined;
}

function kindOfExample(example: Record<string, unknown> | undefined): TaskKind {
  const first = example && Object.keys(example)[0];
  return (first !== undefined && KINDS_BY_KEY.get(first)) || "json";
}

/**
 * Open WebUI's legacy tool choice (`function_calling: "legacy"`): a system prompt listing
 * the tools and asking for `{"tool_calls": [...]}`, then `Query: ...`.
 */
function isToolChoice(messages: readonly BaseMessage[]): boolean {
  if (messages.length !== 2 || messages[0]!.getType() !== "system" || messages[1]!.getType() !== "human") return false;
  const system = messages[0]!.text.trimStart();
  return system.startsWith("Available Tools:") && system.includes('"tool_calls"') && /^(History:|Query:)/.test(messages[1]!.text.trimStart());
}

/**
 * The task this request is, or undefined for a chat's own message. `taskHeader` is the
 * `{{TASK}}` header's value: when an operator sends it, it decides (empty on a chat's own
 * answer); otherwise the request's structure does.
 */
export function recognizeTask(messages: readonly BaseMessage[], taskHeader: string | undefined): OpenWebUITask | undefined {
  const last = messages.at(-1);
  const prompt = last?.getType() === "human" ? last.text : "";
  const historyIn = (text: string) => {
    const quoted = chatHistorySpan(text)?.quoted;
    return quoted === undefined ? undefined : parseChatHistory(quoted);
  };
  if (taskHeader !== undefined) {
    const name = taskHeader.trim();
    if (name === "") return undefined;
    const example = exampleObject(prompt);
    // An operator's own template may quote the chat without the tags: its `USER:` lines will do.
    return { kind: KINDS_BY_NAME.get(name) ?? "generation", history: historyIn(prompt) ?? parseChatHistory(prompt), ...(example && { example }) };
  }
  if (isToolChoice(messages)) return { kind: "function_calling", history: [] };
  // A task is one user message, after the model's own system prompt if it has one.
  if (!prompt.trimStart().startsWith(TASK_START)) return undefined;
  if (!messages.slice(0, -1).every((message) => message.getType() === "system")) return undefined;
  // Open WebUI's RAG template starts with `### Task:` too, but quotes `<context>`, never a chat history.
  const history = historyIn(prompt);
  if (history === undefined) return undefined;
  const example = exampleObject(prompt);
  return { kind: kindOfExample(example), history, ...(example && { example }) };
}
