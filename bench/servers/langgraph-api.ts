/**
 * LangGraph's own server (`@langchain/langgraph-api`, what `langgraphjs dev` runs), on the
 * same graphs. Not a dependency of this project: it is imported from the folder named by
 * LANGGRAPH_API_DIR, where `npm install @langchain/langgraph-api` was run (see bench/README
 * in RESULTS.md). It starts as `langgraphjs dev` does, minus the file watcher.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { reportReady } from "./child.js";

const dir = process.env.LANGGRAPH_API_DIR;
if (!dir) throw new Error("set LANGGRAPH_API_DIR to a folder with @langchain/langgraph-api installed");
const graphsFile = fileURLToPath(new URL("../graphs.ts", import.meta.url));
const serverModule = join(dir, "node_modules/@langchain/langgraph-api/dist/server.mjs");
const { startServer } = (await import(pathToFileURL(serverModule).href)) as {
  startServer(options: object): Promise<{ host: string }>;
};

const { host } = await startServer({
  port: 0,
  host: "127.0.0.1",
  cwd: dir,
  // `langgraphjs dev` defaults to 10 workers, so at most 10 runs at once; give it one
  // per concurrent stream of the benchmark so its queue is not what is measured.
  nWorkers: Number(process.env.LANGGRAPH_API_WORKERS ?? 400),
  graphs: Object.fromEntries(["echo", "long", "short", "slow", "react"].map((id) => [id, `${graphsFile}:${id}`])),
});
reportReady(Number(host.split(":").at(-1)));
