/**
 * Stored responses, kept in the checkpointer and nowhere else. A stored response's run
 * writes its marker into the metadata of every checkpoint it makes (`request-run.ts`
 * lends the run a checkpointer that does, see `threads/checkpoint-metadata.ts`); the
 * newest of them is the checkpoint the run ended on, which `previous_response_id`
 * continues from. When the run is over, the rendered response is written beside that
 * checkpoint as a pending write of a task no graph has, which LangGraph carries with the
 * checkpoint and ignores; `GET /v1/responses/{id}` and item references read it back.
 */
import type { BaseCheckpointSaver, CheckpointTuple } from "@langchain/langgraph";
import type { ResponseEvent } from "./schemas.js";
import type { Response } from "./schemas.js";
import { SECRET_THREAD_ID } from "./response-secret.js";
import type { ResponseRef } from "./response-id.js";

/** The checkpoint metadata key a stored response's run is found by. */
export const MARKER_KEY = "langgraph_openai_response";
const RECORD_TASK_ID = "langgraph-openai:response";
const RECORD_CHANNEL = "__langgraph_openai_response__";
const DELETED_TASK_ID = "langgraph-openai:response-deleted";
const DELETED_CHANNEL = "__langgraph_openai_response_deleted__";

export interface StoredResponse {
  response: Response;
  /** The checkpoint the response's run ended on. */
  checkpointId: string;
}

async function runCheckpoint(saver: BaseCheckpointSaver, threadId: string, marker: string): Promise<CheckpointTuple | undefined> {
  const config = { configurable: { thread_id: threadId, checkpoint_ns: "" } };
  for await (const tuple of saver.list(config, { filter: { [MARKER_KEY]: marker }, limit: 1 })) return tuple;
  return undefined;
}

const written = (tuple: CheckpointTuple, taskId: string) => tuple.pendingWrites?.find(([task]) => task === taskId);

function storedIn(tuple: CheckpointTuple): Response | undefined {
  if (written(tuple, DELETED_TASK_ID)) return undefined;
  return written(tuple, RECORD_TASK_ID)?.[2] as Response | undefined;
}

export async function loadResponse(saver: BaseCheckpointSaver, ref: ResponseRef): Promise<StoredResponse | undefined> {
  const tuple = await runCheckpoint(saver, ref.threadId, ref.marker);
  const response = tuple && storedIn(tuple);
  if (!tuple || !response) return undefined;
  return { response, checkpointId: tuple.checkpoint.id };
}

/**
 * Passes the events through, and stores the response before its last event goes out:
 * a client that reads `response.completed` may continue from it at once.
 */
export async function* storeResponse(
  events: AsyncIterable<ResponseEvent>,
  place: { saver: BaseCheckpointSaver; threadId: string; marker: string },
): AsyncGenerator<ResponseEvent> {
  for await (const event of events) {
    if (event.type === "response.completed" || event.type === "response.incomplete") {
      const tuple = await runCheckpoint(place.saver, place.threadId, place.marker);
      if (!tuple) throw new Error(`the run of response ${event.response.id} left no checkpoint to store it at`);
      await place.saver.putWrites(tuple.config, [[RECORD_CHANNEL, event.response]], RECORD_TASK_ID);
    }
    yield event;
  }
}

/**
 * Forgets a response: its id answers 404 from then on. Savers can only delete whole
 * threads, so the thread itself goes once it holds nothing but responses, all of them
 * forgotten; a thread that other responses or other clients still use stays.
 */
export async function deleteResponse(saver: BaseCheckpointSaver, ref: ResponseRef): Promise<boolean> {
  const tuple = await runCheckpoint(saver, ref.threadId, ref.marker);
  if (!tuple || !storedIn(tuple)) return false;
  await saver.putWrites(tuple.config, [[DELETED_CHANNEL, true]], DELETED_TASK_ID);
  if (ref.threadId === SECRET_THREAD_ID) return true;
  const deleted = (candidate: CheckpointTuple) => candidate.checkpoint.id === tuple.checkpoint.id || written(candidate, DELETED_TASK_ID);
  for await (const candidate of saver.list({ configurable: { thread_id: ref.threadId, checkpoint_ns: "" } })) {
    const metadata = candidate.metadata as Record<string, unknown> | undefined;
    if (typeof metadata?.[MARKER_KEY] !== "string") return true;
    if (written(candidate, RECORD_TASK_ID) && !deleted(candidate)) return true;
  }
  await saver.deleteThread(ref.threadId);
  return true;
}
