/**
 * 413 for a body over the limit, answered so that clients read it. A client sending a
 * body writes all of it before it reads the answer (Node's fetch, and with it the
 * `openai` SDK, the AI SDK and ChatOpenAI); a server that answers and closes while the
 * body still comes in leaves the client with EPIPE or a reset instead of the 413 (17
 * times in 20 with a body twice the limit), which the `openai` SDK reports as a
 * connection error and retries. So the rest of the body is read and dropped first, up
 * to `DRAIN_LIMIT`; past that the connection is closed, as nothing reasonable sends so much.
 *
 * A body with a Content-Length is judged by that header alone (Node's HTTP parser never
 * reads past it), so a body within the limit stays untouched and `c.req.arrayBuffer()`
 * takes @hono/node-server's fast path straight off the socket (Hono's own `bodyLimit`
 * wraps every body in a stream first: ~5% of the CPU of a one-node request). A chunked
 * body has no length to trust: it is counted as it arrives.
 */
import type { Context, MiddlewareHandler } from "hono";
import { PayloadTooLargeError } from "../errors.js";
import { bodyReadError } from "../http/read-body.js";

/** The most a request may send in all before its 413 comes with a closed connection rather than after its body. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/** The next piece of the upload; a connection that breaks before the body's end is a client that left (499), or a malformed body (400). */
async function nextPiece(c: Context, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch (error) {
    throw bodyReadError(c, error);
  }
}

/** Reads and drops the rest of `reader`'s stream, up to `budget` more bytes. */
async function drain(c: Context, reader: ReadableStreamDefaultReader<Uint8Array>, budget: number): Promise<void> {
  let read = 0;
  for (;;) {
    const { done, value } = await nextPiece(c, reader);
    if (done) return;
    read += value.byteLength;
    if (read > budget) {
      await reader.cancel();
      return;
    }
  }
}

export function bodyLimit(maxSize: number): MiddlewareHandler {
  const drainLimit = Math.max(DRAIN_LIMIT, maxSize);
  return async (c, next) => {
    const declared = c.req.header("content-length");
    const chunked = c.req.header("transfer-encoding") !== undefined;
    if (declared !== undefined && !chunked) {
      const size = Number(declared);
      if (size <= maxSize) return next();
      const body = c.req.raw.body;
      if (size <= drainLimit && body) await drain(c, body.getReader(), drainLimit);
      throw new PayloadTooLargeError(maxSize);
    }
    const body = c.req.raw.body;
    if (!body) return next();
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await nextPiece(c, reader);
      if (done) break;
      size += value.byteLength;
      if (size > maxSize) {
        await drain(c, reader, drainLimit - size);
        throw new PayloadTooLargeError(maxSize);
      }
      chunks.push(value);
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks) });
    return next();
  };
}
