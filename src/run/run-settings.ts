/**
 * What a run is configured with besides its input, as on LangGraph's own server: the
 * model's `configurable` and `context` defaults (an assistant's config), with what the
 * request sets over them, limited to the keys the model's allow lists name (none by
 * default: a client must not rewire a deployed agent unless the operator says so). The
 * context is checked against the graph's context schema (LangGraph 1.x `contextSchema`)
 * before the run, so a bad value is a 400 naming it rather than a failed run.
 */
import { interopSafeParse, isInteropZodObject } from "@langchain/core/utils/types";
import { z } from "zod";
import { isServerConfigurableKey, type ModelSettings } from "../config.js";
import { InvalidRequestError } from "../errors.js";
import { formatParam, parseRequest } from "../invalid-request.js";
import type { CompiledGraph, ModelEntry } from "../registry.js";

type Values = Record<string, unknown>;

/**
 * Our extension of a request body (chat completions and Responses alike): `configurable`
 * and `context` objects, and `state`, input fields besides the messages (data
 * enrichment's `extractionSchema`).
 */
const requestedSettingsSchema = z.looseObject({
  configurable: z.record(z.string(), z.unknown()).nullish(),
  context: z.record(z.string(), z.unknown()).nullish(),
  state: z.record(z.string(), z.unknown()).nullish(),
});

export type RequestedSettings = { [Field in keyof z.infer<typeof requestedSettingsSchema>]?: Values };

export interface RunSettings {
  configurable: Values;
  context: Values;
  /** Undefined when the request sets no input field. */
  state?: Values;
}

/** The body's `configurable`, `context` and `state`, or a 400 when one is not an object. */
export function parseRequestedSettings(body: unknown): RequestedSettings {
  const { configurable, context, state } = parseRequest(requestedSettingsSchema, body);
  return { configurable: configurable ?? undefined, context: context ?? undefined, state: state ?? undefined };
}

const ALLOW_SETTING = { configurable: "allow_configurable", context: "allow_context", state: "allow_state" } as const;

/** Whether an allow list (none, `"*"` or named keys) lets a request set `key`. */
export function allows(list: readonly string[] | undefined, key: string): boolean {
  return list !== undefined && (list.includes("*") || list.includes(key));
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

function checkRequested(model: string, field: keyof typeof ALLOW_SETTING, requested: Values, defaults: Values, allowed: readonly string[] | undefined): void {
  const setting = ALLOW_SETTING[field];
  for (const [key, value] of Object.entries(requested)) {
    const param = `${field}.${key}`;
    if (field === "configurable" && isServerConfigurableKey(key)) {
      throw new InvalidRequestError(`Invalid '${param}': the server sets '${key}' for every run.`, param);
    }
    if (!allows(allowed, key)) {
      const which = allowed?.length ? `only ${allowed.map((name) => `'${name}'`).join(", ")}` : `no ${field} key`;
      throw new InvalidRequestError(
        `Invalid '${param}': model '${model}' does not let a request set '${key}' (its '${setting}' setting allows ${which}).`,
        param,
      );
    }
    const fallback = Object.hasOwn(defaults, key) ? defaults[key] : undefined;
    if (fallback !== undefined && fallback !== null && jsonType(value) !== jsonType(fallback)) {
      throw new InvalidRequestError(`Invalid '${param}': expected ${jsonType(fallback)}, like the model's default, received ${jsonType(value)}.`, param);
    }
  }
}

/** The model's defaults with the request's values over them; a 400 names a key the model does not allow. */
export function resolveRunSettings(entry: ModelEntry, requested: RequestedSettings): RunSettings {
  const { settings } = entry;
  const configurable = settings.configurable ?? {};
  const context = settings.context ?? {};
  if (requested.configurable) checkRequested(entry.id, "configurable", requested.configurable, configurable, settings.allow_configurable);
  if (requested.context) checkRequested(entry.id, "context", requested.context, context, settings.allow_context);
  if (requested.state) checkRequested(entry.id, "state", requested.state, {}, settings.allow_state);
  return {
    configurable: { ...configurable, ...requested.configurable },
    context: { ...context, ...requested.context },
    ...(requested.state && { state: requested.state }),
  };
}

interface ContextIssue {
  path: PropertyKey[];
  message: string;
}

/** The graph's context schema (a zod object given as StateGraph's context), as LangGraph itself validates it. */
function contextSchemaOf(graph: CompiledGraph): unknown {
  const builder = (graph as { builder?: { _configRuntimeSchema?: unknown } }).builder;
  const schema = builder?._configRuntimeSchema;
  return isInteropZodObject(schema) ? schema : undefined;
}

function contextIssues(graph: CompiledGraph, context: Values): ContextIssue[] {
  const schema = contextSchemaOf(graph);
  if (schema === undefined) return [];
  const result = interopSafeParse(schema as Parameters<typeof interopSafeParse>[0], context);
  if (result.success) return [];
  return (result.error.issues as ContextIssue[]).map(({ path, message }) => ({ path, message }));
}

/** A 400 naming the first context value the graph's context schema refuses. */
export function checkContext(graph: CompiledGraph, context: Values): void {
  const [issue] = contextIssues(graph, context);
  if (!issue) return;
  const param = formatParam(["context", ...issue.path]);
  throw new InvalidRequestError(`Invalid '${param}': ${issue.message}.`, param);
}

/**
 * What is wrong with a model's `context` defaults for its graph, if anything. A key
 * the defaults leave out is fine when requests may set it.
 */
export function contextDefaultsProblem(graph: CompiledGraph, settings: ModelSettings): string | undefined {
  const context = settings.context ?? {};
  const issue = contextIssues(graph, context).find(({ path }) => {
    const key = String(path[0]);
    return !(path.length === 1 && context[key] === undefined && allows(settings.allow_context, key));
  });
  return issue && `its 'context' defaults do not fit the graph's context schema: '${formatParam(["context", ...issue.path])}': ${issue.message}`;
}
