import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CheckpointerError, openCheckpointer, parseCheckpointerSpec } from "../src/checkpointer.js";
import { parseCli, UsageError } from "../src/cli.js";
import { openStore } from "../src/store.js";
import { killProcesses, POSTGRES_URL, skipWithoutPostgres, startProcess, stopProcess, type ServerProcess } from "./helpers.js";

const CONFIG = "test/fixtures/threads/langgraph.config.json";

function startCounter(checkpointer: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  return startProcess(["--config", CONFIG, "--checkpointer", checkpointer], env);
}

async function turn(server: ServerProcess, history: OpenAI.ChatCompletionMessageParam[], text: string, threadId?: string, model = "counter") {
  history.push({ role: "user", content: text });
  const headers = threadId ? { "X-Thread-Id": threadId } : {};
  const completion = await server.client.chat.completions.create({ model, messages: history }, { headers });
  const content = completion.choices[0]!.message.content!;
  history.push({ role: "assistant", content });
  return content;
}

afterEach(killProcesses);

describe("the checkpointer spec", () => {
  it("accepts memory, sqlite:PATH and postgres URLs", () => {
    expect(parseCheckpointerSpec("memory")).toEqual({ kind: "memory" });
    expect(parseCheckpointerSpec("sqlite:./threads.db")).toEqual({ kind: "sqlite", path: "./threads.db" });
    expect(parseCheckpointerSpec("postgresql://u@h/db")).toEqual({ kind: "postgres", url: "postgresql://u@h/db" });
  });

  it("turns a bad spec into a usage error naming the choices", () => {
    expect(() => parseCli(["--checkpointer", "redis://x"])).toThrow(UsageError);
    expect(() => parseCli(["--checkpointer", "sqlite:"])).toThrow(/file path/);
    expect(() => parseCli([], { LANGGRAPH_OPENAI_CHECKPOINTER: "mongo" })).toThrow(/'memory', 'sqlite:PATH' or a postgres/);
    expect(parseCli([], { LANGGRAPH_OPENAI_CHECKPOINTER: "sqlite:x.db" })).toMatchObject({ checkpointer: "sqlite:x.db" });
    expect(parseCli(["--checkpointer", "memory"], { LANGGRAPH_OPENAI_CHECKPOINTER: "sqlite:x.db" })).toMatchObject({ checkpointer: "memory" });
  });

  it("fails to open an unreachable database with a clear error", async () => {
    await expect(openCheckpointer("postgres://postgres@127.0.0.1:1/none")).rejects.toThrow(CheckpointerError);
    await expect(openCheckpointer("sqlite:/nonexistent-dir/threads.db")).rejects.toThrow(/cannot open SQLite checkpointer/);
    await expect(openStore("postgres://postgres:secret@127.0.0.1:1/none")).rejects.toThrow(/^cannot set up the Postgres store at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/none: /);
  });
});

describe("a thread kept in a SQLite file", () => {
  const dir = mkdtempSync(join(tmpdir(), "langgraph-openai-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("continues a named thread and a stateless interrupt after the server is killed and started again", async () => {
    const spec = `sqlite:${join(dir, "threads.db")}`;
    const threadId = `sqlite-${randomUUID()}`;
    const history: OpenAI.ChatCompletionMessageParam[] = [];
    const approval: OpenAI.ChatCompletionMessageParam[] = [];
    const first = await startCounter(spec);
    expect(await turn(first, history, "one", threadId)).toBe("I hold 2 messages.");
    expect(await turn(first, history, "two", threadId)).toBe("I hold 4 messages.");
    expect(await turn(first, approval, `write an email about ${randomUUID()}`, undefined, "approval")).toMatch(/Send this email\? \(yes\/no\)$/);
    await stopProcess(first, "SIGKILL");

    const second = await startCounter(spec);
    expect(await turn(second, history, "three", threadId)).toBe("I hold 6 messages.");
    expect(await turn(second, approval, "yes", undefined, "approval")).toMatch(/^Sent the email/);
    await stopProcess(second, "SIGTERM");
  });

  it("continues a response id from before the restart, with the secret the server kept in the file", async () => {
    const spec = `sqlite:${join(dir, "responses.db")}`;
    const env = { LANGGRAPH_OPENAI_RESPONSE_SECRET: undefined };
    const first = await startCounter(spec, env);
    const one = await first.client.responses.create({ model: "counter", input: "one" });
    const two = await first.client.responses.create({ model: "counter", input: "two", previous_response_id: one.id });
    await stopProcess(first, "SIGKILL");

    const second = await startCounter(spec, env);
    const three = await second.client.responses.create({ model: "counter", input: "three", previous_response_id: two.id });
    expect(three.output_text).toBe("I hold 6 messages.");
    expect((await second.client.responses.retrieve(one.id)).output_text).toBe("I hold 2 messages.");
    const forged = `resp_${Buffer.from("not signed by this server").toString("base64url")}`;
    await expect(second.client.responses.retrieve(forged)).rejects.toMatchObject({ status: 404 });
    await stopProcess(second, "SIGTERM");
  });
});

describe("threads in PostgreSQL", () => {
  it("are continued by another server process on the same database, turn by turn", async (context) => {
    await skipWithoutPostgres(context, "PostgreSQL checkpointer test");
    const a = await startCounter(POSTGRES_URL!);
    const b = await startCounter(POSTGRES_URL!);
    const threadId = `postgres-${randomUUID()}`;
    const history: OpenAI.ChatCompletionMessageParam[] = [];
    expect(await turn(a, history, "one", threadId)).toBe("I hold 2 messages.");
    expect(await turn(b, history, "two", threadId)).toBe("I hold 4 messages.");
    expect(await turn(a, history, "three", threadId)).toBe("I hold 6 messages.");

    const approval: OpenAI.ChatCompletionMessageParam[] = [];
    expect(await turn(a, approval, `write an email about ${randomUUID()}`, undefined, "approval")).toMatch(/Send this email\? \(yes\/no\)$/);
    expect(await turn(b, approval, "yes", undefined, "approval")).toMatch(/^Sent the email/);
    await Promise.all([stopProcess(a, "SIGTERM"), stopProcess(b, "SIGTERM")]);
  });

  it("take a response id made by one server process to another, both signing with the secret kept in the database", async (context) => {
    await skipWithoutPostgres(context, "PostgreSQL checkpointer test");
    const env = { LANGGRAPH_OPENAI_RESPONSE_SECRET: undefined };
    const [a, b] = await Promise.all([startCounter(POSTGRES_URL!, env), startCounter(POSTGRES_URL!, env)]);
    const one = await a.client.responses.create({ model: "counter", input: "one" });
    const two = await b.client.responses.create({ model: "counter", input: "two", previous_response_id: one.id });
    const three = await a.client.responses.create({ model: "counter", input: "three", previous_response_id: two.id });
    expect([one.output_text, two.output_text, three.output_text]).toEqual(["I hold 2 messages.", "I hold 4 messages.", "I hold 6 messages."]);
    expect((await b.client.responses.retrieve(three.id)).output).toEqual(three.output);
    await b.client.responses.delete(one.id);
    await expect(a.client.responses.retrieve(one.id)).rejects.toMatchObject({ status: 404 });
    await Promise.all([stopProcess(a, "SIGTERM"), stopProcess(b, "SIGTERM")]);
  });
});
