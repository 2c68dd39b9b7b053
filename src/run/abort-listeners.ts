/**
 * Lifts Node's limit of ten abort listeners from the signal a chat-model call of a run
 * gets. The openai SDK (under ChatOpenAI) adds a listener to that signal for every
 * request and never removes it (openai-node's `fetchWithTimeout`), so a node that
 * called its model more than ten times made Node warn of a leak
 * (`MaxListenersExceededWarning: 11 abort listeners added to [AbortSignal]`). The
 * listeners go with the signal when the node's step ends, so nothing outlives the run.
 * The signal is LangGraph's own for the step; the run sees it only in the call options
 * a callback handler gets at `handleChatModelStart` (`token-stream.ts` passes them here).
 */
import { setMaxListeners } from "node:events";

export function allowManyAbortListeners(callOptions: unknown): void {
  const signal = (callOptions as { signal?: unknown } | undefined)?.signal;
  if (signal instanceof AbortSignal) setMaxListeners(0, signal);
}
