/**
 * What LangGraph's server tells a graph about its run, where LangGraph.js reads it: in
 * `config.configurable`, `assistant_id` (here the model id: a model is an assistant)
 * and `graph_id` (the graph it serves), and the user as `langgraph_auth_user`
 * (`{ identity, ... }`), `langgraph_auth_user_id` and `user_id`; LangGraph 1.x builds
 * `runtime.serverInfo` (`assistantId`, `graphId`, `user`) from those, which we also set
 * for graphs whose LangGraph copy would not.
 *
 * Who the user is comes from the API key, never from what a request claims alone:
 * - a key's requests act as its tenant (`identity` is the tenant's name);
 * - a front end's key (`--front-end-key`) may name its user, in Open WebUI's
 *   `X-OpenWebUI-User-*` headers or the body's `user`, within its tenant only: `identity`
 *   is `TENANT:USER` (a tenant's name holds no `:`, so no user can be named as a tenant);
 * - another key's claim is kept as `claimed_user`, marked unauthenticated, for a graph to
 *   show but never to key data by;
 * - with no keys nothing is authenticated, and the claimed user is the identity as it is.
 */
import type { ModelEntry } from "../registry.js";
import { OPEN_WEBUI_USER_ID_HEADER } from "../threads/owner.js";

/** What a caller says of its user: Open WebUI's forwarded profile, or the body's `user`. */
export interface ClaimedUser {
  identity: string;
  is_authenticated: false;
  display_name?: string;
  email?: string;
  role?: string;
}

/** LangGraph's auth user (`BaseUser`): `identity` and `is_authenticated`, `display_name`, `permissions`, and what else we know. */
export interface RunUser {
  identity: string;
  is_authenticated: boolean;
  display_name?: string;
  email?: string;
  role?: string;
  /** The API key's tenant, when the server needs a key. */
  tenant?: string;
  /** The user a front end's key names, within `tenant` (`identity` is `TENANT:USER`). */
  user?: string;
  /** What a key that is not a front end's claimed: a hint, never the identity. */
  claimed_user?: ClaimedUser;
  permissions: string[];
}

export interface CallerSources {
  header: (name: string) => string | undefined;
  /** The request body's `user`. */
  requestUser?: string | null;
  /** The API key's tenant; undefined when the server needs no key. */
  tenant?: string;
  /** Whether the key is a front end's, trusted to name its users within its tenant. */
  frontEnd?: boolean;
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

function claimedUser({ header, requestUser }: CallerSources): ClaimedUser | undefined {
  const identity = header(OPEN_WEBUI_USER_ID_HEADER)?.trim() || requestUser?.trim();
  if (!identity) return undefined;
  const displayName = decoded(header("x-openwebui-user-name"));
  const email = header("x-openwebui-user-email");
  const role = header("x-openwebui-user-role");
  return { identity, is_authenticated: false, ...(displayName && { display_name: displayName }), ...(email && { email }), ...(role && { role }) };
}

export function runUser(sources: CallerSources): RunUser | undefined {
  const { tenant, frontEnd } = sources;
  const claimed = claimedUser(sources);
  if (tenant === undefined) return claimed && { ...claimed, permissions: [] };
  const authenticated = { is_authenticated: true, tenant, permissions: [] };
  if (!claimed) return { identity: tenant, ...authenticated };
  if (!frontEnd) return { identity: tenant, ...authenticated, claimed_user: claimed };
  const { identity: user, is_authenticated: _claimed, ...profile } = claimed;
  return { identity: `${tenant}:${user}`, ...profile, ...authenticated, user };
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
