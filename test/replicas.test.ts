import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { APIError, ConflictError } from "openai";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectTurnsSerialised, killProcesses, parseTurn, POSTGRES_URL, postgresUnavailable, skipWithoutPostgres, startProcess, stopProcess, type ServerProcess } from "./helpers.js";

const CONFIG = "test/fixtures/replicas/langgraph.json";

function startReplica(...args: string[]): Promise<ServerProcess> {
  return startProcess(["--config", CONFIG, "--checkpointer", POSTGRES_URL!, ...args]);
}

/** One turn on the thread, sending only the new message (the model continues threads). */
async function say(replica: ServerProcess, text: string, threadId: string): Promise<string> {
  const completion = await replica.client.chat.completions.create({ model: "turns", messages: [{ role: "user", content: text }] }, { headers: { "X-Thread-Id": threadId } });
  return completion.choices[0]!.message.content!;
}

afterEach(killProcesses);

describe("replicas sharing one PostgreSQL database", () => {
  let db: pg.Client | undefined;

  beforeAll(async () => {
    if (await postgresUnavailable()) return;
    db = new pg.Client({ connectionString: POSTGRES_URL });
    await db.connect();
  });
  afterAll(() => db?.end());

  /** Whether some replica holds the thread's lock now: Postgres shows a 64-bit advisory key as two 32-bit halves. */
  async function threadLocked(threadId: string): Promise<boolean> {
    const { rows } = await db!.query(
      `SELECT count(*)::int AS held FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objsubid = 1
         AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('langgraph-openai:thread:' || $1, 0)`,
      [threadId],
    );
    return rows[0].held > 0;
  }

  /** Ends the database connection that holds the thread's lock, as a failover or a network cut would. */
  async function killLockConnection(threadId: string): Promise<void> {
    const { rowCount } = await db!.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objsubid = 1
         AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('langgraph-openai:thread:' || $1, 0)`,
      [threadId],
    );
    expect(rowCount).toBe(1);
  }

  async function until(condition: () => Promise<boolean>): Promise<void> {
    while (!(await condition())) await sleep(20);
  }

  it("serialise concurrent turns on one thread: every turn is kept, in order", async (context) => {
    await skipWithoutPostgres(context, "replica test");
    const [a, b] = await Promise.all([startReplica(), startReplica()]);
    const threadId = `replicas-${randomUUID()}`;
    await expectTurnsSerialised(
      (text, index) => say(index % 2 ? b : a, text, threadId),
      (text) => say(b, text, threadId),
    );
    await Promise.all([stopProcess(a, "SIGTERM"), stopProcess(b, "SIGTERM")]);
  });

  it("answer 409 when the thread stays busy past --thread-lock-timeout, and a replica that dies releases its threads", async (context) => {
    await skipWithoutPostgres(context, "replica test");
    const [a, b] = await Promise.all([startReplica("--thread-lock-timeout", "0.5"), startReplica("--thread-lock-timeout", "0.5")]);
    const threadId = `held-${randomUUID()}`;
    const held = say(a, "hold", threadId).catch((error: unknown) => error);
    await until(() => threadLocked(threadId));

    const busy = await say(b, "meanwhile", threadId).catch((error: unknown) => error);
    expect(busy).toBeInstanceOf(ConflictError);
    expect(busy).toMatchObject({ status: 409, code: "thread_busy" });
    expect((busy as ConflictError).message).toMatch(/busy with another request, on this server or another replica, for longer than 0\.5 seconds/);

    await stopProcess(a, "SIGKILL");
    await held;
    await until(async () => !(await threadLocked(threadId)));
    expect(parseTurn(await say(b, "after", threadId)).said.at(-1)).toBe("after");
    await stopProcess(b, "SIGTERM");
  });

  it("stop a run whose thread lock's connection fails with 503, keeping no answer of it, while another replica's turn goes on", async (context) => {
    await skipWithoutPostgres(context, "replica test");
    const [a, b] = await Promise.all([startReplica(), startReplica()]);
    const threadId = `lock-lost-${randomUUID()}`;
    expect(parseTurn(await say(a, "first", threadId)).count).toBe(2);
    const slow = say(a, "slow", threadId).catch((error: unknown) => error);
    await until(() => threadLocked(threadId));
    await sleep(300);
    await killLockConnection(threadId);

    const after = parseTurn(await say(b, "after", threadId));
    const lost = await slow;
    expect(lost).toBeInstanceOf(APIError);
    expect(lost).toMatchObject({ status: 503, code: "thread_lock_lost" });
    // A's question stays, as a failed run's does; its answer never lands, before or after B's turn.
    expect(after).toEqual({ count: 5, said: ["first", "slow", "after"] });
    await sleep(3000);
    expect(parseTurn(await say(a, "final", threadId))).toEqual({ count: 7, said: ["first", "slow", "after", "final"] });
    await Promise.all([stopProcess(a, "SIGTERM"), stopProcess(b, "SIGTERM")]);
  });

  it("tell a request still waiting for a thread another replica holds that the server is stopping, at once, not at the deadline", async (context) => {
    await skipWithoutPostgres(context, "replica test");
    const [a, b] = await Promise.all([startReplica(), startReplica("--shutdown-timeout", "30")]);
    const threadId = `stopping-${randomUUID()}`;
    const held = say(a, "hold", threadId).catch((error: unknown) => error);
    await until(() => threadLocked(threadId));
    const waiting = say(b, "meanwhile", threadId).catch((error: unknown) => error);
    await sleep(300);

    const started = performance.now();
    await stopProcess(b, "SIGTERM");
    expect(performance.now() - started).toBeLessThan(10_000);
    const refused = await waiting;
    expect(refused).toBeInstanceOf(APIError);
    expect(refused).toMatchObject({ status: 503 });
    await stopProcess(a, "SIGKILL");
    await held;
  });
});
