/**
 * Answers to chat UIs' background requests, made without a model, in plain text as each
 * UI reads it: a title from the chat's first question, a summary listing what the user
 * asked, a translation left as it is (route translations to a model with `tasks` for a
 * real one), and the catalogue's fixed answer for requests a UI parses.
 */
import { titleFrom } from "../open-webui/task-answers.js";
import type { RecognizedRequest } from "./recognize.js";

/** NextChat asks for 200 words at most; the others for less than a page. */
const SUMMARY_WORDS = 200;

function summaryOf(questions: readonly string[]): string {
  if (questions.length === 0) return "";
  const words = `The user asked: ${questions.map((question) => question.replace(/\s+/g, " ").trim()).join("; ")}`.split(" ");
  return words.length > SUMMARY_WORDS ? `${words.slice(0, SUMMARY_WORDS).join(" ")}…` : words.join(" ");
}

export function answerBackgroundRequest(request: RecognizedRequest): string {
  if (request.reply !== undefined) return request.reply;
  switch (request.kind) {
    case "title":
      return titleFrom(request.questions[0] ?? "");
    case "summary":
      return summaryOf(request.questions);
    case "translation":
      return request.text;
    case "search":
    case "tags":
    case "follow_ups":
      return "";
  }
}
