/**
 * How a request says it comes from Open WebUI. Its backend calls a connection with
 * `X-OpenWebUI-User-*` and `X-OpenWebUI-Chat-Id` when ENABLE_FORWARD_USER_INFO_HEADERS is
 * on, and with any header an operator adds to the connection, whose value may be one of
 * its variables: `{{CHAT_ID}}`, `{{TASK}}` (empty on a chat's own answer, the task's name
 * on a background task), `{{USER_ID}}`... (its `utils/headers.py`).
 */

/** The header we ask operators to add to the connection as `{"X-OpenWebUI-Task": "{{TASK}}"}`. */
export const TASK_HEADER = "x-openwebui-task";

const OPEN_WEBUI_HEADER_PREFIX = "x-openwebui-";

/** Whether the request carries any of Open WebUI's headers. */
export function fromOpenWebUI(headers: Headers): boolean {
  for (const name of headers.keys()) if (name.startsWith(OPEN_WEBUI_HEADER_PREFIX)) return true;
  return false;
}
