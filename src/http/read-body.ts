/**
 * The request body as JSON, read strictly: a body that is not UTF-8, not JSON, or
 * declared as something else gets OpenAI's 400 (or 415), never a 500; so does a body
 * Node's HTTP parser refuses (a broken chunked encoding); a client that leaves before
 * it has sent the whole body gets 499.
 */
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import { ApiError, ClientClosedError, InvalidRequestError, UnsupportedMediaTypeError } from "../errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Deeper than any real request (JSON schemas of tools included), far below what would strain a parser or a walker. */
const MAX_JSON_DEPTH = 128;

/** How deep the arrays and objects of a JSON text nest, counting only brackets outside strings. */
function exceedsDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > limit) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}

/**
 * The code of the error Node's HTTP parser refused the body with (`HPE_INVALID_CHUNK_SIZE`):
 * it destroys the socket with it, answers 400 itself, and the body's stream only says
 * `aborted`. Its end before the body's (`HPE_INVALID_EOF_STATE`) is a client that left.
 */
function parserError(c: Context): string | undefined {
  const socket = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket;
  const code = (socket?.errored as NodeJS.ErrnoException | null | undefined)?.code;
  return code?.startsWith("HPE_") && code !== "HPE_INVALID_EOF_STATE" ? code : undefined;
}

/**
 * Why reading a body failed: a body limit's own error, a body Node's HTTP parser refused,
 * or else a connection that broke mid-upload (Node's `aborted`), which only a client that left can cause.
 */
export function bodyReadError(c: Context, error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const refused = parserError(c);
  return refused ? new InvalidRequestError(`The request body is malformed (${refused}).`, null, "malformed_body") : new ClientClosedError();
}

export async function readJsonBody(c: Context): Promise<unknown> {
  const contentType = c.req.header("content-type");
  if (contentType && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(contentType);
  }
  let bytes: ArrayBuffer;
  try {
    bytes = await c.req.arrayBuffer();
  } catch (error) {
    throw bodyReadError(c, error);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new InvalidRequestError("The request body is not valid UTF-8.");
  }
  if (text.trim() === "") throw new InvalidRequestError("The request body is empty: send a JSON object.");
  if (exceedsDepth(text, MAX_JSON_DEPTH)) {
    throw new InvalidRequestError(`The request body is nested too deeply: more than ${MAX_JSON_DEPTH} levels of arrays and objects.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError(
      "We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.",
    );
  }
}
