/**
 * `GET /v1/models` and `GET /v1/models/{id}`: every graph as an OpenAI model object.
 */
import { Hono } from "hono";
import { ModelNotFoundError } from "../errors.js";
import { canUseModel } from "../middleware/auth.js";
import type { Model } from "../protocols/chat-completions/schemas.js";
import type { ModelEntry, Registry } from "../registry.js";

function toModel(entry: ModelEntry): Model {
  const { name = entry.id, description, owned_by = "langgraph-openai" } = entry.settings;
  return { id: entry.id, object: "model", created: entry.created, owned_by, name, ...(description && { description }) };
}

export function modelRoutes(registry: Registry): Hono {
  const routes = new Hono();
  routes.get("/models", (c) =>
    c.json({ object: "list", data: [...registry.values()].filter((entry) => canUseModel(c, entry.id)).map(toModel) }),
  );
  routes.get("/models/:id{.+}", (c) => {
    const entry = registry.get(c.req.param("id"));
    if (!entry || !canUseModel(c, entry.id)) throw new ModelNotFoundError(c.req.param("id"));
    return c.json(toModel(entry));
  });
  return routes;
}
