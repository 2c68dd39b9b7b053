/** The smallest graph: one node that answers without a model. */
import { AIMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

export const graph = new StateGraph(MessagesAnnotation)
  .addNode("echo", (state) => {
    const last = state.messages.at(-1);
    return { messages: [new AIMessage(`You said: ${last?.text ?? ""}`)] };
  })
  .addEdge(START, "echo")
  .addEdge("echo", END)
  .compile();
