/**
 * The chat request as nodes see it: the client's tools, tool_choice, sampling
 * parameters, user and metadata ride in the run's config, so a graph can bind the
 * client's tools to its model or honour its temperature (`bindChatRequest` does both).
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import type { ChatRequestContext } from "./chat-request-schema.js";

export type { ChatRequestContext };

export const REQUEST_CONFIG_KEY = "openai_request";

/** Where the run's config carries the request's logger, for what the server tells an operator about a node's doing. */
export const REQUEST_LOG_CONFIG_KEY = "openai_request_log";

/** The part of a pino logger the run needs. */
export interface RequestLog {
  debug(details: object, message: string): void;
}

/** Inside a node: `getChatRequest(config)?.tools`. Undefined when the graph runs outside the server. */
export function getChatRequest(config: RunnableConfig | undefined): ChatRequestContext | undefined {
  return config?.configurable?.[REQUEST_CONFIG_KEY] as ChatRequestContext | undefined;
}

/** The request's logger (the server's, with the request's id), or undefined outside the server. */
export function getRequestLog(config: RunnableConfig | undefined): RequestLog | undefined {
  return config?.configurable?.[REQUEST_LOG_CONFIG_KEY] as RequestLog | undefined;
}
