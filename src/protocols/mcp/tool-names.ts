/**
 * Each model's tool name. MCP allows 1 to 128 of `A-Z a-z 0-9 _ - .`; hosts that hand
 * MCP tools to an OpenAI model as functions (Codex, Cursor) allow no `.` and at most 64
 * characters, so names keep to that. Names are given over the whole registry, in its
 * order, so a model's tool has the same name whichever models a key may see.
 */
const MAX_LENGTH = 64;

function fitted(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, MAX_LENGTH) || "model";
}

/** Model id -> tool name, and tool name -> model id; two ids that fit to one name get `_2`, `_3`, ... */
export function toolNames(modelIds: Iterable<string>): { toolOf: Map<string, string>; modelOf: Map<string, string> } {
  const toolOf = new Map<string, string>();
  const modelOf = new Map<string, string>();
  for (const id of modelIds) {
    const base = fitted(id);
    let name = base;
    for (let n = 2; modelOf.has(name); n++) name = `${base.slice(0, MAX_LENGTH - `_${n}`.length)}_${n}`;
    toolOf.set(id, name);
    modelOf.set(name, id);
  }
  return { toolOf, modelOf };
}
