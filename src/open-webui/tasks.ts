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
const KINDS_BY_NAME: Record<string, TaskKind> = {
  title_generation: "title",
  tags_generation: "tags",
  follow_up_generation: "follow_ups",
  query_generation: "queries",
  autocomplete_generation: "autocomplete",
  image_prompt_generation: "image_prompt",
  emoji_generation: "emoji",
  function_calling: "function_calling",
};

/** The JSON key each default template asks for. */
const KINDS_BY_KEY: Record<string, TaskKind> = {
  title: "title",
  tags: "tags",
  follow_ups: "follow_ups",
  queries: "queries",
  text: "autocomplete",
  prompt: "image_prompt",
  tool_calls: "function_calling",
};

const TASK_START = "### Task:";
const HISTORY = /<chat_history>\n?([\s\S]*?)\n?<\/chat_history>/;
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

/** The first JSON object the prompt shows (the format it asks for), if it parses. */
function exampleObject(prompt: string): Record<string, unknown> | undefined {
  for (let start = prompt.indexOf("{"); start >= 0; start = prompt.indexOf("{", start + 1)) {
    let depth = 0;
    for (let end = start; end < prompt.length; end += 1) {
      if (prompt[end] === "{") depth += 1;
      else if (prompt[end] === "}" && --depth === 0) {
        try {
          const value: unknown = JSON.parse(prompt.slice(start, end + 1));
          if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
        } catch {
          // Not JSON (a template variable, prose in braces): look further.
        }
        break;
      }
    }
  }
  return undefined;
}

function kindOfExample(example: Record<string, unknown> | undefined): TaskKind {
  const first = example && Object.keys(example)[0];
  return (first !== undefined && KINDS_BY_KEY[first]) || "json";
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
    const quoted = HISTORY.exec(text)?.[1];
    return quoted === undefined ? undefined : parseChatHistory(quoted);
  };
  if (taskHeader !== undefined) {
    const name = taskHeader.trim();
    if (name === "") return undefined;
    const example = exampleObject(prompt);
    // An operator's own template may quote the chat without the tags: its `USER:` lines will do.
    return { kind: KINDS_BY_NAME[name] ?? "generation", history: historyIn(prompt) ?? parseChatHistory(prompt), ...(example && { example }) };
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
