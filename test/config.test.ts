import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseGraphPath } from "../src/config.js";
import { docBlocks } from "./helpers.js";

const fixtures = resolve("test/fixtures");
const broken = (name: string) => join(fixtures, "broken", `${name}.config.json`);

describe("parseGraphPath", () => {
  it("splits './file.ts:export' and resolves the file against the config's folder", () => {
    expect(parseGraphPath("./src/agent.ts:graph", "/project")).toEqual({ file: "/project/src/agent.ts", exportName: "graph" });
  });

  it("takes the default export when the spec names none", () => {
    expect(parseGraphPath("./agent.ts", "/project")).toEqual({ file: "/project/agent.ts", exportName: "default" });
    expect(parseGraphPath("./agent.ts:", "/project")).toEqual({ file: "/project/agent.ts", exportName: "default" });
  });

  it("keeps a Windows drive letter as part of the path", () => {
    expect(parseGraphPath("C:\\work\\agent.ts:graph", "/project")).toMatchObject({ exportName: "graph" });
    expect(parseGraphPath("C:\\work\\agent.ts:graph", "/project").file).toMatch(/C:\\work\\agent\.ts$/);
    expect(parseGraphPath("C:\\work\\agent.ts", "/project")).toMatchObject({ exportName: "default" });
    expect(parseGraphPath("C:\\work\\agent.ts", "/project").file).toMatch(/C:\\work\\agent\.ts$/);
  });

  it("accepts an absolute path", () => {
    expect(parseGraphPath("/srv/graphs/agent.js:makeGraph", "/project")).toEqual({ file: "/srv/graphs/agent.js", exportName: "makeGraph" });
  });
});

describe("loadConfig", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("reads every graph of a LangGraph CLI config, ignoring the keys only LangGraph's tools use", async () => {
    const { graphs } = await loadConfig(join(fixtures, "langgraph.config.json"));
    expect(graphs.map(({ id, exportName }) => [id, exportName])).toEqual([
      ["compiled", "graph"],
      ["uncompiled", "builder"],
      ["sync-factory", "makeGraph"],
      ["async-factory", "makeGraphAsync"],
      ["react", "agent"],
      ["plain-js", "graph"],
      ["default-export", "default"],
      ["team/greeter", "default"],
    ]);
    expect(graphs.find((graph) => graph.id === "plain-js")?.file).toBe(join(fixtures, "graphs", "plain.js"));
  });

  it("merges openai.models settings and a graph's own description into each model's settings", async () => {
    const { graphs } = await loadConfig(join(fixtures, "langgraph.config.json"));
    const settings = Object.fromEntries(graphs.map((graph) => [graph.id, graph.settings]));
    expect(settings.react).toEqual({ name: "ReAct agent", description: "createReactAgent with a tool", owned_by: "fixtures" });
    expect(settings["team/greeter"]).toEqual({ name: "Greeter", description: "Set in the graph's own spec" });
    expect(settings.uncompiled).toEqual({ description: undefined });
  });

  it("reads a model variant as a model of its own that serves a graph in 'graphs' with its own settings", async () => {
    const dir = await mkdtemp(join(tmpdir(), "langgraph-openai-variants-"));
    const path = join(dir, "variants.json");
    const models = {
      agent: { configurable: { model: "openai/gpt-4o" }, allow_configurable: ["systemPrompt"] },
      "agent-fast": { graph: "agent", description: "Fast", configurable: { model: "openai/gpt-4o-mini" }, context: { tone: "brief" }, thread_mode: "continue" },
    };
    await writeFile(path, JSON.stringify({ graphs: { agent: { path: "./agent.ts:graph", description: "The agent" } }, openai: { models } }));
    const { graphs } = await loadConfig(path);
    expect(graphs).toEqual([
      {
        id: "agent",
        graphId: "agent",
        file: join(dir, "agent.ts"),
        exportName: "graph",
        settings: { description: "The agent", configurable: { model: "openai/gpt-4o" }, allow_configurable: ["systemPrompt"] },
      },
      {
        id: "agent-fast",
        graphId: "agent",
        file: join(dir, "agent.ts"),
        exportName: "graph",
        settings: { description: "Fast", configurable: { model: "openai/gpt-4o-mini" }, context: { tone: "brief" }, thread_mode: "continue" },
      },
    ]);
    await rm(dir, { recursive: true });
  });

  it("sets the variables of an env object", async () => {
    delete process.env.FIXTURE_GREETING;
    await loadConfig(join(fixtures, "langgraph.config.json"));
    expect(process.env.FIXTURE_GREETING).toBe("Hello from the config's env");
  });

  it("reads an env file next to the config, and variables already set win", async () => {
    delete process.env.FIXTURE_FROM_FILE;
    process.env.FIXTURE_ALREADY_SET = "from the shell";
    await loadConfig(join(fixtures, "env-file.config.json"));
    expect(process.env.FIXTURE_FROM_FILE).toBe("from the env file");
    expect(process.env.FIXTURE_ALREADY_SET).toBe("from the shell");
  });

  it("lets a variable already set win over the env object too", async () => {
    process.env.FIXTURE_GREETING = "from the shell";
    await loadConfig(join(fixtures, "langgraph.config.json"));
    expect(process.env.FIXTURE_GREETING).toBe("from the shell");
  });
});

describe("the chat UIs page's config", () => {
  it("loads, with its tasks model, task pattern and chat_ui settings", async () => {
    const block = docBlocks("docs/chat-uis.md", "json")[0];
    if (block === undefined) throw new Error("docs/chat-uis.md has no ```json block");
    const dir = await mkdtemp(join(tmpdir(), "langgraph-openai-chat-uis-"));
    try {
      await writeFile(join(dir, "langgraph.config.json"), block);
      const { graphs } = await loadConfig(join(dir, "langgraph.config.json"));
      expect(graphs.find((graph) => graph.id === "agent")?.settings).toMatchObject({
        tasks: { model: "chat" },
        task_patterns: [{ kind: "title" }],
        chat_ui: { error_notice: true },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a config that cannot be served", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "langgraph-openai-config-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function errorOf(path: string): Promise<ConfigError> {
    const error = await loadConfig(path).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain("\n");
    return error as ConfigError;
  }

  it("says which file is missing", async () => {
    expect((await errorOf(join(dir, "nope.json"))).message).toMatch(/cannot read config .*nope\.json: ENOENT/);
  });

  it("points at the line of a JSON syntax error", async () => {
    expect((await errorOf(broken("not-json"))).message).toMatch(/not-json\.config\.json is not valid JSON: .*line 4 column 3/);
  });

  it("asks for 'graphs' when the config has none", async () => {
    expect((await errorOf(broken("no-graphs"))).message).toMatch(/'graphs': missing: map each model id to "\.\/file\.ts:exportName"/);
  });

  it("refuses an empty 'graphs' map", async () => {
    const path = join(dir, "empty.json");
    await writeFile(path, JSON.stringify({ graphs: {} }));
    expect((await errorOf(path)).message).toMatch(/'graphs': names no graph/);
  });

  it("shows the two forms of a graph spec when one is wrong", async () => {
    const path = join(dir, "number.json");
    await writeFile(path, JSON.stringify({ graphs: { agent: 42, other: { description: "no path" } } }));
    expect((await errorOf(path)).message).toMatch(
      /'graphs\.agent': expected "\.\/file\.ts:exportName" or \{ "path": "\.\/file\.ts:exportName", "description": "\.\.\." \}$/,
    );
  });

  it("refuses an empty graph spec", async () => {
    const path = join(dir, "empty-spec.json");
    await writeFile(path, JSON.stringify({ graphs: { agent: "" } }));
    expect((await errorOf(path)).message).toMatch(/'graphs\.agent': expected "\.\/file\.ts:exportName", got an empty string$/);
  });

  it("refuses an env that is neither a file nor an object of strings", async () => {
    const path = join(dir, "env-number.json");
    await writeFile(path, JSON.stringify({ graphs: { agent: "./a.ts" }, env: { PORT: 8000 } }));
    expect((await errorOf(path)).message).toMatch(/'env': expected the path of a \.env file or an object of strings$/);
  });

  it("names an unknown model setting, so a typo is not silently ignored", async () => {
    expect((await errorOf(broken("unknown-setting"))).message).toMatch(/'openai\.models\.greeter': Unrecognized key: "temprature"/);
  });

  it("names settings given for a model that is not in 'graphs'", async () => {
    expect((await errorOf(broken("settings-for-unknown-graph"))).message).toMatch(/'openai\.models\.greter' names no graph in 'graphs'/);
  });

  it("names what is wrong with a model variant", async () => {
    const write = async (name: string, models: object) => {
      const path = join(dir, `${name}.json`);
      await writeFile(path, JSON.stringify({ graphs: { agent: "./a.ts" }, openai: { models } }));
      return (await errorOf(path)).message;
    };
    expect(await write("variant-of-nothing", { "agent-fast": { graph: "agnet" } })).toMatch(/'openai\.models\.agent-fast\.graph': no graph 'agnet' in 'graphs'/);
    expect(await write("graph-renamed", { agent: { graph: "other" } })).toMatch(
      /'openai\.models\.agent\.graph': 'agent' is a graph in 'graphs'; give the variant of 'other' an id of its own/,
    );
    expect(await write("server-key", { agent: { configurable: { thread_id: "fixed" } } })).toMatch(
      /'openai\.models\.agent\.configurable': sets 'thread_id', which the server sets for every run/,
    );
    expect(await write("allows-server-key", { agent: { allow_configurable: ["model", "assistant_id"] } })).toMatch(
      /'openai\.models\.agent\.allow_configurable': allows 'assistant_id', which the server sets for every run/,
    );
    expect(await write("bad-mode", { agent: { thread_mode: "append" } })).toMatch(/'openai\.models\.agent\.thread_mode': Invalid option/);
  });

  it("names a model that Open WebUI's tasks are sent to but that is not served", async () => {
    const path = join(dir, "tasks-model.json");
    await writeFile(path, JSON.stringify({ graphs: { a: "./a.ts" }, openai: { models: { a: { open_webui: { tasks: { model: "small" } } } } } }));
    expect((await errorOf(path)).message).toMatch(/'openai\.models\.a\.open_webui\.tasks\.model' names no model: 'small'/);
  });

  it("names a model that every UI's tasks are sent to but that is not served, and a task pattern of no known kind", async () => {
    const path = join(dir, "every-ui-tasks-model.json");
    await writeFile(path, JSON.stringify({ graphs: { a: "./a.ts" }, openai: { models: { a: { tasks: { model: "small" } } } } }));
    expect((await errorOf(path)).message).toMatch(/'openai\.models\.a\.tasks\.model' names no model: 'small'/);
    const patterns = join(dir, "task-pattern-kind.json");
    await writeFile(patterns, JSON.stringify({ graphs: { a: "./a.ts" }, openai: { models: { a: { task_patterns: [{ kind: "poem", fingerprint: "write a poem about our chat" }] } } } }));
    expect((await errorOf(patterns)).message).toMatch(/'openai\.models\.a\.task_patterns\[0\]\.kind'/);
  });

  it("takes model ids that are names of Object's own properties as any other", async () => {
    const path = join(dir, "object-names.json");
    await writeFile(path, JSON.stringify({ graphs: { agent: "./a.ts" }, openai: { models: { constructor: { graph: "agent" } } } }));
    const loaded = await loadConfig(path);
    expect(loaded.graphs.map(({ id, graphId }) => [id, graphId])).toEqual([
      ["agent", "agent"],
      ["constructor", "agent"],
    ]);
    const tasks = join(dir, "tasks-to-string.json");
    await writeFile(tasks, JSON.stringify({ graphs: { a: "./a.ts" }, openai: { models: { a: { open_webui: { tasks: { model: "toString" } } } } } }));
    expect((await errorOf(tasks)).message).toMatch(/'openai\.models\.a\.open_webui\.tasks\.model' names no model: 'toString'/);
  });

  it("names a misspelt kind of step", async () => {
    const path = join(dir, "steps-typo.json");
    await writeFile(path, JSON.stringify({ graphs: { a: "./a.ts" }, openai: { models: { a: { steps: { tool: false } } } } }));
    expect((await errorOf(path)).message).toMatch(/'openai\.models\.a\.steps'/);
  });

  it("names an unknown key of the openai section", async () => {
    const path = join(dir, "openai-key.json");
    await writeFile(path, JSON.stringify({ graphs: { a: "./a.ts" }, openai: { modles: {} } }));
    expect((await errorOf(path)).message).toMatch(/'openai': Unrecognized key: "modles"/);
  });

  it("names an env file that cannot be read", async () => {
    expect((await errorOf(broken("missing-env-file"))).message).toMatch(/cannot read env file .*broken\/missing\.env: ENOENT/);
  });
});
