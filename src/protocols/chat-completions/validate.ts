import { parseRequest } from "../../invalid-request.js";
import { chatCompletionRequestSchema, type ChatCompletionRequest } from "./schemas.js";

export function parseChatRequest(body: unknown): ChatCompletionRequest {
  return parseRequest(chatCompletionRequestSchema, body);
}
