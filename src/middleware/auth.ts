/**
 * API keys: with any key configured, every route but `/health` (and the playground page,
 * served before this check) needs `Authorization: Bearer KEY`. A key may be limited to
 * some models; the others then look as if they did not exist (404, hidden from
 * `/v1/models`), as OpenAI does for models a key cannot use.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { AuthenticationError } from "../errors.js";

export interface ApiKey {
  key: string;
  /** The models this key may use; every model when absent. */
  models?: string[];
  /** Whose threads the key's requests use (see `threads/owner.ts`); a name of its own for the key when absent. */
  tenant?: string;
  /**
   * A front end the operator trusts (Open WebUI's connection, say) to name its own users,
   * in `X-OpenWebUI-User-Id` or the body's `user`; within the key's tenant only (see `run/server-info.ts`).
   */
  frontEnd?: boolean;
}

declare module "hono" {
  interface ContextVariableMap {
    /** The models the caller's key may use; undefined means every model. */
    allowedModels: ReadonlySet<string> | undefined;
    /** The tenant of the caller's key; undefined when the server needs no key. */
    tenant: string | undefined;
    /** Whether the caller's key is a front end's, trusted to name its users. */
    frontEnd: boolean | undefined;
  }
}

/**
 * One `--api-key` value: `KEY`, `KEY@TENANT`, `KEY:model1,model2` or
 * `KEY@TENANT:model1,model2`. The first `:` and the `@` before it split, so a key
 * cannot contain either (OpenAI-style keys never do).
 */
export function parseApiKey(text: string): ApiKey {
  const colon = text.indexOf(":");
  const head = colon < 0 ? text : text.slice(0, colon);
  const at = head.indexOf("@");
  const key = (at < 0 ? head : head.slice(0, at)).trim();
  if (!key) throw new Error(`empty API key in '${text}'`);
  const tenant = at < 0 ? undefined : head.slice(at + 1).trim();
  if (tenant === "") throw new Error(`API key '${key.slice(0, 3)}...' names no tenant after '@'`);
  const withTenant = tenant === undefined ? { key } : { key, tenant };
  if (colon < 0) return withTenant;
  const models = text.slice(colon + 1).split(",").map((model) => model.trim()).filter(Boolean);
  if (models.length === 0) throw new Error(`API key '${key.slice(0, 3)}...' lists no model after ':'`);
  return { ...withTenant, models };
}

/**
 * `LANGGRAPH_OPENAI_API_KEYS`: plain keys separated by commas (`k1,k2`). Since a model
 * list also uses commas, entries with one are separated by `;` (`k1;k2:agent,chat`).
 */
export function parseApiKeysEnv(text: string): ApiKey[] {
  return text
    .split(";")
    .flatMap((part) => (part.includes(":") ? [part] : part.split(",")))
    .map((part) => part.trim())
    .filter(Boolean)
    .map(parseApiKey);
}

const digest = (text: string) => createHash("sha256").update(text).digest();

export function apiKeyAuth(keys: ApiKey[], options: { public: string[] }): MiddlewareHandler {
  // A key without a tenant is one of its own, named by its hash (the key itself must never reach a log or a database).
  const known = keys.map(({ key, models, tenant, frontEnd }) => ({
    hash: digest(key),
    models: models && new Set(models),
    tenant: tenant ?? `key-${digest(key).toString("hex").slice(0, 16)}`,
    frontEnd: frontEnd === true,
  }));
  const publicPaths = new Set(options.public);
  return async (c, next) => {
    // The app routes `/health/` as `/health` (not strict about a trailing slash).
    const path = c.req.path.length > 1 ? c.req.path.replace(/\/$/, "") : c.req.path;
    if (publicPaths.has(path) || c.req.method === "OPTIONS") return next();
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new AuthenticationError(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    }
    // Hashes have one length, so timingSafeEqual compares them; every key is tried, so
    // the time taken does not tell which key came close either.
    const hash = digest(match[1]!);
    let found: (typeof known)[number] | undefined;
    for (const candidate of known) if (timingSafeEqual(candidate.hash, hash) && !found) found = candidate;
    if (!found) throw new AuthenticationError();
    c.set("allowedModels", found.models);
    c.set("tenant", found.tenant);
    c.set("frontEnd", found.frontEnd);
    return next();
  };
}

/** Whether the caller's key may use (and see) this model. */
export function canUseModel(c: Context, model: string): boolean {
  const allowed = c.get("allowedModels");
  return allowed === undefined || allowed.has(model);
}

/**
 * Whether the request may name the user it acts for: a front end's key may, within its
 * tenant; so may anyone on a server that needs no key, where nothing is authenticated.
 */
export function mayNameUser(c: Context): boolean {
  return c.get("tenant") === undefined || c.get("frontEnd") === true;
}
