/**
 * The chat request as nodes see it: the client's tools, tool_choice, sampling
 * parameters, user and metadata ride in the run's config, so a graph can bind the
 * client's tools to its model or honour its temperature (`bindChatRequest` does both).
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import type { ChatCompletionRequest } from "../protocols/chat-completions/schemas.js";

/** Everything the client asked for but the messages (which become the graph's input). */
export type ChatRequestContext = Pick<
  ChatCompletionRequest,
  | "model"
  | "tools"
  | "tool_choice"
  | "parallel_tool_calls"
  | "temperature"
  | "top_p"
  | "max_tokens"
  | "max_completion_tokens"
  | "stop"
  | "presence_penalty"
  | "frequency_penalty"
  | "seed"
  | "user"
  | "metadata"
  | "response_format"
  | "reasoning_effort"
> &
  Record<string, unknown>;

export const REQUEST_CONFIG_KEY = "openai_request";

/** Where the run's config carries the request's logger, for what the server tells an operator about a node's doing. */
export const REQUEST_LOG_CONFIG_KEY = "openai_request_log";

/** The part of a pino logger the run needs. */
export interface RequestLog {
  debug(details: object, message: string): void;
}

export function toRequestContext(request: ChatCompletionRequest): ChatRequestContext {
  // `configurable` and `context` reach the graph where LangGraph puts them, `state` in its input (run-settings.ts).
  const { messages: _messages, stream: _stream, stream_options: _streamOptions, configurable: _configurable, context: _context, state: _state, ...rest } = request;
  return rest;
}

/** Inside a node: `getChatRequest(config)?.tools`. Undefined when the graph runs outside the server. */
export function getChatRequest(config: RunnableConfig | undefined): ChatRequestContext | undefined {
  return config?.configurable?.[REQUEST_CONFIG_KEY] as ChatRequestContext | undefined;
}

/** The request's logger (the server's, with the request's id), or undefined outside the server. */
export function getRequestLog(config: RunnableConfig | undefined): RequestLog | undefined {
  return config?.configurable?.[REQUEST_LOG_CONFIG_KEY] as RequestLog | undefined;
}
