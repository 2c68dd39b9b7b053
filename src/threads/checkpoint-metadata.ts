/**
 * A checkpointer that adds fields to the metadata of every checkpoint it writes, lent to
 * one run: LangGraph.js does not copy a run's `config.metadata` into its checkpoints (the
 * Python version does), yet a run must be found again by what it wrote, with nothing
 * but the checkpointer (`list(config, { filter })` matches metadata on every saver).
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { overrideSaver } from "./saver-proxy.js";

export function withCheckpointMetadata(saver: BaseCheckpointSaver, fields: Record<string, string>): BaseCheckpointSaver {
  return overrideSaver(saver, {
    put: (config, checkpoint, metadata, newVersions) => saver.put(config, checkpoint, { ...metadata, ...fields }, newVersions),
  });
}
