/**
 * `langgraph-openai/testing`: a graph's tests talk to it as its users will, through the
 * `openai` SDK, with no server process and no port: the client's `fetch` goes straight
 * into the app. Request logs are off; a graph's failure (a 500 to the client) prints its
 * cause, so a failing test says why.
 */
import type { ClientOptions, OpenAI } from "openai";
import { pino } from "pino";
import { createApp, type AppOptions } from "./app.js";
import { importOptional } from "./optional-import.js";
import { createRegistry, type GraphDefinition, type Registry } from "./registry.js";

export { ScriptedChatModel, type ScriptedReply, type ScriptedChatModelInput, type ScriptedToolCall } from "./scripted-model.js";

export interface TestClientOptions extends AppOptions {
  /** Options of the `openai` client (`defaultHeaders`, `timeout`, ...); its `baseURL` and `fetch` are the app's. */
  client?: Omit<ClientOptions, "baseURL" | "fetch">;
}

/** Where the client thinks the server is; nothing listens there. */
const BASE_URL = "http://langgraph-openai.test/v1";

function isRegistry(graphs: object): graphs is Registry {
  return graphs instanceof Map;
}

/**
 * An `openai` client whose requests the app answers in process. `graphs` is what
 * `createRegistry` takes (model id -> graph, StateGraph, factory or `{ graph, settings }`)
 * or a registry. Threads are kept in memory unless `checkpointer` is given.
 */
export async function createTestClient(
  graphs: Registry | Record<string, unknown | GraphDefinition>,
  options: TestClientOptions = {},
): Promise<OpenAI> {
  const { client, ...appOptions } = options;
  const { OpenAI } = await importOptional<typeof import("openai")>("openai", "for createTestClient", "-D openai");
  const registry = isRegistry(graphs) ? graphs : await createRegistry(graphs, options.checkpointer);
  const app = createApp(registry, {
    logger: pino({ level: "silent" }),
    onServerError: (error, cause) => console.error(`langgraph-openai: ${error.message}`, cause),
    ...appOptions,
  });
  return new OpenAI({
    apiKey: options.apiKeys?.[0]?.key ?? "test",
    maxRetries: 0,
    ...client,
    baseURL: BASE_URL,
    fetch: async (input, init) => app.fetch(new Request(input, init)),
  });
}
