/**
 * How a chat completions request on a named thread relates to the thread. Chat UIs
 * resend the whole conversation with every request (`history`: the thread runs what it
 * has not seen, or forks where the histories part). A client that keeps its conversation
 * on the server, as LangGraph's own API and SDK do, sends only the new input
 * (`continue`: the thread goes on from its latest state). The two cannot be told apart
 * by the messages alone: Open WebUI's edit of a first message arrives as one user
 * message, exactly as a `continue` client's next turn does. So:
 *
 * 1. the request says so: header `X-Thread-Mode` or `metadata.thread_mode`
 *    (`history` or `continue`);
 * 2. else a request from Open WebUI (it sends `X-OpenWebUI-Chat-Id`) is `history`, as
 *    Open WebUI always resends the chat;
 * 3. else the model's `thread_mode` setting;
 * 4. else `history`, which is what every chat UI needs.
 */
import { THREAD_MODES, type ModelSettings, type ThreadMode } from "../config.js";
import { InvalidRequestError } from "../errors.js";
import type { ThreadRequest } from "./session.js";
import { OPEN_WEBUI_CHAT_ID_HEADER } from "./thread-id.js";

const THREAD_MODE_HEADER = "x-thread-mode";

function explicitMode(header: (name: string) => string | undefined, metadata: Record<string, string> | null | undefined): ThreadMode | undefined {
  const candidates: [source: string, value: string | undefined][] = [
    ["X-Thread-Mode", header(THREAD_MODE_HEADER)],
    ["metadata.thread_mode", metadata?.thread_mode],
  ];
  for (const [source, value] of candidates) {
    if (value === undefined) continue;
    const mode = value.trim().toLowerCase();
    if ((THREAD_MODES as readonly string[]).includes(mode)) return mode as ThreadMode;
    const param = source === "metadata.thread_mode" ? source : null;
    throw new InvalidRequestError(`Invalid thread mode in ${source}: expected 'history' or 'continue', got '${value}'.`, param);
  }
  return undefined;
}

/** The thread request of a chat completion: stateless without a thread id, else by the rule above. */
export function chatThreadRequest(
  threadId: string | undefined,
  header: (name: string) => string | undefined,
  metadata: Record<string, string> | null | undefined,
  settings: ModelSettings,
): ThreadRequest {
  const explicit = explicitMode(header, metadata);
  if (threadId === undefined) {
    if (explicit === "continue") {
      throw new InvalidRequestError(
        "Thread mode 'continue' needs a thread to continue: name one in the X-Thread-Id header or metadata.thread_id.",
        header(THREAD_MODE_HEADER) === undefined ? "metadata.thread_mode" : null,
      );
    }
    return { mode: "stateless" };
  }
  const fromOpenWebUI = header(OPEN_WEBUI_CHAT_ID_HEADER) !== undefined;
  const mode = explicit ?? (fromOpenWebUI ? "history" : (settings.thread_mode ?? "history"));
  return { mode, threadId };
}
