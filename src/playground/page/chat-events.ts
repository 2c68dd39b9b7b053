/** What the page shows of a run, whichever route streams it. */
export type ChatEvent =
  | { type: "text"; text: string }
  /** The model's reasoning, or progress the graph writes. */
  | { type: "reasoning"; text: string }
  /** A graph node started. */
  | { type: "node"; name: string }
  | { type: "tool_call"; id: string; name: string }
  /** More of a tool call's arguments, as they stream. */
  | { type: "tool_args"; id: string; delta: string }
  | { type: "tool_result"; id: string; content: string }
  /** The graph stopped at `interrupt()` to ask `question`: the thread waits for the answer. */
  | { type: "interrupt"; question: string }
  | { type: "usage"; usage: Usage }
  | { type: "error"; message: string };

/** Tokens over every model call of the run. */
export interface Usage {
  input: number;
  output: number;
}

export interface ChatRequest {
  model: string;
  threadId: string;
  text: string;
}
