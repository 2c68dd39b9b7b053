/**
 * A ReAct agent in the shape of LangGraph's react-agent template: a model node that may
 * call tools, a tool node, and a loop between them until the model answers. The model and
 * its prompt come from `config.configurable`; the user's name from the run's context.
 */
import type { AIMessage } from "@langchain/core/messages";
import { END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { type Context, ContextSchema, ensureConfiguration } from "./configuration.js";
import { TOOLS } from "./tools.js";
import { loadChatModel } from "./utils.js";

async function callModel(state: typeof MessagesAnnotation.State, config: LangGraphRunnableConfig<Context>): Promise<typeof MessagesAnnotation.Update> {
  const { model: modelName, systemPromptTemplate } = ensureConfiguration(config);
  const model = (await loadChatModel(modelName)).bindTools!(TOOLS);
  const userName = config.context?.userName;
  const system = systemPromptTemplate.replace("{system_time}", new Date().toISOString()) + (userName ? `\n\nThe user's name is ${userName}.` : "");
  const response = await model.invoke([{ role: "system", content: system }, ...state.messages], config);
  return { messages: [response] };
}

/** To the tools while the model asks for them, else done. */
function routeModelOutput(state: typeof MessagesAnnotation.State): "tools" | typeof END {
  const last = state.messages.at(-1) as AIMessage | undefined;
  return last?.tool_calls?.length ? "tools" : END;
}

export const graph = new StateGraph(MessagesAnnotation, ContextSchema)
  .addNode("callModel", callModel)
  .addNode("tools", new ToolNode(TOOLS))
  .addEdge(START, "callModel")
  .addConditionalEdges("callModel", routeModelOutput)
  .addEdge("tools", "callModel")
  .compile();
