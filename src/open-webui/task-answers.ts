/**
 * Answers to Open WebUI's background tasks, made without a model: what each prompt asks
 * for, in the JSON Open WebUI parses (it reads from the first `{` to the last `}`).
 * Modest on purpose: a title from the first question, the last question as the search
 * query, no tags or completions; the follow-ups a pending interrupt offers.
 */
import type { ChatTurn, OpenWebUITask } from "./tasks.js";

/** Words in a title: the template asks for 2 to 4, a question's first six read well. */
const TITLE_WORDS = 6;
/** Longest search query taken from a question. */
const QUERY_LENGTH = 300;

function userTurns(history: readonly ChatTurn[]): string[] {
  return history.filter((turn) => turn.role === "user" && turn.text.trim() !== "").map((turn) => turn.text);
}

const CLOSING_PUNCTUATION = /[\s,.;:!?…-]/;

/** A title from a question: its first line's first words, without Markdown or the closing punctuation. */
export function titleFrom(text: string): string {
  const line = text.trim().split("\n", 1)[0] ?? "";
  const words = line.replace(/[#*_`>"“”]/g, " ").split(/\s+/).filter(Boolean);
  const title = words.slice(0, TITLE_WORDS).join(" ");
  // Walked back by hand: `/[...]+$/` retries from every character of a long run of them.
  let end = title.length;
  while (end > 0 && CLOSING_PUNCTUATION.test(title[end - 1]!)) end -= 1;
  return title.slice(0, end);
}

function oneLine(text: string, length: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > length ? line.slice(0, length).trimEnd() : line;
}

/** An empty value of the example's type, for a prompt that asks for JSON of its own. */
function emptyLike(value: unknown): unknown {
  if (Array.isArray(value)) return [];
  if (typeof value === "string") return "";
  if (typeof value === "number") return 0;
  if (typeof value === "boolean") return false;
  if (value !== null && typeof value === "object") return {};
  return null;
}

/**
 * The answer's text. `choices`: what a pending interrupt of the chat offers, suggested as
 * follow-ups (the user sends one with a click).
 */
export function answerTask(task: OpenWebUITask, choices: readonly string[] = []): string {
  const questions = userTurns(task.history);
  switch (task.kind) {
    case "title":
      return JSON.stringify({ title: titleFrom(questions[0] ?? "") });
    case "tags":
      return JSON.stringify({ tags: [] });
    case "follow_ups":
      return JSON.stringify({ follow_ups: choices });
    case "queries": {
      const query = oneLine(questions.at(-1) ?? "", QUERY_LENGTH);
      return JSON.stringify({ queries: query ? [query] : [] });
    }
    case "autocomplete":
      return JSON.stringify({ text: "" });
    case "image_prompt":
      return JSON.stringify({ prompt: oneLine(questions.at(-1) ?? "", QUERY_LENGTH) });
    case "emoji":
      return "🙂";
    case "function_calling":
      return JSON.stringify({ tool_calls: [] });
    case "json":
      return JSON.stringify(Object.fromEntries(Object.entries(task.example ?? {}).map(([key, value]) => [key, emptyLike(value)])));
    case "generation":
      throw new Error("a generation task needs a model's answer");
  }
}
