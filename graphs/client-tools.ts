/**
 * A graph that uses the client's tools: it binds the request's `tools` to its model
 * and ends on the model's tool call, so the client runs the tool and sends back the
 * result as a `tool` message; then the graph answers from it.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { getChatRequest } from "../src/request-context.ts";
import { ScriptedChatModel } from "../src/scripted-model.ts";

const model = new ScriptedChatModel({
  respond: (messages, options) => {
    const last = messages.at(-1);
    if (last?.getType() === "tool") return `The tool answered: ${last.text}`;
    const tool = options.tools?.[0] as { function?: { name: string; parameters?: { required?: string[] } } } | undefined;
    if (!tool?.function) return "Send me some tools and I will call the first one.";
    const argument = tool.function.parameters?.required?.[0] ?? "input";
    return { toolCalls: [{ name: tool.function.name, args: { [argument]: last?.text ?? "" } }] };
  },
});

async function callModel(state: typeof MessagesAnnotation.State, config: RunnableConfig) {
  const tools = getChatRequest(config)?.tools ?? [];
  const bound = tools.length > 0 ? model.bindTools(tools) : model;
  return { messages: [await bound.invoke(state.messages, config)] };
}

export const graph = new StateGraph(MessagesAnnotation)
  .addNode("model", callModel)
  .addEdge(START, "model")
  .addEdge("model", END)
  .compile();
