/**
 * The agent's settings, as LangGraph's templates read them: the model and the system
 * prompt from `config.configurable` (an assistant's config on LangGraph's server, a
 * model's in langgraph-openai's `openai.models`), and who it talks to from the run's
 * context (LangGraph 1.x), checked by `ContextSchema`.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import { SYSTEM_PROMPT_TEMPLATE } from "./prompts.js";

export const ContextSchema = z.object({
  /** How the agent addresses the user. */
  userName: z.string().min(1).optional(),
});

export type Context = z.infer<typeof ContextSchema>;

export interface Configuration {
  systemPromptTemplate: string;
  /** `provider/model`, e.g. `openai/gpt-4o-mini`; `fake/<persona>` runs offline. */
  model: string;
}

/** Without an OpenAI key the agent still runs, on a fake model. */
const DEFAULT_MODEL = process.env.OPENAI_API_KEY ? "openai/gpt-4o-mini" : "fake/assistant";

export function ensureConfiguration(config: LangGraphRunnableConfig): Configuration {
  const configurable = config.configurable ?? {};
  return {
    systemPromptTemplate: configurable.systemPromptTemplate ?? SYSTEM_PROMPT_TEMPLATE,
    model: configurable.model ?? DEFAULT_MODEL,
  };
}
