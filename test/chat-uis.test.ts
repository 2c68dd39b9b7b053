import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { answerBackgroundRequest } from "../src/chat-uis/answers.js";
import { CATALOGUE } from "../src/chat-uis/catalogue.js";
import { quotedQuestions, recognizeBackgroundRequest } from "../src/chat-uis/recognize.js";

const question = "What is the weather in Paris today?";
const reply = "It is 18°C and sunny.";

/**
 * Each UI's background request in the shape its source sends it, worded in our own words
 * around the catalogue's fingerprint phrase.
 */
const REQUESTS: Record<string, { ui: string; kind: string; messages: BaseMessage[]; answer: string }> = {
  nextChatTitle: {
    ui: "NextChat",
    kind: "title",
    messages: [new HumanMessage(question), new AIMessage(reply), new HumanMessage("Please generate a four to five word title summarizing our conversation, plainly.")],
    answer: "What is the weather in Paris",
  },
  nextChatSummary: {
    ui: "NextChat",
    kind: "summary",
    messages: [new HumanMessage(question), new AIMessage(reply), new SystemMessage("Summarize the discussion briefly in 200 words or less for later.")],
    answer: `The user asked: ${question}`,
  },
  libreChatTitle: {
    ui: "LibreChat",
    kind: "title",
    messages: [new HumanMessage(`Give a 5-word-or-less title for the conversation, title only.\n\nConversation:\nUser: ${question}\nAI: ${reply}`)],
    answer: "What is the weather in Paris",
  },
  lobeChatTitle: {
    ui: "LobeChat",
    kind: "title",
    messages: [new SystemMessage("Generate a concise title that captures the essence of the conversation. Ten words at most."), new HumanMessage(`user: ${question}\nassistant: ${reply}`)],
    answer: "What is the weather in Paris",
  },
  lobeChatSummary: {
    ui: "LobeChat",
    kind: "summary",
    messages: [
      new SystemMessage("You are good at extracting key takeaways from conversations."),
      new HumanMessage(`<chat_history>\n<user>${question}</user>\n<assistant>${reply}</assistant>\n<user>And tomorrow?</user>\n</chat_history>\nSummarize it.`),
    ],
    answer: `The user asked: ${question}; And tomorrow?`,
  },
  lobeChatTranslation: {
    ui: "LobeChat",
    kind: "translation",
    messages: [new SystemMessage("You are a professional translator. Translate the input text to French."), new HumanMessage("Good morning")],
    answer: "Good morning",
  },
  chatboxTitle: {
    ui: "Chatbox",
    kind: "title",
    messages: [new HumanMessage(`Please give this conversation a name, short.\n\n\`\`\`\n${question}\n\n---------\n\n${reply}\n\`\`\`\n\nThe name:`)],
    answer: "What is the weather in Paris",
  },
  chatboxSearch: {
    ui: "Chatbox",
    kind: "search",
    messages: [new SystemMessage("As a professional web researcher who can access latest data, decide: search or proceed."), new HumanMessage(question)],
    answer: '{"action":"proceed"}',
  },
  cherryTitle: {
    ui: "Cherry Studio",
    kind: "title",
    messages: [new SystemMessage("Summarize the conversation into a title in English, briefly."), new HumanMessage(question)],
    answer: "What is the weather in Paris",
  },
  cherryTranslation: {
    ui: "Cherry Studio",
    kind: "translation",
    messages: [new HumanMessage("Your only task is to translate text enclosed with <translate_input> to German.\n\n<translate_input>\nGood night\n</translate_input>")],
    answer: "Good night",
  },
  bigAgiTitle: {
    ui: "big-AGI",
    kind: "title",
    messages: [new SystemMessage("You are an AI conversation titles assistant, brief."), new HumanMessage(`Title this:\n\`\`\`\n- You: ${question}\n- Assistant: ${reply}\n\`\`\``)],
    answer: "What is the weather in Paris",
  },
  bigAgiFollowUp: {
    ui: "big-AGI",
    kind: "follow_ups",
    messages: [new SystemMessage("You are an expert AI assistant skilled in creating diagrams; call the function if one helps."), new HumanMessage(question), new AIMessage(reply)],
    answer: "",
  },
  janTitle: {
    ui: "Jan",
    kind: "title",
    messages: [new HumanMessage(`Summarize in a 10-word Title. Give the title only. "${question}"`)],
    answer: "What is the weather in Paris",
  },
};

describe("the catalogue of chat UIs' background requests", () => {
  it("records the version read of every UI the issue names", () => {
    const uis = new Set(CATALOGUE.map((entry) => entry.ui));
    expect([...uis].sort()).toEqual(["Chatbox", "Cherry Studio", "Jan", "LibreChat", "LobeChat", "NextChat", "big-AGI"]);
    for (const entry of CATALOGUE) expect(entry.version).toMatch(/[0-9a-f]{7}/);
  });

  for (const [name, request] of Object.entries(REQUESTS)) {
    it(`knows ${request.ui}'s ${request.kind} request (${name}) and answers it in plain text`, () => {
      const recognized = recognizeBackgroundRequest(request.messages);
      expect(recognized?.kind).toBe(request.kind);
      expect(answerBackgroundRequest(recognized!)).toBe(request.answer);
    });
  }

  it("leaves a chat's own messages alone, a question that talks about titles included", () => {
    expect(recognizeBackgroundRequest([new SystemMessage("You are a helpful assistant."), new HumanMessage(question)])).toBeUndefined();
    expect(recognizeBackgroundRequest([new HumanMessage("What makes a good title for a conversation?")])).toBeUndefined();
    // The phrase in an earlier message is not the request's prompt.
    const earlier = REQUESTS.nextChatTitle!.messages;
    expect(recognizeBackgroundRequest([...earlier, new AIMessage("Weather in Paris"), new HumanMessage("thanks")])).toBeUndefined();
  });

  it("takes an operator's own patterns first, with their fixed answers", () => {
    const patterns = [
      { kind: "tags" as const, fingerprint: "list three tags for this chat", reply: "weather" },
      { kind: "title" as const, fingerprint: "You are an AI conversation titles assistant", place: "system" as const, reply: "Chat" },
    ];
    const tags = recognizeBackgroundRequest([new HumanMessage(question), new HumanMessage("Please list three tags for this chat.")], patterns);
    expect(tags && answerBackgroundRequest(tags)).toBe("weather");
    const title = recognizeBackgroundRequest(REQUESTS.bigAgiTitle!.messages, patterns);
    expect(title && answerBackgroundRequest(title)).toBe("Chat");
  });

  it("reads the questions a prompt quotes, however it quotes them", () => {
    expect(quotedQuestions("Conversation:\nUser: one\nAI: two\nUser: three")).toEqual(["one", "three"]);
    expect(quotedQuestions("```\nfirst\n\n---------\n\nsecond\n```")).toEqual(["first"]);
    expect(quotedQuestions('Title it. "a question"')).toEqual(["a question"]);
    expect(quotedQuestions("<chat_history>\n<user>one</user>\n<assistant>two</assistant>\n</chat_history>")).toEqual(["one"]);
    expect(quotedQuestions("nothing quoted")).toEqual([]);
  });

  it("reads a hostile prompt in linear time: whitespace runs and unclosed elements", () => {
    const started = performance.now();
    expect(quotedQuestions(`${"\n \t".repeat(20_000)}x`)).toEqual([]);
    expect(quotedQuestions("<user>".repeat(20_000))).toEqual([]);
    const title = [new HumanMessage(`Please generate a four to five word title summarizing our conversation. ${" \n".repeat(50_000)}`)];
    expect(recognizeBackgroundRequest(title)?.kind).toBe("title");
    expect(performance.now() - started).toBeLessThan(500);
  });
});
