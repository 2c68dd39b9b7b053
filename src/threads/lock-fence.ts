/**
 * Writes fenced by a thread lock that can be lost (`ThreadRelease.lost`): once it is, the
 * run's next checkpoint write fails with the loss's reason instead of landing on a thread
 * another run may hold by then. The run is stopped too (`request-run.ts`); the fence
 * covers a write already on its way when the loss is heard.
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { overrideSaver } from "./saver-proxy.js";

export function fencedSaver(saver: BaseCheckpointSaver, lost: AbortSignal): BaseCheckpointSaver {
  return overrideSaver(saver, {
    put: async (...args) => {
      lost.throwIfAborted();
      return saver.put(...args);
    },
    putWrites: async (...args) => {
      lost.throwIfAborted();
      return saver.putWrites(...args);
    },
  });
}
