export { createApp, DEFAULT_BODY_LIMIT, type AppOptions } from "./app.ts";
export { serve, type ServeOptions, type RunningServer } from "./server.ts";
export { loadConfig, ConfigError, type ModelSettings, type LoadedConfig } from "./config.ts";
export { createRegistry, defineModel, loadRegistry, GraphLoadError, type Registry, type ModelEntry, type GraphDefinition } from "./registry.ts";
export { getChatRequest, type ChatRequestContext } from "./request-context.ts";
export { ScriptedChatModel, type ScriptedReply, type ScriptedChatModelInput } from "./scripted-model.ts";
export * from "./errors.ts";
export { openCheckpointer, CheckpointerError, type OpenCheckpointer } from "./checkpointer.ts";
