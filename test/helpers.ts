import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import OpenAI from "openai";
import pg from "pg";
import { pino } from "pino";
import { expect, type TestContext } from "vitest";
import { serve, type RunningServer, type ServeOptions } from "../src/index.js";
import { ScriptedChatModel } from "../src/scripted-model.js";

/** A real server on an ephemeral port, and an `openai` client pointed at it. Silent unless given a logger. */
export async function startServer(options: ServeOptions): Promise<RunningServer & { client: OpenAI }> {
  const running = await serve({ port: 0, logger: pino({ level: "silent" }), ...options });
  const client = new OpenAI({ baseURL: running.url, apiKey: "unused", maxRetries: 0 });
  return { ...running, client };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export interface ServerProcess {
  client: OpenAI;
  child: ChildProcess;
}

const processes = new Set<ChildProcess>();

/** `langgraph-openai serve ARGS` in its own process, as a user starts it; resolves once it listens. */
export function startProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["bin/langgraph-openai.js", "serve", "--port", "0", ...args], {
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  processes.add(child);
  child.once("exit", () => processes.delete(child));
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
      const url = /serving \d+ model\(s\) at (\S+)/.exec(stderr)?.[1];
      if (url) resolve({ child, client: new OpenAI({ baseURL: url, apiKey: "unused", maxRetries: 0 }) });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
}

export function stopProcess(server: ServerProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once("exit", () => resolve());
    server.child.kill(signal);
  });
}

/** For an `afterEach`: no server process outlives its test. */
export function killProcesses(): void {
  for (const child of processes) child.kill("SIGKILL");
}

export const POSTGRES_URL = process.env.LANGGRAPH_OPENAI_TEST_POSTGRES_URL;

/** Why the test database cannot be used, or undefined when it can. */
export async function postgresUnavailable(): Promise<string | undefined> {
  if (!POSTGRES_URL) return "LANGGRAPH_OPENAI_TEST_POSTGRES_URL is not set";
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return `cannot reach ${POSTGRES_URL}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Skips the test, saying why in a warning that names `what`, when the test database cannot be used. */
export async function skipWithoutPostgres(context: TestContext, what: string): Promise<void> {
  const unavailable = await postgresUnavailable();
  if (unavailable) {
    console.warn(`Skipping the ${what}: ${unavailable}`);
    context.skip();
  }
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A command as a user runs it (the bin, npx), in its own process group so every
 * descendant can be signalled: `stop()` sends SIGTERM to the whole group.
 */
export function runCommand(
  command: string,
  args: string[],
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; output: { stdout: string; stderr: string }; finished: Promise<Finished>; stop: () => void } {
  const child = spawn(command, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...env, LOG_LEVEL: "warn" } });
  const output = { stdout: "", stderr: "" };
  child.stdout!.on("data", (data: Buffer) => (output.stdout += data));
  child.stderr!.on("data", (data: Buffer) => (output.stderr += data));
  const finished = once(child, "close").then(([code, signal]) => ({ code, signal, ...output }) as Finished);
  const stop = () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // The group has exited already.
    }
  };
  return { child, output, finished, stop };
}

/** The assistant's text for `messages`, over HTTP, on the thread `threadId` names (none: stateless). */
export async function chatText(url: string, model: string, messages: { role: string; content: string }[], threadId?: string): Promise<string> {
  const response = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(threadId && { "x-thread-id": threadId }) },
    body: JSON.stringify({ model, messages }),
  });
  const body = (await response.json()) as { choices?: { message: { content: string } }[] };
  if (!body.choices) throw new Error(`${response.status}: ${JSON.stringify(body)}`);
  return body.choices[0]!.message.content;
}

/** The URL the bin's banner names, once it serves; throws if it exits first. */
export async function bannerUrl(output: { stderr: string }, finished: Promise<Finished>): Promise<string> {
  const exited = finished.then((result) => {
    throw new Error(`exited before serving: ${result.stderr}`);
  });
  exited.catch(() => {});
  for (;;) {
    const url = /serving \d+ model\(s\) at (http:\/\/\S+)/.exec(output.stderr)?.[1];
    if (url) return url;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), exited]);
  }
}

/** The fenced code blocks of one language in a docs page, in order, as a user copies them. */
export function docBlocks(page: string, language: string): string[] {
  const fence = new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g");
  return [...readFileSync(page, "utf8").matchAll(fence)].map((match) => match[1]!);
}

/**
 * Streams a completion of `model` over raw fetch, calling `onFirstData` once the first bytes
 * arrive; resolves with the SSE body however it ends (a server gone mid-stream cuts it short).
 */
export async function streamRaw(url: string, model: string, onFirstData: () => void): Promise<string> {
  const response = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], stream: true }),
  });
  if (response.status !== 200) throw new Error(`${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let body = "";
  try {
    for await (const bytes of response.body!) {
      if (body === "") onFirstData();
      body += decoder.decode(bytes, { stream: true });
    }
  } catch {
    // The server went away mid-stream: the body so far is the answer.
  }
  return body;
}

/** Every `data:` payload of an SSE body, parsed as JSON: a stray `[DONE]` fails to parse, as AG-UI sends none. */
export function sseData<T = Record<string, unknown>>(body: string): T[] {
  return body
    .split("\n\n")
    .filter((frame) => frame.startsWith("data: "))
    .map((frame) => JSON.parse(frame.slice("data: ".length)) as T);
}

/** The text a chat completions SSE body carries. */
export function contentOf(body: string): string {
  return body
    .split("\n")
    .filter((line) => line.startsWith("data: {"))
    .map((line) => JSON.parse(line.slice("data: ".length)).choices?.[0]?.delta?.content ?? "")
    .join("");
}

/** A turn of test/fixtures/replicas/turns.ts: how many messages its thread holds, and what the user said, in order. */
export function parseTurn(answer: string): { count: number; said: string[] } {
  const match = /^I hold (\d+) messages; you said: (.*)\.$/.exec(answer);
  if (!match) throw new Error(`not a turn's answer: ${answer}`);
  return { count: Number(match[1]), said: match[2]!.split(", ") };
}

/**
 * Eight turns at once on one thread of test/fixtures/replicas/turns.ts (`sayConcurrently`),
 * then a last one after them (`sayAfter`): every turn must see the ones before it.
 */
export async function expectTurnsSerialised(
  sayConcurrently: (text: string, index: number) => Promise<string>,
  sayAfter: (text: string) => Promise<string>,
): Promise<void> {
  const turns = Array.from({ length: 8 }, (_, index) => `turn ${index + 1}`);
  const answers = (await Promise.all(turns.map(sayConcurrently))).map(parseTurn);
  // No two turns continued from the same checkpoint: each saw the one before it.
  expect(answers.map((answer) => answer.count).sort((x, y) => x - y)).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
  const final = parseTurn(await sayAfter("final"));
  expect(final.count).toBe(18);
  expect([...final.said].sort()).toEqual([...turns, "final"].sort());
  // Every turn saw exactly the turns that came before it, in the thread's order.
  answers.forEach((answer, index) => {
    expect(answer.said.at(-1)).toBe(turns[index]);
    expect(final.said.slice(0, answer.said.length)).toEqual(answer.said);
  });
}

/** How many threads `saver` holds checkpoints of. */
export async function threadCount(saver: BaseCheckpointSaver): Promise<number> {
  const ids = new Set<string>();
  for await (const tuple of saver.list({})) ids.add(tuple.config.configurable?.thread_id);
  return ids.size;
}

/** A model that takes tools but has no `response_format` option, as most non-OpenAI providers. */
export class ToolsOnlyModel extends ScriptedChatModel {
  override get callKeys(): string[] {
    return super.callKeys.filter((key) => key !== "response_format");
  }
}
