/**
 * The package as a user gets it: `npm pack`, then the tarball installed into fresh
 * projects: one with its own LangGraph and LangChain core from the registry, at the
 * bottom of the supported ranges (the repository itself runs the top), and one shaped
 * like LangGraph's templates, with LangChain's integrations (`@langchain/community`,
 * whose peers bring openai 4, `@langchain/openai`, `@langchain/anthropic`), installed
 * with npm's default peer resolution. One install each, side by side (from npm's cache
 * when it can), serves every case. The projects run this repository's tsc and vitest,
 * the versions it pins, so that only the package under test and its peers are installed.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify, stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bannerUrl, chatText, runCommand } from "./helpers.js";

const run = promisify(execFile);

/** The oldest versions the peer ranges in package.json admit. */
const LANGGRAPH = "1.0.0";
const CORE = "1.1.48";
const TSC = resolve("node_modules/typescript/bin/tsc");
const VITEST = resolve("node_modules/vitest/vitest.mjs");
const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { version: string; peerDependencies: Record<string, string> };

/** npm's own variables from `npm test` would point the project's npm at this repository. */
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== "INIT_CWD"));

/** The docs' vitest example, as a user copies it. */
function readmeTest(): string {
  const block = /```ts\n(\/\/ agent\.test\.ts\n[\s\S]*?)```/.exec(readFileSync("docs/code-and-testing.md", "utf8"));
  if (!block) throw new Error("docs/code-and-testing.md has no ```ts block starting with // agent.test.ts");
  return block[1]!;
}

const files: Record<string, string> = {
  "langgraph.json": JSON.stringify({ graphs: { agent: "./agent.ts:graph" } }),
  "agent.ts": `
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ScriptedChatModel } from "langgraph-openai";

export function makeAgent(model: BaseChatModel) {
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addEdge(START, "model")
    .addEdge("model", END)
    .compile();
}

/** What langgraph.json serves: it says which turn of its thread it answers. */
export const graph = makeAgent(
  new ScriptedChatModel({ respond: (messages) => \`Turn \${messages.filter((message) => message.getType() === "human").length}: \${messages.at(-1)?.text}.\` }),
);
`,
  "agent.test.ts": readmeTest(),
  // A user's file that starts the server from code: what the type checks compile.
  "server.ts": `
import { AIMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { createRegistry, getChatRequest, serve, type ChatRequestContext } from "langgraph-openai";
import { createTestClient } from "langgraph-openai/testing";

const graph = new StateGraph(MessagesAnnotation)
  .addNode("reply", (_state, config) => {
    const request: ChatRequestContext | undefined = getChatRequest(config);
    return { messages: [new AIMessage(\`You asked \${request?.model} with \${request?.tools?.length ?? 0} tools.\`)] };
  })
  .addEdge(START, "reply")
  .addEdge("reply", END)
  .compile();

const server = await serve({ registry: await createRegistry({ agent: graph }), port: 0, apiKeys: [{ key: "sk-1" }] });
const client = await createTestClient({ agent: graph });
console.log(server.url, client.baseURL);
await server.close();
`,
  // tsc --init's defaults (it writes tsconfig.json), on the user's files; the test file's vitest is not installed here.
  "tsconfig.init.json": JSON.stringify({ extends: "./tsconfig.json", files: ["server.ts", "agent.ts"] }),
  "tsconfig.es2021.json": JSON.stringify({
    compilerOptions: { module: "nodenext", target: "ES2021", lib: ["ES2021"], types: ["node"], strict: true, skipLibCheck: false, noEmit: true },
    files: ["server.ts"],
  }),
  // Plain node, as an ES module and from CommonJS: the graph answers over a real socket.
  "esm.mjs": `
import { AIMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { createLogger, createRegistry, serve } from "langgraph-openai";
const graph = new StateGraph(MessagesAnnotation).addNode("a", () => ({ messages: [new AIMessage("an ES module")] })).addEdge(START, "a").addEdge("a", END);
const server = await serve({ registry: await createRegistry({ agent: graph }), port: 0, logger: createLogger({ level: "silent" }) });
const response = await fetch(server.url + "/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "agent", messages: [{ role: "user", content: "hi" }] }) });
console.log("answered by", (await response.json()).choices[0].message.content);
await server.close();
`,
  "cjs.cjs": `
const { AIMessage } = require("@langchain/core/messages");
const { END, MessagesAnnotation, START, StateGraph } = require("@langchain/langgraph");
const { createRegistry, createLogger, serve } = require("langgraph-openai");
const graph = new StateGraph(MessagesAnnotation).addNode("a", () => ({ messages: [new AIMessage("CommonJS")] })).addEdge(START, "a").addEdge("a", END);
(async () => {
  const server = await serve({ registry: await createRegistry({ agent: graph }), port: 0, logger: createLogger({ level: "silent" }) });
  const response = await fetch(server.url + "/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "agent", messages: [{ role: "user", content: "hi" }] }) });
  console.log("answered by", (await response.json()).choices[0].message.content);
  await server.close();
})();
`,
};

/** A project as LangGraph's templates lay one out: its dependencies in package.json, its graph under src/. */
const templateFiles: Record<string, string> = {
  "package.json": JSON.stringify({
    name: "template-project",
    private: true,
    type: "module",
    dependencies: {
      "@langchain/anthropic": "^1.0.0",
      "@langchain/community": "^1.0.0",
      "@langchain/core": "^1.1.48",
      "@langchain/langgraph": "^1.0.0",
      "@langchain/openai": "^1.0.0",
    },
  }),
  "langgraph.json": JSON.stringify({ node_version: "20", dependencies: ["."], graphs: { qa: "./src/qa/graph.ts:graph" } }),
  // A question-and-answer graph: its state has no messages.
  "src/qa/graph.ts": `
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ question: Annotation<string>, answer: Annotation<string> });

export const graph = new StateGraph(State)
  .addNode("reply", (state) => ({ answer: \`You asked: \${state.question}\` }))
  .addEdge(START, "reply")
  .addEdge("reply", END)
  .compile();
`,
  // The testing helper with the openai the project has (4.x, from @langchain/community's peers).
  "testing.mjs": `
import { AIMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { createTestClient } from "langgraph-openai/testing";
const graph = new StateGraph(MessagesAnnotation).addNode("a", () => ({ messages: [new AIMessage("the project's openai")] })).addEdge(START, "a").addEdge("a", END);
const client = await createTestClient({ agent: graph });
const completion = await client.chat.completions.create({ model: "agent", messages: [{ role: "user", content: "hi" }] });
console.log("answered through", completion.choices[0].message.content);
`,
};

/**
 * LangGraph 0.x as LangGraph's templates' lock files pin it (0.2.5, 0.2.8) and as the
 * last 0.2 (0.2.74), each in a project of its own, the package installed over it the
 * only way npm lets it be (the peer range says ^1).
 */
const OLD_LANGGRAPHS = ["0.2.5", "0.2.8", "0.2.74"];

let workspace: string;
let project: string;
let template: string;
let packed: { files: { path: string }[]; size: number; unpackedSize: number };

/** A command in the project, as its user runs it. */
const inProject = (command: string, args: string[]) => runCommand(command, args, project, env);
const chat = (url: string, messages: { role: string; content: string }[]) => chatText(url, "agent", messages, "trip");

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), "langgraph-openai-package-"));
  project = join(workspace, "project");
  // dist/ is fresh: test/global-setup.ts built it (prepack would only build it again).
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", workspace], { env });
  const [pack] = JSON.parse(stdout) as (typeof packed & { filename: string })[];
  packed = pack!;
  const tarball = join(workspace, pack!.filename);
  writeProject(project, { ...files, "package.json": '{ "name": "user-project", "private": true, "type": "module" }' });
  template = join(workspace, "template");
  writeProject(template, templateFiles);
  // npm's default peer resolution: no --legacy-peer-deps, no --force.
  const install = (folder: string, packages: string[]) =>
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...packages], { cwd: folder, env });
  await Promise.all([
    install(project, [`@langchain/langgraph@${LANGGRAPH}`, `@langchain/core@${CORE}`, "openai", "@types/node@20"]).then(() =>
      run(process.execPath, [TSC, "--init"], { cwd: project, env }),
    ),
    install(template, []),
    ...OLD_LANGGRAPHS.map((version) => {
      const folder = join(workspace, `langgraph-${version}`);
      writeProject(folder, { "package.json": '{ "name": "old-project", "private": true }', "langgraph.json": files["langgraph.json"]!, "agent.ts": files["agent.ts"]! });
      return install(folder, ["--no-save", "--ignore-scripts", "--legacy-peer-deps", `@langchain/langgraph@${version}`, "@langchain/core@0.3"]);
    }),
  ]);
}, 300_000);

function writeProject(folder: string, contents: Record<string, string>): void {
  for (const [name, text] of Object.entries(contents)) {
    mkdirSync(dirname(join(folder, name)), { recursive: true });
    writeFileSync(join(folder, name), text);
  }
}

afterAll(async () => {
  if (workspace) await rm(workspace, { recursive: true, force: true });
}, 120_000);

describe.concurrent("the packed package in a fresh project", { timeout: 120_000 }, () => {
  it("holds only the build, the bin, the README, the LICENSE and package.json", () => {
    const tops = new Set(packed.files.map((file) => file.path.split("/")[0]));
    expect([...tops].sort()).toEqual(["LICENSE", "README.md", "bin", "dist", "package.json"]);
  });

  it("is installed with the project's own LangGraph and core, no copy of its own, and no optional peer", () => {
    const version = (name: string) => (JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    expect([version("@langchain/langgraph"), version("@langchain/core")]).toEqual([LANGGRAPH, CORE]);
    expect(existsSync(join(project, "node_modules/langgraph-openai/node_modules/@langchain"))).toBe(false);
    // Optional peers stay out until a user installs them: the cases below run without them.
    for (const optional of ["better-sqlite3", "pg", "@langchain/langgraph-checkpoint-sqlite", "@langchain/langgraph-checkpoint-postgres"]) {
      expect(existsSync(join(project, "node_modules", optional)), optional).toBe(false);
    }
  });

  it("serves the project's langgraph.json with `npx langgraph-openai serve`, two turns on a thread, and the playground page", async () => {
    const { output, finished, stop } = inProject("npx", ["langgraph-openai", "serve", "--port", "0", "--log-level", "warn"]);
    try {
      const url = await bannerUrl(output, finished);
      const first = await chat(url, [{ role: "user", content: "Hi" }]);
      expect(first).toBe("Turn 1: Hi.");
      const second = await chat(url, [{ role: "user", content: "Hi" }, { role: "assistant", content: first }, { role: "user", content: "Paris" }]);
      expect(second).toBe("Turn 2: Paris.");
      // The playground page, from the installed package's build.
      const origin = new URL(url).origin;
      const page = await fetch(origin, { headers: { Accept: "text/html" } });
      expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('<script type="module" src="/playground/main.js">')]);
      for (const file of ["main.js", "graph-view.js", "style.css"]) expect((await fetch(`${origin}/playground/${file}`)).status, file).toBe(200);
    } finally {
      stop();
    }
    await finished;
  });

  it("prints its version and names what --checkpointer sqlite: and postgres:// need installed", async () => {
    expect((await inProject("npx", ["langgraph-openai", "--version"]).finished).stdout).toBe(`${manifest.version}\n`);
    const sqlite = await inProject("npx", ["langgraph-openai", "serve", "--port", "0", "--checkpointer", "sqlite:threads.db"]).finished;
    expect([sqlite.code, sqlite.stderr]).toEqual([
      1,
      "langgraph-openai: @langchain/langgraph-checkpoint-sqlite is not installed; it is needed for --checkpointer sqlite:PATH: npm i @langchain/langgraph-checkpoint-sqlite\n",
    ]);
    const postgres = await inProject("npx", ["langgraph-openai", "serve", "--port", "0", "--checkpointer", "postgres://127.0.0.1:1/none"]).finished;
    expect(postgres.stderr).toBe(
      "langgraph-openai: @langchain/langgraph-checkpoint-postgres is not installed; it is needed for a postgres:// --checkpointer or --store: npm i @langchain/langgraph-checkpoint-postgres pg\n",
    );
  });

  it("runs under plain node as an ES module", async () => {
    expect((await run(process.execPath, ["esm.mjs"], { cwd: project, env })).stdout).toBe("answered by an ES module\n");
  });

  it("runs under plain node from CommonJS with require()", async () => {
    expect((await run(process.execPath, ["cjs.cjs"], { cwd: project, env })).stdout).toBe("answered by CommonJS\n");
  });

  it("type-checks a user's file under tsc --init's defaults", async () => {
    const check = await run(process.execPath, [TSC, "--noEmit", "-p", "tsconfig.init.json"], { cwd: project, env }).catch((error: { stdout: string }) => error);
    expect(check.stdout).toBe("");
  });

  it("type-checks a user's file under lib ES2021 with skipLibCheck false", async () => {
    const check = await run(process.execPath, [TSC, "-p", "tsconfig.es2021.json"], { cwd: project, env }).catch((error: { stdout: string }) => error);
    expect(check.stdout).toBe("");
  });

  it("runs the docs' vitest test of the project's graph through the testing helper", async () => {
    const test = await run(process.execPath, [VITEST, "run", "--root", project, "agent.test.ts"], { cwd: project, env }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(stripVTControlCharacters(test.stdout)).toMatch(/Tests\s+1 passed/);
  });
});

describe.concurrent("the packed package in a project shaped like LangGraph's templates, with LangChain's integrations", { timeout: 120_000 }, () => {
  const inTemplate = (command: string, args: string[]) => runCommand(command, args, template, env);
  const installed = (name: string) => (JSON.parse(readFileSync(join(template, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

  it("installs beside @langchain/community, @langchain/openai and @langchain/anthropic 1.x, and community's openai 4", () => {
    for (const name of ["@langchain/community", "@langchain/openai", "@langchain/anthropic", "@langchain/langgraph"]) {
      expect(installed(name), name).toMatch(/^1\./);
    }
    expect(installed("openai")).toMatch(/^4\./);
  });

  it("runs the testing helper with the openai the project has", async () => {
    expect((await run(process.execPath, ["testing.mjs"], { cwd: template, env })).stdout).toBe("answered through the project's openai\n");
  });

  it("serves a {question, answer} graph over chat completions with no config of its own", async () => {
    const { output, finished, stop } = inTemplate("npx", ["langgraph-openai", "serve", "--port", "0", "--log-level", "warn"]);
    try {
      const url = await bannerUrl(output, finished);
      expect(await chatText(url, "qa", [{ role: "user", content: "What is LangGraph?" }])).toBe("You asked: What is LangGraph?");
    } finally {
      stop();
    }
    await finished;
  });
});

describe.concurrent("the packed package over LangGraph 0.x", { timeout: 60_000 }, () => {
  it.for(OLD_LANGGRAPHS)("says in one line that LangGraph %s is not supported, before importing it", async (version) => {
    const folder = join(workspace, `langgraph-${version}`);
    const started = await runCommand("npx", ["langgraph-openai", "serve", "--port", "0"], folder, env).finished;
    expect([started.code, started.stderr]).toEqual([
      1,
      `langgraph-openai: @langchain/langgraph ${version} (in ${join(folder, "node_modules/@langchain/langgraph")}) is not supported: langgraph-openai needs ${manifest.peerDependencies["@langchain/langgraph"]}\n`,
    ]);
  });
});
