import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docBlocks, startServer } from "./helpers.js";

// Codex speaks only the Responses API. `@openai/codex` ships its binary in the npm
// package and runs offline: a model provider whose base_url is our server is all it needs.
const CONFIG = "test/fixtures/responses/langgraph.config.json";
const MCP_CONFIG = "test/fixtures/mcp/langgraph.config.json";
const MCP_KEY = "sk-codex-test";
const codexBin = createRequire(import.meta.url).resolve("@openai/codex/bin/codex.js");

/** `codex ARGS` with nothing on stdin (it would wait for more of the prompt there). */
function codex(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [codexBin, ...args], { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let server: Awaited<ReturnType<typeof startServer>>;
let mcpServer: Awaited<ReturnType<typeof startServer>>;
const home = mkdtempSync(join(tmpdir(), "codex-home-"));
const mcpHome = mkdtempSync(join(tmpdir(), "codex-home-"));
const work = mkdtempSync(join(tmpdir(), "codex-work-"));

const mcpUrl = (running: { url: string }) => running.url.replace(/\/v1$/, "/mcp");

/** A Codex config whose model is `model`, served by the server at `url` over the Responses API. */
function codexConfig(url: string, model: string): string[] {
  return [
    `model = "${model}"`,
    'model_provider = "langgraph"',
    "",
    "[model_providers.langgraph]",
    'name = "langgraph-openai"',
    `base_url = "${url}"`,
    'wire_api = "responses"',
  ];
}

beforeAll(async () => {
  server = await startServer({ config: CONFIG });
  writeFileSync(join(home, "config.toml"), codexConfig(server.url, "echo").join("\n"));
  // The same server is Codex's model (a graph that calls the MCP tool) and its MCP server `graphs`, behind a key.
  mcpServer = await startServer({ config: MCP_CONFIG, apiKeys: [{ key: MCP_KEY }] });
  // The MCP server's block as docs/mcp.md gives it, pointed at this server.
  const [docsBlock] = docBlocks("docs/mcp.md", "toml");
  const mcpConfig = [...codexConfig(mcpServer.url, "calls-echo-tool"), 'env_key = "LANGGRAPH_OPENAI_KEY"', "", docsBlock!.replace("http://localhost:8000/mcp", mcpUrl(mcpServer))];
  writeFileSync(join(mcpHome, "config.toml"), mcpConfig.join("\n"));
});
afterAll(async () => {
  await Promise.all([server.close(), mcpServer.close()]);
  for (const dir of [home, mcpHome, work]) rmSync(dir, { recursive: true, force: true });
});

describe("the Codex CLI", () => {
  it("codex exec prints a graph's answer", { timeout: 60_000 }, async () => {
    const result = await codex(["exec", "--skip-git-repo-check", "Say hello to the graph"], { ...process.env, CODEX_HOME: home });
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(result.stdout.trim()).toBe("You said: Say hello to the graph");
  });

  it("codex exec calls a graph as a tool of this server's /mcp, and answers with its result", { timeout: 60_000 }, async () => {
    const result = await codex(["exec", "--skip-git-repo-check", "hello through MCP"], { ...process.env, CODEX_HOME: mcpHome, LANGGRAPH_OPENAI_KEY: MCP_KEY });
    expect(result, result.stderr).toMatchObject({ code: 0 });
    // The scripted model read the tool's result as Codex hands it back: the structured content, as JSON.
    expect(result.stdout.trim()).toMatch(/^The echo tool answered: .*\{"answer":"You said: hello through MCP","thread_id":"[0-9a-f-]{36}"\}$/s);
  });
});
