/**
 * serve(): config -> registry -> app -> @hono/node-server, and a way to stop.
 */
import type { AddressInfo } from "node:net";
import { serve as serveNode, type ServerType } from "@hono/node-server";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { pino, type Logger } from "pino";
import { createApp, type AppOptions } from "./app.ts";
import { openCheckpointer } from "./checkpointer.ts";
import { loadConfig } from "./config.ts";
import { loadRegistry, type Registry } from "./registry.ts";

export interface ServeOptions extends AppOptions {
  /**
   * Where threads keep their state, when no `checkpointer` is given: `memory` (the
   * default), `sqlite:PATH` or a `postgres://` URL. Opened here, closed by `close()`.
   */
  checkpointerSpec?: string;
  /** Path of `langgraph.config.json`; ignored when `registry` is given. */
  config?: string;
  registry?: Registry;
  port?: number;
  host?: string;
  logger?: Logger;
}

export interface RunningServer {
  /** Base URL of the API, e.g. `http://127.0.0.1:8000/v1`. */
  url: string;
  port: number;
  registry: Registry;
  server: ServerType;
  close(): Promise<void>;
}

export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: process.env.LOG_LEVEL ?? "info" });
  const opened = options.checkpointer ? undefined : await openCheckpointer(options.checkpointerSpec ?? "memory");
  const checkpointer: BaseCheckpointSaver = options.checkpointer ?? opened!.checkpointer;
  const closeCheckpointer = async () => opened?.close();
  let registry: Registry;
  try {
    registry = options.registry ?? (await loadRegistry((await loadConfig(options.config ?? "langgraph.config.json")).graphs, checkpointer));
  } catch (error) {
    await closeCheckpointer();
    throw error;
  }
  const app = createApp(registry, {
    ...options,
    checkpointer,
    onServerError:
      options.onServerError ?? ((error, cause) => logger.error({ err: cause, code: error.code }, error.message)),
  });
  const host = options.host ?? "127.0.0.1";
  const server = await new Promise<ServerType>((resolve, reject) => {
    const listening = serveNode({ fetch: app.fetch, port: options.port ?? 8000, hostname: host }, () => resolve(listening));
    listening.once("error", reject);
  }).catch(async (error: unknown) => {
    await closeCheckpointer();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    registry,
    server,
    close: async () => {
      try {
        await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      } finally {
        await closeCheckpointer();
      }
    },
  };
}
