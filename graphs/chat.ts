/**
 * A chat model in a graph, streaming its answer token by token at a readable pace.
 * `bindChatRequest` hands it what the client asked for: its stop sequences, max tokens,
 * sampling and response_format (ask for JSON and it answers JSON). Exported uncompiled:
 * the server compiles a StateGraph itself.
 */
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { bindChatRequest } from "../src/run/bind-chat-request.js";
import { ScriptedChatModel } from "../src/scripted-model.js";

const model = new ScriptedChatModel({
  tokenDelayMs: 30,
  respond: (messages) => {
    const question = messages.at(-1)?.text.trim() || "nothing";
    const turns = messages.filter((message) => message.getType() === "human").length;
    return (
      `You said: "${question}". This is turn ${turns} of our conversation. ` +
      "I am a scripted model inside a LangGraph graph, and this answer streams to you word by word, " +
      "exactly as a hosted model's tokens would."
    );
  },
});

export const graph = new StateGraph(MessagesAnnotation)
  .addNode("model", async (state, config) => ({ messages: [await bindChatRequest(model, config).invoke(state.messages, config)] }))
  .addEdge(START, "model")
  .addEdge("model", END);
