/**
 * The request body as JSON, read strictly: a body that is not UTF-8, not JSON, or
 * declared as something else gets OpenAI's 400 (or 415), never a 500.
 */
import type { Context } from "hono";
import { InvalidRequestError, UnsupportedMediaTypeError } from "../errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export async function readJsonBody(c: Context): Promise<unknown> {
  const contentType = c.req.header("content-type");
  if (contentType && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(contentType);
  }
  let text: string;
  try {
    text = utf8.decode(await c.req.arrayBuffer());
  } catch {
    throw new InvalidRequestError("The request body is not valid UTF-8.");
  }
  if (text.trim() === "") throw new InvalidRequestError("The request body is empty: send a JSON object.");
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError(
      "We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.",
    );
  }
}
