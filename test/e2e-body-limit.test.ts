/**
 * A body over the limit reaches the clients people use as a 413 they can read, every
 * time. The server runs in its own process (the bin, as a user starts it): in-process,
 * client and server share one event loop, and the race that left clients with EPIPE
 * instead of the answer never shows.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { ChatOpenAI } from "@langchain/openai";
import { APICallError, generateText } from "ai";
import OpenAI from "openai";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The default --body-limit, 10 MiB; each client sends twice as much. */
const LIMIT = 10 * 1024 * 1024;
const TRIES = 5;
const oversized = "x".repeat(2 * LIMIT);

let child: ChildProcess;
let url: string;

beforeAll(async () => {
  child = spawn(process.execPath, ["bin/langgraph-openai.js", "serve", "--port", "0", "--log-level", "silent"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (data: Buffer) => (stderr += data));
  const exited = once(child, "exit").then(() => {
    throw new Error(`the server exited: ${stderr}`);
  });
  exited.catch(() => {});
  for (;;) {
    const found = /serving \d+ model\(s\) at (http:\/\/\S+)/.exec(stderr)?.[1];
    if (found) {
      url = found;
      break;
    }
    await Promise.race([once(child.stderr!, "data"), exited]);
  }
});
afterAll(async () => {
  child.kill("SIGTERM");
  if (child.exitCode === null) await once(child, "exit");
});

/** The status each try ended with, or the kind of error it got instead. */
async function statuses(attempt: () => Promise<unknown>, statusOf: (error: unknown) => number | undefined): Promise<(number | string)[]> {
  const seen: (number | string)[] = [];
  for (let i = 0; i < TRIES; i++) {
    seen.push(
      await attempt().then(
        () => "answered",
        (error: unknown) => statusOf(error) ?? `${(error as Error).name}: ${(error as Error).message}`,
      ),
    );
  }
  return seen;
}

const all413 = Array.from({ length: TRIES }, () => 413);

describe("a body twice the limit", () => {
  it("is a 413 APIError for the openai SDK, every time", async () => {
    const client = new OpenAI({ baseURL: url, apiKey: "unused", maxRetries: 0 });
    const seen = await statuses(
      () => client.chat.completions.create({ model: "echo", messages: [{ role: "user", content: oversized }] }),
      (error) => (error instanceof OpenAI.APIError ? error.status : undefined),
    );
    expect(seen).toEqual(all413);
  });

  it("is a 413 APICallError for the AI SDK, every time", async () => {
    const model = createOpenAI({ baseURL: url, apiKey: "unused" }).chat("echo");
    const seen = await statuses(
      () => generateText({ model, prompt: oversized, maxRetries: 0 }),
      (error) => (APICallError.isInstance(error) ? error.statusCode : undefined),
    );
    expect(seen).toEqual(all413);
  });

  it("is a 413 error for ChatOpenAI, every time", async () => {
    const model = new ChatOpenAI({ model: "echo", apiKey: "unused", configuration: { baseURL: url }, maxRetries: 0 });
    const seen = await statuses(
      () => model.invoke(oversized),
      (error) => (error as { status?: number }).status,
    );
    expect(seen).toEqual(all413);
  });
});
