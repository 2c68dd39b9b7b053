/**
 * The agent's settings, as LangGraph's templates read them from `config.configurable`.
 * Whose memories to use: `configurable.userId` when the deployment sets one, else the
 * user LangGraph's server (or langgraph-openai) names in `runtime.serverInfo`.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { SYSTEM_PROMPT } from "./prompts.js";

export interface Configuration {
  userId: string;
  /** `provider/model`, e.g. `openai/gpt-4o-mini`; `fake/memory` runs offline. */
  model: string;
  systemPrompt: string;
}

/** Without an OpenAI key the agent still runs, on a fake model. */
const DEFAULT_MODEL = process.env.OPENAI_API_KEY ? "openai/gpt-4o-mini" : "fake/memory";

export function ensureConfiguration(config: LangGraphRunnableConfig): Configuration {
  const configurable = config.configurable ?? {};
  return {
    userId: configurable.userId ?? config.serverInfo?.user?.identity ?? "default",
    model: configurable.model ?? DEFAULT_MODEL,
    systemPrompt: configurable.systemPrompt ?? SYSTEM_PROMPT,
  };
}
