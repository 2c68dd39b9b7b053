import OpenAI from "openai";
import { pino } from "pino";
import { serve, type RunningServer, type ServeOptions } from "../src/index.js";

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
