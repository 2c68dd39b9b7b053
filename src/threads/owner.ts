/**
 * Whose a thread is. With API keys set, a thread id a client names is the id of a thread
 * of the caller's tenant: the name an operator gives a group of keys (`KEY@TENANT`), or
 * the key's own when it has none. With `scopeThreadsByUser`, also of the user a front
 * end's key forwards (Open WebUI's `X-OpenWebUI-User-Id`); another key's header is ignored. Another owner naming the same
 * id gets a thread of its own, never the other's. Without keys (and without user scoping)
 * a thread id is the LangGraph thread's id as is.
 *
 * Every protocol's thread ids go through `scopeThreadId` in one place (`openSession`); a
 * route that reads or deletes a thread by a client's id (`GET /v1/responses/{id}`)
 * applies `scopeThreadId(threadOwner(c), id)` the same way.
 */
import type { Context, MiddlewareHandler } from "hono";
import { mayNameUser } from "../middleware/auth.js";

declare module "hono" {
  interface ContextVariableMap {
    /** Whose threads the request's thread ids name; undefined when they are not scoped. */
    threadOwner: string | undefined;
  }
}

export const OPEN_WEBUI_USER_ID_HEADER = "x-openwebui-user-id";

export interface ThreadOwnerOptions {
  /** Scope threads by the user id a front end forwards in `X-OpenWebUI-User-Id` too. */
  scopeThreadsByUser?: boolean;
}

/** After the API key check: notes whose threads the request names. */
export function threadOwnerMiddleware(options: ThreadOwnerOptions): MiddlewareHandler {
  return async (c, next) => {
    const user = options.scopeThreadsByUser && mayNameUser(c) ? c.req.header(OPEN_WEBUI_USER_ID_HEADER)?.trim() || undefined : undefined;
    c.set("threadOwner", ownerName(c.get("tenant"), user));
    return next();
  };
}

/** `t=acme&u=42`: each part encoded, so no owner name contains the `/` that ends it in a scoped id. */
function ownerName(tenant: string | undefined, user: string | undefined): string | undefined {
  const parts: [string, string | undefined][] = [
    ["t", tenant],
    ["u", user],
  ];
  const named = parts.filter((part): part is [string, string] => part[1] !== undefined);
  return named.length ? named.map(([kind, name]) => `${kind}=${encodeURIComponent(name)}`).join("&") : undefined;
}

export function threadOwner(c: Context): string | undefined {
  return c.get("threadOwner");
}

/** The id under which the owner's thread `threadId` is kept: `t=acme/shared-1`, or `threadId` itself when unscoped. */
export function scopeThreadId(owner: string | undefined, threadId: string): string {
  return owner === undefined ? threadId : `${owner}/${threadId}`;
}
