/**
 * The graphs every server in the benchmark serves, from this one module, so ours, the
 * floor and LangGraph's own server run exactly the same code. Exported uncompiled where
 * a checkpointer may be attached, as a user's graph would be.
 */
import { AIMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { ScriptedChatModel } from "../src/scripted-model.js";

/** One word per token, so a reply of `n` words streams as `n` chunks. */
export function words(count: number): string {
  return Array.from({ length: count }, (_, index) => `w${index} `).join("").trimEnd();
}

function modelGraph(model: ScriptedChatModel) {
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
    .addEdge(START, "model")
    .addEdge("model", END);
}

/** One node, no model: the cost of serving a graph at all. */
export const echo = new StateGraph(MessagesAnnotation)
  .addNode("echo", (state) => ({ messages: [new AIMessage(`You said: ${state.messages.at(-1)?.text ?? ""}`)] }))
  .addEdge(START, "echo")
  .addEdge("echo", END);

export const LONG_TOKENS = 2000;
/** A model streaming a 2,000-token answer with no delay: the cost per token. */
export const long = modelGraph(new ScriptedChatModel({ replies: [words(LONG_TOKENS)] }));

export const SHORT_TOKENS = 20;
/** A short answer with no delay: time to first token without the stream's length in it. */
export const short = modelGraph(new ScriptedChatModel({ replies: [words(SHORT_TOKENS)] }));

export const SLOW_TOKENS = 100;
export const SLOW_DELAY_MS = 50;
/** A model at a hosted model's pace: 100 tokens, 50 ms apart. */
export const slow = modelGraph(new ScriptedChatModel({ replies: [words(SLOW_TOKENS)], tokenDelayMs: SLOW_DELAY_MS }));

const lookUp = tool(async ({ topic }) => `Three facts about ${topic}.`, {
  name: "look_up",
  description: "Looks a topic up.",
  schema: z.object({ topic: z.string() }),
});
const agentModel = new ScriptedChatModel({
  respond: (messages) => (messages.at(-1) instanceof ToolMessage ? words(SHORT_TOKENS) : { toolCalls: [{ name: "look_up", args: { topic: "graphs" } }] }),
}).bindTools([lookUp]);

/** A ReAct turn as LangGraph's templates build it: the model calls a tool, the tool node runs it, the model answers (20 words). */
export const react = new StateGraph(MessagesAnnotation)
  .addNode("agent", async (state, config) => ({ messages: [await agentModel.invoke(state.messages, config)] }))
  .addNode("tools", new ToolNode([lookUp]))
  .addEdge(START, "agent")
  .addConditionalEdges("agent", toolsCondition, ["tools", END])
  .addEdge("tools", "agent");
