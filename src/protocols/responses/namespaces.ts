/**
 * Namespaced function tools, as Codex hands an MCP server's tools to its model: one
 * `{ type: "namespace", name: "mcp__graphs", tools: [{ type: "function", name: "echo" }] }`
 * per server, and it runs a `function_call` only with the namespace beside the name
 * (`namespace: "mcp__graphs", name: "echo"`; the joined name is "unsupported"). A graph
 * knows chat completions' flat functions, so it gets each as one, named
 * `mcp__graphs__echo` (the names Codex itself gave MCP tools before namespaces), and its
 * call of that name goes back out split again.
 */
import { z } from "zod";

const SEPARATOR = "__";

export const namespaceToolSchema = z.looseObject({
  type: z.literal("namespace"),
  name: z.string().min(1),
  description: z.string().nullish(),
  tools: z.array(z.looseObject({ type: z.string(), name: z.string().optional() })),
});

/** A function's one name for a graph. */
export function flatName(namespace: string, name: string): string {
  return `${namespace}${SEPARATOR}${name}`;
}

/** The functions inside namespace tools, each with its flat name, in the request's order. */
export function namespacedFunctions(tools: readonly unknown[]): { flat: string; namespace: string; tool: Record<string, unknown> & { name: string } }[] {
  return tools.flatMap((candidate) => {
    const parsed = namespaceToolSchema.safeParse(candidate);
    if (!parsed.success) return [];
    const namespace = parsed.data.name;
    return parsed.data.tools.flatMap((tool) =>
      tool.type === "function" && tool.name ? [{ flat: flatName(namespace, tool.name), namespace, tool: { ...tool, name: tool.name } }] : [],
    );
  });
}

/** A graph's call by flat name, as the client names it: with its namespace when it is one of the request's namespaced functions. */
export function clientName(tools: readonly unknown[]): (flat: string) => { name: string; namespace?: string } {
  const known = new Map(namespacedFunctions(tools).map(({ flat, namespace, tool }) => [flat, { namespace, name: tool.name }]));
  return (flat) => known.get(flat) ?? { name: flat };
}
