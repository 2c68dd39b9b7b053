/**
 * The copy of LangGraph a graph is built with. The server makes things for a graph: a
 * stateless run's scratch checkpointer, the `Command` that resumes an interrupt, and in
 * memory the checkpointer of a graph compiled without one and the store (`createApp`
 * makes those with the first graph's copy). Made by another copy (the one this package
 * imports, in a monorepo or under `npx`) they may not fit it: LangGraph 0.x cannot read
 * the checkpoints 1.x writes, and fails at a thread's second turn. So they come from the
 * copy the graph's own file imports, found as its import finds it, and a copy outside
 * the supported range stops startup before the graph is loaded (`langgraph-location.ts`).
 * Its store batching is made lazy once, here (`lazy-batched-store.ts`).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as ownLangGraph from "@langchain/langgraph";
import { startBatchingLazily } from "./lazy-batched-store.js";
import { checkSupported, locateLangGraph, type LangGraphLocation } from "./langgraph-location.js";

const LANGGRAPH = "@langchain/langgraph";

type LangGraphModule = Pick<typeof ownLangGraph, "MemorySaver" | "InMemoryStore" | "Command"> & Partial<Pick<typeof ownLangGraph, "AsyncBatchedStore">>;

export interface LangGraphCopy {
  version: string;
  /** The folder it is installed in. */
  path: string;
  MemorySaver: typeof ownLangGraph.MemorySaver;
  InMemoryStore: typeof ownLangGraph.InMemoryStore;
  Command: typeof ownLangGraph.Command;
}

const copies = new Map<string, LangGraphCopy>();

function describe(location: { version: string; path: string }, key: string, module: LangGraphModule): LangGraphCopy {
  let copy = copies.get(key);
  if (!copy) {
    startBatchingLazily(module.AsyncBatchedStore);
    copy = { ...location, MemorySaver: module.MemorySaver, InMemoryStore: module.InMemoryStore, Command: module.Command };
    copies.set(key, copy);
  }
  return copy;
}

/** The copy this package imports (its peer): for graphs handed over in code, and graph files that import no LangGraph. */
export function packageLangGraph(): LangGraphCopy {
  const location = locateLangGraph(fileURLToPath(import.meta.url))!;
  checkSupported(location);
  return describe(location, location.url, ownLangGraph);
}

/**
 * The copy the graph loaded from `file` uses, once the graph is loaded. A CommonJS graph
 * (a `.ts` file in a package without `"type": "module"`) has required LangGraph's
 * CommonJS build: that instance, not the ES module beside it, so that what its
 * checkpointer restores is made of the classes the graph's `instanceof` knows.
 */
export async function langGraphOf(file: string, location: LangGraphLocation | undefined): Promise<LangGraphCopy> {
  if (location === undefined) return packageLangGraph();
  const require = createRequire(file);
  let commonJsEntry: string | undefined;
  try {
    commonJsEntry = require.resolve(LANGGRAPH);
  } catch {
    // No CommonJS build: the graph imported the ES module.
  }
  if (commonJsEntry !== undefined && require.cache[commonJsEntry]) {
    return describe(location, commonJsEntry, require(commonJsEntry) as LangGraphModule);
  }
  return describe(location, location.url, (await import(location.url)) as LangGraphModule);
}
