/**
 * The conversation as it happens: the person's messages and each answer, whose text
 * streams in, with its steps and reasoning in a collapsible block, the tool calls and
 * their results, its usage and timings, and its error if it failed.
 */
import type { Usage } from "./chat-events.js";
import { el } from "./dom.js";

export class Transcript {
  constructor(private readonly list: HTMLElement) {}

  clear(): void {
    this.list.replaceChildren();
  }

  said(role: "user" | "assistant", text: string): void {
    this.list.append(el("li", { class: `message ${role}` }, el("div", { class: "text" }, text)));
    this.list.lastElementChild?.scrollIntoView({ block: "end" });
  }

  answer(): AnswerView {
    const view = new AnswerView();
    this.list.append(view.element);
    return view;
  }
}

export class AnswerView {
  readonly element = el("li", { class: "message assistant", "aria-live": "polite" });
  private readonly textElement = el("div", { class: "text" });
  private steps?: { details: HTMLDetailsElement; reasoning: HTMLPreElement; tools: HTMLUListElement };
  private readonly toolCalls = new Map<string, { args: HTMLElement; result: HTMLElement }>();
  private readonly started = performance.now();
  private firstOutput?: number;

  constructor() {
    this.element.append(this.textElement);
  }

  private output(): void {
    this.firstOutput ??= performance.now();
    this.element.scrollIntoView({ block: "end" });
  }

  private stepsBlock(): NonNullable<AnswerView["steps"]> {
    if (!this.steps) {
      const reasoning = el("pre", { class: "reasoning" });
      const tools = el("ul", { class: "tool-calls" });
      const details = el("details", { class: "steps" }, el("summary", {}, "Steps and reasoning"), reasoning, tools);
      this.element.insertBefore(details, this.textElement);
      this.steps = { details, reasoning, tools };
    }
    return this.steps;
  }

  text(text: string): void {
    this.output();
    this.textElement.textContent += text;
  }

  reasoning(text: string): void {
    this.output();
    this.stepsBlock().reasoning.textContent += text;
  }

  toolCall(id: string, name: string): void {
    this.output();
    const args = el("code", { class: "tool-args" });
    const result = el("div", { class: "tool-result" });
    this.toolCalls.set(id, { args, result });
    this.stepsBlock().tools.append(el("li", { class: "tool-call", "data-tool-call": id }, el("strong", {}, name), "(", args, ")", result));
  }

  toolArgs(id: string, delta: string): void {
    this.toolCalls.get(id)?.args.append(delta);
  }

  toolResult(id: string, content: string): void {
    const call = this.toolCalls.get(id);
    if (call) call.result.textContent = `→ ${content}`;
  }

  error(message: string): void {
    this.element.append(el("p", { class: "error", role: "alert" }, message));
  }

  /** Usage (when the route reported it) and timings, under the answer. */
  done(usage: Usage | undefined): void {
    const total = performance.now() - this.started;
    const parts = [
      ...(usage ? [`${usage.prompt_tokens} tokens in, ${usage.completion_tokens} out`] : []),
      ...(this.firstOutput !== undefined ? [`first output after ${Math.round(this.firstOutput - this.started)} ms`] : []),
      `${(total / 1000).toFixed(2)} s in all`,
    ];
    this.element.append(el("p", { class: "meta" }, parts.join(" · ")));
  }
}
