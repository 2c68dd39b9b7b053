/**
 * `langgraph.config.json`, in LangGraph CLI's own format. Only `graphs` is required;
 * keys LangGraph's tools use and we do not (dependencies, node_version, ...) are
 * accepted and ignored. Our settings live under the one extra key `openai`.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { BACKGROUND_KINDS } from "./chat-uis/catalogue.js";
import { formatParam } from "./invalid-request.js";

export const streamSettingsSchema = z.strictObject({
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
});

/** Keys of `configurable` the server sets for every run (as LangGraph's server does): neither the config nor a request may. */
const SERVER_CONFIGURABLE_KEYS: ReadonlySet<string> = new Set([
  "thread_id",
  "checkpoint_id",
  "checkpoint_ns",
  "checkpoint_map",
  "run_id",
  "assistant_id",
  "graph_id",
  "langgraph_auth_user",
  "langgraph_auth_user_id",
  "langgraph_auth_permissions",
  "openai_request",
]);

/** A `configurable` key the server sets for every run (LangGraph's own `__pregel_*` keys too). */
export const isServerConfigurableKey = (key: string) => SERVER_CONFIGURABLE_KEYS.has(key) || key.startsWith("__");

const configurableSchema = z
  .record(z.string(), z.unknown())
  .refine((values) => !Object.keys(values).some(isServerConfigurableKey), {
    error: (issue) => `sets '${Object.keys(issue.input as object).find(isServerConfigurableKey)}', which the server sets for every run`,
  });

/** Keys a request may set: `["*"]` for any. */
const allowListSchema = z
  .array(z.string().min(1))
  .refine((keys) => !keys.some(isServerConfigurableKey), { error: (issue) => `allows '${(issue.input as string[]).find(isServerConfigurableKey)}', which the server sets for every run` });

export const THREAD_MODES = ["history", "continue"] as const;
export type ThreadMode = (typeof THREAD_MODES)[number];

/** What a client is shown of the agent's work on the way to its answer (`reasoning_content`, reasoning items). */
export const stepSettingsSchema = z.strictObject({
  /** The models' own reasoning (thinking). Default on. */
  reasoning: z.boolean().optional(),
  /** Each tool the graph runs itself: its call and a glance at its result. Default on. */
  tools: z.boolean().optional(),
  /** Each node's name as it starts. Default off. */
  nodes: z.boolean().optional(),
  /** What the graph writes with `config.writer` (LangGraph's `custom` stream mode). Default on. */
  progress: z.boolean().optional(),
});

/**
 * Where a chat UI's background requests go (titles, summaries, tags...): `"answer"`
 * (default) answers them without running any graph; `"graph"` runs this model's graph on
 * no thread; `{ "model": "id" }` runs that model's graph on no thread instead.
 */
export const taskRouteSchema = z.union([z.enum(["answer", "graph"]), z.strictObject({ model: z.string().min(1) })]);

/** An operator's own background request, recognised as the catalogue's are (`src/chat-uis/catalogue.ts`). */
export const taskPatternSchema = z.strictObject({
  kind: z.enum(BACKGROUND_KINDS),
  /** A phrase of the prompt, compared without case and with whitespace collapsed. */
  fingerprint: z.string().trim().min(8),
  /** Where the prompt is: the last message, from the user (default), or a system message. */
  place: z.enum(["last_user", "system"]).optional(),
  /** The answer to send, instead of the kind's own. */
  reply: z.string().optional(),
});

/** How a chat completions stream is shaped for the chat UI that reads it (see docs/chat-uis.md). */
export const chatUISettingsSchema = z.strictObject({
  /**
   * Where the agent's steps and reasoning go: `"reasoning_content"` (default, OpenAI-compatible
   * servers' field) or `"think_tags"`, in `content` inside `<think>...</think>`, for a UI
   * that shows thinking only from tags.
   */
  reasoning: z.enum(["reasoning_content", "think_tags"]).optional(),
  /**
   * A short notice at the end of `content` when a stream fails, besides the error event,
   * for UIs that drop chunks without `choices` (NextChat): the cut answer then says so.
   * Off by default: SDK clients read the error event and keep `content` as the model's.
   */
  error_notice: z.boolean().optional(),
});

/** What the server does for Open WebUI, beyond what every OpenAI client gets. */
export const openWebUISettingsSchema = z.strictObject({
  /**
   * Status lines and citations in Open WebUI's own shapes: `true` always, `false` never;
   * by default when the request carries Open WebUI's headers (`X-OpenWebUI-*`).
   */
  events: z.boolean().optional(),
  /**
   * Open WebUI's background tasks (title, tags, follow-ups, search queries, autocomplete),
   * as `tasks` routes every UI's; kept for configs written before `tasks`, which wins.
   */
  tasks: taskRouteSchema.optional(),
});

export const modelSettingsSchema = z.strictObject({
  /** The model's display name in `/v1/models` (chat UIs show it in their model picker). */
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  owned_by: z.string().optional(),
  /** Which graph nodes' messages reach the client; by default every node's AI messages. */
  stream: streamSettingsSchema.optional(),
  /** Runs of this model at once; more get 429. On top of the server's global cap. */
  max_concurrent_runs: z.int().positive().optional(),
  /** Seconds a run may take before it is stopped; overrides the server's `--run-timeout`. */
  run_timeout: z.number().positive().optional(),
  /** Defaults of the run's `config.configurable`, under what a request may set. */
  configurable: configurableSchema.optional(),
  /** Defaults of the run's `context` (LangGraph 1.x runtime context), checked against the graph's context schema. */
  context: z.record(z.string(), z.unknown()).optional(),
  /** `configurable` keys a request may set in its `configurable` field; none by default. */
  allow_configurable: allowListSchema.optional(),
  /** `context` keys a request may set in its `context` field; none by default. */
  allow_context: z.array(z.string().min(1)).optional(),
  /**
   * Keys of the graph's input a request may set in its `state` field (chat completions, the
   * Responses API) or an AG-UI client with its `state` (`["*"]` for any but `messages`); none by default.
   */
  allow_state: z.array(z.string().min(1)).optional(),
  /** The input field the last user message's text goes into, for a graph whose state has no `messages` (see `run/state-io.ts`). */
  input: z.string().min(1).optional(),
  /** The output field the answer is read from: a string as text, anything else as JSON. */
  output: z.string().min(1).optional(),
  /** How a named thread takes the request's messages when the request does not say (see `thread-mode.ts`). */
  thread_mode: z.enum(THREAD_MODES).optional(),
  /** What clients see of the agent's steps: `false` for none, or per kind (see `stepSettingsSchema`). */
  steps: z.union([z.boolean(), stepSettingsSchema]).optional(),
  /** Where every chat UI's background requests go (see `taskRouteSchema`). */
  tasks: taskRouteSchema.optional(),
  /** Background requests of the operator's own chat UIs or prompts, on top of the catalogue's. */
  task_patterns: z.array(taskPatternSchema).max(100).optional(),
  open_webui: openWebUISettingsSchema.optional(),
  chat_ui: chatUISettingsSchema.optional(),
});
export type ModelSettings = z.infer<typeof modelSettingsSchema>;

/** A model in `openai.models`: settings, and for a variant the graph it serves (LangGraph's assistants). */
const modelEntrySchema = modelSettingsSchema.extend({
  /** The id in `graphs` of the graph this model runs with its own settings. */
  graph: z.string().min(1).optional(),
});

export const openaiSectionSchema = z.strictObject({
  models: z.record(z.string(), modelEntrySchema).optional(),
});

const graphSpecSchema = z.union(
  [
    z.string().min(1, 'expected "./file.ts:exportName", got an empty string'),
    z.looseObject({ path: z.string().min(1), name: z.string().min(1).optional(), description: z.string().optional() }),
  ],
  { error: 'expected "./file.ts:exportName" or { "path": "./file.ts:exportName", "description": "..." }' },
);

export const configSchema = z.looseObject({
  graphs: z
    .record(z.string().min(1), graphSpecSchema, {
      error: (issue) => (issue.input === undefined ? 'missing: map each model id to "./file.ts:exportName"' : undefined),
    })
    .refine((graphs) => Object.keys(graphs).length > 0, 'names no graph: map each model id to "./file.ts:exportName"'),
  env: z
    .union([z.string(), z.record(z.string(), z.string())], { error: "expected the path of a .env file or an object of strings" })
    .optional(),
  openai: openaiSectionSchema.optional(),
});
export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface GraphSpec {
  /** The model id. */
  id: string;
  /** The id in `graphs` of the graph it serves: its own id, or the graph a variant names. */
  graphId: string;
  /** Absolute path of the module that exports the graph. */
  file: string;
  exportName: string;
  settings: ModelSettings;
}

export interface LoadedConfig {
  path: string;
  graphs: GraphSpec[];
  config: Config;
}

/** `"./agent.ts:graph"` relative to the config's folder; no `:name` means the default export. */
export function parseGraphPath(spec: string, baseDir: string): { file: string; exportName: string } {
  const colon = spec.lastIndexOf(":");
  const hasExport = colon > 1 || (colon === 1 && !/^[a-zA-Z]:/.test(spec));
  const file = hasExport ? spec.slice(0, colon) : spec;
  const exportName = hasExport ? spec.slice(colon + 1) : "default";
  return { file: resolve(baseDir, file), exportName: exportName || "default" };
}

export async function loadConfig(path: string): Promise<LoadedConfig> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config ${path} is not valid JSON: ${withLineAndColumn((error as Error).message, text)}`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`config ${path}: '${formatParam(issue.path) || "(root)"}': ${issue.message}`);
  }
  const config = parsed.data;
  const baseDir = dirname(absolute);
  await applyEnv(config.env, baseDir, path);
  const models = config.openai?.models ?? {};
  // Ids are the operator's names: `toString` or `constructor` is a model like any other, not Object's.
  const isGraph = (id: string) => Object.hasOwn(config.graphs, id);
  const isModel = (id: string) => Object.hasOwn(models, id);
  const settingsOf = (id: string) => (isModel(id) ? models[id] : undefined);
  const graphOf = (id: string, graph: string | undefined): string => {
    const where = `config ${path}: 'openai.models.${id}`;
    if (isGraph(id)) {
      if (graph !== undefined && graph !== id) {
        throw new ConfigError(`${where}.graph': '${id}' is a graph in 'graphs'; give the variant of '${graph}' an id of its own`);
      }
      return id;
    }
    if (graph === undefined) throw new ConfigError(`${where}' names no graph in 'graphs' (a variant of a graph says which one in 'graph')`);
    if (!isGraph(graph)) throw new ConfigError(`${where}.graph': no graph '${graph}' in 'graphs'`);
    return graph;
  };
  const specOf = (id: string, graphId: string): GraphSpec => {
    const spec = config.graphs[graphId]!;
    const graphPath = typeof spec === "string" ? spec : spec.path;
    const { name, description } = id === graphId && typeof spec !== "string" ? spec : {};
    const { graph: _graph, ...settings } = settingsOf(id) ?? {};
    return { id, graphId, ...parseGraphPath(graphPath, baseDir), settings: { name, description, ...settings } };
  };
  for (const [id, settings] of Object.entries(models)) {
    for (const [key, tasks] of [["tasks", settings.tasks], ["open_webui.tasks", settings.open_webui?.tasks]] as const) {
      if (typeof tasks === "object" && !isGraph(tasks.model) && !isModel(tasks.model)) {
        throw new ConfigError(`config ${path}: 'openai.models.${id}.${key}.model' names no model: '${tasks.model}'`);
      }
    }
  }
  const variants = Object.keys(models).filter((id) => !isGraph(id));
  const graphs = [
    ...Object.keys(config.graphs).map((id) => specOf(id, graphOf(id, settingsOf(id)?.graph))),
    ...variants.map((id) => specOf(id, graphOf(id, models[id]!.graph))),
  ];
  return { path: absolute, graphs, config };
}

/** Node 20's JSON.parse names a character offset; a person editing the file wants the line. */
function withLineAndColumn(message: string, text: string): string {
  const position = /at position (\d+)(?! \(line)/.exec(message);
  if (!position) return message;
  const before = text.slice(0, Number(position[1])).split("\n");
  return `${message} (line ${before.length} column ${before.at(-1)!.length + 1})`;
}

/** Like LangGraph's CLI: variables already set in the environment win over the config's. */
async function applyEnv(env: Config["env"], baseDir: string, configPath: string): Promise<void> {
  if (env === undefined) return;
  let values: Record<string, string | undefined>;
  if (typeof env === "string") {
    const envPath = resolve(baseDir, env);
    try {
      values = parseEnv(await readFile(envPath, "utf8"));
    } catch (error) {
      throw new ConfigError(`config ${configPath}: cannot read env file ${envPath}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  } else {
    values = env;
  }
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && process.env[key] === undefined) process.env[key] = value;
  }
}
