import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { FakeChatModel } from "./fake-model.js";

/**
 * The chat model a `provider/model` name stands for. (LangGraph's template uses
 * langchain's `initChatModel`, which knows every provider; this one knows OpenAI's, and
 * `fake/<persona>` for running offline.)
 */
export async function loadChatModel(name: string): Promise<BaseChatModel> {
  const slash = name.indexOf("/");
  const provider = slash === -1 ? "openai" : name.slice(0, slash);
  const model = name.slice(slash + 1);
  if (provider === "fake") return new FakeChatModel(model);
  if (provider === "openai") {
    const { ChatOpenAI } = await import("@langchain/openai");
    return new ChatOpenAI({ model });
  }
  throw new Error(`Unknown model provider '${provider}' in '${name}': use openai/<model> or fake/<persona>.`);
}
