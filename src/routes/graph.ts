/**
 * `GET /graphs/{model}`: a model's graph as LangGraph's own `getGraph()` draws it, its
 * nodes and edges, for a page to draw (the playground does) or a tool to check.
 */
import type { Context } from "hono";
import { z } from "zod";
import { ModelNotFoundError } from "../errors.js";
import { canUseModel } from "../middleware/auth.js";
import type { Registry } from "../registry.js";
import { modelGraph } from "../request-run.js";

export const graphSchema = z.object({
  object: z.literal("graph"),
  model: z.string(),
  /** `__start__` and `__end__` included, as LangGraph draws them. */
  nodes: z.array(z.object({ id: z.string(), name: z.string() })),
  /** A conditional edge is one the graph may take (a routing function's, or a `Command`'s `ends`). */
  edges: z.array(z.object({ source: z.string(), target: z.string(), conditional: z.boolean() })),
});
export type GraphView = z.infer<typeof graphSchema>;

export function graphRoute(registry: Registry) {
  return async (c: Context): Promise<Response> => {
    const model = c.req.param("model") ?? "";
    const entry = registry.get(model);
    if (!entry || !canUseModel(c, entry.id)) throw new ModelNotFoundError(model);
    const drawn = await (await modelGraph(entry)).getGraphAsync({});
    const view: GraphView = {
      object: "graph",
      model: entry.id,
      nodes: Object.values(drawn.nodes).map((node) => ({ id: node.id, name: node.name })),
      edges: drawn.edges.map((edge) => ({ source: edge.source, target: edge.target, conditional: edge.conditional ?? false })),
    };
    return c.json(view);
  };
}
