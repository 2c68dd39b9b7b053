import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "./helpers.js";

// Codex speaks only the Responses API. `@openai/codex` ships its binary in the npm
// package and runs offline: a model provider whose base_url is our server is all it needs.
const CONFIG = "test/fixtures/responses/langgraph.config.json";
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
const home = mkdtempSync(join(tmpdir(), "codex-home-"));
const work = mkdtempSync(join(tmpdir(), "codex-work-"));

beforeAll(async () => {
  server = await startServer({ config: CONFIG });
  writeFileSync(
    join(home, "config.toml"),
    [
      'model = "echo"',
      'model_provider = "langgraph"',
      "",
      "[model_providers.langgraph]",
      'name = "langgraph-openai"',
      `base_url = "${server.url}"`,
      'wire_api = "responses"',
    ].join("\n"),
  );
});
afterAll(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe("the Codex CLI", () => {
  it("codex exec prints a graph's answer", { timeout: 60_000 }, async () => {
    const result = await codex(["exec", "--skip-git-repo-check", "Say hello to the graph"], { ...process.env, CODEX_HOME: home });
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(result.stdout.trim()).toBe("You said: Say hello to the graph");
  });
});
