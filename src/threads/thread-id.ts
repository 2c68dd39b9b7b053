/**
 * Which thread a request continues: header `X-Thread-Id`, body `metadata.thread_id`, or
 * Open WebUI's `X-OpenWebUI-Chat-Id` (sent when its ENABLE_FORWARD_USER_INFO_HEADERS is
 * on), in that order. None means a stateless request. An empty header counts as absent:
 * Open WebUI sends `X-Thread-Id: ` when a header template's `{{CHAT_ID}}` has no chat.
 * An empty `metadata.thread_id` is a 400: a body field is written on purpose.
 */
import { InvalidRequestError } from "../errors.js";

export const THREAD_ID_HEADER = "x-thread-id";
export const OPEN_WEBUI_CHAT_ID_HEADER = "x-openwebui-chat-id";
const MAX_LENGTH = 256;
/** LangGraph's MemorySaver refuses these (they would reach Object.prototype). */
const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

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
    if (id === "" || id.length > MAX_LENGTH || /[\u0000-\u001f]/.test(id)) {
      throw new InvalidRequestError(`Invalid thread id in ${source}: expected 1 to ${MAX_LENGTH} printable characters.`, param);
    }
    if (RESERVED.has(id)) throw new InvalidRequestError(`Invalid thread id in ${source}: '${id}' is reserved.`, param);
    return id;
  }
  return undefined;
}
