import type { BaseCheckpointSaver, CheckpointTuple } from "@langchain/langgraph";

type PendingWrite = [channel: string, value: unknown];

/** Copies every checkpoint of a thread (all namespaces, pending writes included) to another id, in the same saver or another. */
export async function copyThread(source: BaseCheckpointSaver, from: string, target: BaseCheckpointSaver, to: string): Promise<void> {
  const tuples: CheckpointTuple[] = [];
  for await (const tuple of source.list({ configurable: { thread_id: from } })) tuples.push(tuple);
  // Checkpoint ids sort by time; oldest first keeps the newest the thread's head.
  tuples.sort((a, b) => (a.checkpoint.id < b.checkpoint.id ? -1 : a.checkpoint.id > b.checkpoint.id ? 1 : 0));
  for (const tuple of tuples) {
    const config = {
      configurable: {
        thread_id: to,
        checkpoint_ns: tuple.config.configurable?.checkpoint_ns ?? "",
        checkpoint_id: tuple.parentConfig?.configurable?.checkpoint_id,
      },
    };
    const saved = await target.put(config, tuple.checkpoint, tuple.metadata ?? { source: "update", step: -1, parents: {} }, tuple.checkpoint.channel_versions);
    const byTask = new Map<string, PendingWrite[]>();
    for (const [taskId, channel, value] of tuple.pendingWrites ?? []) {
      byTask.set(taskId, [...(byTask.get(taskId) ?? []), [channel, value]]);
    }
    for (const [taskId, writes] of byTask) await target.putWrites(saved, writes, taskId);
  }
}
