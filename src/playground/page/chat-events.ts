/** What the page shows of a run, whichever route streams it. */
export type ChatEvent =
  | { type: "text"; text: string }
  /** The model's reasoning and the agent's steps, as lines to read. */
  | { type: "reasoning"; text: string }
  /** A graph node started. */
  | { type: "node"; name: string }
  | { type: "tool_call"; id: string; name: string }
  /** More of a tool call's arguments, as they stream. */
  | { type: "tool_args"; id: string; delta: string }
  | { type: "tool_result"; id: string; content: string }
  /** The graph stopped at `interrupt()`: the thread waits for an answer. */
  | { type: "interrupt" }
  | { type: "usage"; usage: Usage }
  | { type: "error"; message: string };

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatRequest {
  model: string;
  threadId: string;
  text: string;
}

/** Streams one answer to `request` on its thread. */
export type Transport = (request: ChatRequest, signal: AbortSignal) => AsyncGenerator<ChatEvent>;
