/**
 * RunEvents -> the Responses API's stream events, numbered in one place, and their fold
 * into one `response` object. Streaming sends the events; the non-streamed answer is
 * the response the last event carries, built from the same events, so the two agree.
 *
 * Output items, in the order the run makes them:
 * - `message`: the text for the user (tokens, node messages, an interrupt's question);
 * - `reasoning`: what the agent does on the way, one summary part per step (the line
 *   `describeStep` writes) or per stretch of a model's own reasoning: clients (the AI
 *   SDK, ChatOpenAI, Codex) show reasoning summaries;
 * - `function_call`: calls the graph left to the client, once the run has ended.
 * Ids come from `ResponseMeta.itemId`, decided outside the renderer.
 */
import { convertLangChainToolCallToOpenAI } from "@langchain/core/output_parsers/openai_tools";
import type { ApiError } from "../../errors.js";
import type { SseFormat } from "../../http/respond.js";
import { describeStep } from "../../run/describe-step.js";
import { clientName } from "./namespaces.js";
import type { Interrupt, RunEvent, Usage } from "../../run/events.js";
import type {
  ErrorEvent,
  FunctionCall,
  OutputItem,
  OutputMessage,
  Reasoning,
  Response,
  ResponseEvent,
  ResponseUsage,
  UnnumberedEvent,
} from "./schemas.js";

export interface ResponseMeta {
  /** The response as created: id, model and the request's settings, `output` empty. */
  response: Response;
  /** The id of the item at `outputIndex` of this response's output. */
  itemId(kind: "msg" | "fc" | "rs", outputIndex: number): string;
}

function toResponseUsage(usage: Usage): ResponseUsage {
  return {
    input_tokens: usage.input_tokens,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: usage.output_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total_tokens,
  };
}

/** Where the renderer is: what `error` needs after a failure, numbering included. */
interface RenderState {
  sequence: number;
  response: Response;
}

type Open =
  | { kind: "message"; index: number; item: OutputMessage; text: string }
  | { kind: "reasoning"; index: number; item: Reasoning; part?: { source: "reasoning" | "step"; text: string } };

const isSeparator = (text: string) => text.trim() === "";

/** The response's events for one run; `sse` frames them and its failure. */
export function responseRenderer(meta: ResponseMeta): { render(events: AsyncIterable<RunEvent>): AsyncGenerator<ResponseEvent>; sse: SseFormat<ResponseEvent> } {
  const state: RenderState = { sequence: 0, response: meta.response };
  const clientNameOf = clientName(meta.response.tools);
  const number = (event: UnnumberedEvent): ResponseEvent => ({ ...event, sequence_number: state.sequence++ }) as ResponseEvent;
  const snapshot = (fields: Partial<Response> = {}): Response => ({ ...state.response, output: [...state.response.output], ...fields });

  async function* render(events: AsyncIterable<RunEvent>): AsyncGenerator<ResponseEvent> {
    const output: OutputItem[] = [];
    let open: Open | undefined;
    let started = false;
    let truncated = false;
    let interrupts: Interrupt[] | undefined;
    let usage: ResponseUsage = toResponseUsage({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });

    function* start(): Generator<ResponseEvent> {
      if (started) return;
      started = true;
      yield number({ type: "response.created", response: snapshot() });
      yield number({ type: "response.in_progress", response: snapshot() });
    }
    function* closePart(): Generator<ResponseEvent> {
      if (open?.kind !== "reasoning" || !open.part) return;
      const summaryIndex = open.item.summary.length;
      const at = { item_id: open.item.id, output_index: open.index, summary_index: summaryIndex };
      yield number({ type: "response.reasoning_summary_text.done", ...at, text: open.part.text });
      yield number({ type: "response.reasoning_summary_part.done", ...at, part: { type: "summary_text", text: open.part.text } });
      open.item.summary.push({ type: "summary_text", text: open.part.text });
      open.part = undefined;
    }
    function* close(status: "completed" | "incomplete" = "completed"): Generator<ResponseEvent> {
      if (!open) return;
      let item: OutputItem;
      if (open.kind === "message") {
        const part = { type: "output_text" as const, text: open.text, annotations: [], logprobs: [] };
        const at = { item_id: open.item.id, output_index: open.index, content_index: 0 };
        yield number({ type: "response.output_text.done", ...at, text: open.text, logprobs: [] });
        yield number({ type: "response.content_part.done", ...at, part });
        item = { ...open.item, status, content: [part] };
      } else {
        yield* closePart();
        item = { ...open.item, status: "completed" };
      }
      yield number({ type: "response.output_item.done", output_index: open.index, item });
      output.push(item);
      state.response = snapshot({ output: [...output] });
      open = undefined;
    }
    function* openItem(kind: Open["kind"]): Generator<ResponseEvent> {
      yield* close();
      const index = output.length;
      if (kind === "message") {
        const item: OutputMessage = { type: "message", id: meta.itemId("msg", index), status: "in_progress", role: "assistant", content: [] };
        open = { kind, index, item, text: "" };
        yield number({ type: "response.output_item.added", output_index: index, item: { ...item, content: [] } });
        yield number({ type: "response.content_part.added", item_id: item.id, output_index: index, content_index: 0, part: { type: "output_text", text: "", annotations: [], logprobs: [] } });
      } else {
        const item: Reasoning = { type: "reasoning", id: meta.itemId("rs", index), summary: [], status: "in_progress" };
        open = { kind, index, item };
        yield number({ type: "response.output_item.added", output_index: index, item: { ...item, summary: [] } });
      }
    }
    function* reason(source: "reasoning" | "step", text: string): Generator<ResponseEvent> {
      if (open?.kind !== "reasoning") yield* openItem("reasoning");
      const reasoning = open as Extract<Open, { kind: "reasoning" }>;
      if (reasoning.part && (reasoning.part.source !== source || source === "step")) yield* closePart();
      const at = { item_id: reasoning.item.id, output_index: reasoning.index, summary_index: reasoning.item.summary.length };
      if (!reasoning.part) {
        reasoning.part = { source, text: "" };
        yield number({ type: "response.reasoning_summary_part.added", ...at, part: { type: "summary_text", text: "" } });
      }
      reasoning.part.text += text;
      yield number({ type: "response.reasoning_summary_text.delta", ...at, delta: text });
    }
    function* functionCalls(calls: Extract<RunEvent, { type: "tool_calls" }>["toolCalls"]): Generator<ResponseEvent> {
      yield* close();
      for (const call of calls) {
        const { function: fn } = convertLangChainToolCallToOpenAI(call);
        const index = output.length;
        const named = clientNameOf(fn.name);
        const item: FunctionCall = { type: "function_call", id: meta.itemId("fc", index), call_id: call.id, ...named, arguments: "", status: "in_progress" };
        const at = { item_id: item.id, output_index: index };
        yield number({ type: "response.output_item.added", output_index: index, item });
        yield number({ type: "response.function_call_arguments.delta", ...at, delta: fn.arguments });
        yield number({ type: "response.function_call_arguments.done", ...at, name: named.name, arguments: fn.arguments });
        const done: FunctionCall = { ...item, arguments: fn.arguments, status: "completed" };
        yield number({ type: "response.output_item.done", output_index: index, item: done });
        output.push(done);
        state.response = snapshot({ output: [...output] });
      }
    }

    for await (const event of events) {
      // The first event is awaited before anything is sent, so a graph that fails at
      // once still answers with a plain HTTP error (see `respondStream`).
      yield* start();
      switch (event.type) {
        case "text":
          // The blank line between two AI messages: between items, the items separate them.
          if (open?.kind !== "message" && output.length > 0 && isSeparator(event.text)) break;
          if (open?.kind !== "message") yield* openItem("message");
          (open as Extract<Open, { kind: "message" }>).text += event.text;
          yield number({ type: "response.output_text.delta", item_id: open!.item.id, output_index: open!.index, content_index: 0, delta: event.text, logprobs: [] });
          break;
        case "reasoning":
          yield* reason("reasoning", event.text);
          break;
        case "step":
          yield* reason("step", describeStep(event.step));
          break;
        case "tool_calls":
          yield* functionCalls(event.toolCalls);
          break;
        case "truncated":
          truncated = true;
          yield* close("incomplete");
          break;
        case "interrupt":
          interrupts = event.interrupts;
          break;
        case "usage":
          usage = toResponseUsage(event.usage);
          break;
      }
    }
    yield* start();
    yield* close();
    const final = snapshot({
      status: truncated ? "incomplete" : "completed",
      completed_at: Math.floor(Date.now() / 1000),
      incomplete_details: truncated ? { reason: "max_output_tokens" } : null,
      output,
      usage,
      ...(interrupts && { interrupts }),
    });
    state.response = final;
    yield number({ type: truncated ? "response.incomplete" : "response.completed", response: final });
  }

  const frame = (event: { type: string }) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  const sse: SseFormat<ResponseEvent> = {
    event: frame,
    // Responses streams end with their last event; there is no `[DONE]`.
    end: "",
    // `error` first: openai-node raises it (and so ChatOpenAI and the Agents SDK do), and
    // the AI SDK reports it once; then `response.failed`, the response's own end, for
    // clients that read the lifecycle (Codex, the Agents SDK's raw events).
    error: (error: ApiError) => {
      const errorEvent: ErrorEvent = {
        type: "error",
        code: error.code,
        message: error.message,
        param: error.param,
        error: { type: error.type, code: error.code, message: error.message, param: error.param },
        sequence_number: state.sequence++,
      };
      const failed = snapshot({
        status: "failed",
        error: { code: error.status === 429 ? "rate_limit_exceeded" : "server_error", message: error.message },
      });
      return frame(errorEvent) + frame(number({ type: "response.failed", response: failed }));
    },
  };
  return { render, sse };
}

/** The non-streamed response: the one the stream's last event carries. */
export async function foldResponseEvents(events: AsyncIterable<ResponseEvent>): Promise<Response> {
  let response: Response | undefined;
  for await (const event of events) {
    if (event.type === "response.completed" || event.type === "response.incomplete") response = event.response;
  }
  if (!response) throw new Error("foldResponseEvents: the events ended without a response");
  return response;
}
