/**
 * The memory checkpointer: LangGraph's MemorySaver, keeping of each thread only its
 * latest checkpoints. A MemorySaver keeps every checkpoint it is given, each a full copy
 * of the thread's state (one per step of every run): on a thread of 10 MB, a few short
 * turns kept hundreds of MB more, until the process ran out. Older checkpoints serve
 * only a fork search, which reads no further back than `MAX_FORK_CHECKPOINTS` anyway,
 * and `previous_response_id` of older responses, which then are not found (a 404, as
 * for a response OpenAI no longer keeps).
 */
import type { BaseCheckpointSaver, MemorySaver } from "@langchain/langgraph";
import type { LangGraphCopy } from "./langgraph-copy.js";
import { MAX_FORK_CHECKPOINTS } from "./threads/plan.js";

export interface KeptCheckpoints {
  /** Checkpoints kept per thread (and subgraph namespace), the latest ones. */
  checkpoints: number;
  /** Their size, serialized, in bytes: older ones go first once the latest add up to more. */
  bytes: number;
}

export const DEFAULT_KEPT_CHECKPOINTS: KeptCheckpoints = { checkpoints: MAX_FORK_CHECKPOINTS, bytes: 64 * 1024 * 1024 };

/** A run goes on from the latest checkpoint, written over its parent: those two always stay. */
const ALWAYS_KEPT = 2;

/** MemorySaver's own storage, in public fields: thread, namespace, checkpoint id -> [checkpoint, metadata, parent id]; and pending writes. */
type MemoryStorage = Pick<MemorySaver, "storage" | "writes">;

export function boundedMemorySaver(langgraph: LangGraphCopy, kept: KeptCheckpoints = DEFAULT_KEPT_CHECKPOINTS): BaseCheckpointSaver {
  return new (class extends langgraph.MemorySaver {
    override async put(...args: Parameters<MemorySaver["put"]>) {
      const saved = await super.put(...args);
      const { thread_id: threadId, checkpoint_ns: namespace = "" } = saved.configurable ?? {};
      if (typeof threadId === "string" && typeof namespace === "string") prune(this, threadId, namespace, kept);
      return saved;
    }
  })();
}

function prune({ storage, writes }: MemoryStorage, threadId: string, namespace: string, kept: KeptCheckpoints): void {
  const checkpoints = storage[threadId]?.[namespace];
  if (!checkpoints) return;
  // Checkpoint ids are time-ordered (uuid6): MemorySaver lists them in this order too.
  const newestFirst = Object.keys(checkpoints).sort().reverse();
  let bytes = 0;
  newestFirst.forEach((id, index) => {
    bytes += checkpoints[id]![0].byteLength;
    if (index < ALWAYS_KEPT || (index < kept.checkpoints && bytes <= kept.bytes)) return;
    delete checkpoints[id];
    // MemorySaver's key for a checkpoint's pending writes.
    delete writes[JSON.stringify([threadId, namespace, id])];
  });
}
