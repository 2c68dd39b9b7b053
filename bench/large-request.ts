/**
 * `npx tsx bench/large-request.ts [--messages N] [--message-size CHARS] [--checkpointer SPEC] [-- server flags]`
 * (after `npm run build`: it starts the bin):
 * what one huge request costs the server. The CLI serves the benchmark's graphs in its own
 * process; the bench sends one conversation of N messages on a thread, then the next turn
 * of it (the history plus the answer and a new message, as a chat client resends it),
 * while it asks `/health` every 20 ms. Per turn it prints the status, the wall time, the
 * slowest health answer, the worst event-loop stall the server saw (its own
 * `nodejs_eventloop_lag_max_seconds`, prom-client's `monitorEventLoopDelay`, reset at
 * every scrape), the CPU time it spent (what the stall would be on an idle machine) and
 * its RSS; at the end, the size of the SQLite file.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values: args, positionals: serverFlags } = parseArgs({
  options: { messages: { type: "string", default: "100000" }, "message-size": { type: "string" }, checkpointer: { type: "string" } },
  allowPositionals: true,
});
const count = Number(args.messages);
const padding = "x".repeat(Number(args["message-size"] ?? 0));
const dir = mkdtempSync(join(tmpdir(), "langgraph-openai-bench-"));
const checkpointer = args.checkpointer ?? `sqlite:${join(dir, "threads.db")}`;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const child = spawn(
  process.execPath,
  [here("../bin/langgraph-openai.js"), "serve", "--config", here("./langgraph.config.json"), "--port", "0", "--log-level", "silent", "--checkpointer", checkpointer, ...serverFlags],
  { stdio: ["ignore", "ignore", "pipe"] },
);
const base = await new Promise<string>((resolve, reject) => {
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
    const url = /at (http:\/\/\S+)\/v1/.exec(stderr)?.[1];
    if (url) resolve(url);
  });
  child.once("exit", (code) => reject(new Error(`the server exited with ${code}: ${stderr}`)));
});
child.stderr!.on("data", (text: string) => process.stderr.write(text));

async function serverFigures(): Promise<{ stallMs: number; rssMb: number; cpuMs: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
  return {
    stallMs: metric("nodejs_eventloop_lag_max_seconds") * 1000,
    rssMb: metric("process_resident_memory_bytes") / 1024 / 1024,
    cpuMs: metric("process_cpu_seconds_total") * 1000,
  };
}

/** Asks /health back to back, 20 ms apart, and keeps the slowest answer's time. */
function watchHealth(): { stop(): Promise<number> } {
  let worst = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      // A keep-alive connection the stalled server timed out may reset: that is no answer either.
      await fetch(`${base}/health`).then((response) => response.text()).catch(() => undefined);
      worst = Math.max(worst, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return worst;
    },
  };
}

const messages: { role: string; content: string }[] = Array.from({ length: count }, (_, index) => ({
  role: index % 2 === 0 ? "user" : "assistant",
  content: `message number ${index}${padding}`,
}));
if (messages.at(-1)!.role !== "user") messages.push({ role: "user", content: "and the last one" });
const threadId = `large-${Date.now()}`;

async function turn(label: string): Promise<string | undefined> {
  const body = JSON.stringify({ model: "echo", messages });
  const before = await serverFigures(); // also resets the server's event-loop maximum
  const health = watchHealth();
  const started = performance.now();
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Thread-Id": threadId },
    body,
  });
  const answer = (await response.json()) as { choices?: { message: { content: string } }[]; error?: { message: string } };
  const wallMs = performance.now() - started;
  const worstHealthMs = await health.stop();
  const { stallMs, rssMb, cpuMs } = await serverFigures();
  const outcome = answer.error ? `${response.status} ${answer.error.message.slice(0, 90)}` : String(response.status);
  console.log(
    `${label}: ${messages.length.toLocaleString("en")} messages, ${(body.length / 1024 / 1024).toFixed(1)} MB -> ${outcome}; ` +
      `${(wallMs / 1000).toFixed(2)} s, worst event-loop stall ${stallMs.toFixed(0)} ms, slowest /health ${worstHealthMs.toFixed(0)} ms, ` +
      `server CPU ${(cpuMs - before.cpuMs).toFixed(0)} ms, RSS ${rssMb.toFixed(0)} MB`,
  );
  return answer.choices?.[0]?.message.content;
}

try {
  const first = await turn("turn 1");
  messages.push({ role: "assistant", content: first ?? "" }, { role: "user", content: "one more" });
  await turn("turn 2");
  if (checkpointer.startsWith("sqlite:")) {
    const path = checkpointer.slice("sqlite:".length);
    console.log(`SQLite file: ${(statSync(path).size / 1024 / 1024).toFixed(1)} MB`);
  }
} finally {
  child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
