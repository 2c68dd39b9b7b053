/**
 * LangGraph's PostgresSaver on a guarded pool (`postgres.ts`). Every call is safe to
 * repeat (reads, upserts, a delete), so one whose connection fails at once is made
 * again (`callDatabase`): the first requests after a database restart succeed. One that
 * still fails because the database cannot be reached throws a DatabaseUnavailableError
 * (503, Retry-After), whether a thread is being loaded before the run, saved during it
 * or tidied after it.
 */
import type { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type { Pool } from "pg";
import { callDatabase, toDatabaseError, worthAnotherTry } from "./postgres.js";

/** `Saver` is the optional peer's class, as `importOptional` found it. */
export function guardedPostgresSaver(Saver: typeof PostgresSaver, pool: Pool): PostgresSaver {
  class GuardedPostgresSaver extends Saver {
    #call<T>(call: () => Promise<T>): Promise<T> {
      return callDatabase(call, () => pool.idleCount);
    }

    override getTuple(...args: Parameters<PostgresSaver["getTuple"]>): ReturnType<PostgresSaver["getTuple"]> {
      return this.#call(() => super.getTuple(...args));
    }

    override async *list(...args: Parameters<PostgresSaver["list"]>): ReturnType<PostgresSaver["list"]> {
      for (let attempt = 1; ; attempt++) {
        const pooled = pool.idleCount > 0;
        let listed = false;
        try {
          for await (const tuple of super.list(...args)) {
            listed = true;
            yield tuple;
          }
          return;
        } catch (error) {
          // Once items have been handed out, starting over would repeat them.
          if (listed || !worthAnotherTry(error, attempt, pooled)) throw toDatabaseError(error);
        }
      }
    }

    override put(...args: Parameters<PostgresSaver["put"]>): ReturnType<PostgresSaver["put"]> {
      return this.#call(() => super.put(...args));
    }

    override putWrites(...args: Parameters<PostgresSaver["putWrites"]>): ReturnType<PostgresSaver["putWrites"]> {
      return this.#call(() => super.putWrites(...args));
    }

    override deleteThread(...args: Parameters<PostgresSaver["deleteThread"]>): ReturnType<PostgresSaver["deleteThread"]> {
      return this.#call(() => super.deleteThread(...args));
    }
  }
  return new GuardedPostgresSaver(pool);
}
