/**
 * Model id -> graph. Resolves what a module exports (a compiled graph, an uncompiled
 * StateGraph, or a sync or async factory returning either), the same cases as
 * LangGraph's own server, and keeps graph loading away from HTTP.
 */
import { access } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import type { BaseCheckpointSaver, LangGraphRunnableConfig, Pregel } from "@langchain/langgraph";
import type { GraphSpec, ModelSettings } from "./config.js";
import { langGraphOf, packageLangGraph, type LangGraphCopy } from "./langgraph-copy.js";
import { checkSupported, locateLangGraph } from "./langgraph-location.js";
import { contextDefaultsProblem } from "./run/run-settings.js";
import { stateFieldsProblem } from "./run/state-io.js";

export type CompiledGraph = Pregel<any, any>;
type Compilable = { compile(): CompiledGraph };
type GraphFactory = (config: LangGraphRunnableConfig) => unknown;

export interface ModelEntry {
  id: string;
  /** The graph it serves (LangGraph's `graph_id`): its own id, or the graph a variant names. */
  graphId: string;
  settings: ModelSettings;
  /** Unix seconds, shown as the model's `created`. */
  created: number;
  /** A factory export runs once per request, with that run's config, as on LangGraph's server. */
  getGraph(config: LangGraphRunnableConfig): Promise<CompiledGraph>;
  /** The LangGraph the graph is built with, which makes what the server adds to its runs. */
  langgraph: LangGraphCopy;
}

export type Registry = ReadonlyMap<string, ModelEntry>;

export class GraphLoadError extends Error {
  override name = "GraphLoadError";
}

/**
 * Duck-typed rather than `instanceof Pregel`: a graph file may import its own copy of
 * @langchain/langgraph, and langchain's `createAgent` returns a wrapper that streams
 * like a graph. `getState` tells a graph from any other Runnable (a chat model or a
 * chain has `stream` too, but cannot run as a graph).
 */
function isCompiledGraph(value: unknown): value is CompiledGraph {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as CompiledGraph).stream === "function" &&
    typeof (value as CompiledGraph).getState === "function"
  );
}

function isCompilable(value: unknown): value is Compilable {
  return typeof value === "object" && value !== null && typeof (value as Compilable).compile === "function";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}

/** `graph.withConfig(...)` from a LangGraph whose graphs return a RunnableBinding, or any binding around a graph. */
interface GraphBinding {
  bound: unknown;
  config?: LangGraphRunnableConfig;
  kwargs?: Record<string, unknown>;
}

function isBinding(value: unknown): value is GraphBinding {
  return typeof value === "object" && value !== null && typeof (value as GraphBinding).bound === "object";
}

function toCompiledGraph(value: unknown, what: string): CompiledGraph {
  if (isCompiledGraph(value)) return value;
  if (isCompilable(value)) return value.compile();
  if (isBinding(value)) {
    // The graph itself, with the binding's config under every run's (LangGraph's own withConfig),
    // so that its state stays readable: a binding has no getState.
    const graph = toCompiledGraph(value.bound, what);
    const configured: unknown = graph.withConfig({ ...value.kwargs, ...value.config });
    if (isCompiledGraph(configured)) return configured;
  }
  throw new GraphLoadError(`${what} is not a graph: expected a compiled graph, a StateGraph or a factory, got ${describe(value)}`);
}

/** Startup stops with one line per problem: esbuild's and tsx's errors span several. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n").map((line) => line.trim()).filter(Boolean).join(" ");
}

export interface GraphDefinition {
  /** A compiled graph, a StateGraph, a factory returning either, or a promise of one of these. */
  graph: unknown;
  settings?: ModelSettings;
  /** The graph's id (`graph_id`) when several models serve one graph; the model id by default. */
  graphId?: string;
}

export interface DefineModelOptions {
  /** Attached to a graph compiled without a checkpointer. */
  checkpointer?: BaseCheckpointSaver;
  /** The graph's id (`graph_id`); the model id by default. */
  graphId?: string;
  /** The LangGraph the graph is built with; by default the one this package imports. */
  langgraph?: LangGraphCopy;
}

/**
 * One model from a graph-like value. A factory is checked once here, so a broken one
 * stops startup instead of failing its first request; so are the model's `context`
 * defaults, against the graph's context schema, and its `input` and `output` fields.
 */
export async function defineModel(
  id: string,
  graphLike: unknown,
  settings: ModelSettings = {},
  options: DefineModelOptions = {},
): Promise<ModelEntry> {
  const { checkpointer, graphId = id, langgraph = packageLangGraph() } = options;
  const what = `graph '${id}'`;
  const created = Math.floor(Date.now() / 1000);
  const attach = (graph: CompiledGraph): CompiledGraph => {
    // A graph compiled with its own checkpointer keeps it; the others share the server's.
    if (checkpointer && !graph.checkpointer) graph.checkpointer = checkpointer;
    return graph;
  };
  let resolved: unknown;
  try {
    resolved = await graphLike;
  } catch (error) {
    throw new GraphLoadError(`${what}: its promise rejected: ${oneLine(error)}`);
  }
  const checkDefaults = (graph: CompiledGraph) => {
    const problem = contextDefaultsProblem(graph, settings) ?? stateFieldsProblem(graph, settings);
    if (problem) throw new GraphLoadError(`${what}: ${problem}`);
  };
  if (typeof resolved === "function") {
    const factory = resolved as GraphFactory;
    const build = async (config: LangGraphRunnableConfig) => attach(toCompiledGraph(await factory(config), `${what}: its factory's result`));
    let graph: CompiledGraph;
    try {
      graph = await build({ configurable: { ...settings.configurable, assistant_id: id, graph_id: graphId }, context: settings.context });
    } catch (error) {
      if (error instanceof GraphLoadError) throw error;
      throw new GraphLoadError(`${what}: its factory failed: ${oneLine(error)}`);
    }
    checkDefaults(graph);
    return { id, graphId, settings, created, getGraph: build, langgraph };
  }
  const graph = attach(toCompiledGraph(resolved, what));
  checkDefaults(graph);
  const ready = Promise.resolve(graph);
  return { id, graphId, settings, created, getGraph: () => ready, langgraph };
}

/** Graphs handed over in code are taken to be built with the LangGraph this package imports, as a project with one copy has. */
export async function createRegistry(
  models: Record<string, unknown | GraphDefinition>,
  checkpointer?: BaseCheckpointSaver,
): Promise<Registry> {
  const langgraph = packageLangGraph();
  const entries = await Promise.all(
    Object.entries(models).map(([id, model]) => {
      const definition: GraphDefinition = isDefinition(model) ? model : { graph: model };
      return defineModel(id, definition.graph, definition.settings, { checkpointer, graphId: definition.graphId, langgraph });
    }),
  );
  return toRegistry(entries);
}

/** The model ids, checked for settings that name another model. */
function toRegistry(entries: ModelEntry[]): Registry {
  const registry = new Map(entries.map((entry) => [entry.id, entry]));
  for (const entry of entries) {
    for (const [key, tasks] of [["tasks", entry.settings.tasks], ["open_webui.tasks", entry.settings.open_webui?.tasks]] as const) {
      if (typeof tasks === "object" && !registry.has(tasks.model)) {
        throw new GraphLoadError(`graph '${entry.id}': ${key}.model names no model: '${tasks.model}'`);
      }
    }
  }
  return registry;
}

function isDefinition(value: unknown): value is GraphDefinition {
  return typeof value === "object" && value !== null && "graph" in value && !isCompiledGraph(value) && !isCompilable(value);
}

/**
 * Imports each graph module (`.ts` too: the process runs with tsx's loader), after
 * checking the LangGraph its folder resolves, so that an unsupported one is named before
 * its graph fails to load or to run; variants of one graph share its export.
 */
export async function loadRegistry(specs: GraphSpec[], checkpointer?: BaseCheckpointSaver): Promise<Registry> {
  const entries: ModelEntry[] = [];
  for (const spec of specs) {
    let module: Record<string, unknown>;
    try {
      await access(spec.file);
    } catch {
      throw new GraphLoadError(`graph '${spec.id}': file not found: ${spec.file}`);
    }
    const location = locateLangGraph(spec.file);
    try {
      if (location) checkSupported(location);
    } catch (error) {
      throw new GraphLoadError(`graph '${spec.id}': ${(error as Error).message}`);
    }
    try {
      module = await import(pathToFileURL(spec.file).href);
    } catch (error) {
      throw new GraphLoadError(`graph '${spec.id}': cannot load ${spec.file}: ${oneLine(error)}`);
    }
    if (!(spec.exportName in module) || module[spec.exportName] === undefined) {
      const exports = Object.keys(module).filter((name) => name !== "__esModule");
      throw new GraphLoadError(
        `graph '${spec.id}': ${spec.file} has no export '${spec.exportName}' (it exports: ${exports.join(", ") || "nothing"})`,
      );
    }
    const langgraph = await langGraphOf(spec.file, location);
    entries.push(await defineModel(spec.id, module[spec.exportName], spec.settings, { checkpointer, graphId: spec.graphId, langgraph }));
  }
  return toRegistry(entries);
}
