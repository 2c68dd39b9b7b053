export { createApp, DEFAULT_BODY_LIMIT, type AppOptions } from "./app.js";
export { serve, DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_THREAD_LOCK_TIMEOUT, type ServeOptions, type RunningServer } from "./server.js";
export { createLogger, type CreateLoggerOptions, type LogFormat } from "./logger.js";
export { parseApiKey, parseApiKeysEnv, type ApiKey } from "./middleware/auth.js";
export { RunTracker, type RunTrackerOptions, type RunRecord } from "./run-tracker.js";
export { loadConfig, ConfigError, type ModelSettings, type LoadedConfig, type GraphSpec } from "./config.js";
export { createRegistry, defineModel, loadRegistry, GraphLoadError, type Registry, type ModelEntry, type GraphDefinition, type CompiledGraph } from "./registry.js";
export { getChatRequest, getRequestLog, type ChatRequestContext, type RequestLog } from "./run/request-context.js";
export { bindChatRequest, type BindChatRequestOptions, type ChatModelRunnable } from "./run/bind-chat-request.js";
export {
  ScriptedChatModel,
  type ScriptedReply,
  type ScriptedChatModelInput,
  type ScriptedCallOptions,
  type ScriptedResponseFormat,
  type ScriptedToolCall,
  type ScriptedUsage,
} from "./scripted-model.js";
export * from "./errors.js";
export { openCheckpointer, CheckpointerError, type OpenCheckpointer } from "./checkpointer.js";
export { openStore, StoreError, type OpenStore } from "./store.js";
export { openPgThreadLocks, type PgThreadLocks, type PgThreadLocksOptions } from "./threads/pg-thread-locks.js";
export type { ThreadLocker, ThreadRelease } from "./threads/locks.js";
export type { RunUser } from "./run/server-info.js";
export type { LangGraphCopy } from "./langgraph-copy.js";
export { UnsupportedLangGraphError } from "./langgraph-location.js";
export { MissingPackageError } from "./optional-import.js";
