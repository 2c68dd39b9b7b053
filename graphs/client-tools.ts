/**
 * A graph that uses the client's tools: `bindChatRequest` binds the request's `tools`
 * with its `tool_choice` and `parallel_tool_calls`, and the graph ends on the model's
 * tool call, so the client runs the tool and sends back the result as a `tool` message;
 * then the graph answers from it. The model calls the tool `tool_choice` names, or else
 * the first one; with `tool_choice: "none"` it answers without one.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { bindChatRequest } from "../src/run/bind-chat-request.js";
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
    if (options.tool_choice === "none") return `I may not call ${tools.map((tool) => tool.function.name).join(" or ")} this time.`;
    const chosen = tools.find((tool) => tool.function.name === options.tool_choice) ?? tools[0]!;
    const { name, parameters } = chosen.function;
    const argument = parameters?.required?.[0] ?? Object.keys(parameters?.properties ?? {})[0] ?? "input";
    return {
      content: `I will ask ${name}. `,
      toolCalls: [{ name, args: { [argument]: messages.at(-1)?.text ?? "" } }],
    };
  },
});

async function callModel(state: typeof MessagesAnnotation.State, config: RunnableConfig) {
  return { messages: [await bindChatRequest(model, config).invoke(state.messages, config)] };
}

export const graph = new StateGraph(MessagesAnnotation)
  .addNode("model", callModel)
  .addEdge(START, "model")
  .addEdge("model", END)
  .compile();
