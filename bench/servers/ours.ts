/** Our server, started through the public `serve()` on the benchmark's graphs. */
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { serve } from "../../src/index.ts";
import { reportReady } from "./child.ts";

const running = await serve({
  config: fileURLToPath(new URL("../langgraph.config.json", import.meta.url)),
  port: 0,
  logger: pino({ level: "silent" }),
});
reportReady(running.port, running.close);
