/**
 * Our server, started through the public `serve()` on the benchmark's graphs. With
 * BENCH_OURS_MODULE set (run.ts's --baseline), `serve()` comes from another copy of src/,
 * to measure a change before and after side by side.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { pino } from "pino";
import type { serve as serveType } from "../../src/index.js";
import { reportReady } from "./child.js";

const module = process.env.BENCH_OURS_MODULE ? pathToFileURL(process.env.BENCH_OURS_MODULE).href : "../../src/index.ts";
const { serve } = (await import(module)) as { serve: typeof serveType };
const running = await serve({
  config: fileURLToPath(new URL("../langgraph.config.json", import.meta.url)),
  port: 0,
  logger: pino({ level: "silent" }),
});
reportReady(running.port);
