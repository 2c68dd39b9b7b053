/**
 * The playground: pick a model, chat on a thread, answer its interrupts, watch its graph,
 * read what the thread holds and copy the request as code.
 */
import { getJson, storedKey } from "./api.js";
import { agUiTransport, continueFromState, type StateMessage } from "./ag-ui.js";
import type { ChatEvent, ChatRequest, Usage } from "./chat-events.js";
import { byId, el, randomId } from "./dom.js";
import { GraphView, type GraphJson } from "./graph-view.js";
import { snippet, type SnippetKind } from "./snippets.js";
import { Transcript, type AnswerView } from "./transcript.js";

interface Model {
  id: string;
  name: string;
  description?: string;
}

interface ThreadState {
  next: string[];
  question: string | null;
  choices: string[];
  values: { messages?: StateMessage[] } & Record<string, unknown>;
}

const transcript = new Transcript(byId("transcript"));
const graphView = new GraphView(byId("graph"));
const composer = byId<HTMLFormElement>("composer");
const message = byId<HTMLTextAreaElement>("message");
let model: string | undefined;
let threadId = newThreadId();
/** The answer being streamed, to stop. */
let running: AbortController | undefined;

function newThreadId(): string {
  return `playground-${randomId()}`;
}

function showStatus(text: string): void {
  byId("status").textContent = text;
}

function request(text: string): ChatRequest {
  return { model: model ?? "", threadId, text };
}

function updateSnippet(): void {
  const kind = byId<HTMLSelectElement>("code-kind").value as SnippetKind;
  byId("code-text").textContent = snippet(kind, location.origin, request(message.value.trim() || "Hello"), storedKey() !== undefined);
}

async function loadModels(): Promise<void> {
  const list = byId("model-list");
  try {
    const { data } = await getJson<{ data: Model[] }>("/v1/models");
    list.replaceChildren(
      ...data.map((entry) =>
        el(
          "label",
          { class: "model" },
          // Another model is another conversation: its graph would not know this thread's.
          el("input", { type: "radio", name: "model", value: entry.id, onchange: () => void selectModel(entry.id).then(() => startThread(newThreadId())) }),
          ` ${entry.name}`,
          ...(entry.description ? [el("small", {}, entry.description)] : []),
        ),
      ),
    );
    const first = list.querySelector<HTMLInputElement>("input");
    if (!first) list.replaceChildren(el("p", { class: "muted" }, "This server serves no model."));
    else {
      first.checked = true;
      await selectModel(first.value);
    }
  } catch (error) {
    list.replaceChildren(el("p", { class: "error", role: "alert" }, (error as Error).message));
  }
}

async function selectModel(id: string): Promise<void> {
  model = id;
  updateSnippet();
  try {
    graphView.draw(await getJson<GraphJson>(`/graphs/${encodeURIComponent(id)}`));
  } catch (error) {
    byId("graph").replaceChildren(el("p", { class: "error", role: "alert" }, (error as Error).message));
  }
}

function startThread(id: string): void {
  threadId = id;
  byId("thread-id").textContent = id;
  transcript.clear();
  graphView.reset();
  hideInterrupt();
  byId("state-json").textContent = "Nothing yet: the thread starts with your first message.";
  updateSnippet();
}

function hideInterrupt(): void {
  byId("interrupt").hidden = true;
}

/** The question the thread waits on, with a button for each answer it offers. */
function showInterrupt(question: string, choices: readonly string[]): void {
  byId("interrupt-question").textContent = question;
  byId("interrupt-choices").replaceChildren(...choices.map((choice) => el("button", { type: "button", onclick: () => void send(choice) }, choice)));
  byId("interrupt").hidden = false;
  byId<HTMLInputElement>("interrupt-answer").value = "";
  (byId("interrupt-choices").querySelector("button") ?? byId("interrupt-answer")).focus();
}

/** Reads the thread as the checkpointer keeps it; a thread that does not exist yet is not an error. */
async function loadThreadState(): Promise<ThreadState | undefined> {
  if (!model) return undefined;
  try {
    const state = await getJson<ThreadState>(`/threads/${encodeURIComponent(threadId)}/state?model=${encodeURIComponent(model)}`);
    byId("state-json").textContent = JSON.stringify(state, null, 2);
    return state;
  } catch (error) {
    byId("state-json").textContent = (error as Error).message;
    return undefined;
  }
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === "object" && part && "text" in part ? String(part.text) : "")).join("");
  return JSON.stringify(content);
}

/** Continues a thread by id: its messages as the transcript, and its interrupt if it waits for one. */
async function openThread(id: string): Promise<void> {
  startThread(id);
  const state = await loadThreadState();
  continueFromState(id, state?.values.messages ?? []);
  for (const entry of state?.values.messages ?? []) {
    const text = contentText(entry.content);
    // An AI message that only calls tools has no text to show.
    if (text && (entry.type === "human" || entry.type === "ai")) transcript.said(entry.type === "human" ? "user" : "assistant", text);
  }
  if (state?.next.length) graphView.finished(state.next[0]);
  if (state?.question) showInterrupt(state.question, state.choices);
}

function apply(event: ChatEvent, view: AnswerView): void {
  switch (event.type) {
    case "text":
      return view.text(event.text);
    case "reasoning":
      return view.reasoning(event.text);
    case "node":
      graphView.running(event.name);
      return view.step(event.name);
    case "tool_call":
      return view.toolCall(event.id, event.name);
    case "tool_args":
      return view.toolArgs(event.id, event.delta);
    case "tool_result":
      return view.toolResult(event.id, event.content);
    case "error":
      return view.error(event.message);
    case "interrupt":
      return view.asks(event.question);
    case "usage":
      return;
  }
}

function setRunning(on: boolean): void {
  byId<HTMLButtonElement>("send").disabled = on;
  byId<HTMLButtonElement>("stop").disabled = !on;
}

async function send(text: string): Promise<void> {
  if (running || !model || !text.trim()) return;
  const controller = new AbortController();
  running = controller;
  setRunning(true);
  hideInterrupt();
  showStatus("");
  transcript.said("user", text);
  const view = transcript.answer();
  graphView.reset();
  let usage: Usage | undefined;
  let question: string | undefined;
  try {
    for await (const event of agUiTransport(request(text), controller.signal)) {
      if (event.type === "usage") usage = event.usage;
      if (event.type === "interrupt") question = event.question;
      apply(event, view);
    }
  } catch (error) {
    if (controller.signal.aborted) view.error("Stopped.");
    else view.error(`The connection failed: ${(error as Error).message}`);
  } finally {
    view.ended();
    running = undefined;
    setRunning(false);
  }
  const state = await loadThreadState();
  graphView.finished(state?.next[0]);
  // The thread's state says what the question offers; the stream alone still tells the question.
  question = state?.question ?? question;
  if (question) showInterrupt(question, state?.choices ?? []);
  // Last, once the graph and the thread's state show where the answer left them.
  view.done(usage);
}

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = message.value;
  message.value = "";
  void send(text);
});
message.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});
message.addEventListener("input", updateSnippet);
byId("interrupt-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void send(byId<HTMLInputElement>("interrupt-answer").value);
});
byId("new-chat").addEventListener("click", () => startThread(newThreadId()));
byId("stop").addEventListener("click", () => running?.abort());
byId("open-thread").addEventListener("submit", (event) => {
  event.preventDefault();
  void openThread(byId<HTMLInputElement>("open-thread-id").value.trim());
});
byId("code-kind").addEventListener("change", updateSnippet);
byId("copy-code").addEventListener("click", () => {
  const text = byId("code-text").textContent ?? "";
  // The clipboard exists only on https and loopback pages.
  const copying = navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject(new Error("no clipboard"));
  copying.then(
    () => showStatus(""),
    () => showStatus("This page cannot reach the clipboard: select the code and copy it."),
  );
});

startThread(threadId);
void loadModels();
