import { parseRequest } from "../../invalid-request.js";
import { runAgentInputSchema, type RunAgentInput } from "./schemas.js";

export function parseRunAgentInput(body: unknown): RunAgentInput {
  return parseRequest(runAgentInputSchema, body);
}
