import { InvalidRequestError } from "../../errors.js";
import { parseRequest } from "../../invalid-request.js";
import { createResponseSchema, type CreateResponseRequest } from "./schemas.js";

export function parseResponsesRequest(body: unknown): CreateResponseRequest {
  const request = parseRequest(createResponseSchema, body);
  if (request.input === undefined || (Array.isArray(request.input) && request.input.length === 0)) {
    throw new InvalidRequestError("Missing required parameter: 'input'.", "input");
  }
  if (request.previous_response_id != null && request.conversation != null) {
    throw new InvalidRequestError("Mutually exclusive parameters: provide only one of 'previous_response_id' or 'conversation'.", "conversation");
  }
  return request;
}
