import { AIMessage, HumanMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig, type GraphSpec } from "../src/config.js";
import { createRegistry, defineModel, GraphLoadError, loadRegistry } from "../src/registry.js";
import { ScriptedChatModel } from "../src/scripted-model.js";

const fixtures = resolve("test/fixtures");

function spec(id: string, file: string, exportName = "graph"): GraphSpec {
  return { id, graphId: id, file: join(fixtures, file), exportName, settings: {} };
}

function greeter(text: string) {
  return new StateGraph(MessagesAnnotation)
    .addNode("greet", () => ({ messages: [new AIMessage(text)] }))
    .addEdge(START, "greet")
    .addEdge("greet", END);
}

async function answer(graph: { invoke(input: unknown, config?: RunnableConfig): Promise<unknown> }, config: RunnableConfig = {}) {
  const state = (await graph.invoke({ messages: [new HumanMessage("hi")] }, config)) as typeof MessagesAnnotation.State;
  return state.messages.at(-1)?.text;
}

async function loadError(specs: GraphSpec[]): Promise<string> {
  const error = await loadRegistry(specs).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GraphLoadError);
  const message = (error as Error).message;
  expect(message).not.toContain("\n");
  return message;
}

describe("loading the graphs of a config", () => {
  it("resolves every kind of export: compiled, StateGraph, sync and async factory, prebuilt agent, .js, default", async () => {
    const { graphs } = await loadConfig(join(fixtures, "langgraph.config.json"));
    const registry = await loadRegistry(graphs);
    expect([...registry.keys()]).toEqual(graphs.map((graph) => graph.id));
    const config = { configurable: { thread_id: "t1" } };
    for (const entry of registry.values()) {
      const graph = await entry.getGraph(config);
      expect(await answer(graph, config), entry.id).toEqual(expect.any(String));
    }
    expect(await answer(await registry.get("plain-js")!.getGraph(config), config)).toBe("HI");
    expect(registry.get("react")!.settings).toMatchObject({ owned_by: "fixtures" });
  });

  it("runs a factory once per request, with that run's config", async () => {
    const configs: RunnableConfig[] = [];
    const entry = await defineModel("factory", (config: RunnableConfig) => {
      configs.push(config);
      return greeter(`built for ${config.configurable?.user ?? "startup"}`).compile();
    });
    const first = await entry.getGraph({ configurable: { user: "ada" } });
    const second = await entry.getGraph({ configurable: { user: "grace" } });
    expect(first).not.toBe(second);
    expect(await answer(first)).toBe("built for ada");
    expect(await answer(second)).toBe("built for grace");
    // One call at startup checks that the factory works at all.
    expect(configs.map((config) => config.configurable?.user)).toEqual([undefined, "ada", "grace"]);
  });

  it("builds a variant's graph at startup with the variant's configurable, as LangGraph's server builds an assistant's", async () => {
    const configs: RunnableConfig[] = [];
    await defineModel("agent-fast", (config: RunnableConfig) => {
      configs.push(config);
      return greeter("fast");
    }, { configurable: { model: "fast-model" } }, { graphId: "agent" });
    expect(configs[0]?.configurable).toEqual({ model: "fast-model", assistant_id: "agent-fast", graph_id: "agent" });
  });

  it("checks a model's context defaults against the graph's context schema at startup, naming the bad value", async () => {
    const withContext = new StateGraph(MessagesAnnotation, z.object({ tone: z.enum(["plain", "cheerful"]), userName: z.string().optional() }))
      .addNode("greet", () => ({ messages: [new AIMessage("hi")] }))
      .addEdge(START, "greet");
    const error = await defineModel("sarcastic", withContext, { context: { tone: "sarcastic" } }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(GraphLoadError);
    expect((error as Error).message).toMatch(/^graph 'sarcastic': its 'context' defaults do not fit the graph's context schema: 'context\.tone': Invalid option/);
    await expect(defineModel("no-tone", withContext, {})).rejects.toThrow(/'context\.tone'/);
    // A key a request may set need not have a default.
    await expect(defineModel("tone-per-request", withContext, { allow_context: ["tone"] })).resolves.toMatchObject({ id: "tone-per-request" });
    await expect(defineModel("cheerful", withContext, { context: { tone: "cheerful" } })).resolves.toMatchObject({ graphId: "cheerful" });
  });

  it("compiles a StateGraph that an async factory returns", async () => {
    const entry = await defineModel("async", async () => greeter("from an async factory"));
    expect(await answer(await entry.getGraph({}))).toBe("from an async factory");
  });

  it("accepts a promise of a graph", async () => {
    const entry = await defineModel("promised", Promise.resolve(greeter("promised").compile()));
    expect(await answer(await entry.getGraph({}))).toBe("promised");
  });

  it("gives graphs without a checkpointer the server's, and lets a graph keep its own", async () => {
    const server = new MemorySaver();
    const own = new MemorySaver();
    const registry = await createRegistry(
      { plain: greeter("plain").compile(), owning: greeter("owning").compile({ checkpointer: own }), built: () => greeter("built") },
      server,
    );
    expect((await registry.get("plain")!.getGraph({})).checkpointer).toBe(server);
    expect((await registry.get("owning")!.getGraph({})).checkpointer).toBe(own);
    expect((await registry.get("built")!.getGraph({})).checkpointer).toBe(server);
  });

  it("takes settings from a { graph, settings } definition in code", async () => {
    const registry = await createRegistry({ planner: { graph: greeter("plans"), settings: { description: "Plans" } } });
    expect(registry.get("planner")!.settings).toEqual({ description: "Plans" });
  });
});

describe("a graph that cannot be loaded stops startup with one line naming it", () => {
  it("a file that does not exist", async () => {
    expect(await loadError([spec("ghost", "broken/does-not-exist.ts")])).toBe(
      `graph 'ghost': file not found: ${join(fixtures, "broken/does-not-exist.ts")}`,
    );
  });

  it("an export the module does not have, listing those it has", async () => {
    expect(await loadError([spec("fake", "broken/not-a-graph.ts", "grpah")])).toMatch(
      /^graph 'fake': .*not-a-graph\.ts has no export 'grpah' \(it exports: graph, helper\)$/,
    );
  });

  it("a default export the module does not have", async () => {
    expect(await loadError([spec("fake", "broken/not-a-graph.ts", "default")])).toMatch(/has no export 'default'/);
  });

  it("an export that is not a graph", async () => {
    expect(await loadError([spec("fake", "broken/not-a-graph.ts")])).toBe(
      "graph 'fake' is not a graph: expected a compiled graph, a StateGraph or a factory, got Object",
    );
    expect(await loadError([spec("fake", "broken/not-a-graph.ts", "helper")])).toMatch(/is not a graph: .* got number$/);
  });

  it("a chat model exported in place of a graph", async () => {
    const error = await defineModel("model", new ScriptedChatModel()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(GraphLoadError);
    expect((error as Error).message).toMatch(/^graph 'model' is not a graph: .* got ScriptedChatModel$/);
  });

  it("a module that throws when imported", async () => {
    expect(await loadError([spec("needs-db", "broken/throws-on-import.ts")])).toMatch(
      /^graph 'needs-db': cannot load .*throws-on-import\.ts: DATABASE_URL is not set$/,
    );
  });

  it("a module with a syntax error", async () => {
    expect(await loadError([spec("typo", "broken/syntax-error.ts")])).toMatch(/^graph 'typo': cannot load .*syntax-error\.ts: .+/);
  });

  it("a factory that throws", async () => {
    expect(await loadError([spec("broken-factory", "broken/bad-factories.ts", "throws")])).toBe(
      "graph 'broken-factory': its factory failed: no API key for the model",
    );
  });

  it("a factory that returns something other than a graph", async () => {
    expect(await loadError([spec("numbers", "broken/bad-factories.ts", "returnsNumber")])).toBe(
      "graph 'numbers': its factory's result is not a graph: expected a compiled graph, a StateGraph or a factory, got number",
    );
  });
});
