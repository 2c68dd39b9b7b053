/**
 * LangGraph's long-term memory, shared by every thread: `memory` (the default; lost on
 * restart) or a `postgres://` URL (kept, and shared by replicas). Every run gets it as
 * `config.store` / `runtime.store`, as LangGraph's own server gives its runs one. `none`
 * gives runs no store: LangGraph runs a batching loop beside every run that has one
 * (`AsyncBatchedStore`), which costs a graph that never reads it about a millisecond.
 */
import { InMemoryStore, type BaseStore } from "@langchain/langgraph";
import { POSTGRES_PACKAGES, POSTGRES_PURPOSE, redact, setUpOnce } from "./checkpointer.js";
import { importOptional } from "./optional-import.js";

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

export async function openStore(spec: string): Promise<OpenStore> {
  const parsed = parseStoreSpec(spec);
  if (parsed.kind === "memory") return { store: new InMemoryStore(), close: async () => {} };
  if (parsed.kind === "none") return { store: null, close: async () => {} };
  const { PostgresStore } = await importOptional<PostgresStoreModule>("@langchain/langgraph-checkpoint-postgres/store", POSTGRES_PURPOSE, POSTGRES_PACKAGES);
  // Tables are made once here, under the setup lock replicas share, not on a first request.
  const store = PostgresStore.fromConnString(parsed.url, { ensureTables: false });
  try {
    await setUpOnce(parsed.url, () => store.setup());
  } catch (error) {
    await store.stop().catch(() => {});
    throw new StoreError(`cannot set up the Postgres store at ${redact(parsed.url)}: ${(error as Error).message}`);
  }
  return { store, close: () => store.stop() };
}
