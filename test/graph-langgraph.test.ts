/**
 * The server runs each graph with what the graph's own LangGraph makes (its checkpointer,
 * its stateless runs' scratch saver), and refuses at startup a LangGraph it does not
 * support. Each project here is a folder of its own with the LangGraph its graph imports.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bannerUrl, chatText, runCommand } from "./helpers.js";

const BIN = resolve("bin/langgraph-openai.js");
const SUPPORTED = (JSON.parse(readFileSync("package.json", "utf8")) as { peerDependencies: Record<string, string> }).peerDependencies[
  "@langchain/langgraph"
]!;

const projects: string[] = [];
afterAll(() => {
  for (const project of projects) rmSync(project, { recursive: true, force: true });
});

/** A project folder with these files and a langgraph.json serving `graph.js` as model `agent`. */
function project(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "langgraph-openai-project-"));
  projects.push(folder);
  const all = { "package.json": '{ "type": "module" }', "langgraph.json": '{ "graphs": { "agent": "./graph.js:graph" } }', ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(join(folder, name, ".."), { recursive: true });
    writeFileSync(join(folder, name), text);
  }
  return folder;
}

/**
 * node_modules with a copy of LangGraph of its own (same version, other classes, as a
 * second install is) and the repository's other packages linked, core among them.
 */
function ownLangGraphCopy(folder: string): void {
  const copied = ["@langchain/langgraph", "@langchain/langgraph-checkpoint"];
  for (const entry of readdirSync("node_modules")) {
    const scoped = entry.startsWith("@") ? readdirSync(join("node_modules", entry)).map((name) => `${entry}/${name}`) : [entry];
    mkdirSync(join(folder, "node_modules", entry.startsWith("@") ? entry : ""), { recursive: true });
    for (const name of scoped) {
      if (copied.includes(name)) cpSync(resolve("node_modules", name), join(folder, "node_modules", name), { recursive: true });
      else symlinkSync(resolve("node_modules", name), join(folder, "node_modules", name));
    }
  }
}

/** A LangGraph 0.2.74 in `modules`: its package.json, and an entry that would fail any import of a 1.x name. */
function oldLangGraph(modules: string): Record<string, string> {
  return {
    [`${modules}/@langchain/langgraph/package.json`]: JSON.stringify({ name: "@langchain/langgraph", version: "0.2.74", type: "module", exports: { ".": "./index.js" } }),
    [`${modules}/@langchain/langgraph/index.js`]: "export const StateGraph = class {};",
  };
}

const ask = (url: string, messages: { role: string; content: string }[], threadId?: string) => chatText(url, "agent", messages, threadId);

/** Two turns of one conversation, as a chat client sends them: the whole history each time. */
async function twoTurns(url: string, threadId?: string): Promise<string[]> {
  const first = await ask(url, [{ role: "user", content: "one" }], threadId);
  const history = [{ role: "user", content: "one" }, { role: "assistant", content: first }, { role: "user", content: "two" }];
  return [first, await ask(url, history, threadId)];
}

async function serving(folder: string, run: (url: string) => Promise<void>): Promise<void> {
  const { child, output, finished } = runCommand(process.execPath, [BIN, "serve", "--port", "0"], folder);
  try {
    await run(await bannerUrl(output, finished));
  } finally {
    child.kill("SIGTERM");
  }
  expect((await finished).code).toBe(0);
}

describe.concurrent("a graph's own LangGraph", () => {
  it("refuses at startup a graph whose LangGraph is outside the supported range, in one line", async () => {
    // A workspace: the graph's package has a LangGraph of its own, the project's root none.
    const folder = project({
      "langgraph.json": '{ "graphs": { "agent": "./packages/agent/graph.js:graph" } }',
      ...oldLangGraph("packages/agent/node_modules"),
      "packages/agent/graph.js": 'import { StateGraph } from "@langchain/langgraph";\nexport const graph = new StateGraph();\n',
    });
    const { stderr, code } = await runCommand(process.execPath, [BIN, "serve", "--port", "0"], folder).finished;
    expect(code).toBe(1);
    expect(stderr).toBe(
      `langgraph-openai: graph 'agent': @langchain/langgraph 0.2.74 (in ${join(folder, "packages/agent/node_modules/@langchain/langgraph")}) ` +
        `is not supported: langgraph-openai needs ${SUPPORTED}\n`,
    );
  });

  it("refuses a project whose LangGraph is 0.x before anything imports it, in one line", async () => {
    const folder = project({
      ...oldLangGraph("node_modules"),
      "graph.js": 'import { StateGraph } from "@langchain/langgraph";\nexport const graph = new StateGraph();\n',
    });
    const { stderr, code } = await runCommand(process.execPath, [BIN, "serve", "--port", "0"], folder).finished;
    expect([code, stderr]).toEqual([
      1,
      `langgraph-openai: @langchain/langgraph 0.2.74 (in ${join(folder, "node_modules/@langchain/langgraph")}) is not supported: langgraph-openai needs ${SUPPORTED}\n`,
    ]);
  });

  it("keeps a thread and runs a stateless interrupt with checkpointers made by the graph's own copy", async () => {
    const folder = project({
      "graph.js": `
import { AIMessage } from "@langchain/core/messages";
import { END, interrupt, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/** Says whose MemorySaver runs it: the one LangGraph lends the run, else the graph's. */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode("report", (state, config) => {
    const saver = config.configurable.__pregel_checkpointer ?? graph.checkpointer;
    const whose = saver instanceof MemorySaver ? "my LangGraph" : "another LangGraph";
    const turn = state.messages.filter((message) => message.getType() === "human").length;
    const answer = state.messages.at(-1).text === "ask" ? interrupt("Sure?") : "";
    return { messages: [new AIMessage(\`turn \${turn}\${answer && \`, \${answer}\`}: a checkpointer from \${whose}\`)] };
  })
  .addEdge(START, "report")
  .addEdge("report", END)
  .compile();
`,
    });
    ownLangGraphCopy(folder);
    await serving(folder, async (url) => {
      expect(await twoTurns(url, "thread-1")).toEqual(["turn 1: a checkpointer from my LangGraph", "turn 2: a checkpointer from my LangGraph"]);
      // Stateless: the question is kept under the conversation's key, and the answer resumes it.
      expect(await ask(url, [{ role: "user", content: "ask" }])).toBe("Sure?");
      const answer = [{ role: "user", content: "ask" }, { role: "assistant", content: "Sure?" }, { role: "user", content: "yes" }];
      expect(await ask(url, answer)).toBe("turn 1, yes: a checkpointer from my LangGraph");
    });
  });

  it("runs a CommonJS graph's thread with a checkpointer of the CommonJS build of its LangGraph, the one it required", async () => {
    await serving(resolve("test/fixtures/commonjs-project"), async (url) => {
      expect(await twoTurns(url, "thread-1")).toEqual(Array(2).fill("Hello from a CommonJS project, with a checkpointer from my LangGraph."));
    });
  });
});
