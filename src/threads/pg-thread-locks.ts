/**
 * One run at a time per thread across every replica that shares a Postgres database: a
 * session-level advisory lock on the thread, held for the run by a pooled connection of
 * its own. A replica that dies drops its connections, and Postgres releases their locks
 * with them. In this process, requests first queue on the in-process lock, so a thread
 * holds at most one connection per replica. A lock not had within the bound is a 409;
 * a request whose signal aborts first (its client left, its run timed out) stops
 * waiting, and a connection left waiting in the database is closed, which cancels it.
 * A held lock whose connection fails is lost (Postgres released it): the release's
 * `lost` signal aborts, and the run stops before it writes the thread again (`session.ts`).
 */
import type { PoolClient } from "pg";
import type { Logger } from "pino";
import { followingController, untilAborted } from "../abortable.js";
import { ThreadBusyError, ThreadLockLostError } from "../errors.js";
import { DEFAULT_DATABASE_TIMEOUT_SECONDS, openPool, toDatabaseError, worthAnotherTry } from "../postgres.js";
import { ThreadLocks, type ThreadLocker, type ThreadRelease } from "./locks.js";

export interface PgThreadLocks extends ThreadLocker {
  /** Ends the pool; locks still held are released with their connections. */
  close(): Promise<void>;
}

export interface PgThreadLocksOptions {
  /** Seconds a request may wait for its thread before it gets 409. */
  waitSeconds: number;
  /** Connections, so threads running at once on this replica (each holds one while it runs). */
  maxConnections: number;
  /** Where connection failures are logged. */
  logger: Logger;
  /** Seconds to connect, and for an unlock (see `postgres.ts`); default 10. */
  databaseTimeoutSeconds?: number;
}

/** Postgres' `lock_not_available`: `lock_timeout` ran out. */
const LOCK_NOT_AVAILABLE = "55P03";

/** The lock key: 64 bits of a hash of the thread id, in a space of our own. */
const LOCK_KEY_SQL = "hashtextextended('langgraph-openai:thread:' || $1, 0)";

/** Aborts with the request's reason, or with a 409 once the wait runs out; `done()` stops watching. */
function waitBound(signal: AbortSignal, waitMs: number, busy: () => Error): { signal: AbortSignal; done(): void } {
  const { controller: waiting, unlink } = followingController(signal);
  const timer = setTimeout(() => waiting.abort(busy()), waitMs);
  return {
    signal: waiting.signal,
    done() {
      clearTimeout(timer);
      unlink();
    },
  };
}

/** pg is an optional peer: imported (by `openPool`) when a Postgres checkpointer asks for these locks. */
export async function openPgThreadLocks(url: string, options: PgThreadLocksOptions): Promise<PgThreadLocks> {
  const waitMs = options.waitSeconds * 1000;
  const timeoutSeconds = options.databaseTimeoutSeconds ?? DEFAULT_DATABASE_TIMEOUT_SECONDS;
  const busy = () => new ThreadBusyError(options.waitSeconds);
  const pool = await openPool({
    url,
    purpose: "thread locks",
    logger: options.logger,
    timeoutSeconds,
    max: options.maxConnections,
  });
  const local = new ThreadLocks();

  /**
   * A connection that waits for a lock at most `waitMs` (its `lock_timeout`; no statement
   * timeout of the pool's, which would stop the wait first). The first query on a pooled
   * connection finds out whether the database closed it meanwhile (a restart): then it is
   * dropped and another one tried, as for any database call (`worthAnotherTry`).
   */
  async function session(waitMs: number, signal: AbortSignal): Promise<PoolClient> {
    for (let attempt = 1; ; attempt++) {
      const pooled = pool.idleCount > 0;
      const connecting = pool.connect();
      const client = await untilAborted(connecting, signal).catch((error: unknown) => {
        // Given up while connecting: the connection, once made, goes back to the pool.
        void connecting.then((late) => late.release(), () => {});
        throw error;
      });
      try {
        const settings = "SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', '0', false)";
        await untilAborted(client.query(settings, [`${waitMs}ms`]), signal);
        return client;
      } catch (error) {
        client.release(error as Error);
        if (!worthAnotherTry(error, attempt, pooled)) throw error;
      }
    }
  }

  return {
    // `onWait` hears of a wait in this process; one for another replica's run is not announced.
    async acquire(threadId, signal, onWait) {
      const deadline = Date.now() + waitMs;
      const bound = waitBound(signal, waitMs, busy);
      let releaseLocal: (() => void) | undefined;
      let client: PoolClient | undefined;
      try {
        releaseLocal = await local.acquire(threadId, bound.signal, onWait);
        const waitLeftMs = Math.max(deadline - Date.now(), 1);
        client = await session(waitLeftMs, bound.signal);
        // The client waits for the database's answer as long as the lock may take, and then as long as any query.
        const locking = { text: `SELECT pg_advisory_lock(${LOCK_KEY_SQL})`, values: [threadId], query_timeout: waitLeftMs + timeoutSeconds * 1000 };
        await untilAborted(client.query(locking), bound.signal);
      } catch (error) {
        const timedOut = (error as { code?: string }).code === LOCK_NOT_AVAILABLE;
        // A connection still waiting in the database (a request given up) is closed, which cancels its wait.
        client?.release(timedOut ? undefined : (error as Error));
        releaseLocal?.();
        throw timedOut ? busy() : toDatabaseError(error);
      } finally {
        bound.done();
      }
      const held = client;
      const handOn = releaseLocal;
      let released = false;
      // Postgres dropped the lock with the connection: another replica may take the thread now.
      const lost = new AbortController();
      const onLost = () => {
        options.logger.warn({ threadId }, "a thread lock's database connection failed: its run is stopped");
        lost.abort(new ThreadLockLostError());
      };
      held.once("error", onLost).once("end", onLost);
      const release = () => {
        if (released) return;
        released = true;
        // The connection goes back to the pool (or is closed), where its failures are no longer this run's.
        held.off("error", onLost).off("end", onLost);
        void held
          .query(`SELECT pg_advisory_unlock(${LOCK_KEY_SQL})`, [threadId])
          .then(
            () => undefined,
            (error: Error) => error,
          )
          .then((failure) => {
            // A connection that could not unlock is closed, which unlocks.
            held.release(failure);
            handOn();
          });
      };
      return Object.assign(release, { lost: lost.signal }) satisfies ThreadRelease;
    },
    close: () => pool.end(),
  };
}
