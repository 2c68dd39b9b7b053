/**
 * Human in the loop: drafts an email, stops at `interrupt()` to ask "Send this email?
 * (yes/no)", and acts on the answer. The question reaches the client as the assistant's
 * message; the user's next message is the answer, with or without a thread id.
 */
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { Command, END, interrupt, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { bindChatRequest } from "../src/run/bind-chat-request.js";
import { ScriptedChatModel } from "../src/scripted-model.js";

const writer = new ScriptedChatModel({
  tokenDelayMs: 10,
  respond: (messages) => {
    const request = [...messages].reverse().find((message) => message.getType() === "human")?.text.trim() || "say hello";
    const topic = request.replace(/^(please )?(write|draft|send) (an )?(e-?mail|mail)( to (the )?\S+)? */i, "") || request;
    return `Draft email:\n\nSubject: ${subjectOf(topic)}\n\nHi team, a quick note ${topic}.\n\nBest regards`;
  },
});

function subjectOf(topic: string): string {
  const words = topic.replace(/^(about|on|regarding) /i, "").replace(/[^\p{L}\p{N} ]/gu, "").split(/\s+/).filter(Boolean);
  const subject = words.slice(0, 6).join(" ");
  return subject.charAt(0).toUpperCase() + subject.slice(1) || "Hello";
}

function lastDraft(messages: BaseMessage[]): string {
  return [...messages].reverse().find((message) => message.getType() === "ai" && message.text.startsWith("Draft email:"))?.text ?? "";
}

export const graph = new StateGraph(MessagesAnnotation)
  .addNode("draft", async (state, config) => ({ messages: [await bindChatRequest(writer, config).invoke(state.messages, config)] }))
  .addNode(
    "approve",
    (state) => {
      const draft = lastDraft(state.messages);
      const answer = interrupt<{ question: string; draft: string }, string>({ question: "Send this email? (yes/no)", draft });
      const normalized = String(answer).trim().toLowerCase();
      if (/^(y|yes|ok|send)\b/.test(normalized)) return new Command({ goto: "send" });
      if (/^(n|no|cancel|stop)\b/.test(normalized)) return new Command({ goto: END, update: { messages: [new AIMessage("OK, I did not send it.")] } });
      return new Command({ goto: "approve", update: { messages: [new AIMessage(`Please answer yes or no (you said "${answer}").`)] } });
    },
    { ends: ["send", "approve", END] },
  )
  .addNode("send", (state) => {
    const subject = /^Subject: (.*)$/m.exec(lastDraft(state.messages))?.[1] ?? "";
    return { messages: [new AIMessage(`Sent the email "${subject}".`)] };
  })
  .addEdge(START, "draft")
  .addEdge("draft", "approve")
  .addEdge("send", END)
  .compile();
