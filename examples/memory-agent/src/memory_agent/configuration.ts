/**
 * The agent's settings, as LangGraph's templates read them from `config.configurable`.
 * Whose memories to use: the tenant of the caller's API key, and in it `configurable.userId`
 * when the deployment sets one, else the user the server names in `runtime.serverInfo`:
 * with langgraph-openai, the user a front end's key forwards (`user`), or on a server
 * without keys the claimed one (`identity`, not authenticated). A key's other claims
 * (`claimed_user`) never choose whose memories these are.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { SYSTEM_PROMPT } from "./prompts.js";

export interface Configuration {
  /** Whose memories these are: `["memories", tenant, user]` in the store. */
  namespace: string[];
  /** `provider/model`, e.g. `openai/gpt-4o-mini`; `fake/memory` runs offline. */
  model: string;
  systemPrompt: string;
}

/** Without an OpenAI key the agent still runs, on a fake model. */
const DEFAULT_MODEL = process.env.OPENAI_API_KEY ? "openai/gpt-4o-mini" : "fake/memory";

export function ensureConfiguration(config: LangGraphRunnableConfig): Configuration {
  const configurable = config.configurable ?? {};
  const user = config.serverInfo?.user;
  const tenant: string = user?.tenant ?? "local";
  const userId: string = configurable.userId ?? user?.user ?? (user?.is_authenticated ? undefined : user?.identity) ?? "default";
  return {
    namespace: ["memories", tenant, userId],
    model: configurable.model ?? DEFAULT_MODEL,
    systemPrompt: configurable.systemPrompt ?? SYSTEM_PROMPT,
  };
}
