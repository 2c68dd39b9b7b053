/**
 * A graph that uses the client's tools: it binds the request's `tools` (and honours
 * its `tool_choice`) and ends on the model's tool call, so the client runs the tool and
 * sends back the result as a `tool` message; then the graph answers from it.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { getChatRequest } from "../src/run/request-context.js";
import { ScriptedChatModel, type ScriptedReply } from "../src/scripted-model.js";

interface FunctionTool {
  function: { name: string; description?: string; parameters?: { required?: string[]; properties?: Record<string, unknown> } };
}

const model = new ScriptedChatModel({
  tokenDelayMs: 15,
  respond: (messages, options): ScriptedReply => {
    const results: string[] = [];
    for (let i = messages.length - 1; i >= 0 && messages[i]!.getType() === "tool"; i--) results.unshift(messages[i]!.text);
    if (results.length > 0) return `Your tool answered: ${results.join("; ")}.`;
    const tools = (options.tools ?? []) as FunctionTool[];
    if (tools.length === 0) return "Send me some tools and I will call the first one with your message.";
    const { name, parameters } = tools[0]!.function;
    const argument = parameters?.required?.[0] ?? Object.keys(parameters?.properties ?? {})[0] ?? "input";
    return {
      content: `I will ask ${name}. `,
      toolCalls: [{ name, args: { [argument]: messages.at(-1)?.text ?? "" } }],
    };
  },
});

async function callModel(state: typeof MessagesAnnotation.State, config: RunnableConfig) {
  const request = getChatRequest(config);
  const tools = request?.tool_choice === "none" ? [] : (request?.tools ?? []);
  const bound = tools.length > 0 ? model.bindTools(tools) : model;
  return { messages: [await bound.invoke(state.messages, config)] };
}

export const graph = new StateGraph(MessagesAnnotation)
  .addNode("model", callModel)
  .addEdge(START, "model")
  .addEdge("model", END)
  .compile();
