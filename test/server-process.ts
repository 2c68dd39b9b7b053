/**
 * The server in a process of its own, as an operator runs it: started by the test on an
 * ephemeral port, its JSON log lines kept, its exit awaited. The fault tests need the
 * process boundary: a server that dies of a fault must show up as a dead process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import OpenAI from "openai";

export interface ServerProcess {
  child: ChildProcess;
  /** Base URL of the API, `http://127.0.0.1:PORT/v1`. */
  url: string;
  client: OpenAI;
  /** The JSON log lines written so far. */
  logs(): Record<string, unknown>[];
  stderr(): string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

const running = new Set<ChildProcess>();

/** Kills whatever a test left running (a failed test's server must not outlive the file). */
export function killServerProcesses(): void {
  for (const child of running) child.kill("SIGKILL");
}

/**
 * Starts `command` (by default the bin: `node bin/langgraph-openai.js serve`) with `args`
 * on a free port, and resolves once its banner names its URL.
 */
export async function startServerProcess(
  args: string[],
  { command = [process.execPath, "bin/langgraph-openai.js", "serve"], env = {} }: { command?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerProcess> {
  const child = spawn(command[0]!, [...command.slice(1), "--port", "0", "--log-format", "json", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr!.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (text: string) => {
      stderr += text;
      const match = /serving \d+ model\(s\) at (http:\/\/\S+\/v1)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    void exited.then(({ code, signal }) => reject(new Error(`the server exited (${code ?? signal}) before it served: ${stderr}`)));
  });
  const logs = () =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    child,
    url,
    client: new OpenAI({ baseURL: url, apiKey: "unused", maxRetries: 0 }),
    logs,
    stderr: () => stderr,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}
