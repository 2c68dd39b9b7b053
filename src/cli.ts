/**
 * `langgraph-openai serve`: argument parsing, the startup banner and signals.
 */
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError } from "./config.ts";
import { GraphLoadError } from "./registry.ts";

const HELP = `Usage: langgraph-openai serve [options]

Serve the graphs of a LangGraph config as OpenAI-compatible models.

Options:
  -c, --config FILE   LangGraph config to serve (default: langgraph.config.json,
                      else LangGraph CLI's langgraph.json)
  -p, --port N        port to listen on (default: $PORT or 8000; 0 picks a free one)
      --host H        address to bind (default: $HOST or 127.0.0.1)
  -h, --help          show this help
`;

export class UsageError extends Error {}

export interface CliOptions {
  config: string;
  port: number;
  host: string;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string", short: "c" },
        port: { type: "string", short: "p" },
        host: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === "help") return "help";
  if (positionals.length > 1 || (positionals[0] !== undefined && positionals[0] !== "serve")) {
    throw new UsageError(`unknown command '${positionals.join(" ")}'`);
  }
  const portText = values.port ?? env.PORT ?? "8000";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got '${portText}'`);
  return { config: values.config ?? defaultConfig(), port, host: values.host ?? env.HOST ?? "127.0.0.1" };
}

/** A LangGraph project names its config `langgraph.json`; ours wins when both exist. */
function defaultConfig(exists: (path: string) => boolean = existsSync): string {
  return !exists("langgraph.config.json") && exists("langgraph.json") ? "langgraph.json" : "langgraph.config.json";
}

export async function main(argv: string[]): Promise<void> {
  let options: CliOptions | "help";
  try {
    options = parseCli(argv);
  } catch (error) {
    process.stderr.write(`langgraph-openai: ${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (options === "help") {
    process.stdout.write(HELP);
    return;
  }
  let running;
  try {
    // Loaded only to serve, so --help and usage errors answer at once.
    const { serve } = await import("./server.ts");
    running = await serve({ config: options.config, port: options.port, host: options.host });
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof GraphLoadError || (error as NodeJS.ErrnoException).code === "EADDRINUSE";
    process.stderr.write(`langgraph-openai: ${known ? (error as Error).message : (error as Error).stack}\n`);
    process.exit(1);
  }
  const lines = [`langgraph-openai: serving ${running.registry.size} model(s) at ${running.url}`];
  for (const entry of running.registry.values()) {
    lines.push(`  ${entry.id}${entry.settings.description ? `  ${entry.settings.description}` : ""}`);
  }
  process.stderr.write(lines.join("\n") + "\n");
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) await main(process.argv.slice(2));
