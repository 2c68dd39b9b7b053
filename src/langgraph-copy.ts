/**
 * The copy of LangGraph a graph is built with. The server makes things for a graph: a
 * stateless run's scratch checkpointer, the `Command` that resumes an interrupt, and in
 * memory the checkpointer of a graph compiled without one and the store (`createApp`
 * makes those with the first graph's copy). Made by another copy (the one this package
 * imports, in a monorepo or under `npx`) they may not fit it: LangGraph 0.x cannot read
 * the checkpoints 1.x writes, and fails at a thread's second turn. So they come from the
 * copy the graph's own file imports, found as its import finds it, and a copy outside
 * the supported range stops startup before the graph is loaded. Its store batching is
 * made lazy once, here (`lazy-batched-store.ts`).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as ownLangGraph from "@langchain/langgraph";
import { resolve } from "import-meta-resolve";
import semver from "semver";
import { startBatchingLazily } from "./lazy-batched-store.js";
import { SUPPORTED_LANGGRAPH } from "./package-info.js";

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

/** Where a LangGraph copy is, before anything of it is loaded. */
export interface LangGraphLocation {
  version: string;
  path: string;
  /** Its ES module entry, as `import` from the graph's file resolves it. */
  url: string;
}

export class UnsupportedLangGraphError extends Error {
  override name = "UnsupportedLangGraphError";
}

/** The package folder holding `file`: the nearest package.json named @langchain/langgraph above it. */
function packageFolder(file: string): { path: string; version: string } {
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as { name?: string; version?: string };
      if (manifest.name === LANGGRAPH && manifest.version) return { path: folder, version: manifest.version };
    } catch {
      // No package.json here (or a folder of build output with a partial one): look higher.
    }
    if (dirname(folder) === folder) throw new Error(`no package.json of ${LANGGRAPH} above ${file}`);
  }
}

/** The copy `import "@langchain/langgraph"` in `file` would load, or undefined when there is none. */
export function locateLangGraph(file: string): LangGraphLocation | undefined {
  let url: string;
  try {
    url = resolve(LANGGRAPH, pathToFileURL(file).href);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw error;
  }
  return { url, ...packageFolder(fileURLToPath(url)) };
}

/** Throws one line naming the version found and the range supported. */
export function checkSupported(location: { version: string; path: string }): void {
  if (semver.satisfies(location.version, SUPPORTED_LANGGRAPH, { includePrerelease: true })) return;
  throw new UnsupportedLangGraphError(
    `${LANGGRAPH} ${location.version} (in ${location.path}) is not supported: langgraph-openai needs ${SUPPORTED_LANGGRAPH}`,
  );
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
