/**
 * serve(): config -> registry -> app -> @hono/node-server, and a graceful stop.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve as serveNode } from "@hono/node-server";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { createApp, type AppOptions } from "./app.js";
import { openCheckpointer, parseCheckpointerSpec } from "./checkpointer.js";
import { loadConfig } from "./config.js";
import { ServiceUnavailableError, ShuttingDownError } from "./errors.js";
import { createLogger } from "./logger.js";
import { isLoopbackAddress } from "./middleware/browser-guard.js";
import { loadRegistry, type Registry } from "./registry.js";
import { applySettingFlags, type SettingFlag } from "./setting-flags.js";
import { RunTracker } from "./run-tracker.js";
import { openStore } from "./store.js";
import { openPgThreadLocks } from "./threads/pg-thread-locks.js";

export interface ServeOptions extends AppOptions {
  /**
   * Where threads keep their state, when no `checkpointer` is given: `memory` (the
   * default), `sqlite:PATH` or a `postgres://` URL. Opened here, closed by `close()`.
   */
  checkpointerSpec?: string;
  /**
   * LangGraph's store every run gets, when no `store` is given: `memory` (the default),
   * `none`, or a `postgres://` URL. Opened here, closed by `close()`.
   */
  storeSpec?: string;
  /**
   * With a `postgres://` `checkpointerSpec`, seconds a request waits for its thread while
   * another request on it runs, here or on another replica, before it gets 409 (default 60).
   */
  threadLockTimeout?: number;
  /** Path of `langgraph.config.json`; ignored when `registry` is given. */
  config?: string;
  /** Model settings over the config's (the command line's `--configurable`, `--context`, `--allow-*`). */
  settingFlags?: SettingFlag[];
  registry?: Registry;
  port?: number;
  host?: string;
  /** Seconds `close()` lets runs in flight finish before aborting them (default 30). */
  shutdownTimeout?: number;
  /** Seconds to wait for a database (`checkpointerSpec`'s), connecting or for one query, before answering 503 (default 10). */
  databaseTimeoutSeconds?: number;
}

export interface RunningServer {
  /** Base URL of the API, e.g. `http://127.0.0.1:8000/v1`. */
  url: string;
  port: number;
  registry: Registry;
  /** Node's HTTP server. (Not @hono/node-server's `ServerType`: its declarations need the DOM's WebSocket types.) */
  server: Server;
  /**
   * Graceful stop: no new connections or runs, runs in flight finish (streams end with
   * their whole answer and `[DONE]`) for up to `shutdownTimeout` seconds, then the rest
   * are aborted and every connection closed.
   */
  close(): Promise<void>;
}

export const DEFAULT_SHUTDOWN_TIMEOUT = 30;
export const DEFAULT_THREAD_LOCK_TIMEOUT = 60;

/** Threads that may run at once on one replica with a Postgres checkpointer, unless `maxConcurrentRuns` caps runs lower. */
const PG_LOCK_CONNECTIONS = 64;

/** After the runs are aborted, how long their clients get to receive the error event before connections close. */
const ABORT_GRACE_MS = 1000;
/** How often idle keep-alive connections are closed while draining. */
const IDLE_SWEEP_MS = 50;

async function loadConfiguredRegistry(options: ServeOptions, checkpointer: BaseCheckpointSaver | undefined): Promise<Registry> {
  const { graphs } = await loadConfig(options.config ?? "langgraph.config.json");
  return loadRegistry(applySettingFlags(graphs, options.settingFlags ?? []), checkpointer);
}

export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger();
  // What startup opened, closed in reverse when the server stops or startup fails.
  const closers: (() => Promise<void>)[] = [];
  const closeResources = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  const runs = options.runs ?? new RunTracker(options);
  const host = options.host ?? "127.0.0.1";
  let registry: Registry;
  let server: Server;
  // Whatever stops startup (a broken config, a port in use) releases the databases.
  try {
    // In memory, the app makes both with the graphs' own LangGraph (langgraph-copy.ts).
    const databases = { logger, databaseTimeoutSeconds: options.databaseTimeoutSeconds };
    const checkpointerSpec = options.checkpointerSpec ?? "memory";
    const opened = options.checkpointer || checkpointerSpec === "memory" ? undefined : await openCheckpointer(checkpointerSpec, databases);
    if (opened) closers.push(opened.close);
    const checkpointer: BaseCheckpointSaver | undefined = options.checkpointer ?? opened?.checkpointer;
    const storeSpec = options.storeSpec ?? "memory";
    const openedStore = options.store === undefined && storeSpec !== "memory" ? await openStore(storeSpec, databases) : undefined;
    if (openedStore) closers.push(openedStore.close);
    const store = openedStore ? openedStore.store : options.store;
    const spec = options.checkpointer ? undefined : parseCheckpointerSpec(checkpointerSpec);
    let threadLocks = options.threadLocks;
    if (!threadLocks && spec?.kind === "postgres") {
      const locks = await openPgThreadLocks(spec.url, {
        waitSeconds: options.threadLockTimeout ?? DEFAULT_THREAD_LOCK_TIMEOUT,
        maxConnections: options.maxConcurrentRuns ?? PG_LOCK_CONNECTIONS,
        ...databases,
      });
      closers.push(locks.close);
      threadLocks = locks;
    }
    registry = options.registry ?? (await loadConfiguredRegistry(options, checkpointer));
    const allowedHosts = options.allowedHosts ?? (isLoopbackAddress(host) ? [] : undefined);
    const app = createApp(registry, { processMetrics: true, ...options, allowedHosts, checkpointer, store, threadLocks, logger, runs });
    server = await new Promise<Server>((resolve, reject) => {
      const listening = serveNode({ fetch: app.fetch, port: options.port ?? 8000, hostname: host }, () => resolve(listening as Server));
      listening.once("error", reject);
    });
  } catch (error) {
    await closeResources();
    throw error;
  }
  const responses = countResponses(server);
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const timeoutMs = (options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT) * 1000;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    registry,
    server,
    close: () => (closing ??= stopGracefully(server, runs, responses, timeoutMs).finally(closeResources)),
  };
}

interface ResponseCount {
  /** Resolves once no request the server has begun to answer is still open. */
  none(): Promise<void>;
}

/** Requests whose headers arrived and whose response is not yet over. */
function countResponses(server: Server): ResponseCount {
  let open = 0;
  let waiters: (() => void)[] = [];
  server.on("request", (_request, response) => {
    open++;
    response.once("close", () => {
      if (--open > 0) return;
      for (const waiter of waiters) waiter();
      waiters = [];
    });
  });
  return { none: () => (open === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))) };
}

async function stopGracefully(server: Server, runs: RunTracker, responses: ResponseCount, timeoutMs: number): Promise<void> {
  runs.stopAdmitting();
  const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  // A keep-alive connection whose answer is done would hold `close()` open; one still
  // answering is closed by a later sweep, once its answer is complete.
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs + ABORT_GRACE_MS);
  try {
    const finished = await runs.idle(timeoutMs);
    // What is still waiting for its thread (one another replica's run holds) would only be
    // refused once the thread is its own: it is told now, not cut off at the deadline.
    runs.abortAll(finished ? new ShuttingDownError() : new ServiceUnavailableError("The server shut down before this answer was complete.", 1));
    // The sweep closes each connection once its answer (or error event) is sent; the
    // deadline closes whatever is left.
    await Promise.race([responses.none(), closed]);
    // Once every answer is out, what is left is idle, or a client still sending its
    // headers (slowly, or never): no reason to wait for it.
    server.closeAllConnections();
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}
