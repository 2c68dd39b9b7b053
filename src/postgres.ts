/**
 * Every PostgreSQL pool the server opens (the checkpointer's, the store's, the thread
 * locks') is made from `guardedPoolConfig`, so that a database that restarts, fails
 * over or drops a connection never takes the process down, and no request waits on it
 * for long:
 * - pg emits `error` on a client whose connection dies, idle or checked out, and
 *   pg-pool passes an idle one's on to the pool; an `error` nobody listens for is an
 *   uncaught exception, and the process exits. Our client class logs it and lets pg
 *   drop the client; the next query connects anew.
 * - Connecting, and each query, give up after the timeout: the server cancels a slow
 *   statement itself, and the client stops waiting for a server that no longer answers
 *   (a network partition sends no reset), and closes that connection.
 * - `toDatabaseError` tells a failed connection (worth a retry: 503) from a failed query.
 */
import type { Pool, PoolConfig } from "pg";
import type { Logger } from "pino";
import { DatabaseUnavailableError } from "./errors.js";
import { importOptional } from "./optional-import.js";

type PgModule = typeof import("pg");

/** What the Postgres packages, optional peers, are needed for. */
export const POSTGRES_PURPOSE = "for a postgres:// --checkpointer or --store";
export const POSTGRES_PACKAGES = "@langchain/langgraph-checkpoint-postgres pg";

export const DEFAULT_DATABASE_TIMEOUT_SECONDS = 10;
/** The server cancels a statement a little before the client stops waiting, so that a server that answers says why. */
const SERVER_SHARE_OF_TIMEOUT = 0.8;

export interface PoolOptions {
  /** `postgres://USER:PASSWORD@HOST:PORT/DB`; its query parameters (`application_name`, `statement_timeout`...) win over ours. */
  url: string;
  /** What the pool serves, in log lines and in `pg_stat_activity`: `checkpointer`, `store`... */
  purpose: string;
  logger: Logger;
  /** Seconds to connect; default 10. */
  timeoutSeconds?: number;
  /** Seconds one query may take; by default `timeoutSeconds`, 0 for none (migrations build indexes on large tables). */
  queryTimeoutSeconds?: number;
  /** Connections at most; pg's default is 10. */
  max?: number;
}

/**
 * The settings of a guarded pool, for `new pg.Pool(config)` or for a library that makes
 * its pool from a config (LangGraph's PostgresStore). `pg` is an optional peer, loaded
 * only here.
 */
export async function guardedPoolConfig(options: PoolOptions): Promise<PoolConfig> {
  const { default: pg } = await importOptional<PgModule>("pg", POSTGRES_PURPOSE);
  const { url, purpose, timeoutSeconds = DEFAULT_DATABASE_TIMEOUT_SECONDS } = options;
  const queryTimeoutMs = Math.round((options.queryTimeoutSeconds ?? timeoutSeconds) * 1000);
  const log = options.logger.child({ database: purpose });

  class GuardedClient extends pg.Client {
    /**
     * An `error` nobody listens for is thrown by EventEmitter: a checked-out client's
     * (pg-pool listens only while a client is idle), or the pool's own when pg-pool passes
     * an idle client's on to a pool nobody listens to. That was the uncaught exception.
     * Logged here, it is the client's end: pg-pool has dropped an idle one already, and
     * drops a checked-out one on release, as it is no longer queryable.
     */
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== "error") return super.emit(event, ...args);
      log.warn({ err: args[0] }, `a ${purpose} database connection failed; the next query opens a new one`);
      try {
        return super.emit(event, ...args);
      } catch {
        return true;
      }
    }

    /**
     * pg's `query_timeout` answers the caller but leaves the connection waiting for the
     * reply, and the next query on it (the transaction's ROLLBACK, or the next caller once
     * the pool has it back) waits behind that as long again. So a connection whose query
     * timed out is closed: what is queued on it fails at once, and the pool drops it.
     */
    // pg's overloads (a promise, a callback, a submittable) all pass through.
    override query(...args: any[]): any {
      const closeOnTimeout = (error: unknown) => {
        if (error instanceof Error && error.message === "Query read timeout") void this.end().catch(() => {});
      };
      const callback = args.at(-1);
      if (typeof callback === "function") {
        args[args.length - 1] = (error: unknown, result: unknown) => {
          closeOnTimeout(error);
          callback(error, result);
        };
      }
      const result: unknown = (super.query as (...passed: unknown[]) => unknown)(...args);
      if (result instanceof Promise) result.catch(closeOnTimeout);
      return result;
    }
  }

  return {
    Client: GuardedClient,
    connectionString: url,
    application_name: `langgraph-openai ${purpose}`,
    connectionTimeoutMillis: Math.round(timeoutSeconds * 1000),
    ...(queryTimeoutMs > 0 && {
      statement_timeout: Math.round(queryTimeoutMs * SERVER_SHARE_OF_TIMEOUT),
      query_timeout: queryTimeoutMs,
      // A transaction its client abandoned (the client's host vanished) would hold its row locks until TCP gives up.
      idle_in_transaction_session_timeout: queryTimeoutMs,
    }),
    ...(options.max !== undefined && { max: options.max }),
    // Probes an idle connection after 10 s, so that firewalls and NATs keep it, and a dead peer shows.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/** A pool made from `guardedPoolConfig`. */
export async function openPool(options: PoolOptions): Promise<Pool> {
  const { default: pg } = await importOptional<PgModule>("pg", POSTGRES_PURPOSE);
  return new pg.Pool(await guardedPoolConfig(options));
}

/**
 * `setup()` creates the tables and runs migrations. Replicas starting together on a
 * fresh database would race on them, so setup holds a Postgres advisory lock. It gets a
 * pool of its own, with no query timeout: a migration may build an index on a large table.
 */
export async function setUpOnce(
  url: string,
  options: { logger: Logger; timeoutSeconds?: number },
  setup: (pool: Pool) => Promise<void>,
): Promise<void> {
  const pool = await openPool({ url, purpose: "setup", logger: options.logger, timeoutSeconds: options.timeoutSeconds, queryTimeoutSeconds: 0 });
  try {
    const client = await pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock(hashtext('langgraph-openai:checkpointer-setup'))");
      await setup(pool);
    } finally {
      // Dropped, not pooled: closing the session is what frees the advisory lock.
      client.release(true);
    }
  } finally {
    await pool.end();
  }
}

/** SQLSTATEs of a connection that failed, or of a server that cannot serve now (as opposed to a query's own error). */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-5]|53300|57014)$/;
/** A socket that could not connect, or broke. */
const SOCKET_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
/** pg's own words for a connection lost or never made; these errors carry no code. */
const PG_CONNECTION_FAILURE = /^(Connection terminated|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed)/;

/** Whether `error` says the database cannot be reached (or is too slow to answer), rather than that a query was wrong. */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return UNAVAILABLE_SQLSTATE.test(code) || SOCKET_ERRORS.has(code);
  return PG_CONNECTION_FAILURE.test(error.message);
}

/** A wait that ran out: the database may be there but slow, or cut off without a reset. */
const TIMED_OUT = /^(Query read timeout|timeout exceeded when trying to connect|Connection terminated due to connection timeout)/;

/**
 * A connection that failed at once: most often one the pool held while the database
 * closed it (a restart, a failover, `pg_terminate_backend`), which pg learns only when
 * it is used. The same call on a fresh connection is worth a try; a call that timed out
 * is not (it would wait as long again).
 */
export function isWorthRetrying(error: unknown): boolean {
  if (!isConnectionFailure(error)) return false;
  const { code, message } = error as Error & { code?: unknown };
  return code !== "57014" && code !== "ETIMEDOUT" && !TIMED_OUT.test(message);
}

/** Past pg's default pool size (10): no pool holds more stale connections than that. */
const MAX_ATTEMPTS = 11;

/**
 * Whether a call that failed is worth another try: after a database restart a pool still
 * holds connections the database has closed, and learns so only by using them. Each
 * one that fails leaves the pool, so a call is tried again while it ran on one the pool
 * held (`pooled`: the pool had idle connections when it began), and once more after a
 * first failure on a new one (a database just starting up).
 */
export function worthAnotherTry(error: unknown, attempt: number, pooled: boolean): boolean {
  return isWorthRetrying(error) && attempt < MAX_ATTEMPTS && (pooled || attempt === 1);
}

/**
 * A database call that is safe to repeat, tried again as `worthAnotherTry` says; what
 * still fails for want of the database is a DatabaseUnavailableError (503).
 * `idleConnections` counts the pool's idle connections, where it can be read.
 */
export async function callDatabase<T>(call: () => Promise<T>, idleConnections: () => number = () => 0): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const pooled = idleConnections() > 0;
    try {
      return await call();
    } catch (error) {
      if (!worthAnotherTry(error, attempt, pooled)) throw toDatabaseError(error);
    }
  }
}

/** A connection failure as the 503 a client can retry; any other error as it is. */
export function toDatabaseError(error: unknown): unknown {
  return isConnectionFailure(error) ? new DatabaseUnavailableError(error) : error;
}
