import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseStore, LangGraphRunnableConfig } from "@langchain/langgraph";
import { FakeChatModel } from "./fake-model.js";

/** The run's store: LangGraph's server gives every run one, and so does langgraph-openai. */
export function getStoreFromConfigOrThrow(config: LangGraphRunnableConfig): BaseStore {
  if (!config.store) throw new Error("Store not found in configuration");
  return config.store;
}

/** The chat model a `provider/model` name stands for: OpenAI's, or `fake/...` offline. */
export async function loadChatModel(name: string): Promise<BaseChatModel> {
  const [provider, model] = name.includes("/") ? (name.split("/", 2) as [string, string]) : ["openai", name];
  if (provider === "fake") return new FakeChatModel();
  if (provider !== "openai") throw new Error(`Unknown model provider '${provider}' in '${name}': use openai/<model> or fake/memory.`);
  const { ChatOpenAI } = await import("@langchain/openai");
  return new ChatOpenAI({ model });
}
