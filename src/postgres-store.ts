/**
 * LangGraph's PostgresStore on a guarded pool (`postgres.ts`). Every operation goes
 * through `batch`, which is safe to repeat (gets, searches, upserts, deletes), so one
 * whose connection fails at once is made again; one that still fails for want of the
 * database throws a DatabaseUnavailableError (503) from the node that used the store.
 */
import type { Operation, OperationResults } from "@langchain/langgraph";
import type { PostgresStore } from "@langchain/langgraph-checkpoint-postgres/store";
import { callDatabase } from "./postgres.js";

/** `Store` is the optional peer's class, as `importOptional` found it. */
export function guardedPostgresStore(Store: typeof PostgresStore, config: ConstructorParameters<typeof PostgresStore>[0]): PostgresStore {
  class GuardedPostgresStore extends Store {
    override batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
      return callDatabase(() => super.batch(operations));
    }
  }
  return new GuardedPostgresStore(config);
}
