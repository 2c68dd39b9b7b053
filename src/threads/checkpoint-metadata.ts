/**
 * A checkpointer that adds fields to the metadata of every checkpoint it writes, lent to
 * one run: LangGraph.js does not copy a run's `config.metadata` into its checkpoints (the
 * Python version does), yet a run must be found again by what it wrote, with nothing
 * but the checkpointer (`list(config, { filter })` matches metadata on every saver).
 * Everything else goes to the saver as it is, so its threads stay where they were.
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph";

export function withCheckpointMetadata(saver: BaseCheckpointSaver, fields: Record<string, string>): BaseCheckpointSaver {
  const put: BaseCheckpointSaver["put"] = (config, checkpoint, metadata, newVersions) =>
    saver.put(config, checkpoint, { ...metadata, ...fields }, newVersions);
  return new Proxy(saver, {
    get(target, property) {
      if (property === "put") return put;
      const value: unknown = Reflect.get(target, property, target);
      // Bound to the saver itself: its methods may use private fields a proxy does not have.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
