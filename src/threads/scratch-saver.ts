/**
 * The checkpointer of a run on no thread: LangGraph needs one for `interrupt()`, but such
 * a run's state is only kept if it stops at an interrupt (then `copy-thread.ts` moves it
 * to the real checkpointer). So each run gets its own MemorySaver, made by the graph's
 * LangGraph, that keeps values as they are, with nothing serialised, and is dropped with
 * the run.
 */
import type { MemorySaver } from "@langchain/langgraph";
import type { LangGraphCopy } from "../langgraph-copy.js";

type Serializer = NonNullable<ConstructorParameters<typeof MemorySaver>[0]>;

// The saver never leaves the process and is read only to copy the state out, by a
// saver that serialises it then: there is nothing to encode.
const byReference: Serializer = {
  dumpsTyped: async (data: unknown) => ["by-reference", data as Uint8Array],
  loadsTyped: async (_type: string, data: unknown) => data,
};

export function scratchSaver(langgraph: LangGraphCopy): MemorySaver {
  return new langgraph.MemorySaver(byReference);
}
