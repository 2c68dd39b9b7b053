import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { SLOW_ANSWER } from "./fixtures/slow.js";
import { createRegistry, ScriptedChatModel } from "../src/index.js";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { contentOf, startServer, streamRaw } from "./helpers.js";

/** Starts the real CLI on a free port and resolves with its API URL, read from the banner. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, ["bin/langgraph-openai.js", "serve", "--port", "0", "--log-level", "silent", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", () => {
      const match = /at (http:\/\/\S+\/v1)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

describe("graceful stop", () => {
  it("on SIGTERM finishes the stream in flight with every token and [DONE], refuses new connections, then exits 0", async () => {
    const { child, url, stderr } = await startCli(["--config", "test/fixtures/slow.config.json"]);
    const exited = once(child, "exit");
    let refused: Promise<unknown> | undefined;
    const body = await streamRaw(url, "slow", () => {
      child.kill("SIGTERM");
      refused = expect.poll(() => stderr(), { timeout: 5000 }).toContain("SIGTERM: finishing the runs in flight")
        .then(() => fetch(`${url}/models`))
        .then(() => "answered", (error: Error & { cause?: { code?: string } }) => error.cause?.code);
    });
    // Asked while the stream still runs (it lasts a second): the listener closes at once.
    expect(await refused).toBe("ECONNREFUSED");
    expect(contentOf(body)).toBe(SLOW_ANSWER);
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    const [code] = await exited;
    expect(code).toBe(0);
  }, 20_000);

  it("after the shutdown timeout, aborts the runs left and tells their clients", async () => {
    const model = new ScriptedChatModel({ tokenDelayMs: 100, replies: [Array.from({ length: 300 }, (_, i) => `t${i}`).join(" ")] });
    const endless = new StateGraph(MessagesAnnotation)
      .addNode("model", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
      .addEdge(START, "model")
      .addEdge("model", END);
    const server = await startServer({ registry: await createRegistry({ endless }), shutdownTimeout: 0.3 });
    let closed: Promise<void> | undefined;
    const body = await streamRaw(server.url, "endless", () => (closed = server.close()));
    await closed;
    const last = body.trimEnd().split("\n").at(-1)!;
    expect(JSON.parse(last.slice("data: ".length))).toMatchObject({ error: { code: "service_unavailable" } });
    expect(contentOf(body)).toMatch(/^t0 t1 /);
    expect(body).not.toContain("[DONE]");
  });
});
