/**
 * The last step of the data path: chunks -> HTTP response. Streamed, each chunk is an
 * SSE `data:` event and `[DONE]` ends the stream; not streamed, the chunks are folded
 * into one chat.completion. Either way the chunks come from the same renderer.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { ClientClosedError, toApiError, toErrorBody, type ApiError } from "./errors.ts";
import type { ChatCompletionChunk } from "./openai/schemas.ts";
import { foldChunks } from "./render.ts";

export interface RespondOptions {
  /** Runs once the answer is complete, failed, or abandoned by the client. */
  cleanup: () => Promise<void>;
  /** The client left mid-stream: stop the run. */
  onClientLeft: () => void;
  /** Called with every error that became a 5xx, with its cause. */
  onServerError?: (error: ApiError, cause: unknown) => void;
}

export async function respondJson(c: Context, chunks: AsyncIterable<ChatCompletionChunk>, options: RespondOptions): Promise<Response> {
  try {
    return c.json(await foldChunks(chunks));
  } finally {
    await options.cleanup();
  }
}

export async function respondStream(c: Context, chunks: AsyncIterator<ChatCompletionChunk>, options: RespondOptions): Promise<Response> {
  // Wait for the first chunk before answering, so a graph that fails at once
  // still gets a plain HTTP error status rather than an error inside a 200 stream.
  let first: IteratorResult<ChatCompletionChunk>;
  try {
    first = await chunks.next();
  } catch (error) {
    await options.cleanup();
    throw error;
  }
  return streamSSE(c, async (stream) => {
    stream.onAbort(options.onClientLeft);
    try {
      for (let next = first; !next.done; next = await chunks.next()) {
        await stream.writeSSE({ data: JSON.stringify(next.value) });
      }
      await stream.writeSSE({ data: "[DONE]" });
    } catch (error) {
      // openai-node and the AI SDK read `{"error": ...}` in a data line as a failed stream.
      const apiError = toApiError(error);
      if (apiError.status >= 500) options.onServerError?.(apiError, apiError.cause ?? error);
      if (!(apiError instanceof ClientClosedError)) {
        await stream.writeSSE({ data: JSON.stringify(toErrorBody(apiError)) });
      }
    } finally {
      await options.cleanup();
    }
  });
}
