/**
 * Which thread a request continues: header `X-Thread-Id`, body `metadata.thread_id`, or
 * Open WebUI's `X-OpenWebUI-Chat-Id` (sent when its ENABLE_FORWARD_USER_INFO_HEADERS is
 * on), in that order. None means a stateless request.
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
    if (value === undefined) continue;
    const id = value.trim();
    const param = source === "metadata.thread_id" ? source : null;
    if (id === "" || id.length > MAX_LENGTH || /[\u0000-\u001f]/.test(id)) {
      throw new InvalidRequestError(`Invalid thread id in ${source}: expected 1 to ${MAX_LENGTH} printable characters.`, param);
    }
    if (RESERVED.has(id)) throw new InvalidRequestError(`Invalid thread id in ${source}: '${id}' is reserved.`, param);
    return id;
  }
  return undefined;
}
