/**
 * Our server as `langgraph-openai serve --workers N` starts it (BENCH_WORKERS, default 2):
 * the command line itself, with a SQLite checkpointer the workers share, on the
 * benchmark's graphs. Its port comes from the banner; the process tree's CPU is read by
 * `process.ts`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { reportReady } from "./child.js";

const workers = process.env.BENCH_WORKERS ?? "2";
const root = fileURLToPath(new URL("../../", import.meta.url));
const database = join(mkdtempSync(join(tmpdir(), "bench-workers-")), "threads.db");
const server = spawn(
  process.execPath,
  ["bin/langgraph-openai.js", "serve", "--port", "0", "--config", "bench/langgraph.config.json", "--checkpointer", `sqlite:${database}`, "--workers", workers],
  { cwd: root, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LOG_LEVEL: "silent" } },
);
// Its primary passes the stop on to the workers.
process.on("exit", () => server.kill("SIGTERM"));
let banner = "";
const listenForBanner = (text: string) => {
  banner += text;
  const port = /serving \d+ model\(s\) at http:\/\/[^:]+:(\d+)\//.exec(banner)?.[1];
  if (port === undefined) return;
  server.stderr.off("data", listenForBanner);
  reportReady(Number(port));
};
server.stderr.setEncoding("utf8").on("data", listenForBanner);
server.once("exit", (code) => {
  process.stderr.write(`ours-workers: the server exited with code ${code}\n`);
  process.exit(1);
});
