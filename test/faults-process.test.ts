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
import { contentOf, streamRaw } from "./helpers.js";
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
  // dist/ is fresh: test/global-setup.ts built it (prestart would only build it again).
  const npmStart = ["npm", "start", "--ignore-scripts", "--"];
  const slowServer = (command?: string[]) => startServerProcess(["--config", "test/fixtures/slow.config.json", "--log-level", "warn"], command && { command });

  it("is the server: SIGTERM sent to npm drains the stream in flight to [DONE], and npm exits 0", async () => {
    const server = await slowServer(npmStart);
    const body = await streamRaw(server.url, "slow", () => server.child.kill("SIGTERM"));
    expect(contentOf(body)).toBe(SLOW_ANSWER);
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(server.stderr()).toContain("SIGTERM: finishing the runs in flight");
    expect(await server.exited).toMatchObject({ code: 0, signal: null });
    // Nothing was left behind holding the port.
    await expect(fetch(`${server.url}/models`)).rejects.toThrow();
  });

  it("drains the stream in flight when SIGTERM reaches its whole process group, the server directly and again through npm", async () => {
    const server = await slowServer(npmStart);
    const body = await streamRaw(server.url, "slow", () => process.kill(-server.child.pid!, "SIGTERM"));
    expect(contentOf(body)).toBe(SLOW_ANSWER);
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(server.stderr().match(/finishing the runs in flight/g)).toHaveLength(1);
    expect(await server.exited).toMatchObject({ code: 0 });
  });

  it("counts a signal repeated within half a second as the same delivery, as npm relays the group's, and drains", async () => {
    const server = await slowServer();
    const body = await streamRaw(server.url, "slow", () => {
      server.child.kill("SIGTERM");
      setTimeout(() => server.child.kill("SIGTERM"), 150);
    });
    expect(contentOf(body)).toBe(SLOW_ANSWER);
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(await server.exited).toMatchObject({ code: 0, signal: null });
  });

  it("exits at once on a second Ctrl-C that comes after the first, cutting the stream", async () => {
    const server = await slowServer();
    let secondSent = 0;
    const body = await streamRaw(server.url, "slow", () => {
      server.child.kill("SIGINT");
      setTimeout(() => {
        secondSent = performance.now();
        server.child.kill("SIGINT");
      }, 600);
    });
    const { signal } = await server.exited;
    expect(signal).toBe("SIGINT");
    expect(performance.now() - secondSent).toBeLessThan(1000);
    expect(body).not.toContain("[DONE]");
    expect(contentOf(body).length).toBeLessThan(SLOW_ANSWER.length);
  });
});
