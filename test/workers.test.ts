import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseCli, UsageError } from "../src/cli.js";
import { YOUNG_GENERATION_FLAG } from "../src/young-generation.js";
import { bannerUrl, expectTurnsSerialised, POSTGRES_URL, runCommand, skipWithoutPostgres } from "./helpers.js";

const CONFIG = "test/fixtures/replicas/langgraph.json";
const folder = mkdtempSync(join(tmpdir(), "workers-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
/** Each started server's process group, stopped after its test even when the test failed. */
const started: (() => void)[] = [];
afterEach(() => started.splice(0).forEach((stop) => stop()));

/** `serve --workers 2` as a user starts it; its banner says how many workers listen. */
async function startWorkers(checkpointer: string) {
  const command = runCommand(process.execPath, ["bin/langgraph-openai.js", "serve", "--port", "0", "--config", CONFIG, "--checkpointer", checkpointer, "--workers", "2"]);
  started.push(command.stop);
  const url = await bannerUrl(command.output, command.finished);
  expect(command.output.stderr).toMatch(/serving 1 model\(s\) at \S+ with 2 workers/);
  return { ...command, client: new OpenAI({ baseURL: url, apiKey: "unused", maxRetries: 0 }) };
}

/** The processes the primary forked. */
function workerPids(primary: number): number[] {
  return execFileSync("ps", ["-o", "pid=", "--ppid", String(primary)], { encoding: "utf8" }).trim().split(/\s+/).map(Number);
}

/**
 * Eight turns at once on one thread, each on a connection of its own, which the cluster
 * hands to the workers in turn: every turn must see the one before it, as with replicas.
 */
async function takeTurns(client: OpenAI): Promise<void> {
  const threadId = `workers-${randomUUID()}`;
  const say = async (text: string) => {
    const completion = await client.chat.completions.create(
      { model: "turns", messages: [{ role: "user", content: text }] },
      { headers: { "X-Thread-Id": threadId, Connection: "close" } },
    );
    return completion.choices[0]!.message.content!;
  };
  await expectTurnsSerialised(say, say);
}

describe("--workers", () => {
  it("is refused in one line with the memory checkpointer, whose threads the workers could not share", () => {
    expect(() => parseCli(["--workers", "2"], {})).toThrow(UsageError);
    expect(() => parseCli(["--workers", "2"], {})).toThrow(/^--workers needs a checkpointer the workers share \(--checkpointer sqlite:PATH or postgres:\/\/\.\.\.\)[^\n]*$/);
    expect(parseCli(["--workers", "1"], {})).toMatchObject({ workers: 1 });
    expect(parseCli(["--workers", "2", "--checkpointer", "sqlite:/tmp/x.db"], {})).toMatchObject({ workers: 2 });
    expect(() => parseCli(["--workers", "0", "--checkpointer", "sqlite:/tmp/x.db"], {})).toThrow("--workers must be a positive whole number, got '0'");
  });

  it("serialise concurrent turns on one thread in one SQLite file: no turn lost or doubled, then stop on SIGTERM", async () => {
    const server = await startWorkers(`sqlite:${join(folder, "threads.db")}`);
    const workers = workerPids(server.child.pid!);
    expect(workers).toHaveLength(2);
    // Each worker is a new `node` with the young generation a server wants (src/young-generation.ts).
    for (const pid of workers) expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toContain(YOUNG_GENERATION_FLAG);
    await takeTurns(server.client);
    server.stop();
    expect((await server.finished).code).toBe(0);
  });

  it("serialise concurrent turns on one thread in PostgreSQL, with its advisory locks", async (context) => {
    await skipWithoutPostgres(context, "Postgres workers test");
    const server = await startWorkers(POSTGRES_URL!);
    await takeTurns(server.client);
    server.stop();
    expect((await server.finished).code).toBe(0);
  });
});
