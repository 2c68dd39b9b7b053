/**
 * PostgreSQL failing under a running server: backends terminated, connections reset
 * (idle, mid-query, mid-run), the network partitioned. The server runs in its own
 * process behind a TCP proxy of the test's own, with every database on it (the
 * checkpointer, the thread locks that come with it, the store); it must stay up, answer
 * 503 (or end a stream with an error event) while the database is away, never hang past
 * `--run-timeout`, and go on without a restart once the database is back, with no turn
 * lost or doubled.
 */
import { randomUUID } from "node:crypto";
import OpenAI, { APIError } from "openai";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DatabaseUnavailableError } from "../src/errors.js";
import { isConnectionFailure, isWorthRetrying, toDatabaseError } from "../src/postgres.js";
import { killServerProcesses, startServerProcess, type ServerProcess } from "./server-process.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

const POSTGRES_URL = process.env.LANGGRAPH_OPENAI_TEST_POSTGRES_URL;
const CONFIG = "test/fixtures/faults/langgraph.config.json";

type Message = OpenAI.ChatCompletionMessageParam;

describe("telling a database that cannot be reached from a query that failed", () => {
  it("takes resets, refusals, timeouts and terminated backends for the database being away", () => {
    const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
    for (const error of [
      withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"),
      withCode("read ECONNRESET", "ECONNRESET"),
      withCode("terminating connection due to administrator command", "57P01"),
      withCode("the database system is starting up", "57P03"),
      withCode("sorry, too many clients already", "53300"),
      withCode("canceling statement due to statement timeout", "57014"),
      withCode("connection failure", "08006"),
      new Error("Connection terminated unexpectedly"),
      new Error("Query read timeout"),
      new Error("timeout exceeded when trying to connect"),
      new Error("Client has encountered a connection error and is not queryable"),
    ]) {
      expect(isConnectionFailure(error), error.message).toBe(true);
      expect(toDatabaseError(error)).toBeInstanceOf(DatabaseUnavailableError);
    }
  });

  it("tries a call once more when its connection failed at once, not when it timed out", () => {
    const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
    expect(isWorthRetrying(withCode("terminating connection due to administrator command", "57P01"))).toBe(true);
    expect(isWorthRetrying(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isWorthRetrying(withCode("read ECONNRESET", "ECONNRESET"))).toBe(true);
    expect(isWorthRetrying(new Error("Query read timeout"))).toBe(false);
    expect(isWorthRetrying(new Error("timeout exceeded when trying to connect"))).toBe(false);
    expect(isWorthRetrying(withCode("canceling statement due to statement timeout", "57014"))).toBe(false);
    expect(isWorthRetrying(withCode('relation "checkpoints" does not exist', "42P01"))).toBe(false);
  });

  it("leaves a query's own errors as they are", () => {
    const syntax = Object.assign(new Error('syntax error at or near "SELEC"'), { code: "42601" });
    const missing = Object.assign(new Error('relation "checkpoints" does not exist'), { code: "42P01" });
    for (const error of [syntax, missing, new TypeError("Cannot read properties of undefined")]) {
      expect(isConnectionFailure(error)).toBe(false);
      expect(toDatabaseError(error)).toBe(error);
    }
  });
});

describe.skipIf(!POSTGRES_URL)("a server whose PostgreSQL fails", () => {
  const applicationName = `fault-test-${randomUUID()}`;
  let proxy: TcpProxy;
  let server: ServerProcess;
  let admin: pg.Client;

  beforeAll(async () => {
    const database = new URL(POSTGRES_URL!);
    proxy = await startTcpProxy({ host: database.hostname, port: Number(database.port || 5432) });
    const throughProxy = new URL(POSTGRES_URL!);
    throughProxy.host = `127.0.0.1:${proxy.port}`;
    // Names the server's connections, so that only they are terminated (other test files share the database).
    throughProxy.searchParams.set("application_name", applicationName);
    server = await startServerProcess([
      "--config",
      CONFIG,
      "--checkpointer",
      throughProxy.href,
      "--store",
      throughProxy.href,
      "--run-timeout",
      "2",
      "--db-timeout",
      "1",
      "--log-level",
      "warn",
    ]);
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
  }, 30_000);

  afterEach(() => proxy.restore());

  afterAll(async () => {
    killServerProcesses();
    await admin?.end();
    await proxy?.close();
  });

  async function turn(history: Message[], text: string, threadId: string, model = "counter"): Promise<string> {
    history.push({ role: "user", content: text });
    const completion = await server.client.chat.completions.create({ model, messages: history }, { headers: { "X-Thread-Id": threadId } });
    const content = completion.choices[0]!.message.content!;
    history.push({ role: "assistant", content });
    return content;
  }

  /** Streams a turn of `slow-counter`, calling `duringRun` once its first token arrives; resolves with the text and how the stream ended. */
  async function streamTurn(history: Message[], threadId: string, duringRun: () => void): Promise<{ text: string; error?: APIError }> {
    const stream = await server.client.chat.completions.create(
      { model: "slow-counter", messages: history, stream: true },
      { headers: { "X-Thread-Id": threadId } },
    );
    let text = "";
    try {
      for await (const chunk of stream) {
        if (text === "") duringRun();
        text += chunk.choices[0]?.delta.content ?? "";
      }
      return { text };
    } catch (error) {
      return { text, error: error as APIError };
    }
  }

  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as APIError);

  async function terminateServerBackends(): Promise<number> {
    const { rowCount } = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = $1",
      [applicationName],
    );
    return rowCount ?? 0;
  }

  const connectionFailures = () => server.logs().filter((line) => /database connection failed/.test(String(line.msg))).length;

  it("stays up when its connections are terminated, logs it, and answers the next request at once", async () => {
    const threadId = `terminated-${randomUUID()}`;
    const history: Message[] = [];
    expect(await turn(history, "one", threadId)).toBe("I hold 2 messages.");
    expect(await turn([], "visit", threadId, "visits")).toBe("Visit 1.");
    const logged = connectionFailures();
    expect(await terminateServerBackends()).toBeGreaterThan(0);
    // Asked at once: a connection the pool still holds may be one the database has closed.
    expect(await turn(history, "two", threadId)).toBe("I hold 4 messages.");
    expect(await turn([], "visit", threadId, "visits")).toBe("Visit 2.");
    await expect.poll(connectionFailures, { timeout: 5000 }).toBeGreaterThan(logged);
    expect(server.alive()).toBe(true);
  });

  it("stays up when a query's connection is reset while a request holds it, and makes the query again on a fresh one", async () => {
    const threadId = `reset-${randomUUID()}`;
    const history: Message[] = [];
    expect(await turn(history, "one", threadId)).toBe("I hold 2 messages.");
    const logged = connectionFailures();
    proxy.resetNextQuery();
    expect(await turn(history, "two", threadId)).toBe("I hold 4 messages.");
    expect(connectionFailures()).toBeGreaterThan(logged);
    expect(server.alive()).toBe(true);
  });

  it("ends a stream with an error event when the database goes away mid-run, answers 503 while it is away, and loses no turn once it is back", async () => {
    const threadId = `cut-${randomUUID()}`;
    const history: Message[] = [];
    expect(await turn(history, "one", threadId, "slow-counter")).toMatch(/^I hold 2 messages/);
    const logsBefore = server.logs().length;
    history.push({ role: "user", content: "two" });
    const cutMidRun = await streamTurn(history, threadId, () => proxy.cut());
    // The thread's lock goes with its connection, so the run stops there, before it writes again.
    expect("I hold 4 messages.".startsWith(cutMidRun.text)).toBe(true);
    expect(cutMidRun.error).toBeInstanceOf(APIError);
    expect(cutMidRun.error!.message).toMatch(/thread lock was lost|database that keeps conversations cannot be reached/);

    const whileAway = await failure(server.client.chat.completions.create({ model: "counter", messages: history }, { headers: { "X-Thread-Id": threadId } }));
    expect(whileAway).toMatchObject({ status: 503, code: "database_unavailable" });
    expect(whileAway!.headers?.get("retry-after")).toBe("5");
    // A run on no thread needs no database, unless its graph uses the store.
    const stateless = await server.client.chat.completions.create({ model: "counter", messages: [{ role: "user", content: "hi" }] });
    expect(stateless.choices[0]!.message.content).toBe("I hold 2 messages.");
    const unstored = await server.client.responses.create({ model: "counter", input: "hi", store: false });
    expect(unstored.output_text).toBe("I hold 2 messages.");
    // Nor does Open WebUI's title task sent to the Responses API, which is never stored.
    const titleTask = '### Task:\nGenerate a title.\nJSON format: { "title": "" }\n<chat_history>\nUSER: hi there\n</chat_history>';
    const title = await server.client.responses.create({ model: "counter", input: titleTask }, { headers: { "X-OpenWebUI-Task": "title_generation" } });
    expect(JSON.parse(title.output_text)).toEqual({ title: "hi there" });
    const storeUser = await failure(server.client.chat.completions.create({ model: "visits", messages: [{ role: "user", content: "hi" }] }));
    expect(storeUser).toMatchObject({ status: 503, code: "database_unavailable" });
    // The outage is one warning in the log, not an error with a stack per request answered 503.
    const logged = () => server.logs().slice(logsBefore);
    await expect.poll(() => logged().filter((line) => line.errorCode === "database_unavailable").length).toBeGreaterThanOrEqual(2);
    expect(logged().filter((line) => /database cannot be reached: requests that need it get 503/.test(String(line.msg))).length).toBeLessThanOrEqual(1);
    expect(logged().filter((line) => Number(line.level) >= 50 && (line.err !== undefined || line.status === 503))).toEqual([]);

    proxy.restore();
    // The client sends the failed turn again: it runs once, from the last turn that was complete.
    history.pop();
    expect(await turn(history, "two", threadId)).toBe("I hold 4 messages.");
    expect(await turn(history, "three", threadId)).toBe("I hold 6 messages.");
    expect(server.alive()).toBe(true);
  });

  it("gives up at --run-timeout when the network to the database is partitioned mid-run, and carries on once it heals", async () => {
    const threadId = `partition-${randomUUID()}`;
    const history: Message[] = [];
    expect(await turn(history, "one", threadId, "slow-counter")).toMatch(/^I hold 2 messages/);
    history.push({ role: "user", content: "two" });
    const partitioned = await streamTurn(history, threadId, () => proxy.partition());
    expect(partitioned.error).toBeInstanceOf(APIError);
    expect(partitioned.error!.message).toMatch(/took longer than 2 seconds|database that keeps conversations cannot be reached/);

    // While partitioned: a 503 once connecting times out (1 s), or the run's own timeout (2 s): never a hang.
    const other = await failure(server.client.chat.completions.create({ model: "counter", messages: [{ role: "user", content: "x" }] }, { headers: { "X-Thread-Id": `other-${randomUUID()}` } }));
    expect([503, 504]).toContain(other!.status);

    proxy.restore();
    history.pop();
    expect(await turn(history, "two", threadId)).toBe("I hold 4 messages.");
    expect(server.alive()).toBe(true);
  });

  it("was never taken down: no crash, no uncaught error in its output", () => {
    expect(server.alive()).toBe(true);
    expect(server.stderr()).not.toMatch(/uncaught|unhandled/i);
  });
});
