/**
 * LangGraph's long-term memory, shared by every thread: `memory` (the default; lost on
 * restart) or a `postgres://` URL (kept, and shared by replicas). Every run gets it as
 * `config.store` / `runtime.store`, as LangGraph's own server gives its runs one. `none`
 * gives runs no store (a graph that never reads it pays nothing for it either: its
 * batching loop starts at the first store operation, `lazy-batched-store.ts`).
 */
import { InMemoryStore, type BaseStore } from "@langchain/langgraph";
import { redact, type DatabaseOptions } from "./checkpointer.js";
import { createLogger } from "./logger.js";
import { importOptional } from "./optional-import.js";
import { guardedPoolConfig, POSTGRES_PACKAGES, POSTGRES_PURPOSE, setUpOnce } from "./postgres.js";
import { guardedPostgresStore } from "./postgres-store.js";

type PostgresStoreModule = typeof import("@langchain/langgraph-checkpoint-postgres/store");

export const STORE_ENV = "LANGGRAPH_OPENAI_STORE";

export class StoreError extends Error {
  override name = "StoreError";
}

export interface OpenStore {
  /** Null for `none`. */
  store: BaseStore | null;
  /** Releases the database's connection pool. */
  close(): Promise<void>;
}

export type StoreSpec = { kind: "memory" } | { kind: "none" } | { kind: "postgres"; url: string };

export function parseStoreSpec(spec: string): StoreSpec {
  if (spec === "memory" || spec === "none") return { kind: spec };
  if (/^postgres(ql)?:\/\//.test(spec)) return { kind: "postgres", url: spec };
  throw new StoreError(`--store (or $${STORE_ENV}) must be 'memory', 'none' or a postgres://USER@HOST:PORT/DB URL, got '${spec}'`);
}

export async function openStore(spec: string, options: DatabaseOptions = {}): Promise<OpenStore> {
  const parsed = parseStoreSpec(spec);
  if (parsed.kind === "memory") return { store: new InMemoryStore(), close: async () => {} };
  if (parsed.kind === "none") return { store: null, close: async () => {} };
  const { PostgresStore } = await importOptional<PostgresStoreModule>("@langchain/langgraph-checkpoint-postgres/store", POSTGRES_PURPOSE, POSTGRES_PACKAGES);
  const pool = { url: parsed.url, logger: options.logger ?? createLogger(), timeoutSeconds: options.databaseTimeoutSeconds };
  try {
    // Tables are made once here, under the setup lock replicas share, not on a first request.
    await setUpOnce(parsed.url, pool, async () => {
      const setup = new PostgresStore({ connectionOptions: await guardedPoolConfig({ ...pool, purpose: "setup", queryTimeoutSeconds: 0 }) });
      try {
        await setup.setup();
      } finally {
        await setup.stop();
      }
    });
  } catch (error) {
    throw new StoreError(`cannot set up the Postgres store at ${redact(parsed.url)}: ${(error as Error).message}`);
  }
  const store = guardedPostgresStore(PostgresStore, { connectionOptions: await guardedPoolConfig({ ...pool, purpose: "store" }), ensureTables: false });
  return { store, close: () => store.stop() };
}
