/**
 * A memory agent in the shape of LangGraph's memory-agent template: before answering,
 * the model reads what it remembers of the user from the store (shared by every thread);
 * when it learns something worth keeping it calls upsertMemory, which writes to the store.
 */
import type { AIMessage } from "@langchain/core/messages";
import { END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ensureConfiguration } from "./configuration.js";
import { initializeTools } from "./tools.js";
import { getStoreFromConfigOrThrow, loadChatModel } from "./utils.js";

async function callModel(state: typeof MessagesAnnotation.State, config: LangGraphRunnableConfig): Promise<typeof MessagesAnnotation.Update> {
  const { namespace, model: modelName, systemPrompt } = ensureConfiguration(config);
  const memories = await getStoreFromConfigOrThrow(config).search(namespace, { limit: 10 });
  const remembered = memories.map((memory) => `- ${memory.value.content}`).join("\n");
  const system = systemPrompt
    .replace("{user_info}", remembered ? `\n<memories>\n${remembered}\n</memories>` : "")
    .replace("{time}", new Date().toISOString());
  const model = (await loadChatModel(modelName)).bindTools!(initializeTools(config));
  return { messages: [await model.invoke([{ role: "system", content: system }, ...state.messages], config)] };
}

/** Runs the model's upsertMemory calls; their results go back to the model. */
async function storeMemory(state: typeof MessagesAnnotation.State, config: LangGraphRunnableConfig): Promise<typeof MessagesAnnotation.Update> {
  const calls = (state.messages.at(-1) as AIMessage).tool_calls ?? [];
  const [upsertMemory] = initializeTools(config);
  return { messages: await Promise.all(calls.map((call) => upsertMemory!.invoke(call))) };
}

function routeMessage(state: typeof MessagesAnnotation.State): "store_memory" | typeof END {
  const last = state.messages.at(-1) as AIMessage | undefined;
  return last?.tool_calls?.length ? "store_memory" : END;
}

export const graph = new StateGraph(MessagesAnnotation)
  .addNode("call_model", callModel)
  .addNode("store_memory", storeMemory)
  .addEdge(START, "call_model")
  .addConditionalEdges("call_model", routeMessage, ["store_memory", END])
  .addEdge("store_memory", "call_model")
  .compile();
graph.name = "MemoryAgent";
