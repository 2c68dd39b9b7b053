/**
 * The server in a process of its own, as an operator runs it (`runCommand`), with what
 * the fault tests read of it: its JSON log lines, whether it is still alive, how it
 * ended. A server that dies of a fault must show up as a dead process.
 */
import type { ChildProcess } from "node:child_process";
import OpenAI from "openai";
import { bannerUrl, runCommand, type Finished } from "./helpers.js";

export interface ServerProcess {
  child: ChildProcess;
  /** Base URL of the API, `http://127.0.0.1:PORT/v1`. */
  url: string;
  client: OpenAI;
  /** The JSON log lines written so far. */
  logs(): Record<string, unknown>[];
  stderr(): string;
  /** Resolves with how the process ended. */
  exited: Promise<Finished>;
  alive(): boolean;
}

const running = new Set<ChildProcess>();

/** Kills whatever a test left running, with its process group (a failed test's server must not outlive the file). */
export function killServerProcesses(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // The group has exited already.
    }
  }
  running.clear();
}

/**
 * Starts `command` (by default the bin: `node bin/langgraph-openai.js serve`) with `args`
 * on a free port, and resolves once its banner names its URL.
 */
export async function startServerProcess(
  args: string[],
  { command = [process.execPath, "bin/langgraph-openai.js", "serve"] }: { command?: string[] } = {},
): Promise<ServerProcess> {
  const { child, output, finished } = runCommand(command[0]!, [...command.slice(1), "--port", "0", "--log-format", "json", ...args]);
  running.add(child);
  void finished.then(() => running.delete(child));
  const url = await bannerUrl(output, finished);
  return {
    child,
    url,
    client: new OpenAI({ baseURL: url, apiKey: "unused", maxRetries: 0 }),
    logs: () =>
      output.stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stderr: () => output.stderr,
    exited: finished,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}
