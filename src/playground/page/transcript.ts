/**
 * The conversation as it happens: the person's messages and each answer, whose text
 * streams in, with what the graph did on the way in a collapsible block (each node as it
 * starts, the model's reasoning, the tool calls and their results, in order), the
 * question it stopped at, its usage and timings, and its error if it failed.
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
  private trace?: HTMLOListElement;
  /** The reasoning being streamed, until something else happens. */
  private reasoningElement?: HTMLElement;
  private readonly toolCalls = new Map<string, { args: HTMLElement; result: HTMLElement }>();
  private readonly started = performance.now();
  private firstOutput?: number;
  private finished?: number;

  constructor() {
    this.element.append(this.textElement);
  }

  private output(): void {
    this.firstOutput ??= performance.now();
    this.element.scrollIntoView({ block: "end" });
  }

  /** Adds a line to the steps block, made on first use. */
  private traced(line: HTMLElement): HTMLElement {
    if (!this.trace) {
      this.trace = el("ol", { class: "trace" });
      this.element.insertBefore(el("details", { class: "steps" }, el("summary", {}, "Steps and reasoning"), this.trace), this.textElement);
    }
    this.reasoningElement = undefined;
    this.trace.append(line);
    return line;
  }

  text(text: string): void {
    this.output();
    this.textElement.textContent += text;
  }

  step(node: string): void {
    this.traced(el("li", { class: "step" }, "Step: ", el("strong", {}, node)));
  }

  reasoning(text: string): void {
    this.output();
    if (!this.reasoningElement) {
      const line = this.traced(el("li", { class: "reasoning" }));
      this.reasoningElement = line;
    }
    this.reasoningElement.textContent += text;
  }

  toolCall(id: string, name: string): void {
    this.output();
    const args = el("code", { class: "tool-args" });
    const result = el("div", { class: "tool-result" });
    this.toolCalls.set(id, { args, result });
    this.traced(el("li", { class: "tool-call", "data-tool-call": id }, "Calls ", el("strong", {}, name), "(", args, ")", result));
  }

  toolArgs(id: string, delta: string): void {
    this.toolCalls.get(id)?.args.append(delta);
  }

  toolResult(id: string, content: string): void {
    const call = this.toolCalls.get(id);
    if (call) call.result.textContent = `→ ${content}`;
  }

  asks(question: string): void {
    this.element.append(el("p", { class: "question" }, question));
  }

  error(message: string): void {
    this.element.append(el("p", { class: "error", role: "alert" }, message));
  }

  /** The stream ended: the answer's time stops here. */
  ended(): void {
    this.finished = performance.now();
  }

  /** Usage (when the route reported it) and timings, under the answer. */
  done(usage: Usage | undefined): void {
    const total = (this.finished ?? performance.now()) - this.started;
    const parts = [
      ...(usage ? [`${usage.input} tokens in, ${usage.output} out`] : []),
      ...(this.firstOutput !== undefined ? [`first output after ${Math.round(this.firstOutput - this.started)} ms`] : []),
      `${(total / 1000).toFixed(2)} s in all`,
    ];
    this.element.append(el("p", { class: "meta" }, parts.join(" · ")));
  }
}
