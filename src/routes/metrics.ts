/**
 * `GET /metrics`: Prometheus text format. Behind the API key like every route but
 * `/health`, and only for keys not limited to some models, since it names every model.
 */
import type { Context } from "hono";
import type { Registry } from "prom-client";
import { UnknownUrlError } from "../errors.js";

export function metricsRoute(registry: Registry) {
  return async (c: Context): Promise<Response> => {
    if (c.get("allowedModels") !== undefined) throw new UnknownUrlError(c.req.method, c.req.path);
    return c.body(await registry.metrics(), 200, { "Content-Type": registry.contentType });
  };
}
