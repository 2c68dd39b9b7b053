/**
 * A database outage in the log: while the database cannot be reached, every request that
 * needs it gets 503 (`DatabaseUnavailableError`), which is the outage working as meant,
 * not a server error per request. The first 503 logs one warning with its cause; those
 * that follow within `quietMs` of the last are counted; once none came for `quietMs`,
 * one line says how many requests the outage answered 503.
 */
import type { Logger } from "pino";

export interface OutageLog {
  /** A request answered 503 because the database could not be reached. */
  report(cause: unknown, requestId?: string): void;
}

export const OUTAGE_QUIET_MS = 30_000;

export function databaseOutageLog(logger: Logger, quietMs = OUTAGE_QUIET_MS): OutageLog {
  let outage: { startedAt: number; requests: number; over: NodeJS.Timeout } | undefined;
  const end = () => {
    const { startedAt, requests } = outage!;
    outage = undefined;
    const seconds = Math.round((Date.now() - startedAt) / 1000);
    logger.info({ requests, seconds }, `the database answered again, or no request needed it, for ${quietMs / 1000}s: ${requests} request(s) got 503 during the outage`);
  };
  return {
    report(cause, requestId) {
      if (outage) {
        outage.requests++;
        outage.over.refresh();
        return;
      }
      // Unref'd: an outage's end is no reason to keep a stopping process alive.
      outage = { startedAt: Date.now(), requests: 1, over: setTimeout(end, quietMs).unref() };
      logger.warn({ err: cause, requestId }, "the database cannot be reached: requests that need it get 503 until it is back");
    },
  };
}
