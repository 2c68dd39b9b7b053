/**
 * Calls to the server with the API key the page was given: on a 401 the page asks for a
 * key once, keeps it in sessionStorage (gone when the tab closes), and tries again.
 */
import { byId } from "./dom.js";

const KEY_ITEM = "langgraph-openai.api-key";

export function storedKey(): string | undefined {
  return sessionStorage.getItem(KEY_ITEM) ?? undefined;
}

export function authHeaders(): Record<string, string> {
  const key = storedKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** Shows the key dialog with the server's reason; resolves with the key typed, or undefined on cancel. */
function askForKey(reason: string): Promise<string | undefined> {
  const dialog = byId<HTMLDialogElement>("key-dialog");
  const input = byId<HTMLInputElement>("key-input");
  byId("key-reason").textContent = reason;
  input.value = "";
  dialog.showModal();
  input.focus();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => resolve(dialog.returnValue === "use" && input.value.trim() ? input.value.trim() : undefined),
      { once: true },
    );
  });
}

/** The OpenAI-shaped error's message, or the status line when the body is not one. */
export async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === "string") return `${response.status}: ${message}`;
  } catch {
    // Not JSON: the status says enough.
  }
  return `${response.status} ${response.statusText}`.trim();
}

/** `fetch` with the key; a 401 asks for a key and tries again, until the person cancels. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const response = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...authHeaders() } });
    if (response.status !== 401) return response;
    const key = await askForKey(await errorMessage(response.clone()));
    if (key === undefined) return response;
    sessionStorage.setItem(KEY_ITEM, key);
  }
}

/** A JSON route's body; an error with the server's message when it answers otherwise. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await apiFetch(path);
  if (!response.ok) throw new Error(await errorMessage(response));
  return (await response.json()) as T;
}
