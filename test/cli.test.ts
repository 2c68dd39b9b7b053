import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCli, UsageError } from "../src/cli.js";
import { bannerUrl, runCommand as start } from "./helpers.js";

const FIXTURE_CONFIG = "test/fixtures/langgraph.config.json";

describe("parseCli", () => {
  it("looks for the config in the current folder and serves on 127.0.0.1:8000 by default", () => {
    expect(parseCli([], {})).toMatchObject({ config: undefined, port: 8000, host: "127.0.0.1" });
    expect(parseCli(["serve"], {})).toMatchObject({ config: undefined, port: 8000, host: "127.0.0.1" });
  });

  it("reads --config, --port and --host, long and short", () => {
    expect(parseCli(["serve", "--config", "a.json", "--port", "9000", "--host", "0.0.0.0"], {})).toMatchObject({
      config: "a.json",
      port: 9000,
      host: "0.0.0.0",
    });
    expect(parseCli(["serve", "-c", "b.json", "-p", "0"], {})).toMatchObject({ config: "b.json", port: 0 });
    expect(parseCli(["--port=1234"], {})).toMatchObject({ port: 1234 });
  });

  it("takes PORT and HOST from the environment, and flags win over them", () => {
    expect(parseCli([], { PORT: "3000", HOST: "::" })).toMatchObject({ port: 3000, host: "::" });
    expect(parseCli(["--port", "4000", "--host", "localhost"], { PORT: "3000", HOST: "::" })).toMatchObject({
      port: 4000,
      host: "localhost",
    });
  });

  it("asks for help with --help, -h or 'help'", () => {
    expect(parseCli(["serve", "--help"], {})).toBe("help");
    expect(parseCli(["-h"], {})).toBe("help");
    expect(parseCli(["help"], {})).toBe("help");
  });

  it("asks for the version with --version or -v", () => {
    expect(parseCli(["--version"], {})).toBe("version");
    expect(parseCli(["serve", "-v"], {})).toBe("version");
  });

  it.each([
    [["--port", "eighty"], /--port must be a number from 0 to 65535, got 'eighty'/],
    [["--port", "70000"], /--port must be a number from 0 to 65535, got '70000'/],
    [["--port=-1"], /--port must be a number from 0 to 65535, got '-1'/],
    [["--port", "80.5"], /got '80\.5'/],
    [["--port"], /^--port needs a value$/],
    [["-c"], /^-c needs a value$/],
    [["--verbose"], /^unknown option '--verbose'$/],
    [["-x"], /^unknown option '-x'$/],
    [["--no-metrics=yes"], /^--no-metrics takes no value$/],
    [["start"], /unknown command 'start'/],
    [["serve", "extra"], /unknown command 'serve extra'/],
    [["--body-limit", "0"], /--body-limit must be a size above zero, got '0'/],
    [["--body-limit", "1constructor"], /--body-limit must be a size such as 10mb/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCli(argv, {})).toThrow(UsageError);
    expect(() => parseCli(argv, {})).toThrow(message);
  });

  it("reads model settings from --configurable, --context and the --allow-* flags, values as JSON when they parse", () => {
    const options = parseCli(
      ["--configurable", "model=openai/gpt-4o-mini", "--configurable", "agent.maxResults=5", "--context", "agent.tone=cheerful", "--allow-context", "userName", "--allow-state", "rag.documents"],
      {},
    );
    expect(options).toMatchObject({
      settingFlags: [
        { setting: "configurable", target: "model", value: "openai/gpt-4o-mini" },
        { setting: "configurable", target: "agent.maxResults", value: 5 },
        { setting: "context", target: "agent.tone", value: "cheerful" },
        { setting: "allow_context", target: "userName" },
        { setting: "allow_state", target: "rag.documents" },
      ],
    });
  });

  it.each([
    [["--configurable", "model"], /^--configurable must be \[MODEL\.\]KEY=VALUE, got 'model'$/],
    [["--context", "=plain"], /^--context must be \[MODEL\.\]KEY=VALUE, got '=plain'$/],
    [["--allow-configurable", "model=x"], /^--allow-configurable must be \[MODEL\.\]KEY, got 'model=x'$/],
  ])("refuses the setting flags %j", (argv, message) => {
    expect(() => parseCli(argv, {})).toThrow(UsageError);
    expect(() => parseCli(argv, {})).toThrow(message);
  });

  it("refuses a bad PORT from the environment too", () => {
    expect(() => parseCli([], { PORT: "http" })).toThrow(/--port must be a number from 0 to 65535, got 'http'/);
  });
});

const BIN = resolve("bin/langgraph-openai.js");

function bin(...args: string[]) {
  return start(process.execPath, [BIN, ...args]);
}

const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

// Concurrent: each test waits on its own process.
describe.concurrent("the langgraph-openai bin", () => {
  it("lists every flag with --help", async () => {
    const { stdout, code } = await bin("serve", "--help").finished;
    expect(code).toBe(0);
    for (const flag of ["--config", "--port", "--host", "--help", "-c", "-p", "-h", "PORT", "HOST"]) expect(stdout).toContain(flag);
  });

  it("explains a bad flag, shows the usage and exits with 2", async () => {
    const { stderr, code } = await bin("serve", "--prot", "80").finished;
    expect(code).toBe(2);
    expect(stderr).toMatch(/^langgraph-openai: unknown option '--prot'\n/);
    expect(stderr).toContain("Usage: langgraph-openai serve");
  });

  it.each([
    ["not-a-graph", "graph 'fake' is not a graph: expected a compiled graph, a StateGraph or a factory, got Object"],
    // esbuild's own message spans several lines.
    ["syntax-error", "graph 'typo': cannot load"],
  ])("prints one line naming the problem of the %s config and exits with 1", async (name, problem) => {
    const { stderr, stdout, code } = await bin("serve", "--config", `test/fixtures/broken/${name}.config.json`, "--port", "0").finished;
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^langgraph-openai: /);
    expect(stderr).toContain(problem);
  });

  it.each([
    ["an address of no interface here", "203.0.113.7", "EADDRNOTAVAIL"],
    ["a name that does not resolve", "no-such-host.invalid", "ENOTFOUND"],
  ])("prints one line when --host is %s, and exits with 1", async (_, host, code) => {
    const { stderr, code: status } = await bin("serve", "--config", "test/fixtures/langgraph.config.json", "--port", "0", "--host", host).finished;
    expect(status).toBe(1);
    expect(stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(new RegExp(`^langgraph-openai: .*${code}.*${host.replaceAll(".", "\\.")}`))]);
  });

  it("serves a config on the port it picked, lists each model in its banner, answers, and stops on SIGTERM", async () => {
    const { child, output, finished } = bin("serve", "--config", FIXTURE_CONFIG, "--port", "0", "--host", "127.0.0.1");
    try {
      const url = await bannerUrl(output, finished);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const banner = output.stderr;
      expect(banner).toMatch(/serving 8 model\(s\)/);
      for (const id of ["compiled", "uncompiled", "sync-factory", "async-factory", "react", "plain-js", "default-export", "team/greeter"]) {
        expect(banner).toMatch(new RegExp(`^  ${id}\\b`, "m"));
      }
      expect(banner).toMatch(/^ {2}react {2}createReactAgent with a tool$/m);
      const response = await fetch(`${url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "plain-js", messages: [{ role: "user", content: "quiet please" }] }),
      });
      expect(response.status).toBe(200);
      expect((await response.json()).choices[0].message.content).toBe("QUIET PLEASE");
    } finally {
      child.kill("SIGTERM");
    }
    const { code, signal } = await finished;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it("serves langgraph.json from a CommonJS TypeScript project when run there without --config", async () => {
    const { child, output, finished } = start(process.execPath, [BIN, "serve", "--port", "0"], resolve("test/fixtures/commonjs-project"));
    try {
      const url = await bannerUrl(output, finished);
      const response = await fetch(`${url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "agent", messages: [{ role: "user", content: "hi" }] }),
      });
      expect((await response.json()).choices[0].message.content).toBe("Hello from a CommonJS project, with a checkpointer from my LangGraph.");
    } finally {
      child.kill("SIGTERM");
    }
    expect((await finished).code).toBe(0);
  });

  it("serves LangGraph CLI's config with model settings from the command line, for every model or for one", async () => {
    const folder = mkdtempSync(join(tmpdir(), "langgraph-openai-flags-"));
    const graphs = resolve("test/fixtures/langgraph-server/graphs.ts");
    writeFileSync(join(folder, "langgraph.json"), JSON.stringify({ graphs: { agent: `${graphs}:inspect`, "agent.v2": `${graphs}:inspect` } }));
    const flags = ["--configurable", "model=openai/gpt-4o-mini", "--configurable", "agent.v2.model=anthropic/claude", "--context", "agent.tone=cheerful"];
    const { child, output, finished } = start(process.execPath, [BIN, "serve", "--port", "0", ...flags, "--allow-context", "agent.userName"], folder);
    const received = async (model: string, extra: object = {}) => {
      const response = await fetch(`${await bannerUrl(output, finished)}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "what were you given?" }], ...extra }),
      });
      const body = await response.json();
      return response.ok ? JSON.parse(body.choices[0].message.content) : body.error;
    };
    try {
      expect(await received("agent", { context: { userName: "Ada" } })).toMatchObject({ model: "openai/gpt-4o-mini", context: { tone: "cheerful", userName: "Ada" } });
      expect(await received("agent.v2")).toMatchObject({ model: "anthropic/claude", context: {} });
      expect(await received("agent.v2", { context: { userName: "Ada" } })).toMatchObject({ param: "context.userName" });
    } finally {
      child.kill("SIGTERM");
      await finished;
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("refuses a --configurable key the server sets, in one line", async () => {
    const { stderr, code } = await bin("serve", "--config", FIXTURE_CONFIG, "--port", "0", "--configurable", "compiled.thread_id=mine").finished;
    expect([code, stderr]).toEqual([1, "langgraph-openai: --configurable compiled.thread_id: the server sets 'thread_id' for every run\n"]);
  });

  it("prints its version with --version", async () => {
    const { stdout, code } = await bin("--version").finished;
    expect({ stdout, code }).toEqual({ stdout: `${version}\n`, code: 0 });
  });

  it("names both config files and the folder it looked in when neither is there", async () => {
    const empty = mkdtempSync(join(tmpdir(), "langgraph-openai-no-config-"));
    try {
      const { stderr, code } = await start(process.execPath, [BIN, "serve", "--port", "0"], empty).finished;
      expect(code).toBe(1);
      expect(stderr).toBe(`langgraph-openai: no langgraph.config.json or langgraph.json in ${empty}: run this in your project's folder, or pass --config FILE\n`);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it("suggests --port when its port is in use", async () => {
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, "127.0.0.1", listening));
    const { port } = taken.address() as AddressInfo;
    try {
      const { stderr, code } = await bin("serve", "--config", FIXTURE_CONFIG, "--port", String(port)).finished;
      expect(code).toBe(1);
      expect(stderr).toBe(`langgraph-openai: port ${port} on 127.0.0.1 is in use: pick another with --port N (0 picks a free one)\n`);
    } finally {
      taken.close();
    }
  });
});
