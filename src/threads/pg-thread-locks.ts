/**
 * One run at a time per thread across every replica that shares a Postgres database: a
 * session-level advisory lock on the thread, held for the run by a pooled connection of
 * its own. A replica that dies drops its connections, and Postgres releases their locks
 * with them. In this process, requests first queue on the in-process lock, so a thread
 * holds at most one connection per replica. A lock not had within the bound is a 409.
 */
import type { PoolClient } from "pg";
import { POSTGRES_PURPOSE } from "../checkpointer.js";
import { ThreadBusyError } from "../errors.js";
import { importOptional } from "../optional-import.js";
import { ThreadLocks, type ThreadLocker } from "./locks.js";

export interface PgThreadLocks extends ThreadLocker {
  /** Ends the pool; locks still held are released with their connections. */
  close(): Promise<void>;
}

export interface PgThreadLocksOptions {
  /** Seconds a request may wait for its thread before it gets 409. */
  waitSeconds: number;
  /** Connections, so threads running at once on this replica (each holds one while it runs). */
  maxConnections: number;
}

/** Postgres' `lock_not_available`: `lock_timeout` ran out. */
const LOCK_NOT_AVAILABLE = "55P03";

/** The lock key: 64 bits of a hash of the thread id, in a space of our own. */
const LOCK_KEY_SQL = "hashtextextended('langgraph-openai:thread:' || $1, 0)";

/** Resolves with `promise`, or rejects once `ms` have passed; a late result is handed to `onLate`. */
function within<T>(promise: Promise<T>, ms: number, onLate: (value: T) => void, error: () => Error): Promise<T> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(error());
    }, ms);
    promise.then((value) => {
      clearTimeout(timer);
      if (late) onLate(value);
      else resolve(value);
    }, reject);
  });
}

/** pg is an optional peer: imported here, when a Postgres checkpointer asks for these locks. */
export async function openPgThreadLocks(url: string, options: PgThreadLocksOptions): Promise<PgThreadLocks> {
  const { default: pg } = await importOptional<typeof import("pg")>("pg", POSTGRES_PURPOSE);
  const waitMs = options.waitSeconds * 1000;
  const busy = () => new ThreadBusyError(options.waitSeconds);
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections, connectionTimeoutMillis: waitMs });
  // An idle connection the database drops is replaced on the next checkout; without a listener it would end the process.
  pool.on("error", () => {});
  const local = new ThreadLocks();

  return {
    // `onWait` hears of a wait in this process; one for another replica's run is not announced.
    async acquire(threadId, onWait) {
      const deadline = Date.now() + waitMs;
      const releaseLocal = await within(local.acquire(threadId, onWait), waitMs, (release) => release(), busy);
      let client: PoolClient | undefined;
      // A held connection the database drops takes its lock with it; the run goes on, the next one starts fresh.
      const lost = () => {};
      try {
        client = await pool.connect();
        client.on("error", lost);
        await client.query("SELECT set_config('lock_timeout', $1, false)", [`${Math.max(deadline - Date.now(), 1)}ms`]);
        await client.query(`SELECT pg_advisory_lock(${LOCK_KEY_SQL})`, [threadId]);
      } catch (error) {
        const timedOut = (error as { code?: string }).code === LOCK_NOT_AVAILABLE;
        client?.off("error", lost);
        client?.release(timedOut ? undefined : (error as Error));
        releaseLocal();
        throw timedOut ? busy() : error;
      }
      const held = client;
      return () => {
        void held
          .query(`SELECT pg_advisory_unlock(${LOCK_KEY_SQL})`, [threadId])
          .then(
            () => undefined,
            (error: Error) => error,
          )
          .then((failure) => {
            held.off("error", lost);
            // A connection that could not unlock is closed, which unlocks.
            held.release(failure);
            releaseLocal();
          });
      };
    },
    close: () => pool.end(),
  };
}
