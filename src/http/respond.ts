/**
 * The last step of the data path, for every protocol: rendered items -> HTTP response.
 * Streamed, each item is a Server-Sent Event in the protocol's framing; not streamed,
 * the protocol folds the same items into one JSON body.
 */
import type { Context } from "hono";
import { clientError, ClientClosedError, toApiError, type ApiError } from "../errors.js";

declare module "hono" {
  interface ContextVariableMap {
    /** The operator's `--show-graph-errors`: clients get a graph's error text. */
    showGraphErrors: boolean | undefined;
  }
}

/** `error` as the request's client may see it (see `clientError`). */
export function forClient(c: Context, error: ApiError): ApiError {
  return clientError(error, c.get("requestId"), c.get("showGraphErrors") === true);
}

export interface RespondOptions {
  /** Runs once the answer is complete, failed, or abandoned by the client. */
  cleanup: () => Promise<void>;
  /** The client left mid-stream: stop the run. */
  onClientLeft: () => void;
  /** Called with every error that became a 5xx, with its cause. */
  onServerError?: (error: ApiError, cause: unknown) => void;
}

/** How a protocol writes its stream: one SSE event per item, how a stream ends, and a failure's event. */
export interface SseFormat<Item> {
  event(item: Item): string;
  /** Written after the last item (chat completions' `data: [DONE]`); may be empty. */
  end: string;
  error(error: ApiError): string;
}

const encoder = new TextEncoder();
/** How many chunks the stream may run ahead of a slow client before the graph waits. */
const READ_AHEAD_CHUNKS = 16;

/** The non-streamed answer: `folded` is the protocol's fold of the same items a stream would send. */
export async function respondJson(c: Context, folded: Promise<unknown>, options: RespondOptions): Promise<Response> {
  try {
    return c.json(await folded);
  } finally {
    await options.cleanup();
  }
}

export async function respondStream<Item>(
  c: Context,
  chunks: AsyncIterator<Item>,
  format: SseFormat<Item>,
  options: RespondOptions,
): Promise<Response> {
  // Wait for the first item before answering, so a graph that fails at once
  // still gets a plain HTTP error status rather than an error inside a 200 stream.
  let first: IteratorResult<Item>;
  try {
    first = await chunks.next();
  } catch (error) {
    await options.cleanup();
    throw error;
  }
  let pending: IteratorResult<Item> | undefined = first;
  let finished = false;
  const report = (error: unknown): ApiError => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) options.onServerError?.(apiError, apiError.cause ?? error);
    return forClient(c, apiError);
  };
  const errorEvent = (error: unknown): string => {
    const apiError = report(error);
    return apiError instanceof ClientClosedError ? "" : format.error(apiError);
  };
  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>, last: string) => {
    finished = true;
    // Clean up (the thread saved, a stateless interrupt kept under its conversation's key)
    // before the client reads the end: its next request may come at once, and must find it.
    try {
      await options.cleanup();
    } catch (error) {
      // The answer was not kept: the stream's normal end would tell the client all went well.
      const failed = errorEvent(error);
      if (last === format.end) last = failed;
    }
    if (last) controller.enqueue(encoder.encode(last));
    controller.close();
  };
  // Our own byte stream rather than Hono's streamSSE: it hands each event straight to
  // @hono/node-server, and reads a few chunks ahead of the socket, so back-to-back
  // tokens leave in one write (Hono's helper passes every event through two more
  // streams and one awaited write each: a 2,000-token answer took ~15% longer).
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let next: IteratorResult<Item>;
        try {
          next = pending ?? (await chunks.next());
        } catch (error) {
          if (finished) return;
          await finish(controller, errorEvent(error));
          return;
        }
        pending = undefined;
        if (finished) return;
        if (next.done) await finish(controller, format.end);
        else controller.enqueue(encoder.encode(format.event(next.value)));
      },
      async cancel() {
        if (finished) return;
        finished = true;
        options.onClientLeft();
        try {
          await chunks.return?.(undefined);
        } finally {
          // Nobody reads a rejection of cancel(): @hono/node-server drops it.
          await options.cleanup().catch(report);
        }
      },
    },
    new CountQueuingStrategy({ highWaterMark: READ_AHEAD_CHUNKS }),
  );
  return c.body(body, 200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
}
