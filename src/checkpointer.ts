/**
 * Where threads keep their state: `memory` (the default; lost on restart), `sqlite:PATH`
 * (one file, survives restarts) or a `postgres://` URL (shared by several replicas).
 * The SQLite and Postgres checkpointers are optional peers, imported only when asked for.
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Logger } from "pino";
import { packageLangGraph } from "./langgraph-copy.js";
import { boundedMemorySaver } from "./memory-checkpointer.js";
import { createLogger } from "./logger.js";
import { importOptional } from "./optional-import.js";
import { openPool, POSTGRES_PACKAGES, POSTGRES_PURPOSE, setUpOnce } from "./postgres.js";
import { guardedPostgresSaver } from "./postgres-saver.js";

type SqliteModule = typeof import("@langchain/langgraph-checkpoint-sqlite");
type PostgresModule = typeof import("@langchain/langgraph-checkpoint-postgres");

export const CHECKPOINTER_ENV = "LANGGRAPH_OPENAI_CHECKPOINTER";

export class CheckpointerError extends Error {
  override name = "CheckpointerError";
}

export interface OpenCheckpointer {
  checkpointer: BaseCheckpointSaver;
  /** Releases the database (the file handle, the connection pool). */
  close(): Promise<void>;
}

export type CheckpointerSpec =
  | { kind: "memory" }
  | { kind: "sqlite"; path: string }
  | { kind: "postgres"; url: string };

export function parseCheckpointerSpec(spec: string): CheckpointerSpec {
  if (spec === "memory") return { kind: "memory" };
  if (spec.startsWith("sqlite:")) {
    const path = spec.slice("sqlite:".length);
    if (!path) throw new CheckpointerError("--checkpointer sqlite: needs a file path, e.g. sqlite:./threads.db");
    return { kind: "sqlite", path };
  }
  if (/^postgres(ql)?:\/\//.test(spec)) return { kind: "postgres", url: spec };
  throw new CheckpointerError(
    `--checkpointer (or $LANGGRAPH_OPENAI_CHECKPOINTER) must be 'memory', 'sqlite:PATH' or a postgres://USER@HOST:PORT/DB URL, got '${spec}'`,
  );
}

/** Hides a URL's password in messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/** How the server's databases are reached (the checkpointer's, the store's, the thread locks'). */
export interface DatabaseOptions {
  /** Where a database's connection failures are logged; by default the server's JSON lines. */
  logger?: Logger;
  /** Seconds to wait for the database, connecting or for one query (see `postgres.ts`); default 10. */
  databaseTimeoutSeconds?: number;
}

/** `memory` is made by the LangGraph this package imports; `serve()` leaves it to each graph's own. */
export async function openCheckpointer(spec: string, options: DatabaseOptions = {}): Promise<OpenCheckpointer> {
  const parsed = parseCheckpointerSpec(spec);
  if (parsed.kind === "memory") return { checkpointer: boundedMemorySaver(packageLangGraph()), close: async () => {} };
  if (parsed.kind === "sqlite") {
    const { SqliteSaver } = await importOptional<SqliteModule>("@langchain/langgraph-checkpoint-sqlite", "for --checkpointer sqlite:PATH");
    let saver;
    try {
      saver = SqliteSaver.fromConnString(parsed.path);
    } catch (error) {
      throw new CheckpointerError(`cannot open SQLite checkpointer ${parsed.path}: ${(error as Error).message}`);
    }
    return { checkpointer: saver, close: async () => void saver.db.close() };
  }
  const { PostgresSaver } = await importOptional<PostgresModule>("@langchain/langgraph-checkpoint-postgres", POSTGRES_PURPOSE, POSTGRES_PACKAGES);
  const logger = options.logger ?? createLogger();
  try {
    await setUpOnce(parsed.url, { logger, timeoutSeconds: options.databaseTimeoutSeconds }, (pool) => new PostgresSaver(pool).setup());
  } catch (error) {
    throw new CheckpointerError(`cannot set up the Postgres checkpointer at ${redact(parsed.url)}: ${(error as Error).message}`);
  }
  const pool = await openPool({ url: parsed.url, purpose: "checkpointer", logger, timeoutSeconds: options.databaseTimeoutSeconds });
  const saver = guardedPostgresSaver(PostgresSaver, pool);
  return { checkpointer: saver, close: () => saver.end() };
}
