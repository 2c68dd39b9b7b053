/**
 * AG-UI's wire types, from `@ag-ui/core` itself: its zod schema of `RunAgentInput` (zod 4,
 * as ours) checks a request, and its types shape the events we send. `protocolVersion`
 * is optional there: `@ag-ui/client` 1.0 sends `"1.0"`, older clients send none.
 */
import type { AGUIEvent, Interrupt, Message, RunAgentInput, ToolCall } from "@ag-ui/core";
import { RunAgentInputSchema } from "@ag-ui/core/schemas";

export const runAgentInputSchema = RunAgentInputSchema;

export type { AGUIEvent, Interrupt, Message, RunAgentInput, ToolCall };
