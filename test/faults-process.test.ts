/**
 * The server process itself failing or being stopped: killed mid-turn and started again
 * on the same SQLite file, and stopped by SIGTERM sent to `npm start` (a container's
 * main process), which must reach the server and drain it.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type OpenAI from "openai";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { SLOW_ANSWER } from "./fixtures/slow.js";
import { killServerProcesses, startServerProcess, type ServerProcess } from "./server-process.js";

type Message = OpenAI.ChatCompletionMessageParam;

afterEach(() => killServerProcesses());

async function turn(server: ServerProcess, history: Message[], text: string, threadId: string): Promise<string> {
  history.push({ role: "user", content: text });
  const completion = await server.client.chat.completions.create({ model: "counter", messages: history }, { headers: { "X-Thread-Id": threadId } });
  const content = completion.choices[0]!.message.content!;
  history.push({ role: "assistant", content });
  return content;
}

describe("a SQLite-backed server killed mid-turn", () => {
  const dir = mkdtempSync(join(tmpdir(), "langgraph-openai-faults-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("starts again with its threads consistent: the interrupted turn, sent again, runs once", async () => {
    const args = ["--config", "test/fixtures/faults/langgraph.config.json", "--checkpointer", `sqlite:${join(dir, "threads.db")}`, "--log-level", "warn"];
    const threadId = `killed-${randomUUID()}`;
    const history: Message[] = [];
    const first = await startServerProcess(args);
    expect(await turn(first, history, "one", threadId)).toBe("I hold 2 messages.");

    // The same thread, on a model that takes its time: killed while it answers.
    history.push({ role: "user", content: "two" });
    const stream = await first.client.chat.completions.create({ model: "slow-counter", messages: history, stream: true }, { headers: { "X-Thread-Id": threadId } });
    const cut = (async () => {
      for await (const _chunk of stream) {
        first.child.kill("SIGKILL");
        await first.exited;
      }
    })();
    await expect(cut).rejects.toThrow();
    expect((await first.exited).signal).toBe("SIGKILL");

    const second = await startServerProcess(args);
    history.pop();
    expect(await turn(second, history, "two", threadId)).toBe("I hold 4 messages.");
    expect(await turn(second, history, "three", threadId)).toBe("I hold 6 messages.");
  });
});

describe("npm start", () => {
  it("is the server: SIGTERM sent to npm drains the stream in flight to [DONE], and npm exits 0", async () => {
    // dist/ is fresh: test/global-setup.ts built it (prestart would only build it again).
    const npmStart = ["npm", "start", "--ignore-scripts", "--"];
    const server = await startServerProcess(["--config", "test/fixtures/slow.config.json", "--log-level", "warn"], { command: npmStart });
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "slow", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    const decoder = new TextDecoder();
    let body = "";
    for await (const bytes of response.body!) {
      if (body === "") server.child.kill("SIGTERM");
      body += decoder.decode(bytes, { stream: true });
    }
    const content = body
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => JSON.parse(line.slice("data: ".length)).choices[0]?.delta?.content ?? "")
      .join("");
    expect(content).toBe(SLOW_ANSWER);
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(server.stderr()).toContain("SIGTERM: finishing the runs in flight");
    expect(await server.exited).toMatchObject({ code: 0, signal: null });
    // Nothing was left behind holding the port.
    await expect(fetch(`${server.url}/models`)).rejects.toThrow();
  });
});
