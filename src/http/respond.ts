/**
 * The last step of the data path, for every protocol: rendered items -> HTTP response.
 * Streamed, each item is a Server-Sent Event in the protocol's framing; not streamed,
 * the protocol folds the same items into one JSON body.
 */
import { ServerResponse, type OutgoingHttpHeaders } from "node:http";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
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
/** How many chunks a web stream may run ahead of a slow client before the graph waits. */
const READ_AHEAD_CHUNKS = 16;

/** Under @hono/node-server: the Node response, which the stream writes itself (see `nodeSink`). */
interface NodeBindings {
  outgoing?: ServerResponse;
}

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
  const response = c.body(null, 200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
  if (outgoing instanceof ServerResponse) {
    const sink = nodeSink(outgoing, () => headersOf(c.res));
    const stream = sseStream(c, first, chunks, format, options, sink);
    outgoing.once("close", () => void stream.cancel());
    return alreadySent(response);
  }
  const { body, sink } = webSink(() => stream.cancel());
  const stream = sseStream(c, first, chunks, format, options, sink);
  return new Response(body, response);
}

/** Where a stream's text goes. */
interface SseSink {
  /** Queues text; resolves when the client may take more (back-pressure holds the run). */
  write(text: string): Promise<void> | undefined;
  /** Writes the last text (may be empty) and ends the response. */
  end(text: string): void;
}

/**
 * Drives one stream: every item as its event, then the end (or the failure's event), the
 * cleanup before the end, and the same cleanup when the client leaves first.
 */
function sseStream<Item>(c: Context, first: IteratorResult<Item>, chunks: AsyncIterator<Item>, format: SseFormat<Item>, options: RespondOptions, sink: SseSink) {
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
  const finish = async (last: string) => {
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
    sink.end(last);
  };
  const pump = async () => {
    let next = first;
    try {
      while (!next.done) {
        const backPressure = sink.write(format.event(next.value));
        if (backPressure) await backPressure;
        if (finished) return;
        next = await chunks.next();
        if (finished) return;
      }
    } catch (error) {
      if (!finished) await finish(errorEvent(error));
      return;
    }
    await finish(format.end);
  };
  void pump();
  return {
    /** The client left: stop the run, and clean up. */
    async cancel(): Promise<void> {
      if (finished) return;
      finished = true;
      options.onClientLeft();
      try {
        await chunks.return?.(undefined);
      } catch {
        // The run's own end (aborted) is no news to a client that left.
      } finally {
        await options.cleanup().catch(report);
      }
    },
  };
}

/** Largest text held for one write: past it, it leaves at once. */
const COALESCE_BYTES = 16 * 1024;

/**
 * Writes straight to Node's response, with no web stream, TextEncoder or promise per chunk
 * between the render and the socket (a third of the CPU of 1,000 paced streams went there).
 * Events made in the same turn of the event loop leave in one write (one chunk of the
 * chunked encoding): a model that streams faster than the socket costs one write per turn.
 * The headers are read when the first text leaves, after every middleware has set its own.
 */
function nodeSink(outgoing: ServerResponse, headers: () => OutgoingHttpHeaders): SseSink {
  let held = "";
  let scheduled = false;
  let drained: Promise<void> | undefined;
  const flush = (): boolean => {
    scheduled = false;
    if (held === "" || outgoing.destroyed) return true;
    if (!outgoing.headersSent) outgoing.writeHead(200, headers());
    const text = held;
    held = "";
    return outgoing.write(text);
  };
  const waitForDrain = () =>
    (drained ??= new Promise<void>((resolve) => {
      const done = () => {
        outgoing.off("drain", done).off("close", done);
        drained = undefined;
        resolve();
      };
      outgoing.on("drain", done).on("close", done);
    }));
  const onTurnEnd = () => {
    if (!flush()) void waitForDrain();
  };
  return {
    write(text) {
      held += text;
      if (drained) return drained;
      // Before the first turn ends the headers are not final: nothing leaves before it.
      if (held.length >= COALESCE_BYTES && outgoing.headersSent) return flush() ? undefined : waitForDrain();
      if (!scheduled) {
        scheduled = true;
        setImmediate(onTurnEnd);
      }
      return undefined;
    },
    end(text) {
      if (outgoing.destroyed) return;
      held += text;
      if (!outgoing.headersSent) outgoing.writeHead(200, headers());
      outgoing.end(held);
      held = "";
    },
  };
}

/** A web ReadableStream (any runtime but Node's server), read a few chunks ahead of a slow client. */
function webSink(cancel: () => Promise<void>): { body: ReadableStream<Uint8Array>; sink: SseSink } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let wantsMore: (() => void) | undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      pull: () => {
        wantsMore?.();
        wantsMore = undefined;
      },
      cancel,
    },
    new CountQueuingStrategy({ highWaterMark: READ_AHEAD_CHUNKS }),
  );
  return {
    body,
    sink: {
      write(text) {
        controller.enqueue(encoder.encode(text));
        if ((controller.desiredSize ?? 1) > 0) return undefined;
        return new Promise<void>((resolve) => (wantsMore = resolve));
      },
      end(text) {
        if (text) controller.enqueue(encoder.encode(text));
        controller.close();
      },
    },
  };
}

/** A response's headers, for Node's `writeHead`. */
function headersOf(response: Response): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of response.headers) if (!RESPONSE_ALREADY_SENT.headers.has(name)) headers[name] = value;
  return headers;
}

/** `response`'s status and headers, marked for @hono/node-server as written by us. */
function alreadySent(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of RESPONSE_ALREADY_SENT.headers) headers.set(name, value);
  return new Response(null, { status: response.status, headers });
}
