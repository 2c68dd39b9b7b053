/**
 * What LangGraph's server tells a graph about its run, where LangGraph.js reads it: in
 * `config.configurable`, `assistant_id` (here the model id: a model is an assistant)
 * and `graph_id` (the graph it serves), and the user as `langgraph_auth_user`
 * (`{ identity, ... }`), `langgraph_auth_user_id` and `user_id`; LangGraph 1.x builds
 * `runtime.serverInfo` (`assistantId`, `graphId`, `user`) from those, which we also set
 * for graphs whose LangGraph copy would not.
 *
 * The user is the one a front end forwards (Open WebUI's `X-OpenWebUI-User-*` headers),
 * else the request's `user`, else the API key's tenant. A client may claim any of the
 * first two: a graph that keeps data per user trusts them only behind such a front end,
 * and with several tenants namespaces by `tenant` too.
 */
import type { ModelEntry } from "../registry.js";
import { OPEN_WEBUI_USER_ID_HEADER } from "../threads/owner.js";

/** LangGraph's auth user (`BaseUser`): `identity` and `is_authenticated`, `display_name`, `permissions`, and what else we know. */
export interface RunUser {
  identity: string;
  is_authenticated: boolean;
  display_name?: string;
  email?: string;
  role?: string;
  /** The API key's tenant, when the server needs a key. */
  tenant?: string;
  permissions: string[];
}

export interface CallerSources {
  header: (name: string) => string | undefined;
  /** The request body's `user`. */
  requestUser?: string | null;
  tenant?: string;
}

/** Open WebUI sends the user's name URL-encoded (its names may hold any character). */
function decoded(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function runUser({ header, requestUser, tenant }: CallerSources): RunUser | undefined {
  const identity = header(OPEN_WEBUI_USER_ID_HEADER)?.trim() || requestUser?.trim() || tenant;
  if (!identity) return undefined;
  const user: RunUser = { identity, is_authenticated: tenant !== undefined, permissions: [] };
  const displayName = decoded(header("x-openwebui-user-name"));
  const email = header("x-openwebui-user-email");
  const role = header("x-openwebui-user-role");
  return { ...user, ...(displayName && { display_name: displayName }), ...(email && { email }), ...(role && { role }), ...(tenant && { tenant }) };
}

/**
 * The run's `configurable`: the user's id as `user_id` unless the model or the request
 * sets one (as on LangGraph's server), then theirs, then what the server sets.
 */
export function runConfigurable(entry: ModelEntry, user: RunUser | undefined, configurable: Record<string, unknown>): Record<string, unknown> {
  return {
    ...(user && { user_id: user.identity }),
    ...configurable,
    assistant_id: entry.id,
    graph_id: entry.graphId,
    ...(user && { langgraph_auth_user: user, langgraph_auth_user_id: user.identity, langgraph_auth_permissions: user.permissions }),
  };
}

/**
 * LangGraph's `runtime.serverInfo`, as its `ServerInfo` type has it. Written here: LangGraph
 * 1.0 exports no such type, and these declarations must type-check with every LangGraph
 * the package supports.
 */
export interface ServerInfo {
  readonly assistantId: string;
  readonly graphId: string;
  readonly user?: Record<string, any>;
}

export function serverInfo(entry: ModelEntry, user: RunUser | undefined): ServerInfo {
  return { assistantId: entry.id, graphId: entry.graphId, ...(user && { user }) };
}
