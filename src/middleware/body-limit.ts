/**
 * 413 for a body over the limit. A body with a Content-Length is judged by that header
 * alone (Node's HTTP parser never reads past it), so the body stays untouched and
 * `c.req.arrayBuffer()` takes @hono/node-server's fast path straight off the socket;
 * Hono's own `bodyLimit` reads `c.req.raw.body` first, which builds a web `Request` and
 * stream around every body (~5% of the CPU of a one-node request). A chunked body has
 * no length to trust: Hono's middleware counts it as it arrives.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { PayloadTooLargeError } from "../errors.js";

export function bodyLimit(maxSize: number): MiddlewareHandler {
  const counting = honoBodyLimit({
    maxSize,
    onError: () => {
      throw new PayloadTooLargeError(maxSize);
    },
  });
  return async (c, next) => {
    const declared = c.req.header("content-length");
    if (declared === undefined || c.req.header("transfer-encoding") !== undefined) return counting(c, next);
    if (Number(declared) > maxSize) throw new PayloadTooLargeError(maxSize);
    await next();
  };
}
