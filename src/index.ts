export { createApp, DEFAULT_BODY_LIMIT, type AppOptions } from "./app.ts";
export { serve, DEFAULT_SHUTDOWN_TIMEOUT, type ServeOptions, type RunningServer } from "./server.ts";
export { createLogger, type CreateLoggerOptions, type LogFormat } from "./logger.ts";
export { parseApiKey, parseApiKeysEnv, type ApiKey } from "./middleware/auth.ts";
export { RunTracker, type RunTrackerOptions, type RunRecord } from "./run-tracker.ts";
export { loadConfig, ConfigError, type ModelSettings, type LoadedConfig, type GraphSpec } from "./config.ts";
export { createRegistry, defineModel, loadRegistry, GraphLoadError, type Registry, type ModelEntry, type GraphDefinition, type CompiledGraph } from "./registry.ts";
export { getChatRequest, type ChatRequestContext } from "./request-context.ts";
export {
  ScriptedChatModel,
  type ScriptedReply,
  type ScriptedChatModelInput,
  type ScriptedCallOptions,
  type ScriptedToolCall,
  type ScriptedUsage,
} from "./scripted-model.ts";
export * from "./errors.ts";
export { openCheckpointer, CheckpointerError, type OpenCheckpointer } from "./checkpointer.ts";
