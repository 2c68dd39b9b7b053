/**
 * Which thread a request continues: header `X-Thread-Id`, body `metadata.thread_id`, or
 * Open WebUI's `X-OpenWebUI-Chat-Id` (sent when its ENABLE_FORWARD_USER_INFO_HEADERS is
 * on), in that order. None means a stateless request. An empty header counts as absent:
 * Open WebUI sends `X-Thread-Id: ` when a header template's `{{CHAT_ID}}` has no chat.
 * An empty `metadata.thread_id` is a 400: a body field is written on purpose.
 */
import { InvalidRequestError } from "../errors.js";

const THREAD_ID_HEADER = "x-thread-id";
export const OPEN_WEBUI_CHAT_ID_HEADER = "x-openwebui-chat-id";
const MAX_THREAD_ID_LENGTH = 256;
/** LangGraph's MemorySaver refuses these (they would reach Object.prototype). */
const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

/** What is wrong with a client's name for a thread (any protocol's), if anything. */
export function threadIdProblem(id: string): string | undefined {
  if (id === "" || id.length > MAX_THREAD_ID_LENGTH || /[\u0000-\u001f]/.test(id)) return `expected 1 to ${MAX_THREAD_ID_LENGTH} printable characters`;
  if (RESERVED.has(id)) return `'${id}' is reserved`;
  return undefined;
}

export function threadIdOf(
  header: (name: string) => string | undefined,
  metadata: Record<string, string> | null | undefined,
): string | undefined {
  const candidates: [string, string | undefined][] = [
    ["X-Thread-Id", header(THREAD_ID_HEADER)],
    ["metadata.thread_id", metadata?.thread_id],
    ["X-OpenWebUI-Chat-Id", header(OPEN_WEBUI_CHAT_ID_HEADER)],
  ];
  for (const [source, value] of candidates) {
    const param = source === "metadata.thread_id" ? source : null;
    const id = value?.trim();
    if (id === undefined || (id === "" && param === null)) continue;
    const problem = threadIdProblem(id);
    if (problem) throw new InvalidRequestError(`Invalid thread id in ${source}: ${problem}.`, param);
    return id;
  }
  return undefined;
}
